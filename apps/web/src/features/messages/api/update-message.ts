import type { MessagePatch, MessageSummary } from "@mailpen/shared";
import { requestJson, toApiUrl } from "../../../lib/api-client.ts";

/** PATCH /api/messages/:id (read state, tags). */
export function updateMessage(id: string, patch: MessagePatch): Promise<MessageSummary | undefined> {
  return requestJson<MessageSummary | undefined>(toApiUrl(`/messages/${encodeURIComponent(id)}`), {
    method: "PATCH",
    body: JSON.stringify(patch),
  });
}
