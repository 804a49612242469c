import type { SessionDetail } from "@mailpen/shared";
import { requestJson, toApiUrl } from "../../../lib/api-client.ts";
import { useResource } from "../../../lib/use-resource.ts";

/** GET /api/sessions/:id: metadata, transcript entries and the ids of its messages. */
export function getSession(id: string, signal?: AbortSignal): Promise<SessionDetail> {
  return requestJson<SessionDetail>(toApiUrl(`/sessions/${encodeURIComponent(id)}`), { signal });
}

/** One session; `epoch` changes force a refetch (after a reconnect). */
export function useSession(id: string, epoch = 0) {
  return useResource(`${id}#${epoch}`, (signal) => getSession(id, signal));
}
