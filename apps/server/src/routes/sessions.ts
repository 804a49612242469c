import type { FastifyInstance } from "fastify";
import { notFound } from "../api-error.ts";
import { errorResponses, idParamsSchema, pageQueryProperties } from "../schemas/common.ts";
import { sessionDetailSchema, sessionListSchema } from "../schemas/session.ts";
import { formatTranscript } from "../transcript-text.ts";
import type { RouteContext } from "./route-context.ts";

/** /api/sessions: SMTP sessions (connections) with their transcripts, also those without a message. */

interface IdParams {
  id: string;
}

export async function sessionRoutes(app: FastifyInstance, { store }: RouteContext): Promise<void> {
  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    "/api/sessions",
    {
      schema: {
        summary: "List SMTP sessions, newest first",
        tags: ["sessions"],
        querystring: { type: "object", properties: pageQueryProperties },
        response: { 200: sessionListSchema, ...errorResponses },
      },
    },
    async (request) => store.listSessions({ limit: request.query.limit, cursor: request.query.cursor }),
  );

  app.get<{ Params: IdParams }>(
    "/api/sessions/:id",
    {
      schema: {
        summary: "One session: metadata, transcript entries, ids of the messages it delivered",
        tags: ["sessions"],
        params: idParamsSchema,
        response: { 200: sessionDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const session = store.getSession(request.params.id);
      if (!session) throw notFound("session", request.params.id);
      return session;
    },
  );

  app.get<{ Params: IdParams }>(
    "/api/sessions/:id/transcript",
    {
      schema: {
        summary: "The transcript as text: C:, S: and *: lines with millisecond offsets",
        tags: ["sessions"],
        params: idParamsSchema,
        response: {
          200: { description: "the transcript", content: { "text/plain": { schema: { type: "string" } } } },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const session = store.getSession(request.params.id);
      if (!session) throw notFound("session", request.params.id);
      return reply.type("text/plain; charset=utf-8").send(formatTranscript(session));
    },
  );

  app.delete<{ Params: IdParams }>(
    "/api/sessions/:id",
    {
      schema: {
        summary: "Delete one session and its transcript",
        tags: ["sessions"],
        params: idParamsSchema,
        response: { 204: { type: "null", description: "deleted" }, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!store.deleteSession(request.params.id)) throw notFound("session", request.params.id);
      return reply.code(204).send();
    },
  );
}
