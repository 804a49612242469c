import { describe, expect, it } from "vitest";
import type { WsServerMessage } from "@mailpen/shared";
import type { WebSocket } from "@fastify/websocket";
import { addTestMessage, buildTestApp } from "./helper.ts";
import { connectWs } from "./ws-client.ts";

/** Collects every message from the moment the socket opens (injectWS's onInit), so none is missed. */
function collect() {
  const received: WsServerMessage[] = [];
  const waiters: Array<() => void> = [];
  return {
    received,
    onInit(ws: WebSocket) {
      ws.on("message", (data) => {
        received.push(JSON.parse(String(data)) as WsServerMessage);
        waiters.splice(0).forEach((w) => w());
      });
    },
    async until(n: number): Promise<WsServerMessage[]> {
      while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    },
    /** The first message received that satisfies `test`, already or later. */
    async first(test: (m: WsServerMessage) => boolean): Promise<WsServerMessage> {
      let found: WsServerMessage | undefined;
      while (!(found = received.find(test))) await new Promise<void>((resolve) => waiters.push(resolve));
      return found;
    },
    /**
     * The first `n` message events, in the order received. The store also sends throttled `stats`
     * events and a `message.updated` when a deferred parse completes, at times of its own.
     */
    async messageEvents(n: number): Promise<WsServerMessage[]> {
      const pick = () => received.filter((m) => m.type === "message.created" || m.type === "message.deleted");
      while (pick().length < n) await new Promise<void>((resolve) => waiters.push(resolve));
      return pick().slice(0, n);
    },
  };
}

describe("websocket /api/ws", () => {
  it("greets with hello and stats, then relays store events in order", async () => {
    const { app, store } = await buildTestApp();
    const m0 = await addTestMessage(store);
    const inbox = collect();
    const ws = await app.injectWS("/api/ws", {}, { onInit: inbox.onInit });
    const [hello] = await inbox.until(1);
    expect(hello).toMatchObject({ type: "hello", version: expect.any(String), stats: { total: 1 } });
    // Not awaited: the delete commits the pending message first, so its event comes first.
    const adding = addTestMessage(store, { subject: "pushed" });
    store.deleteMessage(m0.id);
    const m1 = await adding;
    const events = await inbox.messageEvents(2);
    expect(events[0]).toMatchObject({ type: "message.created", message: { id: m1.id, subject: "pushed" } });
    expect(events[1]).toEqual({ type: "message.deleted", ids: [m0.id] });
    // The deferred parse completes on its own (no read asks for it) and is pushed too.
    const parsed = await inbox.first((m) => m.type === "message.updated" && m.message.id === m1.id);
    expect(parsed).toMatchObject({ message: { parseState: "parsed", snippet: "body" } });
    ws.terminate();
  });

  it("drops a client whose send buffer is over the bound and keeps serving the others", async () => {
    const { app, store } = await buildTestApp({ wsMaxBufferedBytes: 0 });
    const slow = collect();
    const fast = collect();
    const slowWs = await app.injectWS("/api/ws", {}, { onInit: slow.onInit });
    await slow.until(1);
    const fastWs = await app.injectWS("/api/ws", {}, { onInit: fast.onInit });
    await fast.until(1);
    // With a bound of 0 bytes, any unsent data marks a client slow. Make the server side of the
    // first socket look backed up by pausing its reader.
    const closed = new Promise<number>((resolve) => slowWs.on("close", (code) => resolve(code)));
    const serverSockets = [...app.websocketServer.clients];
    const slowServer = serverSockets[0]!;
    Object.defineProperty(slowServer, "bufferedAmount", { get: () => 1 });
    const { id } = await addTestMessage(store);
    await closed;
    const [created] = await fast.messageEvents(1);
    expect(created).toMatchObject({ type: "message.created", message: { id } });
    expect(slow.received).toHaveLength(1);
    fastWs.terminate();
  });

  it("keeps clients that answer the heartbeat and terminates those that do not", async () => {
    // injectWS clients cannot answer pings properly, so this one runs on a real port.
    const { app, store } = await buildTestApp({ wsHeartbeatMs: 200 });
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    const url = `${address.replace(/^http/, "ws")}/api/ws`;
    const live = await connectWs(url);
    const mute = await connectWs(url, { autoPong: false });
    await mute.closed;
    const { id } = await addTestMessage(store);
    const created = await live.next((m) => m.type === "message.created");
    expect(created).toMatchObject({ message: { id } });
    await live.close();
  });
});
