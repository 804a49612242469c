import type { MessageListResponse } from "@mailpen/shared";
import { requestJson, toApiUrl } from "../../../lib/api-client.ts";

/** Page size of the inbox; a page is a few screens of rows. */
export const MESSAGE_PAGE_SIZE = 100;

export interface GetMessagesParams {
  query?: string;
  cursor?: string | null;
  limit?: number;
}

/** GET /api/messages: newest first, one page. */
export function getMessages(params: GetMessagesParams, signal?: AbortSignal): Promise<MessageListResponse> {
  return requestJson<MessageListResponse>(
    toApiUrl("/messages", {
      limit: params.limit ?? MESSAGE_PAGE_SIZE,
      cursor: params.cursor,
      query: params.query?.trim(),
    }),
    { signal },
  );
}
