import type { WsServerMessage } from "@mailpen/shared";
import type { FastifyInstance } from "fastify";
import { createPushHub } from "../push-hub.ts";
import { MAILPEN_VERSION } from "../version.ts";
import type { RouteContext } from "./route-context.ts";

/**
 * GET /api/ws: a `hello` with the stats, then every store change event as JSON text frames
 * (`WsServerMessage` of @mailpen/shared). Clients only listen; what they send is ignored.
 */

export interface WsRouteOptions extends RouteContext {
  /** Drop a client whose unsent data exceeds this many bytes. Default 1 MiB. */
  maxBufferedBytes?: number;
}

export async function wsRoutes(
  app: FastifyInstance,
  { store, maxBufferedBytes }: WsRouteOptions,
): Promise<void> {
  const hub = createPushHub(store, {
    maxBufferedBytes,
    onDrop: (_client, reason) => app.log.info({ reason }, "websocket client dropped"),
  });
  app.addHook("preClose", async () => hub.close());

  app.get(
    "/api/ws",
    {
      websocket: true,
      schema: {
        summary: "Websocket: a hello with stats, then every store change event",
        tags: ["push"],
        response: { 101: { type: "null", description: "switching protocols" } },
      },
    },
    (socket) => {
      const hello: WsServerMessage = { type: "hello", version: MAILPEN_VERSION, stats: store.stats() };
      socket.send(JSON.stringify(hello));
      hub.add(socket);
      socket.on("close", () => hub.remove(socket));
      socket.on("error", () => hub.remove(socket));
    },
  );
}
