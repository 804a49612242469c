/**
 * Every fixed SQL statement of the SQLite store, prepared once per database. Dynamic statements
 * (search) are built in search-sql.ts and cached by the store. No logic here.
 */
import type Database from "better-sqlite3";
import { MESSAGE_SUMMARY_COLUMNS, SESSION_COLUMNS } from "./row-mapping.ts";

/** The prepared statements, by what they do. */
export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    insertMessage: p(
      `INSERT INTO messages (id, session_id, received_at, envelope_json, size, subject, from_json, to_json, cc_json,
        date_ms, message_id_header, snippet, attachment_count, has_html, has_text, is_read, tags_json, flags_json,
        parse_state, parse_error)
       VALUES (@id, @session_id, @received_at, @envelope_json, @size, @subject, @from_json, @to_json, @cc_json,
        @date_ms, @message_id_header, @snippet, @attachment_count, @has_html, @has_text, @is_read, @tags_json,
        @flags_json, @parse_state, @parse_error)`,
    ),
    insertRaw: p("INSERT INTO message_raw (seq, raw) VALUES (?, ?)"),
    insertSpoolChunk: p("INSERT INTO raw_spool_chunk (spool, n, bytes) VALUES (?, ?, ?)"),
    countSpoolChunks: p("SELECT count(*) AS n FROM raw_spool_chunk WHERE spool = ?"),
    linkSpool: p("INSERT INTO message_spool (seq, spool) VALUES (?, ?)"),
    spoolChunk: p("SELECT bytes FROM raw_spool_chunk WHERE spool = ? AND n = ?"),
    dropSpool: p("DELETE FROM raw_spool_chunk WHERE spool = ?"),
    deleteSpoolOf: p(
      "DELETE FROM raw_spool_chunk WHERE spool = (SELECT spool FROM message_spool WHERE seq = ?)",
    ),
    deleteSpoolLink: p("DELETE FROM message_spool WHERE seq = ?"),
    insertFts: p(
      "INSERT INTO messages_fts (rowid, subject, from_addr, to_addr, body) VALUES (@rowid, @subject, @from_addr, @to_addr, @body)",
    ),
    deleteFts: p("DELETE FROM messages_fts WHERE rowid = ?"),
    insertContent: p(
      "INSERT OR REPLACE INTO message_content (seq, text, html) VALUES (?, CAST(? AS TEXT), CAST(? AS TEXT))",
    ),
    insertPart: p(
      `INSERT INTO message_parts (message_seq, ordinal, part_id, filename, content_type, disposition, size, content_id,
        checksum, content)
       VALUES (@message_seq, @ordinal, @part_id, @filename, @content_type, @disposition, @size, @content_id, @checksum,
        @content)`,
    ),
    updateParsed: p(
      `UPDATE messages SET subject = @subject, from_json = @from_json, to_json = @to_json, cc_json = @cc_json,
        snippet = @snippet, attachment_count = @attachment_count, has_html = @has_html, has_text = @has_text,
        parse_state = 'parsed', parse_error = NULL
       WHERE seq = @seq`,
    ),
    markParseFailed: p(
      "UPDATE messages SET parse_state = 'failed', flags_json = ?, parse_error = ? WHERE seq = ?",
    ),
    updateReadTags: p("UPDATE messages SET is_read = ?, tags_json = ? WHERE seq = ?"),
    summaryById: p(`SELECT ${MESSAGE_SUMMARY_COLUMNS} FROM messages m WHERE m.id = ?`),
    summaryBySeq: p(`SELECT ${MESSAGE_SUMMARY_COLUMNS} FROM messages m WHERE m.seq = ?`),
    seqById: p("SELECT seq FROM messages WHERE id = ?"),
    rawById: p(
      `SELECT m.seq, m.size, r.raw, s.spool FROM messages m JOIN message_raw r ON r.seq = m.seq
       LEFT JOIN message_spool s ON s.seq = m.seq WHERE m.id = ?`,
    ),
    rawBySeq: p(
      "SELECT r.raw, s.spool FROM message_raw r LEFT JOIN message_spool s ON s.seq = r.seq WHERE r.seq = ?",
    ),
    contentBySeq: p("SELECT text, html FROM message_content WHERE seq = ?"),
    partsBySeq: p(
      `SELECT ordinal, part_id, filename, content_type, disposition, size, content_id, checksum
       FROM message_parts WHERE message_seq = ? ORDER BY ordinal`,
    ),
    partContent: p(
      `SELECT p.content_type, p.filename, p.content FROM message_parts p JOIN messages m ON m.seq = p.message_seq
       WHERE m.id = ? AND (p.part_id = ? OR p.content_id = ?) ORDER BY p.ordinal LIMIT 1`,
    ),
    pendingForIndex: p(
      `SELECT m.seq, m.id, m.envelope_json, r.raw, s.spool FROM messages m JOIN message_raw r ON r.seq = m.seq
       LEFT JOIN message_spool s ON s.seq = m.seq WHERE m.parse_state = 'pending' ORDER BY m.seq`,
    ),
    deleteMessage: p("DELETE FROM messages WHERE seq = ?"),
    deleteRaw: p("DELETE FROM message_raw WHERE seq = ?"),
    deleteContent: p("DELETE FROM message_content WHERE seq = ?"),
    deleteParts: p("DELETE FROM message_parts WHERE message_seq = ?"),
    countMessages: p("SELECT count(*) AS n FROM messages"),
    messageCounters: p(
      "SELECT count(*) AS total, sum(is_read = 0) AS unread, sum(size) AS bytes FROM messages INDEXED BY messages_read_size",
    ),
    oldestMessages: p("SELECT seq, id, session_id FROM messages ORDER BY seq LIMIT ?"),
    messagesOlderThan: p("SELECT seq, id, session_id FROM messages WHERE received_at < ? ORDER BY seq"),
    insertSession: p(
      `INSERT INTO sessions (id, started_at, remote_address, remote_port, local_address, local_port, tls_json)
       VALUES (@id, @started_at, @remote_address, @remote_port, @local_address, @local_port, @tls_json)`,
    ),
    sessionById: p(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
    sessionBySeq: p(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE seq = ?`),
    sessionsFirst: p(`SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY seq DESC LIMIT ?`),
    sessionsBefore: p(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE seq < ? ORDER BY seq DESC LIMIT ?`),
    insertChunk: p(
      "INSERT OR IGNORE INTO transcript_chunks (session_seq, first_seq, entries_json) VALUES (?, ?, ?)",
    ),
    // Added to, not recounted: counting the rows would scan the whole transcript on every flush, and
    // a session reusing its connection for thousands of messages made that the cost of ingest.
    addEntryCount: p("UPDATE sessions SET entry_count = entry_count + ? WHERE seq = ?"),
    updateSessionState: p(
      `UPDATE sessions SET helo_name = @helo_name, tls_json = @tls_json, auth_mechanism = @auth_mechanism,
        auth_user = @auth_user, message_count = @message_count, error_count = @error_count,
        warnings_json = @warnings_json
       WHERE seq = @seq`,
    ),
    endSession: p("UPDATE sessions SET ended_at = ?, outcome = ? WHERE seq = ?"),
    chunksBySession: p("SELECT entries_json FROM transcript_chunks WHERE session_seq = ? ORDER BY first_seq"),
    lastEntrySeq: p(
      // The aggregate max skips the NULL of a side that has no entries (a scalar max would not).
      `SELECT max(seq) AS seq FROM (
         SELECT (SELECT json_extract(entries_json, '$[#-1].seq') FROM transcript_chunks
                 WHERE session_seq = @session_seq ORDER BY first_seq DESC LIMIT 1) AS seq
         UNION ALL
         SELECT max(seq) FROM transcript_entries WHERE session_seq = @session_seq)`,
    ),
    /** Entries stored before migration 002 (one row each); read and deleted, never written. */
    entriesBySession: p(
      "SELECT seq, at_ms, dir, text, masked, data_json, message_id FROM transcript_entries WHERE session_seq = ? ORDER BY seq",
    ),
    messageIdsBySession: p("SELECT id FROM messages WHERE session_id = ? ORDER BY seq"),
    sessionHasMessages: p("SELECT 1 FROM messages WHERE session_id = ? LIMIT 1"),
    countSessions: p("SELECT count(*) AS n FROM sessions"),
    oldestIdleSessions: p(
      `SELECT s.seq, s.id FROM sessions s
       WHERE s.ended_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id)
       ORDER BY s.seq LIMIT ?`,
    ),
    endedSessionsOlderThan: p(
      `SELECT s.seq, s.id FROM sessions s
       WHERE s.ended_at IS NOT NULL AND s.started_at < ?
         AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.session_id = s.id)`,
    ),
    deleteEntries: p("DELETE FROM transcript_entries WHERE session_seq = ?"),
    deleteChunks: p("DELETE FROM transcript_chunks WHERE session_seq = ?"),
    deleteSession: p("DELETE FROM sessions WHERE seq = ?"),
  };
}
