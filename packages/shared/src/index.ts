/**
 * @mailpen/shared: the types every part of Mailpen agrees on (API bodies, websocket events,
 * transcript entries). Types only, plus a few constant tables; no runtime dependencies, no I/O.
 */
export type { Address } from "./address.ts";
export type { DataTransport, Envelope, EnvelopeRecipient, EsmtpParams } from "./envelope.ts";
export type { DataSummary, TranscriptDirection, TranscriptEntry } from "./transcript.ts";
export type {
  MessageDetail,
  MessageFlag,
  MessageHeader,
  MessagePart,
  MessageSummary,
  ParseState,
} from "./message.ts";
export type {
  SessionDetail,
  SessionEnd,
  SessionOutcome,
  SessionStart,
  SessionState,
  SessionSummary,
  SessionTls,
} from "./session.ts";
export type { Stats } from "./stats.ts";
export type { StoreEvent, StoreEventType, WsServerMessage } from "./events.ts";
export type {
  ApiErrorBody,
  HealthResponse,
  MessageListResponse,
  MessagePatch,
  SessionListResponse,
  WaitResponse,
} from "./api.ts";
export { MESSAGE_FLAGS, SESSION_OUTCOMES, STORE_EVENT_TYPES } from "./constants.ts";
