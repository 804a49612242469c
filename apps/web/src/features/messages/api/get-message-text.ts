import { requestText, toApiUrl } from "../../../lib/api-client.ts";

/** GET /api/messages/:id/text: the plain-text body. */
export function getMessageText(id: string, signal?: AbortSignal): Promise<string> {
  return requestText(toApiUrl(`/messages/${encodeURIComponent(id)}/text`), { signal });
}
