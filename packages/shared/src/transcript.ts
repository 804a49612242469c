/** Who a transcript entry comes from: the client, the server, or an event noted by the engine. */
export type TranscriptDirection = "client" | "server" | "event";

/**
 * What the engine noticed in message content (DATA or BDAT), summarised in the transcript instead of the
 * bytes themselves (those are stored as the message).
 */
export interface DataSummary {
  bytes: number;
  lines: number;
  /** LF not preceded by CR. */
  bareLf: number;
  /** CR not followed by LF. */
  bareCr: number;
  /** Octets >= 0x80. */
  eightBit: number;
  /** Lines longer than 998 octets (RFC 5322 section 2.1.1). */
  longLines: number;
  nul: number;
}

/**
 * One line of the SMTP conversation, or one event the engine noted (TLS started, DATA received,
 * timeout, connection closed). `atMs` is the offset in milliseconds from the session's start.
 */
export interface TranscriptEntry {
  seq: number;
  atMs: number;
  dir: TranscriptDirection;
  /** The line without its CRLF; multi-line replies keep their lines joined with "\n". */
  text: string;
  /** True when secrets in `text` were replaced (AUTH credentials). */
  masked?: boolean;
  /** Present on the entry that summarises message content. */
  data?: DataSummary;
  /** The id of the message the content became, once stored. */
  messageId?: string;
}
