import { requestJson, toApiUrl } from "../../../lib/api-client.ts";

/** DELETE /api/messages?query: all messages, or only those matching `query`. */
export async function deleteMessages(query?: string): Promise<void> {
  await requestJson<unknown>(toApiUrl("/messages", { query: query?.trim() }), { method: "DELETE" });
}
