import type { StoreEvent } from "@mailpen/shared";
import type { MailStore } from "@mailpen/store";

/**
 * The hub between the store's change events and websocket clients (STYLE.md item 8, inbucket's
 * msghub): one store subscription for all clients, each event serialized once. Invariants:
 * - a client whose send buffer holds more than `maxBufferedBytes` is dropped (terminated), so one
 *   slow reader never makes the process buffer without bound or delays the others;
 * - a send that throws drops that client only;
 * - the hub knows nothing of HTTP: clients are anything with `send`, `bufferedAmount` and `terminate`.
 */

export interface PushClient {
  readonly bufferedAmount: number;
  send(data: string): void;
  /** Close at once without a closing handshake. */
  terminate(): void;
}

export interface PushHub {
  add(client: PushClient): void;
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
  const clients = new Set<PushClient>();

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
    for (const client of clients) {
      if (client.bufferedAmount > maxBuffered) {
        drop(client, "slow client");
        continue;
      }
      try {
        client.send(data);
      } catch {
        drop(client, "send failed");
      }
    }
  };

  const unsubscribe = store.subscribe(broadcast);
  return {
    add: (client) => void clients.add(client),
    remove: (client) => void clients.delete(client),
    get size() {
      return clients.size;
    },
    close() {
      unsubscribe();
      for (const client of [...clients]) drop(client, "server closing");
    },
  };
}
