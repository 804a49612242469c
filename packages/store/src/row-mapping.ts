/**
 * Storage rows (snake_case, as SQLite returns them) and their mapping to the API types of
 * @mailpen/shared. The only place where a row becomes an API value; nothing else returns rows.
 */
import type {
  Address,
  Envelope,
  MessageFlag,
  MessagePart,
  MessageSummary,
  ParseState,
  SessionOutcome,
  SessionSummary,
  SessionTls,
  TranscriptEntry,
} from "@mailpen/shared";

/** The columns of `messages` that a summary needs (every list selects exactly these). */
export const MESSAGE_SUMMARY_COLUMNS =
  "m.seq, m.id, m.session_id, m.received_at, m.envelope_json, m.size, m.subject, m.from_json, m.to_json, " +
  "m.cc_json, m.date_ms, m.message_id_header, m.snippet, m.attachment_count, m.has_html, m.has_text, " +
  "m.is_read, m.tags_json, m.flags_json, m.parse_state, m.parse_error";

export interface MessageRow {
  seq: number;
  id: string;
  session_id: string | null;
  received_at: number;
  envelope_json: string;
  size: number;
  subject: string;
  from_json: string | null;
  to_json: string;
  cc_json: string;
  date_ms: number | null;
  message_id_header: string | null;
  snippet: string;
  attachment_count: number;
  has_html: number;
  has_text: number;
  is_read: number;
  tags_json: string;
  flags_json: string;
  parse_state: string;
  parse_error: string | null;
}

export function toMessageSummary(row: MessageRow): MessageSummary {
  return {
    id: row.id,
    sessionId: row.session_id,
    receivedAt: new Date(row.received_at).toISOString(),
    from: row.from_json === null ? null : (JSON.parse(row.from_json) as Address),
    to: JSON.parse(row.to_json) as Address[],
    cc: JSON.parse(row.cc_json) as Address[],
    envelope: JSON.parse(row.envelope_json) as Envelope,
    subject: row.subject,
    snippet: row.snippet,
    size: row.size,
    attachmentCount: row.attachment_count,
    hasHtml: row.has_html === 1,
    hasText: row.has_text === 1,
    read: row.is_read === 1,
    tags: JSON.parse(row.tags_json) as string[],
    flags: JSON.parse(row.flags_json) as MessageFlag[],
    date: row.date_ms === null ? null : new Date(row.date_ms).toISOString(),
    messageIdHeader: row.message_id_header,
    parseState: row.parse_state as ParseState,
  };
}

export interface PartRow {
  ordinal: number;
  part_id: string;
  filename: string | null;
  content_type: string;
  disposition: string;
  size: number;
  content_id: string | null;
  checksum: string;
}

export function toMessagePart(row: PartRow): MessagePart {
  return {
    partId: row.part_id,
    filename: row.filename,
    contentType: row.content_type,
    disposition: row.disposition === "inline" ? "inline" : "attachment",
    size: row.size,
    contentId: row.content_id,
    checksum: row.checksum,
  };
}

export const SESSION_COLUMNS =
  "seq, id, started_at, ended_at, remote_address, remote_port, local_address, local_port, helo_name, " +
  "tls_json, auth_mechanism, auth_user, message_count, outcome, error_count, warnings_json, entry_count";

export interface SessionRow {
  seq: number;
  id: string;
  started_at: number;
  ended_at: number | null;
  remote_address: string;
  remote_port: number;
  local_address: string;
  local_port: number;
  helo_name: string | null;
  tls_json: string | null;
  auth_mechanism: string | null;
  auth_user: string | null;
  message_count: number;
  outcome: string | null;
  error_count: number;
  warnings_json: string;
  entry_count: number;
}

export function toSessionSummary(row: SessionRow): SessionSummary {
  return {
    id: row.id,
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    remoteAddress: row.remote_address,
    remotePort: row.remote_port,
    localAddress: row.local_address,
    localPort: row.local_port,
    heloName: row.helo_name,
    tls: row.tls_json === null ? null : (JSON.parse(row.tls_json) as SessionTls),
    authMechanism: row.auth_mechanism,
    authUser: row.auth_user,
    messageCount: row.message_count,
    outcome: row.outcome as SessionOutcome | null,
    errorCount: row.error_count,
    warnings: JSON.parse(row.warnings_json) as string[],
    entryCount: row.entry_count,
  };
}

export interface TranscriptRow {
  seq: number;
  at_ms: number;
  dir: string;
  text: string;
  masked: number;
  data_json: string | null;
  message_id: string | null;
}

export function toTranscriptEntry(row: TranscriptRow): TranscriptEntry {
  const entry: TranscriptEntry = {
    seq: row.seq,
    atMs: row.at_ms,
    dir: row.dir as TranscriptEntry["dir"],
    text: row.text,
  };
  if (row.masked === 1) entry.masked = true;
  if (row.data_json !== null) entry.data = JSON.parse(row.data_json) as TranscriptEntry["data"] & object;
  if (row.message_id !== null) entry.messageId = row.message_id;
  return entry;
}
