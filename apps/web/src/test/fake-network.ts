/**
 * Network doubles for component tests: a routed fetch stub that records every call, and a WebSocket
 * whose instances the test drives. Nothing here opens a socket.
 */
import { vi } from "vitest";
import type { WsServerMessage } from "@mailpen/shared";

export interface FetchCall {
  method: string;
  url: URL;
  body: unknown;
}

type Handler = (call: FetchCall) => unknown;

/**
 * Stubs fetch with handlers keyed by "METHOD /path" (query ignored). A handler returns a JSON body, a
 * Uint8Array (sent as bytes), a Response, or undefined (204). Unrouted requests answer 404.
 */
export function stubFetch(routes: Record<string, Handler>) {
  const calls: FetchCall[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://mailpen.test");
    const method = (init?.method ?? "GET").toUpperCase();
    const call: FetchCall = { method, url, body: init?.body ? JSON.parse(String(init.body)) : undefined };
    calls.push(call);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) {
      return new Response(JSON.stringify({ error: { code: "not-found", message: "Not found." } }), {
        status: 404,
        headers: { "content-type": "application/json" },
      });
    }
    const result = handler(call);
    if (result instanceof Response) return result;
    if (result === undefined) return new Response(null, { status: 204 });
    if (ArrayBuffer.isView(result)) {
      // A hand-made response: undici's Response does not accept a Uint8Array from jsdom's realm.
      const copy = new Uint8Array(result.buffer, result.byteOffset, result.byteLength).slice();
      return {
        ok: true,
        status: 200,
        statusText: "OK",
        arrayBuffer: async () => copy.buffer,
        text: async () => new TextDecoder().decode(copy),
      } as unknown as Response;
    }
    return new Response(JSON.stringify(result), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchStub);
  return calls;
}

/** A WebSocket double: `FakeWebSocket.instances` are the sockets the app opened. */
export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  /** Delivers a server message to the app. */
  push(message: WsServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }

  /** Simulates the server dropping the connection. */
  drop() {
    this.onclose?.();
  }

  close() {
    this.closed = true;
  }
}

export function stubWebSocket() {
  FakeWebSocket.instances = [];
  vi.stubGlobal("WebSocket", FakeWebSocket);
  return FakeWebSocket.instances;
}
