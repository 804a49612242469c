import type { MessageSummary } from "./message.ts";
import type { SessionSummary } from "./session.ts";
import type { Stats } from "./stats.ts";
import type { TranscriptEntry } from "./transcript.ts";

/**
 * Change events, emitted by the store from its write path and relayed by the server to websocket
 * clients unchanged. Names are dotted past tense.
 */
export type StoreEvent =
  | { type: "message.created"; message: MessageSummary }
  | { type: "message.updated"; message: MessageSummary }
  | { type: "message.deleted"; ids: string[] }
  | { type: "messages.cleared" }
  | { type: "session.started"; session: SessionSummary }
  | { type: "session.updated"; session: SessionSummary; entries: TranscriptEntry[] }
  | { type: "session.closed"; session: SessionSummary }
  | { type: "session.deleted"; ids: string[] }
  | { type: "stats"; stats: Stats };

export type StoreEventType = StoreEvent["type"];

/** Everything the websocket at /api/ws sends: a greeting, then store events. */
export type WsServerMessage = { type: "hello"; version: string; stats: Stats } | StoreEvent;
