import { Readable } from "node:stream";
import type { MessagePatch } from "@mailpen/shared";
import type { MailStore } from "@mailpen/store";
import type { FastifyInstance } from "fastify";
import { badRequest, notFound } from "../api-error.ts";
import { HTML_BODY_HEADERS, rewriteCidReferences } from "../html-body.ts";
import { errorResponses, idParamsSchema } from "../schemas/common.ts";
import {
  deletedSchema,
  messageDetailSchema,
  messageListQuerySchema,
  messageListSchema,
  messagePatchSchema,
  messageSummarySchema,
  partParamsSchema,
  queryProperty,
} from "../schemas/message.ts";
import type { RouteContext } from "./route-context.ts";

/**
 * /api/messages: list, read (detail, raw bytes, HTML, text, parts), update and delete messages.
 * Handlers throw ApiError for client mistakes; the app's error handler writes the reply.
 */

interface IdParams {
  id: string;
}

/** Parts (attachments) are served from our origin, so they must never run as a page of it. */
const PART_HEADERS = {
  "content-security-policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox",
  "x-content-type-options": "nosniff",
} as const;

const binary = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: "string", format: "binary" } } },
});

/**
 * The search query to pass to the store: undefined for none (absent or blank), otherwise checked
 * first, with a 400 naming `field` when the store's search syntax rejects it.
 */
export function toValidQuery(
  store: MailStore,
  query: string | undefined,
  field = "querystring/query",
): string | undefined {
  if (query === undefined || query.trim() === "") return undefined;
  const result = store.validateQuery(query);
  if (!result.ok) throw badRequest(field, result.message);
  return query;
}

/** A `filename*` parameter (RFC 6266 / RFC 8187) plus an ASCII fallback. */
export function formatContentDisposition(kind: "inline" | "attachment", filename: string | null): string {
  if (!filename) return kind;
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** A stored content type as a header value: anything but printable `type/subtype[; params]` becomes octets. */
export function toSafeContentType(contentType: string): string {
  const essence = contentType.split(";")[0]!.trim();
  const valid = /^[a-z0-9][\w.+-]*\/[a-z0-9][\w.+-]*$/i.test(essence) && /^[\x20-\x7e]*$/.test(contentType);
  return valid ? contentType.trim() : "application/octet-stream";
}

export async function messageRoutes(app: FastifyInstance, { store }: RouteContext): Promise<void> {
  app.get<{ Querystring: { limit: number; cursor?: string; query?: string } }>(
    "/api/messages",
    {
      schema: {
        summary: "List messages, newest first",
        tags: ["messages"],
        querystring: messageListQuerySchema,
        response: { 200: messageListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      return store.listMessages({ limit, cursor, query: toValidQuery(store, request.query.query) });
    },
  );

  app.delete<{ Querystring: { query?: string } }>(
    "/api/messages",
    {
      schema: {
        summary: "Delete all messages, or those matching the query",
        tags: ["messages"],
        querystring: { type: "object", properties: { query: queryProperty } },
        response: { 200: deletedSchema, ...errorResponses },
      },
    },
    async (request) => {
      return { deleted: store.deleteMessages(toValidQuery(store, request.query.query)) };
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/messages/:id",
    {
      schema: {
        summary: "One message: headers in order, text, HTML, attachments, envelope",
        tags: ["messages"],
        params: idParamsSchema,
        response: { 200: messageDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const message = await store.getMessage(request.params.id);
      if (!message) throw notFound("message", request.params.id);
      return message;
    },
  );

  app.get<{ Params: IdParams; Querystring: { download?: "0" | "1" | "true" | "false" } }>(
    "/api/messages/:id/raw",
    {
      schema: {
        summary: "The message exactly as received (download=1 for an .eml attachment)",
        tags: ["messages"],
        params: idParamsSchema,
        querystring: {
          type: "object",
          properties: { download: { type: "string", enum: ["0", "1", "true", "false"] } },
        },
        response: { 200: binary("message/rfc822", "the raw message"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const raw = store.openRaw(request.params.id);
      if (!raw) throw notFound("message", request.params.id);
      const download = request.query.download === "1" || request.query.download === "true";
      const disposition = download
        ? formatContentDisposition("attachment", `${request.params.id}.eml`)
        : "inline";
      return (
        reply
          .type("message/rfc822")
          .header("content-disposition", disposition)
          .header("x-content-type-options", "nosniff")
          .header("content-length", raw.size)
          // Piece by piece as the client reads: a 50 MB message is never held whole for its download.
          .send(Readable.from(raw.pieces, { objectMode: false }))
      );
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/messages/:id/html",
    {
      schema: {
        summary: "The HTML body, sandboxed by its Content-Security-Policy (no scripts)",
        tags: ["messages"],
        params: idParamsSchema,
        response: { 200: binary("text/html", "the HTML body, cid: references rewritten"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const message = await store.getMessage(request.params.id);
      if (!message) throw notFound("message", request.params.id);
      if (message.html === null) throw notFound("HTML body of message", request.params.id);
      return reply
        .headers(HTML_BODY_HEADERS)
        .type("text/html; charset=utf-8")
        .send(rewriteCidReferences(message.html, message.id));
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/messages/:id/text",
    {
      schema: {
        summary: "The plain-text body",
        tags: ["messages"],
        params: idParamsSchema,
        response: { 200: binary("text/plain", "the text body"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const message = await store.getMessage(request.params.id);
      if (!message) throw notFound("message", request.params.id);
      if (message.text === null) throw notFound("text body of message", request.params.id);
      return reply
        .type("text/plain; charset=utf-8")
        .header("x-content-type-options", "nosniff")
        .send(message.text);
    },
  );

  app.get<{ Params: IdParams & { partId: string } }>(
    "/api/messages/:id/parts/:partId",
    {
      schema: {
        summary: "An attachment or inline part, by part id or content id (cid)",
        tags: ["messages"],
        params: partParamsSchema,
        response: { 200: binary("application/octet-stream", "the decoded part"), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id, partId } = request.params;
      const part = await store.getPart(id, partId);
      if (!part) {
        throw store.getMessageSummary(id)
          ? notFound(`part ${JSON.stringify(partId)} of message`, id)
          : notFound("message", id);
      }
      const contentType = toSafeContentType(part.contentType);
      const essence = contentType.split(";")[0]!.toLowerCase();
      // Images show inline; everything else (SVG and HTML included) downloads.
      const kind = essence.startsWith("image/") && essence !== "image/svg+xml" ? "inline" : "attachment";
      return reply
        .headers(PART_HEADERS)
        .type(contentType)
        .header("content-disposition", formatContentDisposition(kind, part.filename))
        .send(part.content);
    },
  );

  app.patch<{ Params: IdParams; Body: MessagePatch }>(
    "/api/messages/:id",
    {
      schema: {
        summary: "Mark read or unread, set tags",
        tags: ["messages"],
        params: idParamsSchema,
        body: messagePatchSchema,
        response: { 200: messageSummarySchema, ...errorResponses },
      },
    },
    async (request) => {
      const message = store.updateMessage(request.params.id, request.body);
      if (!message) throw notFound("message", request.params.id);
      return message;
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/messages/:id",
    {
      schema: {
        summary: "Delete one message",
        tags: ["messages"],
        params: idParamsSchema,
        response: { 204: { type: "null", description: "deleted" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!store.deleteMessage(request.params.id)) throw notFound("message", request.params.id);
      return reply.code(204).send();
    },
  );
}
