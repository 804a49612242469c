import { toApiUrl } from "../../../lib/api-client.ts";

/** The URL of GET /api/sessions/:id/transcript (plain text, C:/S: lines with offsets). */
export function toSessionTranscriptUrl(id: string): string {
  return toApiUrl(`/sessions/${encodeURIComponent(id)}/transcript`);
}
