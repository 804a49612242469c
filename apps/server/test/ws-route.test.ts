import { describe, expect, it } from "vitest";
import type { WsServerMessage } from "@mailpen/shared";
import type { WebSocket } from "@fastify/websocket";
import { buildTestApp } from "./helper.ts";
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
  };
}

describe("websocket /api/ws", () => {
  it("greets with hello and stats, then relays store events in order", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m0" });
    const inbox = collect();
    const ws = await app.injectWS("/api/ws", {}, { onInit: inbox.onInit });
    const [hello] = await inbox.until(1);
    expect(hello).toMatchObject({ type: "hello", version: expect.any(String), stats: { total: 1 } });
    store.addDetail({ id: "m1", subject: "pushed" });
    store.deleteMessage("m0");
    const events = await inbox.until(3);
    expect(events[1]).toMatchObject({ type: "message.created", message: { id: "m1", subject: "pushed" } });
    expect(events[2]).toEqual({ type: "message.deleted", ids: ["m0"] });
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
    store.addDetail({ id: "m1" });
    await closed;
    const events = await fast.until(2);
    expect(events[1]).toMatchObject({ type: "message.created", message: { id: "m1" } });
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
    store.addDetail({ id: "m1" });
    const created = await live.next((m) => m.type === "message.created");
    expect(created).toMatchObject({ message: { id: "m1" } });
    await live.close();
  });
});
