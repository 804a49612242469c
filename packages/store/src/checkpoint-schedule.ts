/**
 * When the WAL is checkpointed (copied into the database file), so that no checkpoint holds the main
 * thread during a burst: in the store's worker every CHECKPOINT_STEP_BYTES of commits, and once
 * ingest is quiet; SQLite's own automatic checkpoint on the main connection only as the bound of
 * the WAL. The checkpoint itself is wal-checkpoint.ts (in the worker) or a PASSIVE pragma here.
 *
 * A main-thread checkpoint every 40 MB of a burst of 1 KB messages (about every 1,000 messages) made
 * its stall the p99 of end-of-DATA -> 250 (interleaved runs, 10 connections: p99 8-13 ms, 6.6-8.2 ms
 * without checkpoints in the run); at SQLite's default (1,000 pages) it came with every 5 MB message.
 */
import type Database from "better-sqlite3";
import type { CheckpointResult } from "./wal-checkpoint.ts";

/**
 * The WAL bytes at which the main connection checkpoints by itself (SQLite's automatic checkpoint at
 * a commit): the bound of the WAL on disk, reached only in a burst longer than the worker can keep up
 * with, or without a worker. During a burst the worker's checkpoints cannot restart the WAL (that
 * needs a moment with every frame copied and no commit since), so until the first quiet spell the
 * WAL grows; the main connection's checkpoint then copies what the worker has not yet, and restarts
 * it. At 160 MB that residue still held the main thread for 150-200 ms in a 5 MB burst (interleaved
 * runs, end-of-DATA -> 250 p99 143-198 ms); at 512 MB the bench's bursts never reach it (p99 33-52 ms).
 * Without a worker (parseInWorker false, or it failed) the main connection copies the whole WAL
 * itself, so the bound goes back to WAL_BOUND_ALONE_BYTES: the larger the bound, the longer that stall.
 */
export const WAL_BOUND_BYTES = 512 * 1024 * 1024;
export const WAL_BOUND_ALONE_BYTES = 160 * 1024 * 1024;
/**
 * During a burst, the worker checkpoints after about this many bytes were committed (wal-checkpoint.ts),
 * beside the main connection's writes. An estimate: a message counts its raw size, its parse result
 * its bodies and parts once written, each plus WAL_BYTES_PER_MESSAGE for rows and index pages. (Until
 * 2026-11-29 a message counted its raw twice, for its parse ahead of time, and the step was 32 MB: the
 * same cadence during a burst, but the parse's own writes, which come after it, asked for no
 * checkpoint. Left uncopied, they kept the next burst from starting the WAL over, and it grew to its
 * bound: 100 KB messages over 50 connections, second burst in a row, end-of-DATA -> 250 p99 570 ms.)
 */
export const CHECKPOINT_STEP_BYTES = 16 * 1024 * 1024;
export const WAL_BYTES_PER_MESSAGE = 4096;
/**
 * The WAL is checkpointed once the SMTP side wrote nothing for this long: on the main connection when
 * less than CHECKPOINT_MAIN_MAX_BYTES waits (a few milliseconds; no worker started for it), otherwise
 * in the worker.
 */
const CHECKPOINT_QUIET_MS = 250;
const CHECKPOINT_MAIN_MAX_BYTES = 2 * 1024 * 1024;

/** SQLite's automatic checkpoint (on the main connection) once the WAL holds `bytes`. */
export function setWalBound(db: Database.Database, bytes: number): void {
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  db.pragma(`wal_autocheckpoint = ${Math.ceil(bytes / pageSize)}`);
}

export interface CheckpointScheduleOptions {
  db: Database.Database;
  /** The worker's checkpoint of this database; null when there is no worker. */
  checkpointInWorker: () => Promise<CheckpointResult | null>;
  /** Milliseconds since the SMTP side last wrote (parse-gate.ts). */
  msSinceWrite: () => number;
  /** True when parsing runs without a worker: the main connection checkpoints from the start. */
  withoutWorker: boolean;
  logger: Pick<Console, "warn">;
}

export class CheckpointSchedule {
  /** Estimated WAL bytes committed since the last checkpoint was asked for. */
  private walBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  /** A checkpoint asked of the worker and not answered yet. */
  private inWorker: Promise<void> | null = null;
  /**
   * The last one got no answer (no worker): the next quiet spell checkpoints on the main connection,
   * and SQLite's own checkpoint bounds the WAL at WAL_BOUND_ALONE_BYTES until the worker answers again.
   */
  private workerFailed: boolean;
  private stopped = false;

  constructor(private readonly options: CheckpointScheduleOptions) {
    this.workerFailed = options.withoutWorker;
  }

  /**
   * After a commit of `bytes` (estimated WAL growth): during a burst, the worker checkpoints every
   * CHECKPOINT_STEP_BYTES; once ingest has been quiet for a while, whatever is left is checkpointed
   * (PASSIVE: never waits for readers or the writer).
   */
  noteCommitted(bytes: number): void {
    this.walBytes += bytes;
    if (this.walBytes >= CHECKPOINT_STEP_BYTES) this.checkpointInWorker();
    this.schedule();
  }

  /** No checkpoint is asked for after this (the store is closing). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped || !this.options.db.open) return;
      if (this.options.msSinceWrite() < CHECKPOINT_QUIET_MS) return this.schedule();
      if (this.walBytes === 0) return; // the worker's checkpoint copied it all
      if (this.walBytes >= CHECKPOINT_MAIN_MAX_BYTES && !this.workerFailed) return this.checkpointInWorker();
      this.checkpointHere();
    }, CHECKPOINT_QUIET_MS);
    this.timer.unref();
  }

  /**
   * One checkpoint at a time in the worker. Without a worker (main-thread parsing, or it failed),
   * what it was asked to copy is left to the main connection: the quiet spell's checkpoint, and
   * SQLite's automatic one as the bound during a burst.
   */
  private checkpointInWorker(): void {
    if (this.inWorker !== null || this.stopped) return;
    const asked = this.walBytes;
    this.walBytes = 0;
    this.inWorker = this.options.checkpointInWorker().then((result) => {
      this.inWorker = null;
      if (this.stopped) return;
      if ((result === null) !== this.workerFailed && this.options.db.open)
        setWalBound(this.options.db, result === null ? WAL_BOUND_ALONE_BYTES : WAL_BOUND_BYTES);
      this.workerFailed = result === null;
      if (result === null) this.walBytes += asked;
      // Commits made while it ran (or all of it, without a worker): the next quiet spell's.
      if (this.walBytes > 0) this.schedule();
    });
  }

  private checkpointHere(): void {
    this.walBytes = 0;
    try {
      this.options.db.pragma("wal_checkpoint(PASSIVE)");
    } catch (error) {
      // The worker's checkpoint is running: it does the same work.
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY")
        this.options.logger.warn("mailpen store: WAL checkpoint failed", error);
    }
  }
}
