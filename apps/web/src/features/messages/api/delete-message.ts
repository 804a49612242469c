import { requestJson, toApiUrl } from "../../../lib/api-client.ts";

/** DELETE /api/messages/:id */
export async function deleteMessage(id: string): Promise<void> {
  await requestJson<unknown>(toApiUrl(`/messages/${encodeURIComponent(id)}`), { method: "DELETE" });
}
