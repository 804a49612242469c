-- 001: messages, their raw bytes, parsed content and parts; full-text index; sessions and transcripts.
-- Times are epoch milliseconds (INTEGER). Booleans are 0/1. JSON columns end in _json.

-- One row per message; the summary columns are denormalised so a list page reads only this table.
-- seq is the rowid that links the side tables and the FTS index; id is the public, time-ordered id
-- (lists order and paginate by id).
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  session_id TEXT,
  received_at INTEGER NOT NULL,
  envelope_json TEXT NOT NULL,
  size INTEGER NOT NULL,
  subject TEXT NOT NULL,
  from_json TEXT,
  to_json TEXT NOT NULL,
  cc_json TEXT NOT NULL,
  date_ms INTEGER,
  message_id_header TEXT,
  snippet TEXT NOT NULL,
  attachment_count INTEGER NOT NULL DEFAULT 0,
  has_html INTEGER NOT NULL DEFAULT 0,
  has_text INTEGER NOT NULL DEFAULT 0,
  is_read INTEGER NOT NULL DEFAULT 0,
  tags_json TEXT NOT NULL DEFAULT '[]',
  flags_json TEXT NOT NULL DEFAULT '[]',
  parse_state TEXT NOT NULL DEFAULT 'pending',
  parse_error TEXT
);
CREATE INDEX messages_session_id ON messages (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX messages_received_at ON messages (received_at);
CREATE INDEX messages_size ON messages (size);
-- Covers the unread filter and the start-up counters (count, unread, bytes) without a table scan.
CREATE INDEX messages_read_size ON messages (is_read, size);
CREATE INDEX messages_attachment_count ON messages (attachment_count) WHERE attachment_count > 0;
CREATE INDEX messages_pending ON messages (seq) WHERE parse_state = 'pending';

-- The message exactly as received (after dot-unstuffing), never rewritten. Kept apart from the
-- summary row so list scans never touch the blobs.
CREATE TABLE message_raw (
  seq INTEGER PRIMARY KEY,
  raw BLOB NOT NULL
);

-- Filled by the deferred full parse.
CREATE TABLE message_content (
  seq INTEGER PRIMARY KEY,
  text TEXT,
  html TEXT
);

-- Attachments and inline parts with their decoded content (see README: why stored, not re-derived).
CREATE TABLE message_parts (
  message_seq INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  part_id TEXT NOT NULL,
  filename TEXT,
  content_type TEXT NOT NULL,
  disposition TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_id TEXT,
  checksum TEXT NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (message_seq, ordinal)
);

-- Contentless full-text index keyed by messages.seq: to_addr holds To, Cc, Bcc and the envelope
-- recipients; from_addr the From header and the envelope reverse-path.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
  subject, from_addr, to_addr, body,
  content = '',
  contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);

-- Every SMTP session, also those that delivered nothing. seq orders and paginates the list.
CREATE TABLE sessions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  remote_address TEXT NOT NULL,
  remote_port INTEGER NOT NULL,
  local_address TEXT NOT NULL,
  local_port INTEGER NOT NULL,
  helo_name TEXT,
  tls_json TEXT,
  auth_mechanism TEXT,
  auth_user TEXT,
  message_count INTEGER NOT NULL DEFAULT 0,
  outcome TEXT,
  error_count INTEGER NOT NULL DEFAULT 0,
  warnings_json TEXT NOT NULL DEFAULT '[]',
  entry_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_started_at ON sessions (started_at);
CREATE INDEX sessions_in_progress ON sessions (seq) WHERE ended_at IS NULL;

CREATE TABLE transcript_entries (
  session_seq INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  dir TEXT NOT NULL,
  text TEXT NOT NULL,
  masked INTEGER NOT NULL DEFAULT 0,
  data_json TEXT,
  message_id TEXT,
  PRIMARY KEY (session_seq, seq)
) WITHOUT ROWID;
