/**
 * The SQLite implementation of MailStore.
 *
 * Invariants:
 * - Every change event is emitted after the transaction that made the change committed.
 * - addMessage resolves only after the batch holding the message committed (group commit: calls
 *   arriving before the next setImmediate share one transaction).
 * - Session and transcript writes are committed later, in batches (SESSION_FLUSH_MS), so a
 *   message's commit holds only its own rows; every read commits whatever waits first, so a read
 *   never misses a write made before it. The header scan's FTS row waits in memory until a search
 *   (or close, or FTS_PENDING_MAX) writes it, or the parse writes the full row instead. A message
 *   without its FTS row in the database is always one whose full parse is pending, so a restart
 *   indexes it too.
 * - The raw message is written once, byte-exact, and never updated: as one blob, or (a large message
 *   received through beginMessage) as the chunks of a spool, written as it arrived; the message's
 *   own transaction writes its last chunk and links the spool (message-writer.ts).
 * - The in-memory counters (total, unread, bytes, sessions) mirror the database: this process is
 *   the only writer. They are loaded at open and recomputed after bulk deletes.
 * - Rows never leave this file unmapped (see row-mapping.ts).
 */
import Database from "better-sqlite3";
import type {
  Address,
  Envelope,
  MessageDetail,
  MessageFlag,
  MessageListResponse,
  MessagePatch,
  MessageSummary,
  SessionDetail,
  SessionEnd,
  SessionListResponse,
  SessionStart,
  SessionState,
  Stats,
  StoreEvent,
  TranscriptEntry,
} from "@mailpen/shared";
import { createIdGenerator } from "./id-generator.ts";
import type {
  ListMessagesOptions,
  ListSessionsOptions,
  MailStore,
  MessageWriter,
  NewMessage,
  PartContent,
  RawContent,
} from "./mail-store.ts";
import { PagePool, SpoolingMessageWriter } from "./message-writer.ts";
import type { SpooledContent, SpoolHost } from "./message-writer.ts";
import { dropOrphanSpools, rawPieces, readHead, readRaw, writeLastChunk } from "./raw-spool.ts";
import type { RawRow } from "./raw-spool.ts";
import { scanHeaders } from "./header-scan.ts";
import { parseMessageHeaders } from "./message-parse.ts";
import type { ParseResult } from "./message-parse.ts";
import { createMessageParser } from "./message-parser.ts";
import type { MessageParser } from "./message-parser.ts";
import { addressText, toFtsRow, toIngestRow } from "./ingest-row.ts";
import type { FtsRow, IngestRow } from "./ingest-row.ts";
import { migrate } from "./migrate.ts";
import {
  CheckpointSchedule,
  setWalBound,
  WAL_BOUND_ALONE_BYTES,
  WAL_BOUND_BYTES,
  WAL_BYTES_PER_MESSAGE,
} from "./checkpoint-schedule.ts";
import { lockDatabase } from "./database-lock.ts";
import type { DatabaseLock } from "./database-lock.ts";
import { prepareStatements } from "./sql-statements.ts";
import type { Statements } from "./sql-statements.ts";
import { releaseMemory } from "./owned-buffer.ts";
import { createParseGate } from "./parse-gate.ts";
import { createParseQueue } from "./parse-queue.ts";
import {
  MESSAGE_SUMMARY_COLUMNS,
  toMessagePart,
  toMessageSummary,
  toSessionSummary,
  toTranscriptEntry,
} from "./row-mapping.ts";
import type { MessageRow, PartRow, SessionRow, TranscriptRow } from "./row-mapping.ts";
import { parseSearchQuery } from "./search-query.ts";
import { toSearchSql } from "./search-sql.ts";
import type { SearchSql } from "./search-sql.ts";

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** Database file path, or ":memory:" for a throwaway store. */
  path: string;
  /** Keep at most this many messages, pruning the oldest first. Default 10,000; 0 keeps everything. */
  maxMessages?: number;
  /** Prune messages (and ended sessions) that arrived longer ago than this. Default null: no limit. */
  maxAgeMs?: number | null;
  /** Milliseconds since the epoch; default `Date.now`. Used for ids and retention. */
  clock?: () => number;
  /** Id generator for messages that come without one; default `createIdGenerator(clock)`. */
  newId?: () => string;
  logger?: Pick<Console, "warn" | "error">;
  /** Minimum interval between `stats` events in milliseconds; default 250. */
  statsIntervalMs?: number;
  /** How long close() waits for pending parses before leaving them for the next open; default 5,000. */
  closeTimeoutMs?: number;
  /**
   * Run the deferred MIME parse and the WAL checkpoints in a worker thread (default true); false does
   * both on the main thread. If the worker cannot start, both fall back to the main thread by itself.
   */
  parseInWorker?: boolean;
}

/** Thrown by listMessages and deleteMessages for a query that validateQuery rejects. */
export class InvalidQueryError extends Error {
  override readonly name = "InvalidQueryError";
}

const DEFAULT_MAX_MESSAGES = 10_000;
/** The raw column of a message whose bytes are in a spool. */
const EMPTY_RAW = Buffer.alloc(0);
const MAX_SEQ = "9223372036854775807";
const MAX_PAGE = 1000;
const DEFAULT_PAGE = 50;
const AGE_CHECK_INTERVAL_MS = 60_000;
/** Raw bytes parsed at once (a larger message goes alone): bounds the memory of the deferred parse. */
const PARSE_BYTES_IN_FLIGHT = 4 * 1024 * 1024;
/** A parse whose result could not be written is tried again after this long, PARSE_ATTEMPTS in all. */
const PARSE_RETRY_MS = 1000;
const PARSE_ATTEMPTS = 3;
/**
 * The deferred parse's gate (parse-gate.ts): quiet after 150 ms without a write (longer than a 5 MB
 * message takes to arrive after its DATA); during a burst one parse per 100 ms within 64 KiB per
 * 100 ms of burst. One parse per 20 ms cost a new-connection burst about 0.1 ms of main-thread time
 * per message (the parse's own commit, FTS rewrite and events), and 256 KiB per 100 ms kept the
 * parse worker a quarter busy in a 100 KB burst. Above 20,000 waiting it runs at full speed.
 */
const PARSE_GATE = { quietMs: 150, trickleMs: 100, trickleBytes: 64 * 1024, backlogMax: 20_000 };
/**
 * Session, transcript and full-text writes are committed within this time (or at the next read).
 * A batch delays the 250s that wait behind it: at 20 ms, one new connection per message over 10
 * connections put about 20 sessions in a batch and the batch near the p99 of end-of-DATA -> 250
 * (interleaved runs: p99 8-10.4 ms at 20 ms, 6-9.3 ms at 10 ms, the same throughput).
 */
const SESSION_FLUSH_MS = 10;
/**
 * Message content queued for the group commit (chunks of spooled messages, raws) is committed at
 * once when it reaches this many bytes, instead of at the end of the tick. One turn of the event loop
 * can read megabytes from each of many sockets (libuv reads a ready socket up to 32 times in a row),
 * and every chunk waited in memory for the commit: 50 connections sending 5 MB messages had up to
 * 43 MB of chunk pages outstanding between two commits.
 */
