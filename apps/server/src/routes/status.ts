import type { HealthResponse } from "@mailpen/shared";
import type { FastifyInstance } from "fastify";
import { statsSchema } from "../schemas/common.ts";
import { MAILPEN_VERSION } from "../version.ts";
import type { RouteContext } from "./route-context.ts";

/** GET /api/stats and GET /api/health. */

/** Which listeners are up; `startMailpen` provides it, tests pass a fixed one. */
export interface ListenState {
  smtp: () => boolean;
  http: () => boolean;
}

export interface StatusRouteOptions extends RouteContext {
  listening: ListenState;
}

const healthSchema = {
  type: "object",
  required: ["status", "smtp", "http", "version"],
  properties: {
    status: { type: "string", enum: ["ok", "starting"] },
    smtp: { type: "boolean" },
    http: { type: "boolean" },
    version: { type: "string" },
  },
} as const;

export async function statusRoutes(
  app: FastifyInstance,
  { store, listening }: StatusRouteOptions,
): Promise<void> {
  app.get(
    "/api/stats",
    { schema: { summary: "Counters of the whole store", tags: ["status"], response: { 200: statsSchema } } },
    async () => store.stats(),
  );

  app.get(
    "/api/health",
    {
      schema: {
        summary: "200 when SMTP and HTTP are listening, 503 while starting or stopping",
        tags: ["status"],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const smtp = listening.smtp();
      const http = listening.http();
      const body: HealthResponse = {
        status: smtp && http ? "ok" : "starting",
        smtp,
        http,
        version: MAILPEN_VERSION,
      };
      return reply.code(body.status === "ok" ? 200 : 503).send(body);
    },
  );
}
