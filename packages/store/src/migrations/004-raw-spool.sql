-- 004: a large message's raw bytes may be stored in chunks, written while the message arrives,
-- instead of as one blob written once it is complete. SMTP then holds at most one chunk of a
-- message in memory (a session receiving 5 MB held all of it, and SQLite copied it twice more into
-- the commit), and ten sessions receiving 5 MB each no longer need a hundred megabytes.
--
-- raw_spool_chunk: the chunks of one spool, in order (n from 0); their concatenation is the raw
-- message, byte-exact. A spool belongs to a message once message_spool links it; the message's
-- message_raw.raw is then empty. Chunks of a spool no message links (a session that vanished
-- mid-DATA, a stop mid-message) are deleted at the next open.
--
-- Cheap on a large database: two new tables, nothing is rewritten; message_raw is untouched.
CREATE TABLE raw_spool_chunk (
  spool INTEGER NOT NULL,
  n INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (spool, n)
);

CREATE TABLE message_spool (
  seq INTEGER PRIMARY KEY,
  spool INTEGER NOT NULL UNIQUE
);
