/**
 * The websocket at /api/ws, kept open: it reconnects with a capped backoff after any close, and
 * reports each (re)connection through `onHello` so views can catch up on what they missed by
 * refetching. Messages are `WsServerMessage` values from @mailpen/shared.
 */
import type { WsServerMessage } from "@mailpen/shared";

export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface LiveSocketHandlers {
  onStatus: (status: LiveStatus) => void;
  /** Every message, the hello included. `resumed` is true on a hello after a lost connection. */
  onMessage: (message: WsServerMessage, resumed: boolean) => void;
}

export interface LiveSocket {
  close: () => void;
}

/** The websocket URL on the page's own origin. */
export function toLiveSocketUrl(location: Location = window.location): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/ws`;
}

/** Opens the live connection; it keeps reconnecting until `close()`. */
export function openLiveSocket(url: string, handlers: LiveSocketHandlers): LiveSocket {
  let socket: WebSocket | null = null;
  let closed = false;
  let attempt = 0;
  let everConnected = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const connect = () => {
    if (closed) return;
    handlers.onStatus(everConnected ? "reconnecting" : "connecting");
    const current = new WebSocket(url);
    socket = current;
    current.onmessage = (event: MessageEvent) => {
      let message: WsServerMessage;
      try {
        message = JSON.parse(String(event.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (message.type === "hello") {
        const resumed = everConnected;
        everConnected = true;
        attempt = 0;
        handlers.onStatus("live");
        handlers.onMessage(message, resumed);
        return;
      }
      handlers.onMessage(message, false);
    };
    current.onclose = () => {
      if (socket !== current || closed) return;
      socket = null;
      handlers.onStatus(everConnected ? "reconnecting" : "connecting");
      const delay = Math.min(5000, 250 * 2 ** attempt);
      attempt += 1;
      timer = setTimeout(connect, delay);
    };
    // An error is always followed by close, which schedules the retry.
    current.onerror = () => undefined;
  };

  connect();
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      socket?.close();
      socket = null;
    },
  };
}
