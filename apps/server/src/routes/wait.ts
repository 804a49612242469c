import type { FastifyInstance } from "fastify";
import { ApiError, badRequest } from "../api-error.ts";
import { errorBodySchema, errorResponses } from "../schemas/common.ts";
import { messageSummarySchema, queryProperty } from "../schemas/message.ts";
import { parseWaitSince, waitForMessages } from "../wait-for-messages.ts";
import { toValidQuery } from "./messages.ts";
import type { RouteContext } from "./route-context.ts";

/**
 * GET /api/wait: long-poll for CI. Waits are aborted when the client goes away (releasing the
 * subscription at once) and answered 503 when the app closes, so a 300 s wait never holds up a stop.
 */

const waitResponseSchema = {
  type: "object",
  required: ["messages", "timedOut"],
  properties: { messages: { type: "array", items: messageSummarySchema }, timedOut: { type: "boolean" } },
} as const;

/** The shape of Mailpen's ids (ULID: 26 Crockford base32 characters). */
const TIME_ORDERED_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export async function waitRoutes(app: FastifyInstance, { store }: RouteContext): Promise<void> {
  const closing = new AbortController();
  app.addHook("preClose", async () =>
    closing.abort(new ApiError(503, "shutting_down", "the server is stopping")),
  );

  app.get<{ Querystring: { query?: string; since?: string; timeout: number; count: number } }>(
    "/api/wait",
    {
      schema: {
        summary: "Wait until `count` messages matching `query` arrived after `since` (408 on timeout)",
        tags: ["messages"],
        querystring: {
          type: "object",
          properties: {
            query: queryProperty,
            since: {
              type: "string",
              maxLength: 200,
              description: "a message id (exclusive), an ISO 8601 time or epoch milliseconds; default: now",
            },
            timeout: {
              type: "number",
              exclusiveMinimum: 0,
              maximum: 300,
              default: 30,
              description: "seconds",
            },
            count: { type: "integer", minimum: 1, maximum: 1000, default: 1 },
          },
        },
        response: {
          200: waitResponseSchema,
          408: waitResponseSchema,
          503: errorBodySchema,
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { timeout, count } = request.query;
      const query = toValidQuery(store, request.query.query);
      const since = parseWaitSince(request.query.since);
      if (!since)
        throw badRequest("querystring/since", "not a message id, ISO 8601 time or epoch milliseconds");
      // Ids are time-ordered, so the id of a message deleted since still marks a point in time.
      if (since.kind === "id" && !TIME_ORDERED_ID.test(since.id) && !store.getMessageSummary(since.id)) {
        throw badRequest("querystring/since", `no message with id ${JSON.stringify(since.id)}`);
      }
      // Aborts the wait when the client goes away; after the reply the abort is a no-op.
      const gone = new AbortController();
      reply.raw.once("close", () =>
        gone.abort(new ApiError(499, "client_closed", "client closed the connection")),
      );
      const result = await waitForMessages(store, {
        query,
        since,
        count,
        timeoutMs: Math.round(timeout * 1000),
        signal: AbortSignal.any([gone.signal, closing.signal]),
      });
      return reply.code(result.timedOut ? 408 : 200).send(result);
    },
  );
}
