/**
 * The raw bytes of stored messages as SQL sees them: one blob in `message_raw`, or the chunks of a
 * spool (`raw_spool_chunk`, linked by `message_spool`; migration 004) for a message written while it
 * arrived (message-writer.ts). Functions over the store's prepared statements, called inside or
 * outside its transactions as each says; no state.
 */
import type Database from "better-sqlite3";
import type { SpooledContent } from "./message-writer.ts";
import { releaseMemory } from "./owned-buffer.ts";
import type { Statements } from "./sql-statements.ts";

/** A message_raw row with its spool, if its bytes are in one. */
export interface RawRow {
  seq: number;
  size: number;
  raw: Buffer;
  spool: number | null;
}

const EMPTY = Buffer.alloc(0);

/**
 * A spooled message's last chunk, inside the message's own transaction, after checking that every
 * earlier chunk was committed: a chunk whose commit failed fails the message (451) instead of
 * leaving it with a hole.
 */
export function writeLastChunk(s: Statements, spooled: SpooledContent): void {
  const { n } = s.countSpoolChunks.get(spooled.spool) as { n: number };
  if (n !== spooled.queued)
    throw new Error(`message content incomplete: ${n} of ${spooled.queued} chunks were stored`);
  s.insertSpoolChunk.run(spooled.spool, spooled.queued, spooled.tail);
}

/**
 * Deletes the chunks no message links (a message still arriving when the last process stopped);
 * returns the highest spool id left, 0 for none. At open, before any write.
 */
export function dropOrphanSpools(db: Database.Database): number {
  db.prepare("DELETE FROM raw_spool_chunk WHERE spool NOT IN (SELECT spool FROM message_spool)").run();
  const row = db.prepare("SELECT max(spool) AS spool FROM raw_spool_chunk").get() as { spool: number | null };
  return row.spool ?? 0;
}

/**
 * A message's raw bytes: its blob, or its spool's chunks in order, copied one at a time into a
 * buffer of the message's size (reading them all and concatenating held the message twice).
 */
export function readRaw(s: Statements, row: RawRow): Buffer {
  if (row.spool === null) return row.raw;
  const raw = Buffer.allocUnsafeSlow(row.size);
  let at = 0;
  for (const piece of rawPieces(s, row)) {
    at += piece.copy(raw, at);
    releaseMemory(piece);
  }
  return raw;
}

/**
 * A message's raw bytes piece by piece, each read when the consumer asks for the next (a download
 * holds one chunk at a time, not the message): its blob, or its spool's chunks in order. Each chunk
 * is read on its own, outside any transaction, so the database stays free between pieces; a chunk
 * gone meanwhile (the message was deleted) ends the iteration with an error, never a silent cut.
 */
export function* rawPieces(s: Statements, row: RawRow): Generator<Buffer, void, undefined> {
  if (row.spool === null) {
    if (row.raw.length > 0) yield row.raw;
    return;
  }
  let at = 0;
  for (let n = 0; at < row.size; n++) {
    const chunk = s.spoolChunk.get(row.spool, n) as { bytes: Buffer } | undefined;
    if (!chunk) throw new Error(`message ${row.seq}: chunk ${n} is gone after ${at} of ${row.size} bytes`);
    at += chunk.bytes.length;
    if (at > row.size) throw new Error(`message ${row.seq}: its chunks exceed its size`);
    yield chunk.bytes;
  }
}

/**
 * What a header scan reads of a message: its blob, or the first chunk of its spool (a header block
 * longer than a chunk is cut there).
 */
export function readHead(s: Statements, row: Pick<RawRow, "raw" | "spool">): Buffer {
  if (row.spool === null) return row.raw;
  return (s.spoolChunk.get(row.spool, 0) as { bytes: Buffer } | undefined)?.bytes ?? EMPTY;
}
