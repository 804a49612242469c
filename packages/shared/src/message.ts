import type { Address } from "./address.ts";
import type { Envelope } from "./envelope.ts";

/**
 * Observations about a message's bytes or its transaction, shown as warnings in the inbox.
 * - `bare-lf`, `bare-cr`: line endings that RFC 5321 forbids in DATA;
 * - `8bit-without-8bitmime`: octets >= 0x80 although MAIL FROM did not declare BODY=8BITMIME;
 * - `nul`: NUL octets; `long-line`: a line over 998 octets;
 * - `smtputf8`: the transaction declared SMTPUTF8;
 * - `parse-error`: MIME parsing failed (the raw bytes are still stored and shown).
 */
export type MessageFlag =
  "bare-lf" | "bare-cr" | "8bit-without-8bitmime" | "nul" | "long-line" | "smtputf8" | "parse-error";

/** Where a message's MIME parse stands: summaries are usable in every state. */
export type ParseState = "pending" | "parsed" | "failed";

/** What a list shows of one message. Times are ISO 8601 strings in UTC. */
export interface MessageSummary {
  /** Time-ordered id: sorting ids sorts by arrival. */
  id: string;
  sessionId: string | null;
  receivedAt: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  envelope: Envelope;
  subject: string;
  snippet: string;
  /** Size of the raw message in octets. */
  size: number;
  attachmentCount: number;
  hasHtml: boolean;
  hasText: boolean;
  read: boolean;
  tags: string[];
  flags: MessageFlag[];
  /** The Date header as written by the client, parsed; never used for ordering. */
  date: string | null;
  messageIdHeader: string | null;
  parseState: ParseState;
}

/** One header field in original order: `value` decoded (RFC 2047), `raw` as received (unfolded). */
export interface MessageHeader {
  name: string;
  value: string;
  raw: string;
}

/** An attachment or inline part. `partId` addresses it in the API. */
export interface MessagePart {
  partId: string;
  filename: string | null;
  contentType: string;
  disposition: "attachment" | "inline";
  size: number;
  contentId: string | null;
  /** Hex SHA-256 of the decoded content. */
  checksum: string;
}

/** Everything about one message except its raw bytes and part contents. */
export interface MessageDetail extends MessageSummary {
  headers: MessageHeader[];
  text: string | null;
  html: string | null;
  attachments: MessagePart[];
  parseError: string | null;
}
