import type { SessionListResponse } from "@mailpen/shared";
import { requestJson, toApiUrl } from "../../../lib/api-client.ts";

export const SESSION_PAGE_SIZE = 100;

/** GET /api/sessions: newest first, one page. */
export function getSessions(cursor: string | null, signal?: AbortSignal): Promise<SessionListResponse> {
  return requestJson<SessionListResponse>(toApiUrl("/sessions", { limit: SESSION_PAGE_SIZE, cursor }), {
    signal,
  });
}
