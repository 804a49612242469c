import { requestBytes, toApiUrl } from "../../../lib/api-client.ts";
import { useResource } from "../../../lib/use-resource.ts";

/** The URL of the exact bytes; `download` asks for a `.eml` attachment. */
export function toMessageRawUrl(id: string, download = false): string {
  return toApiUrl(`/messages/${encodeURIComponent(id)}/raw`, { download: download ? 1 : undefined });
}

/** GET /api/messages/:id/raw as bytes, never decoded, so every CR, LF and 8-bit octet survives. */
export async function getMessageRaw(id: string, signal?: AbortSignal): Promise<Uint8Array> {
  return new Uint8Array(await requestBytes(toMessageRawUrl(id), { signal }));
}

/** The raw bytes of one message. */
export function useMessageRaw(id: string) {
  return useResource(id, (signal) => getMessageRaw(id, signal));
}
