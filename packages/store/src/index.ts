/**
 * @mailpen/store: durable SQLite storage for messages, sessions and transcripts, with search,
 * retention and change events. Knows nothing of sockets, HTTP or websockets.
 */
export type {
  ListMessagesOptions,
  ListSessionsOptions,
  MailStore,
  MessageWriter,
  NewMessage,
  PartContent,
  RawContent,
} from "./mail-store.ts";
export { openStore, InvalidQueryError } from "./open-store.ts";
export type { StoreOptions } from "./open-store.ts";
export { createIdGenerator } from "./id-generator.ts";
export { releaseMemory } from "./owned-buffer.ts";
export { parseByteSize, parseSearchQuery } from "./search-query.ts";
export type { SearchQueryResult, SearchTerm } from "./search-query.ts";
