import type { StoreEventType } from "./events.ts";
import type { MessageFlag } from "./message.ts";
import type { SessionOutcome } from "./session.ts";

/**
 * Runtime lists of the string unions, for JSON schemas and validation. `satisfies` with the
 * record form makes a missing or extra member a compile error.
 */
const flagSet = {
  "bare-lf": true,
  "bare-cr": true,
  "8bit-without-8bitmime": true,
  nul: true,
  "long-line": true,
  smtputf8: true,
  "parse-error": true,
} as const satisfies Record<MessageFlag, true>;

const outcomeSet = {
  quit: true,
  "client-closed": true,
  timeout: true,
  rejected: true,
  error: true,
  shutdown: true,
} as const satisfies Record<SessionOutcome, true>;

const eventSet = {
  "message.created": true,
  "message.updated": true,
  "message.deleted": true,
  "messages.cleared": true,
  "session.started": true,
  "session.updated": true,
  "session.closed": true,
  "session.deleted": true,
  stats: true,
} as const satisfies Record<StoreEventType, true>;

export const MESSAGE_FLAGS = Object.keys(flagSet) as MessageFlag[];
export const SESSION_OUTCOMES = Object.keys(outcomeSet) as SessionOutcome[];
export const STORE_EVENT_TYPES = Object.keys(eventSet) as StoreEventType[];
