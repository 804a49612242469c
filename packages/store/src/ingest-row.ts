/**
 * The cheap part of ingest, pure: from a NewMessage to the rows to insert and the summary to list
 * at once. Header scan of our own, byte flags, FTS text; no mailparser here (that runs deferred).
 */
import type { Address, Envelope, MessageSummary } from "@mailpen/shared";
import { scanHeaders } from "./header-scan.ts";
import type { HeaderScan } from "./header-scan.ts";
import type { NewMessage } from "./mail-store.ts";
import { computeRawFlags } from "./raw-flags.ts";
import type { MessageRow } from "./row-mapping.ts";

/** A message ready for the group commit. */
export interface IngestRow {
  row: Omit<MessageRow, "seq">;
  /** The summary as listed right after the commit (built once, not re-read from the row). */
  summary: MessageSummary;
  raw: Buffer;
  fts: FtsRow;
}

/** The columns of messages_fts. */
export interface FtsRow {
  subject: string;
  from_addr: string;
  to_addr: string;
  body: string;
}

/**
 * Builds the rows of one message; `id` is the given or generated message id. For a message spooled
 * in chunks, `message.raw` is only its head (scanned for headers) and `size` its whole size; its
 * flags then come from `contentSummary`, which must be given.
 */
export function toIngestRow(message: NewMessage, id: string, size = message.raw.length): IngestRow {
  if (!Buffer.isBuffer(message.raw)) throw new TypeError("NewMessage.raw must be a Buffer");
  const raw = message.raw;
  const scan = scanHeaders(raw);
  const flags = computeRawFlags(raw, message.envelope, message.contentSummary);
  const envelopeJson = JSON.stringify(message.envelope);
  const row: Omit<MessageRow, "seq"> = {
    id,
    session_id: message.sessionId,
    received_at: message.receivedAt.getTime(),
    envelope_json: envelopeJson,
    size,
    subject: scan.subject,
    from_json: scan.from === null ? null : JSON.stringify(scan.from),
    to_json: JSON.stringify(scan.to),
    cc_json: JSON.stringify(scan.cc),
    date_ms: scan.dateMs,
    message_id_header: scan.messageIdHeader,
    snippet: scan.snippet,
    attachment_count: 0,
    has_html: scan.hasHtml ? 1 : 0,
    has_text: scan.hasText ? 1 : 0,
    is_read: 0,
    tags_json: "[]",
    flags_json: JSON.stringify(flags),
    parse_state: "pending",
    parse_error: null,
  };
  const summary: MessageSummary = {
    id,
    sessionId: message.sessionId,
    receivedAt: message.receivedAt.toISOString(),
    from: scan.from,
    to: scan.to,
    cc: scan.cc,
    // A copy: the caller may reuse its envelope object for the next transaction.
    envelope: JSON.parse(envelopeJson) as Envelope,
    subject: scan.subject,
    snippet: scan.snippet,
    size,
    attachmentCount: 0,
    hasHtml: scan.hasHtml,
    hasText: scan.hasText,
    read: false,
    tags: [],
    flags,
    date: scan.dateMs === null ? null : new Date(scan.dateMs).toISOString(),
    messageIdHeader: scan.messageIdHeader,
    parseState: "pending",
  };
  return { row, summary, raw, fts: toFtsRow(scan, message.envelope) };
}

/** The FTS row of a message's header scan (replaced by the full parse's row once it ran). */
export function toFtsRow(scan: HeaderScan, envelope: Envelope): FtsRow {
  return {
    subject: scan.subject,
    from_addr: addressText(scan.from ? [scan.from] : [], [envelope.mailFrom]),
    to_addr: addressText(
      [...scan.to, ...scan.cc],
      envelope.rcptTo.map((r) => r.address),
    ),
    body: scan.snippet,
  };
}

/** Names and addresses as one FTS text, envelope addresses added (deduplicated). */
export function addressText(addresses: Address[], envelope: string[]): string {
  const parts = new Set<string>();
  for (const a of addresses) {
    if (a.name) parts.add(a.name);
    if (a.address) parts.add(a.address);
  }
  for (const e of envelope) if (e) parts.add(e);
  return [...parts].join(" ");
}
