/**
 * Plaintext connections read into one buffer shared by all of them (`net.Socket`'s `onread`).
 *
 * Without it Node allocates a buffer per read, and those buffers live until V8 collects them, which
 * it does when their external memory reaches tens of megabytes: receiving a 50 MB message cost about
 * 38 MB of such garbage on top of a 46 MB idle process. With one buffer, reading costs no memory at
 * all; the price is that a chunk is valid only during its callback, which the engine's contract
 * states (`feed` borrows its input and copies what it keeps).
 *
 * Node offers `onread` only to sockets created from options, not to those a server accepts. So this
 * takes over the listening handle's accept callback (`onconnection`) and makes each accepted handle
 * a `net.Socket` with `onread` itself. Handing an accepted socket's handle to a second socket works
 * too, but builds two sockets per connection: about 45 us more per connection, measured, against
 * about 20 us less than Node's own accept this way. `_handle` and `onconnection` are not public
 * API: when they are absent (another runtime, a future Node), nothing is taken over and the server
 * accepts as usual, with `'data'` events.
 */
import net from "node:net";

/** One read: Node's own read size for a stream. */
const READ_BUFFER_BYTES = 64 * 1024;
let sharedBuffer: Buffer | null = null;

/** Called with the socket as `this` and a view of the shared buffer, valid during the call only. */
export type SharedReadCallback = (this: net.Socket, chunk: Buffer) => void;

interface ListeningHandle {
  onconnection?: (this: unknown, status: number, clientHandle?: unknown) => void;
}

/**
 * Take over the accept of a listening server: every connection from now on is handed to
 * `onSocket` as a socket that reads into the shared buffer and gives each read to `onChunk`. The
 * server's `'connection'` event is no longer emitted, and the server does not count these
 * connections (`close()` does not wait for them). Returns false when the server's accept cannot be
 * taken over; it then accepts as usual.
 */
export function acceptWithSharedReadBuffer(
  server: net.Server,
  handlers: {
    onSocket: (socket: net.Socket) => void;
    onChunk: SharedReadCallback;
    onError: (error: Error) => void;
  },
): boolean {
  const handle = (server as net.Server & { _handle?: ListeningHandle | null })._handle;
  if (handle === null || typeof handle !== "object" || typeof handle.onconnection !== "function")
    return false;
  const { onSocket, onChunk, onError } = handlers;
  const buffer = (sharedBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES));
  const onread = {
    buffer,
    callback(this: net.Socket, nread: number, into: Uint8Array) {
      onChunk.call(this, (into as Buffer).subarray(0, nread));
    },
  };
  handle.onconnection = (status, clientHandle) => {
    if (status < 0 || clientHandle === undefined) {
      onError(new Error(`accept failed (${status})`));
      return;
    }
    let socket: net.Socket;
    try {
      socket = new net.Socket({
        handle: clientHandle,
        readable: true,
        writable: true,
        onread,
      } as net.SocketConstructorOpts);
    } catch (error) {
      (clientHandle as { close?: () => void }).close?.();
      onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    onSocket(socket);
  };
  return true;
}
