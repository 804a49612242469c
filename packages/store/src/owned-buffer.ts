import { MessageChannel } from "node:worker_threads";

/**
 * Whether bytes may move to or from a worker by transfer instead of a copy: only a view that is the
 * whole of its ArrayBuffer (a pooled slice of a shared buffer is not; transferring it would detach
 * the other slices).
 */
export function ownsMemory(bytes: Uint8Array): boolean {
  return (
    bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length && bytes.buffer instanceof ArrayBuffer
  );
}

/** Below this, memory is left to the collector: releasing costs a message channel. */
const RELEASE_MIN_BYTES = 256 * 1024;

/**
 * Frees a large buffer's memory within a turn of the event loop instead of at V8's next collection,
 * which waits for tens of megabytes of such garbage (a 5 MB message left several copies behind on
 * each thread). It is moved into a message channel that is closed with the message unread: the
 * channel drops the message, and its memory with it. Only a buffer that owns its whole ArrayBuffer
 * is released, and nothing may use it afterwards: it is detached (length 0).
 */
export function releaseMemory(bytes: Uint8Array | null | undefined): void {
  if (!bytes || bytes.length < RELEASE_MIN_BYTES || !ownsMemory(bytes)) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [bytes.buffer as ArrayBuffer]);
  port1.close();
  port2.close();
}