const GROUP_COMMIT_MAX_BYTES = 8 * 1024 * 1024;
/**
 * Header-scan FTS rows wait in memory (pendingFts) until a search needs them, or until the parse
 * writes the message's full row in their place, so a burst writes the index once per message, not
 * twice (the header scan's row, then the parse's delete and insert). In a 1 KB burst over 10 reused
 * connections the 10 ms batch that wrote them with the transcripts took 1.2 ms, 0.83 ms without them;
 * a parse result's commit 0.61 ms, 0.51 ms without the delete. Above FTS_PENDING_MAX waiting (about
 * 0.5 KB each) each batch writes the oldest FTS_WRITE_BATCH.
 */
const FTS_PENDING_MAX = 10_000;
const FTS_WRITE_BATCH = 500;
interface PendingAdd extends IngestRow {
  /** The bytes are in a spool (raw is then empty). */
  spooled: SpooledContent | null;
  /** Called once the write is over, committed or failed (message-writer.ts reuses the raw's page). */
  written: (() => void) | null;
  resolve: (summary: MessageSummary) => void;
  reject: (error: unknown) => void;
}

/** The columns of a session's state (SessionState as bound to updateSessionState). */
interface StateParams {
  helo_name: string | null;
  tls_json: string | null;
  auth_mechanism: string | null;
  auth_user: string | null;
  message_count: number;
  error_count: number;
  warnings_json: string;
}

/** A session in progress as the write path knows it: its row and the last entry seq it stored. */
interface SessionCursor {
  seq: number;
  lastEntrySeq: number;
}

/** One write waiting for the next group commit. */
type WriteOp =
  | { kind: "message"; item: PendingAdd }
  | { kind: "raw.chunk"; spool: number; n: number; bytes: Buffer }
  | { kind: "raw.drop"; spool: number }
  | {
      kind: "session.start";
      id: string;
      params: {
        id: string;
        started_at: number;
        remote_address: string;
        remote_port: number;
        local_address: string;
        local_port: number;
        tls_json: string | null;
      };
    }
  | {
      kind: "transcript";
      id: string;
      entries: TranscriptEntry[];
      state: StateParams | null;
    }
  | { kind: "session.end"; id: string; state: StateParams; endedAt: number; outcome: string };

/** `ftsSeq`: a message committed without its FTS row, which waits in pendingFts. */
type OpResult = { ok: true; ftsSeq?: number } | { ok: false; error: unknown };

/** Opens (creating or migrating) a SQLite mail store. */
export function openStore(options: StoreOptions): MailStore {
  const onDisk = options.path !== ":memory:" && options.path !== "";
  // This process is the only writer (the counters in memory rely on it): the lock makes that a fact,
  // a second Mailpen on the same file fails here instead of corrupting counts (database-lock.ts).
  const lock = onDisk ? lockDatabase(options.path) : null;
  let db: Database.Database;
  try {
    db = new Database(options.path);
  } catch (error) {
    lock?.release();
    throw error;
  }
  try {
    db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a commit survives a process kill (the WAL is in the OS page cache); only
    // an OS crash or power loss may lose the last commits. FULL would fsync every group commit.
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    db.pragma("cache_size = -8000"); // 8 MB of page cache: lists and searches touch few pages
    db.pragma("temp_store = MEMORY");
    // SQLite's own checkpoint only bounds the WAL; the others run beside the writer (checkpoint-schedule.ts).
    setWalBound(db, options.parseInWorker === false ? WAL_BOUND_ALONE_BYTES : WAL_BOUND_BYTES);
    db.pragma("journal_size_limit = 67108864"); // the WAL file shrinks back to 64 MB after one
    migrate(db);
  } catch (error) {
    db.close();
    lock?.release();
    throw error;
  }
  return new SqliteMailStore(db, options, lock);
}

class SqliteMailStore implements MailStore {
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly logger: Pick<Console, "warn" | "error">;
  private readonly maxMessages: number;
  private readonly maxAgeMs: number | null;
  private readonly statsIntervalMs: number;
  private readonly closeTimeoutMs: number;
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly counters = { total: 0, unread: 0, bytes: 0, sessions: 0 };
  /** Messages waiting for their group commit (the next setImmediate), in call order. */
  private messageOps: WriteOp[] = [];
  /** Session and transcript writes waiting for the next full flush, in call order. */
  private sideOps: WriteOp[] = [];
  private flushScheduled = false;
  /** Content bytes in messageOps (GROUP_COMMIT_MAX_BYTES). */
  private queuedContentBytes = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Sessions whose messages retention removed before they ended (see pruneEndedSessions). */
  private readonly pruneWhenEnded = new Set<string>();
  /** FTS rows of committed messages, written by the next full flush (or by their parse). */
  private readonly pendingFts = new Map<number, FtsRow>();
  /** Cursors of sessions in progress, so a transcript write needs no lookup. */
  private readonly sessionSeqs = new Map<string, SessionCursor>();
  /** Session rows as committed by the current flush, for its events. */
  private readonly flushRows = new Map<string, SessionRow>();
  /** When the deferred parse may run; told of every write of the SMTP side (see parse-gate.ts). */
  private readonly parseGate = createParseGate(PARSE_GATE);
  /** Sizes of the messages queued for the deferred parse, for the trickle's byte budget. */
  private readonly queuedSizes = new Map<string, number>();
  /** Attempts so far of the parses whose result could not be written (see retryParse). */
  private readonly parseAttempts = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  /** Raw bytes of the parses in flight, and the parses waiting for that to drop. */
  private parseBytes = 0;
  private parseBudgetWaiters: (() => void)[] = [];
  private statsTimer: NodeJS.Timeout | null = null;
  private ageTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private parsedPending: { seq: number; id: string; result: ParseResult; done: () => void }[] = [];
  private parsedFlushScheduled = false;
  private parserClosed = false;
  private lastAgeCheck = -Infinity;
  private readonly queue;
  private readonly parser: MessageParser;
  private readonly checkpoints: CheckpointSchedule;
  private readonly statementCache = new Map<string, Database.Statement>();
  /**
   * Totals of recent searches. Counting a broad search costs a scan of every match while its page
   * stops after one page, so a repeated search (a live inbox re-runs it after each event) reuses
   * the count until the next write that can change it: every write path clears this cache.
   */
  private readonly countCache = new Map<string, number>();
  private readonly s: Statements;
  /** False for ":memory:": no WAL to checkpoint. */
  private readonly onDisk: boolean;
  /** The next spool id (message-writer.ts): above every spool in the database. */
  private nextSpool: number;
  private readonly spoolHost: SpoolHost = {
    newSpool: () => this.nextSpool++,
    writeChunk: (spool, n, bytes) => this.enqueue({ kind: "raw.chunk", spool, n, bytes }),
    dropSpool: (spool) => {
      if (!this.closed) this.enqueue({ kind: "raw.drop", spool });
    },
    addMessage: (message, spooled, written) => this.ingest(message, spooled, written),
  };
  private readonly pagePool = new PagePool();

