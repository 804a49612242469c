import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * Swagger UI under `routePrefix`, loaded on its first request instead of at start: the package and
 * its own copy of @fastify/static cost about 100 ms of CPU and 7 MB of RSS at start-up, for a page
 * few runs ever open.
 *
 * Fastify takes no new routes once listening, so the UI lives in a small Fastify instance of its
 * own, built on the first request from the main app's OpenAPI document (as it stands then: every
 * route is registered by the time the server listens), and requests under the prefix are passed
 * to it with `inject()`. The main app's hooks (basic auth, CORS) still run first, on these routes.
 */
export function lazyDocsRoutes(app: FastifyInstance, routePrefix: string): void {
  let docs: Promise<FastifyInstance> | null = null;

  const load = async (): Promise<FastifyInstance> => {
    const { default: swaggerUi } = await import("@fastify/swagger-ui");
    const inner = Fastify({ logger: false });
    await inner.register(swagger, {
      mode: "static",
      // An OpenAPI 3.1 document, which the static mode serves as is; its types name only 2.0 and 3.0.
      specification: { document: app.swagger() as never },
    });
    await inner.register(swaggerUi, { routePrefix });
    await inner.ready();
    return inner;
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    docs ??= load();
    let inner: FastifyInstance;
    try {
      inner = await docs;
    } catch (error) {
      docs = null; // try again on the next request
      throw error;
    }
    const res = await inner.inject({ method: "GET", url: request.url, headers: request.headers });
    // The main app's 404, in its error shape, rather than the inner instance's.
    if (res.statusCode === 404) return reply.callNotFound();
    for (const [name, value] of Object.entries(res.headers)) {
      // Framing headers belong to the outer connection; Fastify sets its own.
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      reply.header(name, value);
    }
    await reply.code(res.statusCode).send(res.rawPayload);
  };

  app.addHook("onClose", async () => {
    const inner = await docs?.catch(() => null);
    await inner?.close();
  });
  for (const url of [routePrefix, `${routePrefix}/*`]) {
    // HEAD comes from Fastify's automatic HEAD route of each GET.
    app.route({ method: "GET", url, schema: { hide: true }, handler });
  }
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "date"]);
