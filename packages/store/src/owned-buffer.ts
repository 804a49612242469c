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