  constructor(
    private readonly db: Database.Database,
    private readonly options: StoreOptions,
    private readonly lock: DatabaseLock | null,
  ) {
    this.clock = options.clock ?? Date.now;
    this.newId = options.newId ?? createIdGenerator(this.clock);
    this.logger = options.logger ?? console;
    this.maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
    this.maxAgeMs = options.maxAgeMs ?? null;
    this.statsIntervalMs = options.statsIntervalMs ?? 250;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.s = prepareStatements(db);
    this.onDisk = lock !== null;
    this.loadCounters();
    this.nextSpool = dropOrphanSpools(this.db) + 1;
    this.parser = createMessageParser({ worker: options.parseInWorker ?? true, logger: this.logger });
    this.checkpoints = new CheckpointSchedule({
      db,
      checkpointInWorker: () => this.parser.checkpointWal(options.path),
      msSinceWrite: () => this.parseGate.msSinceWrite(),
      withoutWorker: options.parseInWorker === false,
      logger: this.logger,
    });
    this.queue = createParseQueue(
      (id) => this.parseOne(id),
      (error) => this.logger.error("mailpen store: deferred parse failed", error),
      this.parser.concurrency,
      { delay: (next) => this.parseDelay(next) },
    );
    // Messages stored but not parsed when the last process stopped: index their header scan now
    // (the process may have stopped before their FTS rows were written), then parse them.
    for (const id of this.reindexPending()) this.queue.push(id);
    if (this.maxAgeMs !== null) {
      this.pruneByAge();
      this.ageTimer = setInterval(() => this.pruneByAge(), Math.min(AGE_CHECK_INTERVAL_MS, this.maxAgeMs));
      this.ageTimer.unref();
    }
  }

  // -- the write path: sessions, transcripts and messages share one group commit -------------------

  startSession(session: SessionStart): void {
    this.assertOpen();
    this.enqueue({
      kind: "session.start",
      id: session.id,
      params: {
        id: session.id,
        started_at: session.startedAt.getTime(),
        remote_address: session.remoteAddress,
        remote_port: session.remotePort,
        local_address: session.localAddress,
        local_port: session.localPort,
        tls_json: session.tls === null ? null : JSON.stringify(session.tls),
      },
    });
  }

  appendTranscript(sessionId: string, entries: TranscriptEntry[], state?: SessionState): void {
    this.assertOpen();
    // Copied now: the caller may reuse its arrays and state object once this returns.
    this.enqueue({
      kind: "transcript",
      id: sessionId,
      entries: entries.map((e) => ({ ...e })),
      state: state ? toStateParams(state) : null,
    });
  }

  endSession(sessionId: string, end: SessionEnd): void {
    this.assertOpen();
    this.enqueue({
      kind: "session.end",
      id: sessionId,
      state: toStateParams(end),
      endedAt: end.endedAt.getTime(),
      outcome: end.outcome,
    });
  }

  addMessage(message: NewMessage): Promise<MessageSummary> {
    return this.ingest(message, null, null);
  }

  beginMessage(options: { sizeHint?: number } = {}): MessageWriter {
    this.assertOpen();
    return new SpoolingMessageWriter(this.spoolHost, this.pagePool, options.sizeHint);
  }

