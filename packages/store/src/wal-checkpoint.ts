/**
 * The WAL checkpoint, run in the store's worker thread (store-worker.ts) on a connection of its own.
 *
 * A checkpoint copies the pages committed to the WAL back into the database file and syncs it: about
 * 2 to 5 ms per MB on this kind of machine, whatever the page size or the synchronous setting. On the
 * main thread, SQLite's automatic checkpoint at 160 MB of WAL held every SMTP reply and API request
 * for 0.3 to 0.8 s (100 KB messages over 50 connections: end-of-DATA -> 250 p99 74 to 367 ms). Here
 * it runs beside the writer, which WAL mode allows: a PASSIVE checkpoint never waits for, and never
 * blocks, the main connection's transactions.
 *
 * Invariants:
 * - one connection per database path, opened on the first checkpoint and kept while the worker lives
 *   (the worker stops when idle, and its connections close with it);
 * - PASSIVE only, never RESTART or TRUNCATE: those reset the WAL header, and a main-thread
 *   transaction that read before the reset and writes after it fails with SQLITE_BUSY_SNAPSHOT
 *   (busy timeout or not). Tried: a TRUNCATE once ingest was quiet lost the parse writes of 3 runs in
 *   4 of the bench's 1 KB burst. The WAL restarts at the main connection's next write instead;
 * - it never waits (busy timeout 0): a checkpoint already running elsewhere (the main connection's
 *   automatic one) makes this one report `busy`;
 * - the database must exist (the main thread created it): a missing file is an error, not a new one.
 */
import Database from "better-sqlite3";

/** What `PRAGMA wal_checkpoint` reports: frames in the WAL, and how many are in the database file. */
export interface CheckpointResult {
  busy: boolean;
  logFrames: number;
  checkpointedFrames: number;
}

const connections = new Map<string, Database.Database>();

/** PASSIVE checkpoint of the database at `path`. */
export function checkpointWal(path: string): CheckpointResult {
  let db = connections.get(path);
  if (db === undefined) {
    db = new Database(path, { fileMustExist: true, timeout: 0 });
    // Syncs the WAL before and the database file after each checkpoint, as the main connection would.
    db.pragma("synchronous = NORMAL");
    connections.set(path, db);
  }
  try {
    const [row] = db.pragma("wal_checkpoint(PASSIVE)") as {
      busy: number;
      log: number;
      checkpointed: number;
    }[];
    return { busy: row?.busy === 1, logFrames: row?.log ?? 0, checkpointedFrames: row?.checkpointed ?? 0 };
  } catch (error) {
    if ((error as { code?: unknown }).code === "SQLITE_BUSY")
      return { busy: true, logFrames: 0, checkpointedFrames: 0 };
    throw error;
  }
}
