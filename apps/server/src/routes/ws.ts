import type { WsServerMessage } from "@mailpen/shared";
import type { FastifyInstance } from "fastify";
import { createPushHub } from "../push-hub.ts";
import { MAILPEN_VERSION } from "../version.ts";
import type { RouteContext } from "./route-context.ts";

/**
 * GET /api/ws: a `hello` with the stats, then every store change event as JSON text frames
 * (`WsServerMessage` of @mailpen/shared). Clients only listen; what they send is ignored.
 * A heartbeat pings every client; one that has not answered the previous ping is terminated, so
 * connections that died without a close (a sleeping laptop, a dropped network) do not linger.
 */

export interface WsRouteOptions extends RouteContext {
  /** Drop a client whose unsent data exceeds this many bytes. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Interval of the ping heartbeat. Default 30 s. */
  heartbeatMs?: number;
}

export async function wsRoutes(
  app: FastifyInstance,
  { store, maxBufferedBytes, heartbeatMs = 30_000 }: WsRouteOptions,
): Promise<void> {
  const hub = createPushHub(store, {
    maxBufferedBytes,
    onDrop: (_client, reason) => app.log.info({ reason }, "websocket client dropped"),
  });
  const awaitingPong = new WeakSet<object>();
  const heartbeat = setInterval(() => {
    for (const socket of app.websocketServer.clients) {
      if (awaitingPong.has(socket)) {
        socket.terminate();
        continue;
      }
      awaitingPong.add(socket);
      socket.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();
  app.addHook("preClose", async () => {
    clearInterval(heartbeat);
    hub.close();
  });

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
    (socket, request) => {
      const hello: WsServerMessage = { type: "hello", version: MAILPEN_VERSION, stats: store.stats() };
      socket.send(JSON.stringify(hello));
      // The upgraded TCP socket: the hub writes the frames of one commit to it in one go.
      hub.add(socket, request.raw.socket);
      socket.on("pong", () => awaitingPong.delete(socket));
      socket.on("close", () => hub.remove(socket));
      socket.on("error", () => hub.remove(socket));
    },
  );
}