  /** Queue a message for the group commit; a spooled one's `message.raw` is only its head. */
  private ingest(
    message: NewMessage,
    spooled: SpooledContent | null,
    written: (() => void) | null,
  ): Promise<MessageSummary> {
    let item: IngestRow;
    try {
      if (this.closed) throw new Error("mail store is closed");
      item = toIngestRow(message, message.id ?? this.newId(), spooled?.size);
      if (spooled) item.raw = EMPTY_RAW;
    } catch (error) {
      if (spooled) this.spoolHost.dropSpool(spooled.spool);
      written?.();
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.enqueue({ kind: "message", item: { ...item, spooled, written, resolve, reject } });
    });
  }

  /**
   * A message is committed at the end of this tick (SMTP waits for it to reply 250), alone with the
   * other messages of the tick (sooner once GROUP_COMMIT_MAX_BYTES of content wait). Session,
   * transcript and full-text writes wait up to SESSION_FLUSH_MS: nothing waits for them (a read
   * commits them at once), and committing them with each message made every commit touch the
   * session, transcript and FTS pages too.
   */
  private enqueue(op: WriteOp): void {
    this.parseGate.noteWrite();
    if (op.kind === "message" || op.kind === "raw.chunk") {
      this.messageOps.push(op);
      this.queuedContentBytes += contentBytes(op);
      if (this.queuedContentBytes >= GROUP_COMMIT_MAX_BYTES) return this.flush("messages");
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush("messages"));
      }
    } else {
      this.sideOps.push(op);
      this.scheduleFullFlush();
    }
  }

  private scheduleFullFlush(): void {
    if (this.flushTimer === null && !this.closed)
      this.flushTimer = setTimeout(() => this.flush("all"), SESSION_FLUSH_MS);
  }

  /**
   * Reads see every write made before them: commit what waits for a group commit now. A search
   * (`index`) also needs the FTS rows waiting in memory.
   */
  private flushWrites(index = false): void {
    if (this.messageOps.length > 0 || this.sideOps.length > 0 || (index && this.pendingFts.size > 0))
      this.flush(index ? "index" : "all");
  }

  /**
   * The group commit: the writes queued since the last one (only the messages, or all: messages
   * first, then session and transcript writes) in one transaction, each kind in call order, then
   * the events in the same order (session.updated coalesced per session), then the promises. An
   * index flush (before a search) also writes every FTS row waiting in memory, a full flush only
   * the oldest of those above FTS_PENDING_MAX.
   */
  private flush(scope: "messages" | "all" | "index"): void {
    this.flushScheduled = false;
    let ops = this.messageOps;
    this.messageOps = [];
    this.queuedContentBytes = 0;
    if (scope !== "messages") {
      if (this.flushTimer !== null) clearTimeout(this.flushTimer);
      this.flushTimer = null;
      ops = ops.length === 0 ? this.sideOps : ops.concat(this.sideOps);
      this.sideOps = [];
    }
    const ftsToWrite =
      scope === "index" ? this.pendingFts.size : scope === "all" ? this.pendingFts.size - FTS_PENDING_MAX : 0;
    if (ops.length === 0 && ftsToWrite <= 0) return;
    if (this.closed && !this.db.open) {
      for (const op of ops) if (op.kind === "message") op.item.reject(new Error("mail store is closed"));
      return;
    }
    let results: OpResult[];
    this.flushRows.clear();
    try {
      let ftsWritten: number[] = [];
      results = this.db.transaction(() => {
        const applied = this.applyOps(ops, scope === "index");
        if (ftsToWrite > 0)
          ftsWritten = this.writePendingFts(
            scope === "index" ? Infinity : Math.max(ftsToWrite, FTS_WRITE_BATCH),
          );
        return applied;
      })();
      for (const seq of ftsWritten) this.pendingFts.delete(seq);
    } catch {
      // One bad write (a duplicate id, say) must not fail the others: retry one by one. The seq
      // cache may hold sessions of the rolled-back transaction: drop it (it refills from the table).
      this.sessionSeqs.clear();
      results = ops.map((op) => {
        try {
          return this.db.transaction(() => this.applyOps([op], false))()[0] ?? { ok: false, error: null };
        } catch (error) {
          return { ok: false, error };
        }
      });
    }
    ops.forEach((op, i) => {
      const result = results[i];
      if (op.kind === "message" && result?.ok && result.ftsSeq !== undefined)
        this.pendingFts.set(result.ftsSeq, op.item.fts);
    });
    if (this.pendingFts.size > FTS_PENDING_MAX) this.scheduleFullFlush();
    const events: StoreEvent[] = [];
    const lastUpdate = new Map<string, Extract<StoreEvent, { type: "session.updated" }>>();
    const rows = this.flushRows;
    let messages = 0;
    let committedBytes = 0;
    const endedIds: string[] = [];
    let sessionsChanged = false;
    ops.forEach((op, i) => {
      const result = results[i] ?? { ok: false, error: null };
      if (op.kind === "raw.chunk" || op.kind === "raw.drop") {
        if (!result.ok) this.logger.error(`mailpen store: could not record ${op.kind}`, result.error);
        if (op.kind === "raw.chunk") {
          if (result.ok) committedBytes += contentBytes(op);
          this.pagePool.give(op.bytes); // in the database now, or never
        }
        return;
      }
      if (op.kind === "message") {
        const spooled = op.item.spooled;
        op.item.written?.(); // its bytes are in the database now, or will never be
        if (!result.ok) {
          if (spooled) this.spoolHost.dropSpool(spooled.spool);
          return op.item.reject(result.error);
        }
        messages++;
        this.counters.total++;
        this.counters.unread++;
        this.counters.bytes += op.item.row.size;
        committedBytes += contentBytes(op) + WAL_BYTES_PER_MESSAGE;
        events.push({ type: "message.created", message: op.item.summary });
        return;
      }
      if (!result.ok) {
        if (result.error !== null)
          this.logger.error(`mailpen store: could not record ${op.kind}`, result.error);
        return;
      }
      const row = rows.get(op.id);
      if (!row) return;
      if (op.kind === "transcript") {
        const previous = lastUpdate.get(op.id);
        if (previous) previous.entries.push(...op.entries);
        else {
          const session = toSessionSummary(row);
          const event = { type: "session.updated" as const, session, entries: op.entries };
          lastUpdate.set(op.id, event);
          events.push(event);
        }
        return;
      }
      lastUpdate.delete(op.id);
      sessionsChanged = true;
      const summary = toSessionSummary(row);
      if (op.kind === "session.start") {
        this.counters.sessions++;
        events.push({ type: "session.started", session: summary });
      } else {
        endedIds.push(op.id);
        events.push({ type: "session.closed", session: summary });
      }
    });
    if (messages > 0) this.countCache.clear();
    for (const event of events) this.emit(event);
    ops.forEach((op, i) => {
      if (op.kind !== "message" || !results[i]?.ok) return;
      this.queuedSizes.set(op.item.row.id, op.item.row.size);
      this.queue.push(op.item.row.id);
      op.item.resolve(op.item.summary);
    });
    if (committedBytes > 0 && this.onDisk) this.checkpoints.noteCommitted(committedBytes);
    if (endedIds.length > 0) this.pruneEndedSessions(endedIds);
    if (messages > 0 || endedIds.length > 0) {
      // Sessions that deliver nothing (scanners, rejected clients) are capped here too.
      this.pruneByCount();
      if (
        messages > 0 &&
        this.maxAgeMs !== null &&
        this.clock() - this.lastAgeCheck >= Math.min(1000, this.maxAgeMs)
      )
        this.pruneByAge();
    }
    if (messages > 0 || sessionsChanged) this.scheduleStats();
  }

  /**
   * Applies writes inside the caller's transaction; one result per op, in order. A message's FTS row
   * is written with it only when `withFts`; otherwise the caller queues it once committed.
   */
  private applyOps(ops: WriteOp[], withFts: boolean): OpResult[] {
    // Per session touched: a session's state is a whole replacement, so only the last one of the
    // flush is written (the engine sends it with every transcript batch).
    const touched = new Map<
      string,
      {
        cursor: SessionCursor;
        /** Entries this flush adds to the session: one transcript chunk. */
        entries: TranscriptEntry[];
        state: StateParams | null;
        end: { at: number; outcome: string } | null;
      }
    >();
    const results: OpResult[] = ops.map((op): OpResult => {
      if (op.kind === "raw.chunk") {
        this.s.insertSpoolChunk.run(op.spool, op.n, op.bytes);
        return { ok: true };
      }
      if (op.kind === "raw.drop") {
        this.s.dropSpool.run(op.spool);
        return { ok: true };
      }
      if (op.kind === "message") {
        const spooled = op.item.spooled;
        if (spooled) writeLastChunk(this.s, spooled);
        const seq = Number(this.s.insertMessage.run(op.item.row).lastInsertRowid);
        this.s.insertRaw.run(seq, op.item.raw);
        if (spooled) this.s.linkSpool.run(seq, spooled.spool);
        if (!withFts) return { ok: true, ftsSeq: seq };
        this.s.insertFts.run({ rowid: seq, ...op.item.fts });
        return { ok: true };
      }
      if (op.kind === "session.start") {
        const cursor = {
          seq: Number(this.s.insertSession.run(op.params).lastInsertRowid),
          lastEntrySeq: -Infinity,
        };
        this.sessionSeqs.set(op.id, cursor);
        touched.set(op.id, { cursor, entries: [], state: null, end: null });
        return { ok: true };
      }
      const cursor = this.sessionCursor(op.id);
      if (cursor === undefined) {
        this.logger.warn(`mailpen store: unknown session ${op.id} (deleted while in progress?)`);
        return { ok: false, error: null };
      }
      const t = touched.get(op.id) ?? { cursor, entries: [], state: null, end: null };
      touched.set(op.id, t);
      if (op.kind === "transcript") {
        // Seqs only grow within a session: an entry at or below the last one stored is a replay.
        for (const entry of op.entries) {
          if (entry.seq <= cursor.lastEntrySeq) continue;
          cursor.lastEntrySeq = entry.seq;
          t.entries.push(entry);
        }
        if (op.state) t.state = op.state;
      } else {
        t.state = op.state;
        t.end = { at: op.endedAt, outcome: op.outcome };
        this.sessionSeqs.delete(op.id);
      }
      return { ok: true };
    });
    // Once per session and flush: the state, the end, one transcript chunk and the entry count, and
    // the row for the events.
    for (const [id, t] of touched) {
      const seq = t.cursor.seq;
      if (t.state) this.s.updateSessionState.run({ seq, ...t.state });
      if (t.end) this.s.endSession.run(t.end.at, t.end.outcome, seq);
      const first = t.entries[0];
      if (first) {
        this.s.insertChunk.run(seq, first.seq, JSON.stringify(t.entries));
        this.s.addEntryCount.run(t.entries.length, seq);
      }
      const row = this.s.sessionBySeq.get(seq) as SessionRow | undefined;
      if (row) this.flushRows.set(id, row);
    }
    return results;
  }

  /**
   * Replaces the FTS rows of the messages whose parse is pending with their header scan's, in one
   * transaction (one raw message in memory at a time); returns their ids.
   */
  private reindexPending(): string[] {
    const ids: string[] = [];
    const rows = this.s.pendingForIndex.iterate() as IterableIterator<{
      seq: number;
      id: string;
      envelope_json: string;
      raw: Buffer;
      spool: number | null;
    }>;
    const pending: { seq: number; fts: FtsRow }[] = [];
    for (const row of rows) {
      // Only the header scan: the rest of an ingest row (flags over the whole raw, JSON) is stored.
      const envelope = JSON.parse(row.envelope_json) as Envelope;
      pending.push({ seq: row.seq, fts: toFtsRow(scanHeaders(readHead(this.s, row)), envelope) });
      ids.push(row.id);
    }
    if (pending.length === 0) return ids;
    this.db.transaction(() => {
      for (const { seq, fts } of pending) {
        this.s.deleteFts.run(seq);
        this.s.insertFts.run({ rowid: seq, ...fts });
      }
    })();
    return ids;
  }

  /**
   * Writes up to `max` of the FTS rows waiting since their messages' commit, oldest first (inside the
   * caller's transaction; they leave pendingFts only if it commits, see flush).
   */
  private writePendingFts(max: number): number[] {
    const written: number[] = [];
    for (const [seq, fts] of this.pendingFts) {
      if (written.length >= max) break;
      this.s.insertFts.run({ rowid: seq, ...fts });
      written.push(seq);
    }
    return written;
  }

  /** The cursor of a session, from the cache of sessions in progress or the database. */
  private sessionCursor(id: string): SessionCursor | undefined {
    const cached = this.sessionSeqs.get(id);
    if (cached !== undefined) return cached;
    const seq = (this.s.sessionById.get(id) as SessionRow | undefined)?.seq;
    if (seq === undefined) return undefined;
    // The last entry stored: of the last chunk, or of the rows from before migration 002.
    const last = this.s.lastEntrySeq.get({ session_seq: seq }) as { seq: number | null };
    const cursor = { seq, lastEntrySeq: last.seq ?? -Infinity };
    this.sessionSeqs.set(id, cursor);
    return cursor;
  }

  /** A session's stored transcript in seq order: rows from before migration 002, then the chunks. */
  private storedTranscript(sessionSeq: number): TranscriptEntry[] {
    const legacy = (this.s.entriesBySession.all(sessionSeq) as TranscriptRow[]).map(toTranscriptEntry);
    const chunks = this.s.chunksBySession.all(sessionSeq) as { entries_json: string }[];
    const entries = chunks.flatMap((c) => JSON.parse(c.entries_json) as TranscriptEntry[]);
    return legacy.length === 0 ? entries : [...legacy, ...entries].sort((a, b) => a.seq - b.seq);
  }

  /** The deferred parse's gate, asked before each parse the queue starts (see parse-gate.ts). */
  private parseDelay(next: string): number {
    if (this.closed) return 0;
    return this.parseGate.delay(this.queuedSizes.get(next) ?? 0, this.queue.size());
  }

  /** The deferred full parse of one message; writes content, parts, summary and FTS, then emits. */
  private async parseOne(id: string): Promise<void> {
    this.queuedSizes.delete(id);
    // Parses keep running while close() drains the queue; only a closed database stops them.
    if (!this.db.open) return;
    // Bytes in flight are capped (one message always goes) from reading the raw until the result is
    // written: a parse holds the raw, its copy in the worker and the decoded text and parts, so 16
    // large messages at once would cost gigabytes, and reading the next large raw while the last
    // result waits for its commit held both (5 MB messages, peak RSS of storing and parsing them,
    // interleaved runs: over 1 connection 147-154 MB, 134-135 with the result written first; over
    // 10, 150-174 and 150-160; over 50, 170-173 and 160-168).
    const sized = this.cached("SELECT size FROM messages WHERE id = ?").get(id) as
      { size: number } | undefined;
    if (!sized) return;
    while (this.parseBytes > 0 && this.parseBytes + sized.size > PARSE_BYTES_IN_FLIGHT) {
      await new Promise<void>((resolve) => this.parseBudgetWaiters.push(resolve));
      if (!this.db.open) return;
    }
    this.parseBytes += sized.size;
    try {
      const found = this.rawRow(id);
      if (!found) return;
      // The raw may move to the parse worker; should the worker die, it is read again.
      const result = await this.parser.parse(readRaw(this.s, found), () => {
        const again = this.db.open ? this.rawRow(id) : undefined;
        return again && readRaw(this.s, again);
      });
      if (!this.db.open || this.parserClosed) return;
      // Results that arrive together share one transaction, like ingest: a commit per parse would
      // cost more than the write itself.
      await new Promise<void>((done) => {
        this.parsedPending.push({ seq: found.seq, id, result, done });
        if (!this.parsedFlushScheduled) {
          this.parsedFlushScheduled = true;
          setImmediate(() => this.flushParsed());
        }
      });
    } finally {
      this.parseBytes -= sized.size;
      // Wake every waiter: each re-checks the budget, the first that fits takes it.
      for (const wake of this.parseBudgetWaiters.splice(0)) wake();
    }
  }

  private flushParsed(): void {
    this.parsedFlushScheduled = false;
    const batch = this.parsedPending;
    this.parsedPending = [];
    try {
      if (batch.length === 0 || !this.db.open || this.parserClosed) return;
      const rows = this.db.transaction(() => batch.map((p) => this.writeParsed(p.seq, p.id, p.result)))();
      // The checkpoints must follow these writes too: left uncopied, they keep the next burst from
      // starting the WAL over, and it grows to its bound (see checkpoint-schedule.ts).
      if (this.onDisk) this.checkpoints.noteCommitted(parsedBytes(batch));
      this.countCache.clear();
      for (const row of rows) if (row) this.emit({ type: "message.updated", message: toMessageSummary(row) });
      if (this.parseAttempts.size > 0) for (const p of batch) this.parseAttempts.delete(p.id);
    } catch (error) {
      this.logger.error("mailpen store: storing parse results failed; they are parsed again later", error);
      this.retryParse(batch.map((p) => p.id));
    } finally {
      for (const p of batch) {
        if (p.result.ok) {
          const c = p.result.content;
          releaseMemory(c.text);
          releaseMemory(c.html);
          for (const part of c.parts) releaseMemory(part.content);
        }
        p.done();
      }
    }
  }

  /**
   * Messages whose parse result could not be written (the database busy or full, say) are parsed
   * again after PARSE_RETRY_MS, up to PARSE_ATTEMPTS times in all; after that they stay pending
   * until the next start, which parses every pending message. Without it a failed write left them
   * "pending" for as long as the process ran.
   */
  private retryParse(ids: string[]): void {
    const again = ids.filter((id) => {
      const attempts = (this.parseAttempts.get(id) ?? 1) + 1;
      if (attempts > PARSE_ATTEMPTS) {
        this.parseAttempts.delete(id);
        return false;
      }
      this.parseAttempts.set(id, attempts);
      return true;
    });
    if (again.length === 0 || this.closed) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.closed) return;
      for (const id of again) this.queue.push(id);
    }, PARSE_RETRY_MS);
    timer.unref();
    this.retryTimers.add(timer);
  }

  /** Writes one parse result (inside the caller's transaction); undefined when the message is gone. */
  private writeParsed(seq: number, id: string, result: ParseResult): MessageRow | undefined {
    const row = this.s.summaryBySeq.get(seq) as MessageRow | undefined;
    if (!row || row.id !== id) return undefined; // deleted meanwhile
    const flags = JSON.parse(row.flags_json) as MessageFlag[];
    if (!result.ok) {
      if (!flags.includes("parse-error")) flags.push("parse-error");
      this.s.markParseFailed.run(JSON.stringify(flags), result.error, seq);
      // No longer pending: its header-scan FTS row must be written with this state, not later.
      const fts = this.pendingFts.get(seq);
      if (fts) this.s.insertFts.run({ rowid: seq, ...fts });
      this.pendingFts.delete(seq);
      return this.s.summaryBySeq.get(seq) as MessageRow;
    }
    const c = result.content;
    const envelope = JSON.parse(row.envelope_json) as { mailFrom: string; rcptTo: { address: string }[] };
    const from = c.from ?? (row.from_json === null ? null : (JSON.parse(row.from_json) as Address));
    const to = c.to ?? (JSON.parse(row.to_json) as Address[]);
    const cc = c.cc ?? (JSON.parse(row.cc_json) as Address[]);
    const subject = c.subject ?? row.subject;
    this.s.updateParsed.run({
      seq: seq,
      subject,
      from_json: from === null ? null : JSON.stringify(from),
      to_json: JSON.stringify(to),
      cc_json: JSON.stringify(cc),
      snippet: c.snippet,
      attachment_count: c.attachmentCount,
      has_html: c.html !== null ? 1 : 0,
      has_text: c.text !== null ? 1 : 0,
    });
    this.s.insertContent.run(seq, c.text, c.html);
    this.s.deleteParts.run(seq);
    c.parts.forEach((p, ordinal) =>
      this.s.insertPart.run({
        message_seq: seq,
        ordinal,
        part_id: p.partId,
        filename: p.filename,
        content_type: p.contentType,
        disposition: p.disposition,
        size: p.size,
        content_id: p.contentId,
        checksum: p.checksum,
        content: p.content,
      }),
    );
    // The parse's row replaces the header scan's: a row still waiting in memory is dropped unwritten,
    // a written one deleted (an FTS5 delete re-reads and re-tokenizes the row).
    if (!this.pendingFts.delete(seq)) this.s.deleteFts.run(seq);
    this.s.insertFts.run({
      rowid: seq,
      subject,
      from_addr: addressText(from ? [from] : [], [envelope.mailFrom]),
      to_addr: addressText(
        [...to, ...cc, ...c.bcc],
        envelope.rcptTo.map((r) => r.address),
      ),
      body: c.searchText,
    });
    return this.s.summaryBySeq.get(seq) as MessageRow;
  }

  // -- messages: reads ----------------------------------------------------------------------------

  listMessages(options: ListMessagesOptions = {}): MessageListResponse {
    this.assertOpen();
    this.flushWrites(isSearch(options.query));
    const limit = clampLimit(options.limit);
    const search = this.searchSql(options.query);
    // Arrival order is insertion order (seq); ids are time-ordered, so a cursor id maps to a seq
    // through the id index, and a cursor whose message was deleted meanwhile still works.
    const key = search.match === null ? "m.seq" : "f.rowid";
    const where = [search.scanWhere];
    const params: (string | number)[] = [...search.params];
    if (options.cursor) {
      where.push(
        `${key} < coalesce((SELECT seq FROM messages WHERE id >= ? ORDER BY id LIMIT 1), ${MAX_SEQ})`,
      );
      params.push(options.cursor);
    }
    if (options.afterId) {
      where.push(`${key} > coalesce((SELECT seq FROM messages WHERE id <= ? ORDER BY id DESC LIMIT 1), 0)`);
      params.push(options.afterId);
    }
    const sql =
      search.match === null
        ? `SELECT ${MESSAGE_SUMMARY_COLUMNS} FROM messages m WHERE ${where.join(" AND ")} ORDER BY m.seq DESC LIMIT ?`
        : `SELECT ${MESSAGE_SUMMARY_COLUMNS} FROM messages_fts f CROSS JOIN messages m ON m.seq = f.rowid
           WHERE messages_fts MATCH ? AND ${where.join(" AND ")} ORDER BY f.rowid DESC LIMIT ?`;
    const rows = this.cached(sql).all(
      ...(search.match === null ? [] : [search.match]),
      ...params,
      limit + 1,
    ) as MessageRow[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      messages: page.map(toMessageSummary),
      total: this.countMatching(search),
      unread: this.counters.unread,
      nextCursor: more ? (page[page.length - 1]?.id ?? null) : null,
    };
  }

  private countMatching(search: SearchSql): number {
    if (search.match === null && search.where === "1") return this.counters.total;
    const key = `${search.match ?? ""}\u0000${search.where}\u0000${search.params.join("\u0000")}`;
    const cached = this.countCache.get(key);
    if (cached !== undefined) return cached;
    let sql: string;
    if (search.match === null) sql = `SELECT count(*) AS n FROM messages m WHERE ${search.where}`;
    else if (search.where === "1") sql = "SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?";
    else {
      sql = `SELECT count(*) AS n FROM messages_fts f CROSS JOIN messages m ON m.seq = f.rowid
             WHERE messages_fts MATCH ? AND ${search.where}`;
    }
    const params = search.match === null ? search.params : [search.match, ...search.params];
    const n = (this.cached(sql).get(...params) as { n: number }).n;
    if (this.countCache.size >= 100) this.countCache.clear();
    this.countCache.set(key, n);
    return n;
  }

  getMessageSummary(id: string): MessageSummary | undefined {
    this.assertOpen();
    this.flushWrites();
    const row = this.s.summaryById.get(id) as MessageRow | undefined;
    return row ? toMessageSummary(row) : undefined;
  }

  async getMessage(id: string): Promise<MessageDetail | undefined> {
    this.assertOpen();
    this.flushWrites();
    await this.queue.waitFor(id);
    if (!this.db.open) return undefined;
    const row = this.s.summaryById.get(id) as MessageRow | undefined;
    if (!row) return undefined;
    const stored = this.s.rawBySeq.get(row.seq) as Pick<RawRow, "raw" | "spool"> | undefined;
    const raw = stored ? readHead(this.s, stored) : EMPTY_RAW;
    const content = this.s.contentBySeq.get(row.seq) as
      { text: string | null; html: string | null } | undefined;
    const parts = this.s.partsBySeq.all(row.seq) as PartRow[];
    return {
      ...toMessageSummary(row),
      headers: parseMessageHeaders(raw),
      text: content?.text ?? null,
      html: content?.html ?? null,
      attachments: parts.map(toMessagePart),
      parseError: row.parse_error,
    };
  }

  getRaw(id: string): Buffer | undefined {
    this.assertOpen();
    this.flushWrites();
    const stored = this.rawRow(id);
    return stored && readRaw(this.s, stored);
  }

  openRaw(id: string): RawContent | undefined {
    this.assertOpen();
    this.flushWrites();
    const stored = this.rawRow(id);
    return stored && { size: stored.size, pieces: rawPieces(this.s, stored) };
  }

  /** Where a message's raw bytes are: its blob, or its spool (raw-spool.ts). */
  private rawRow(id: string): RawRow | undefined {
    return this.s.rawById.get(id) as RawRow | undefined;
  }

  async getPart(id: string, partId: string): Promise<PartContent | undefined> {
    this.assertOpen();
    this.flushWrites();
    await this.queue.waitFor(id);
    if (!this.db.open) return undefined;
    const cid = partId.replace(/^cid:/i, "").replace(/^<|>$/g, "");
    const row = this.s.partContent.get(id, partId, cid) as
      { content_type: string; filename: string | null; content: Buffer } | undefined;
    return row ? { contentType: row.content_type, filename: row.filename, content: row.content } : undefined;
  }

  // -- messages: changes --------------------------------------------------------------------------

  updateMessage(id: string, patch: MessagePatch): MessageSummary | undefined {
    this.assertOpen();
    this.flushWrites();
    const before = this.s.summaryById.get(id) as MessageRow | undefined;
    if (!before) return undefined;
    const read = patch.read === undefined ? before.is_read : patch.read ? 1 : 0;
    const tags = patch.tags === undefined ? before.tags_json : JSON.stringify(normaliseTags(patch.tags));
    if (read === before.is_read && tags === before.tags_json) return toMessageSummary(before);
    this.s.updateReadTags.run(read, tags, before.seq);
    this.countCache.clear();
    this.counters.unread += before.is_read - read;
    const summary = toMessageSummary({ ...before, is_read: read, tags_json: tags });
    this.emit({ type: "message.updated", message: summary });
    if (read !== before.is_read) this.scheduleStats();
    return summary;
  }

  deleteMessage(id: string): boolean {
    this.assertOpen();
    this.flushWrites();
    const row = this.s.seqById.get(id) as { seq: number } | undefined;
    if (!row) return false;
    this.db.transaction(() => this.deleteBySeqs([row.seq]))();
    this.loadCounters();
    this.emit({ type: "message.deleted", ids: [id] });
    this.scheduleStats();
    return true;
  }

  deleteMessages(query?: string): number {
    this.assertOpen();
    const all = !isSearch(query);
    this.flushWrites(!all);
    if (all) {
      const count = this.db.transaction(() => {
        const n = (this.s.countMessages.get() as { n: number }).n;
        // Only linked spools: the chunks of a message still arriving stay.
        this.db.prepare("DELETE FROM raw_spool_chunk WHERE spool IN (SELECT spool FROM message_spool)").run();
        for (const table of [
          "messages",
          "message_raw",
          "message_spool",
          "message_content",
          "message_parts",
        ]) {
          this.db.prepare(`DELETE FROM ${table}`).run();
        }
        this.db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')").run();
        return n;
      })();
      // Rows waiting in memory belong to deleted messages, and seqs are reused once the table is empty.
      this.pendingFts.clear();
      this.loadCounters();
      this.emit({ type: "messages.cleared" });
      this.scheduleStats();
      return count;
    }
    const search = this.searchSql(query);
    const rows = (
      search.match === null
        ? this.cached(`SELECT m.seq, m.id FROM messages m WHERE ${search.where} ORDER BY m.seq`).all(
            ...search.params,
          )
        : this.cached(
            `SELECT m.seq, m.id FROM messages_fts f CROSS JOIN messages m ON m.seq = f.rowid
             WHERE messages_fts MATCH ? AND ${search.where} ORDER BY m.seq`,
          ).all(search.match, ...search.params)
    ) as { seq: number; id: string }[];
    if (rows.length === 0) return 0;
    this.db.transaction(() => this.deleteBySeqs(rows.map((r) => r.seq)))();
    this.loadCounters();
    this.emit({ type: "message.deleted", ids: rows.map((r) => r.id) });
    this.scheduleStats();
    return rows.length;
  }

  validateQuery(query: string): { ok: true } | { ok: false; message: string } {
    const parsed = parseSearchQuery(query);
    return parsed.ok ? { ok: true } : { ok: false, message: parsed.message };
  }

  // -- sessions: reads and deletes ----------------------------------------------------------------

  listSessions(options: ListSessionsOptions = {}): SessionListResponse {
    this.assertOpen();
    this.flushWrites();
    const limit = clampLimit(options.limit);
    const cursor = options.cursor === undefined ? NaN : Number(options.cursor);
    const rows = (
      Number.isInteger(cursor)
        ? this.s.sessionsBefore.all(cursor, limit + 1)
        : this.s.sessionsFirst.all(limit + 1)
    ) as SessionRow[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      sessions: page.map(toSessionSummary),
      total: this.counters.sessions,
      nextCursor: more ? String(page[page.length - 1]?.seq) : null,
    };
  }

  getSession(id: string): SessionDetail | undefined {
    this.assertOpen();
    this.flushWrites();
    const row = this.s.sessionById.get(id) as SessionRow | undefined;
    if (!row) return undefined;
    const messageIds = (this.s.messageIdsBySession.all(id) as { id: string }[]).map((r) => r.id);
    return { ...toSessionSummary(row), transcript: this.storedTranscript(row.seq), messageIds };
  }

  deleteSession(id: string): boolean {
    this.assertOpen();
    this.flushWrites();
    const row = this.s.sessionById.get(id) as SessionRow | undefined;
    if (!row) return false;
    this.db.transaction(() => this.deleteSessionsBySeq([row.seq]))();
    this.sessionSeqs.delete(id);
    this.counters.sessions--;
    this.emit({ type: "session.deleted", ids: [id] });
    this.scheduleStats();
    return true;
  }

  // -- the rest -----------------------------------------------------------------------------------

  stats(): Stats {
    if (!this.closed) this.flushWrites();
    return { ...this.counters };
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Commit what is waiting for the next group commit before refusing new work, the FTS rows too.
    this.flushWrites(true);
    this.closed = true;
    if (this.ageTimer) clearInterval(this.ageTimer);
    if (this.statsTimer) clearTimeout(this.statsTimer);
    this.checkpoints.stop();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.ageTimer = null;
    this.statsTimer = null;
    await this.queue.stop(this.closeTimeoutMs);
    this.parserClosed = true;
    await this.parser.close();
    this.listeners.clear();
    this.statementCache.clear();
    this.db.close();
    this.lock?.release();
  }

  // -- internals ----------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new Error("mail store is closed");
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error("mailpen store: event listener threw", error);
      }
    }
  }

  /** Trailing-edge throttle: at most one `stats` event per interval, with the latest counters. */
  private scheduleStats(): void {
    if (this.statsTimer !== null || this.closed) return;
    this.statsTimer = setTimeout(() => {
      this.statsTimer = null;
      if (!this.closed) this.emit({ type: "stats", stats: this.stats() });
    }, this.statsIntervalMs);
    this.statsTimer.unref();
  }

  private loadCounters(): void {
    this.countCache.clear();
    const m = this.s.messageCounters.get() as { total: number; unread: number | null; bytes: number | null };
    const sessions = this.s.countSessions.get() as { n: number };
    this.counters.total = m.total;
    this.counters.unread = m.unread ?? 0;
    this.counters.bytes = m.bytes ?? 0;
    this.counters.sessions = sessions.n;
  }

  private searchSql(query: string | undefined): SearchSql {
    if (query === undefined || query.trim() === "") return toSearchSql([]);
    const parsed = parseSearchQuery(query);
    if (!parsed.ok) throw new InvalidQueryError(parsed.message);
    return toSearchSql(parsed.terms);
  }

  private cached(sql: string): Database.Statement {
    let statement = this.statementCache.get(sql);
    if (!statement) {
      if (this.statementCache.size > 200) this.statementCache.clear();
      statement = this.db.prepare(sql);
      this.statementCache.set(sql, statement);
    }
    return statement;
  }

  /** Deletes messages and everything hanging off them; call inside a transaction. */
  private deleteBySeqs(seqs: number[]): void {
    for (const seq of seqs) {
      this.s.deleteMessage.run(seq);
      this.s.deleteSpoolOf.run(seq);
      this.s.deleteSpoolLink.run(seq);
      this.s.deleteRaw.run(seq);
      this.s.deleteContent.run(seq);
      this.s.deleteParts.run(seq);
      this.s.deleteFts.run(seq);
      this.pendingFts.delete(seq);
    }
  }

  private deleteSessionsBySeq(seqs: number[]): void {
    for (const seq of seqs) {
      this.s.deleteEntries.run(seq);
      this.s.deleteChunks.run(seq);
      this.s.deleteSession.run(seq);
    }
  }

  private pruneByCount(): void {
    if (this.maxMessages <= 0) return;
    const excess = this.counters.total - this.maxMessages;
    if (excess > 0) this.prune(this.s.oldestMessages.all(excess) as PruneRow[]);
    if (this.counters.sessions > this.maxMessages) {
      const extra = this.counters.sessions - this.maxMessages;
      this.pruneSessions(this.s.oldestIdleSessions.all(extra) as { seq: number; id: string }[]);
    }
  }

  private pruneByAge(): void {
    if (this.maxAgeMs === null || this.closed) return;
    this.lastAgeCheck = this.clock();
    const cutoff = this.lastAgeCheck - this.maxAgeMs;
    this.prune(this.s.messagesOlderThan.all(cutoff) as PruneRow[]);
    this.pruneSessions(this.s.endedSessionsOlderThan.all(cutoff) as { seq: number; id: string }[]);
  }

  /**
   * Retention of sessions that ended in the last flush: one whose messages were all pruned while it
   * was in progress (or before its own rows were committed), or one older than maxAgeMs, goes once
   * it has no messages.
   */
  private pruneEndedSessions(ids: string[]): void {
    const cutoff = this.maxAgeMs === null ? null : this.clock() - this.maxAgeMs;
    const gone: { seq: number; id: string }[] = [];
    for (const id of ids) {
      const row = this.flushRows.get(id);
      const prunedBefore = this.pruneWhenEnded.delete(id);
      if (!row || !(prunedBefore || (cutoff !== null && row.started_at < cutoff))) continue;
      if (!this.s.sessionHasMessages.get(id)) gone.push({ seq: row.seq, id });
    }
    this.pruneSessions(gone);
  }

  /** Retention: removes messages oldest first, then their ended sessions that have no messages left. */
  private prune(rows: PruneRow[]): void {
    if (rows.length === 0) return;
    const sessionIds = [...new Set(rows.map((r) => r.session_id).filter((s): s is string => s !== null))];
    const deletedSessions = this.db.transaction(() => {
      this.deleteBySeqs(rows.map((r) => r.seq));
      const orphans: { seq: number; id: string }[] = [];
      for (const sessionId of sessionIds) {
        const s = this.s.sessionById.get(sessionId) as SessionRow | undefined;
        // Sessions in progress are never pruned: once ended, pruneEndedSessions does it.
        if (!s || s.ended_at === null) {
          this.pruneWhenEnded.add(sessionId);
          continue;
        }
        if (this.s.sessionHasMessages.get(sessionId)) continue;
        orphans.push({ seq: s.seq, id: s.id });
      }
      this.deleteSessionsBySeq(orphans.map((o) => o.seq));
      return orphans;
    })();
    this.loadCounters();
    this.emit({ type: "message.deleted", ids: rows.map((r) => r.id) });
    if (deletedSessions.length > 0)
      this.emit({ type: "session.deleted", ids: deletedSessions.map((s) => s.id) });
    this.scheduleStats();
  }

  private pruneSessions(rows: { seq: number; id: string }[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => this.deleteSessionsBySeq(rows.map((r) => r.seq)))();
    this.loadCounters();
    this.emit({ type: "session.deleted", ids: rows.map((r) => r.id) });
    this.scheduleStats();
  }
}

