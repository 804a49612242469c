-- 003: drop the index on messages.size alone. Only the counts of a size search (larger:, smaller:)
-- used it: a list page scans by seq with the size test unindexed, and the counters at open read
-- messages_read_size (is_read, size), which also covers a size count (a scan of the index, not of
-- the table). It cost every message insert a B-tree update in a random-order index: with it,
-- the store's 1 KB ingest at three messages per commit took about 80-110 us per message, without
-- it about 60 us (interleaved runs of the same load).
--
-- Cheap on a large database: nothing is rewritten.
DROP INDEX IF EXISTS messages_size;
