import { createRequire } from "node:module";
import type { WebSocket } from "@fastify/websocket";
import type { WsServerMessage } from "@mailpen/shared";

/**
 * A websocket client for the end-to-end tests. Node 20 has no global WebSocket and `ws` is not our
 * direct dependency, so we load the copy @fastify/websocket uses (tests only; src never does this).
 */
const requireFromPlugin = createRequire(createRequire(import.meta.url).resolve("@fastify/websocket"));
const WebSocketClass = requireFromPlugin("ws") as new (
  url: string,
  options?: { headers?: Record<string, string>; autoPong?: boolean },
) => WebSocket;

export interface WsInbox {
  received: WsServerMessage[];
  /** Resolves with the first message (already received or future) that satisfies `test`. */
  next<T extends WsServerMessage>(test: (m: WsServerMessage) => m is T): Promise<T>;
  next(test: (m: WsServerMessage) => boolean): Promise<WsServerMessage>;
  /** Resolves when the connection has closed, from either side. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** `autoPong: false` makes a client that never answers pings (a dead peer, for heartbeat tests). */
export async function connectWs(url: string, options: { autoPong?: boolean } = {}): Promise<WsInbox> {
  const ws = new WebSocketClass(url, options);
  const received: WsServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on("message", (data) => {
    received.push(JSON.parse(String(data)) as WsServerMessage);
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const closed = new Promise<void>((resolve) => ws.once("close", () => resolve()));
  return {
    received,
    closed,
    next(test: (m: WsServerMessage) => boolean) {
      return new Promise<WsServerMessage>((resolve) => {
        const check = () => {
          const found = received.find(test);
          if (found) {
            waiters.delete(check);
            resolve(found);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once("close", () => resolve());
        ws.close();
      });
    },
  } as WsInbox;
}