interface PruneRow {
  seq: number;
  id: string;
  session_id: string | null;
}

/**
 * The content bytes a message or chunk write carries: a chunk's bytes, a message's raw, or for a
 * spooled message its last chunk (the earlier ones were chunk writes of their own).
 */
function contentBytes(op: Extract<WriteOp, { kind: "message" | "raw.chunk" }>): number {
  return op.kind === "raw.chunk" ? op.bytes.length : (op.item.spooled?.tail ?? op.item.raw).length;
}

/** What a batch of parse results adds to the WAL, about: its bodies and parts, and its rows. */
function parsedBytes(batch: { result: ParseResult }[]): number {
  let bytes = 0;
  for (const { result } of batch) {
    bytes += WAL_BYTES_PER_MESSAGE;
    if (!result.ok) continue;
    const { text, html, parts } = result.content;
    bytes += (text?.length ?? 0) + (html?.length ?? 0);
    for (const part of parts) bytes += part.content.length;
  }
  return bytes;
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE;
  return Math.min(MAX_PAGE, Math.max(1, Math.floor(limit)));
}

function normaliseTags(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ""))];
}

function toStateParams(state: SessionState): StateParams {
  return {
    helo_name: state.heloName,
    tls_json: state.tls === null ? null : JSON.stringify(state.tls),
    auth_mechanism: state.authMechanism,
    auth_user: state.authUser,
    message_count: state.messageCount,
    error_count: state.errorCount,
    warnings_json: JSON.stringify(state.warnings),
  };
}

/** A query that may read the full-text index (its FTS rows waiting in memory must be written first). */
function isSearch(query: string | undefined): boolean {
  return query !== undefined && query.trim() !== "";
}
