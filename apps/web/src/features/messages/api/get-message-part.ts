import { toApiUrl } from "../../../lib/api-client.ts";

/** The URL of GET /api/messages/:id/parts/:partId (an attachment or inline part's content). */
export function toMessagePartUrl(id: string, partId: string): string {
  return toApiUrl(`/messages/${encodeURIComponent(id)}/parts/${encodeURIComponent(partId)}`);
}
