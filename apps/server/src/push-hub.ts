import type { StoreEvent } from "@mailpen/shared";
import type { MailStore } from "@mailpen/store";

/**
 * The hub between the store's change events and websocket clients (STYLE.md item 8, inbucket's
 * msghub): one store subscription for all clients, each event serialized once. Invariants:
 * - a client whose send buffer holds more than `maxBufferedBytes` is dropped (terminated), so one
 *   slow reader never makes the process buffer without bound or delays the others;
 * - a send that throws drops that client only;
 * - the hub knows nothing of HTTP: clients are anything with `send`, `bufferedAmount` and `terminate`;
 * - the events the store emits in one go (one commit's) leave in one socket write per client: a
 *   client's transport, when given, is corked at the first event of a tick and uncorked at the end
 *   of it (process.nextTick), so a commit of many events costs one syscall, not one per frame.
 */

export interface PushClient {
  readonly bufferedAmount: number;
  send(data: string): void;
  /** Close at once without a closing handshake. */
  terminate(): void;
}

/** The byte stream under a client (a net.Socket), to write a tick's frames at once. */
export interface CorkableTransport {
  cork(): void;
  uncork(): void;
}

export interface PushHub {
  add(client: PushClient, transport?: CorkableTransport): void;
  remove(client: PushClient): void;
  readonly size: number;
  /** Unsubscribe from the store and terminate every client. */
  close(): void;
}

export interface PushHubOptions {
  /** Default 1 MiB. */
  maxBufferedBytes?: number;
  onDrop?: (client: PushClient, reason: string) => void;
}

export function createPushHub(store: MailStore, options: PushHubOptions = {}): PushHub {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const clients = new Map<PushClient, CorkableTransport | null>();
  const corked = new Set<CorkableTransport>();
  const uncorkAll = () => {
    for (const transport of corked) transport.uncork();
    corked.clear();
  };

  const drop = (client: PushClient, reason: string) => {
    clients.delete(client);
    options.onDrop?.(client, reason);
    try {
      client.terminate();
    } catch {
      // Already gone.
    }
  };

  const broadcast = (event: StoreEvent) => {
    if (clients.size === 0) return;
    const data = JSON.stringify(event);
    for (const [client, transport] of clients) {
      if (client.bufferedAmount > maxBuffered) {
        drop(client, "slow client");
        continue;
      }
      try {
        if (transport && !corked.has(transport)) {
          if (corked.size === 0) process.nextTick(uncorkAll);
          transport.cork();
          corked.add(transport);
        }
        client.send(data);
      } catch {
        drop(client, "send failed");
      }
    }
  };

  const unsubscribe = store.subscribe(broadcast);
  return {
    add: (client, transport) => void clients.set(client, transport ?? null),
    remove: (client) => void clients.delete(client),
    get size() {
      return clients.size;
    },
    close() {
      unsubscribe();
      uncorkAll();
      for (const client of [...clients.keys()]) drop(client, "server closing");
    },
  };
}
