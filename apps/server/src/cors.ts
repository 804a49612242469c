import type { FastifyInstance } from "fastify";

/**
 * CORS for the API, off unless origins are configured (the inbox is same-origin and needs none).
 * `*` allows any origin. Preflight requests get 204 with the allowed methods and headers.
 */

const ALLOWED_METHODS = "GET, HEAD, PATCH, DELETE, OPTIONS";

export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes("*");
  const allowed = new Set(origins);

  app.addHook("onRequest", async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin || !(any || allowed.has(origin))) return;
    reply.header("access-control-allow-origin", any ? "*" : origin);
    if (!any) reply.header("vary", "Origin");
  });

  app.options(
    "/api/*",
    {
      schema: {
        hide: true,
        response: { 204: { type: "null", description: "CORS preflight" } },
      },
    },
    async (request, reply) => {
      reply.header("access-control-allow-methods", ALLOWED_METHODS);
      const requested = request.headers["access-control-request-headers"];
      if (typeof requested === "string") reply.header("access-control-allow-headers", requested);
      reply.header("access-control-max-age", "600");
      return reply.code(204).send();
    },
  );
}
