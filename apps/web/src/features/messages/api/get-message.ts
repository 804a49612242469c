import type { MessageDetail } from "@mailpen/shared";
import { requestJson, toApiUrl } from "../../../lib/api-client.ts";
import { useResource } from "../../../lib/use-resource.ts";

/** GET /api/messages/:id */
export function getMessage(id: string, signal?: AbortSignal): Promise<MessageDetail> {
  return requestJson<MessageDetail>(toApiUrl(`/messages/${encodeURIComponent(id)}`), { signal });
}

/** The detail of one message; `epoch` changes force a refetch (after a reconnect). */
export function useMessage(id: string, epoch = 0) {
  return useResource(`${id}#${epoch}`, (signal) => getMessage(id, signal));
}
