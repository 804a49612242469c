/**
 * Plaintext connections read into one buffer shared by all of them (`net.Socket`'s `onread`).
 *
 * Without it Node allocates a buffer per read, and those buffers live until V8 collects them, which
 * it does when their external memory reaches tens of megabytes: receiving a 50 MB message cost about
 * 38 MB of such garbage on top of a 46 MB idle process. With one buffer, reading costs no memory at
 * all; the price is that a chunk is valid only during its callback, which the engine's contract
 * states (`feed` borrows its input and copies what it keeps).
 *
 * Node offers `onread` only to sockets created from options, not to those a server accepts. So the
 * server accepts with `pauseOnConnect` (nothing read yet), and the accepted socket hands its handle
 * to a new `net.Socket` made with `onread`. `_handle` is not public API: when it is absent (another
 * runtime, a future Node), the accepted socket is used as it is, with `'data'` events.
 */
import net from "node:net";

/** One read: Node's own read size for a stream. */
const READ_BUFFER_BYTES = 64 * 1024;
let sharedBuffer: Buffer | null = null;

/** Called with the socket as `this` and a view of the shared buffer, valid during the call only. */
export type SharedReadCallback = (this: net.Socket, chunk: Buffer) => void;

/**
 * Take over a socket accepted with `pauseOnConnect`: returns a socket on the same connection that
 * reads into the shared buffer and hands each read to `onChunk`, or null when the handle cannot be
 * taken (then resume `accepted` and listen for `'data'`).
 */
export function adoptWithSharedReadBuffer(
  accepted: net.Socket,
  onChunk: SharedReadCallback,
): net.Socket | null {
  const owner = accepted as net.Socket & { _handle?: unknown };
  const handle = owner._handle;
  if (handle === null || typeof handle !== "object") return null;
  const buffer = (sharedBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES));
  owner._handle = null;
  const adopted = new net.Socket({
    handle,
    readable: true,
    writable: true,
    onread: {
      buffer,
      callback(this: net.Socket, nread: number, into: Uint8Array) {
        onChunk.call(this, (into as Buffer).subarray(0, nread));
      },
    },
  } as net.SocketConstructorOpts);
  // The accepted socket, without its handle, closes at once and leaves the server's count.
  accepted.destroy();
  return adopted;
}
