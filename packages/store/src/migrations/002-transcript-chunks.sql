-- 002: transcript entries are stored in chunks, one row per session and group commit, instead of
-- one row per entry. A new connection per message wrote about 14 entry rows per message, a B-tree
-- insert each; a chunk is one. entries_json is a JSON array of TranscriptEntry objects (@mailpen/shared)
-- in seq order; first_seq is the seq of its first entry.
--
-- Cheap on a large database: nothing is rewritten. Entries stored before this migration stay in
-- transcript_entries, which is still read (and deleted from) alongside the chunks.
CREATE TABLE transcript_chunks (
  session_seq INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  entries_json TEXT NOT NULL,
  PRIMARY KEY (session_seq, first_seq)
) WITHOUT ROWID;
