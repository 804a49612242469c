import type { MessageSummary } from "./message.ts";
import type { SessionSummary } from "./session.ts";

/** The one error body of the HTTP API. `code` is a stable machine-readable word. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** GET /api/messages */
export interface MessageListResponse {
  messages: MessageSummary[];
  /** Messages matching the query (all messages without one). */
  total: number;
  /** Unread messages in the whole store. */
  unread: number;
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** GET /api/sessions */
export interface SessionListResponse {
  sessions: SessionSummary[];
  total: number;
  nextCursor: string | null;
}

/** GET /api/wait: 200 when `count` matched, 408 with what matched so far otherwise. */
export interface WaitResponse {
  messages: MessageSummary[];
  timedOut: boolean;
}

/** PATCH /api/messages/:id */
export interface MessagePatch {
  read?: boolean;
  tags?: string[];
}

/** GET /api/health */
export interface HealthResponse {
  status: "ok" | "starting";
  smtp: boolean;
  http: boolean;
  version: string;
}
