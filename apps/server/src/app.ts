import swagger from "@fastify/swagger";
import websocket from "@fastify/websocket";
import type { MailStore } from "@mailpen/store";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import type { UserTable } from "./auth-file.ts";
import { installBasicAuth } from "./basic-auth.ts";
import { installCors } from "./cors.ts";
import { installErrorHandler, replyToFrameworkError } from "./error-handler.ts";
import { lazyDocsRoutes } from "./routes/docs.ts";
import { messageRoutes } from "./routes/messages.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { staticRoutes } from "./routes/static.ts";
import { statusRoutes, type ListenState } from "./routes/status.ts";
import { waitRoutes } from "./routes/wait.ts";
import { wsRoutes } from "./routes/ws.ts";
import { MAILPEN_VERSION } from "./version.ts";

/**
 * The HTTP app: API, websocket push, OpenAPI and the static inbox, built from a store, a clock and
 * config and nothing else, so tests drive it with `app.inject()` / `app.injectWS()` without ports.
 * It does not listen and does not own the store: the caller starts and stops both.
 */

export interface AppConfig {
  /** Folder of the built web app (index.html, assets/). */
  webRoot: string;
  /** Origins allowed by CORS; empty for none. */
  corsOrigins?: readonly string[];
  /** When given, every request except /api/health needs HTTP basic auth. */
  uiUsers?: UserTable;
  /** Which listeners are up, for /api/health. Default: both up. */
  listening?: ListenState;
  /** Drop websocket clients whose unsent data exceeds this. Default 1 MiB. */
  wsMaxBufferedBytes?: number;
  /** Ping websocket clients this often; one that missed the previous pong is dropped. Default 30 s. */
  wsHeartbeatMs?: number;
  /** Fastify logger option. Default off. */
  logger?: FastifyServerOptions["logger"];
}

export interface BuildAppOptions {
  store: MailStore;
  config: AppConfig;
  /** Milliseconds since the epoch. Default Date.now. */
  clock?: () => number;
}

/** Build the app; `await app.ready()` (or `inject`) before use, `await app.close()` after. */
export async function buildApp({
  store,
  config,
  clock = Date.now,
}: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logger ?? false,
    // Reject unknown body fields instead of silently dropping them (a typo should be a 400).
    ajv: { customOptions: { removeAdditional: false } },
    forceCloseConnections: true,
    frameworkErrors: replyToFrameworkError,
  });
  installErrorHandler(app);
  installCors(app, config.corsOrigins ?? []);
  if (config.uiUsers) installBasicAuth(app, config.uiUsers);

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Mailpen API",
        version: MAILPEN_VERSION,
        description:
          "Messages and SMTP sessions caught by Mailpen. Errors are `{ error: { code, message } }`.",
      },
    },
  });
  // Swagger UI loads on the first visit to /api/docs (start-up cost; see routes/docs.ts).
  lazyDocsRoutes(app, "/api/docs");
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  const context = { store, clock };
  const listening = config.listening ?? { smtp: () => true, http: () => true };
  await app.register(messageRoutes, context);
  await app.register(sessionRoutes, context);
  await app.register(waitRoutes, context);
  await app.register(statusRoutes, { ...context, listening });
  await app.register(wsRoutes, {
    ...context,
    maxBufferedBytes: config.wsMaxBufferedBytes,
    heartbeatMs: config.wsHeartbeatMs,
  });

  app.get(
    "/api/openapi.json",
    {
      schema: {
        summary: "This API's OpenAPI document",
        tags: ["status"],
        response: { 200: { type: "object", additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );

  await staticRoutes(app, { webRoot: config.webRoot });
  return app;
}
