/**
 * Runs the full MIME parse either in the store's worker thread (default) or on the main thread. The
 * worker is started lazily; if it cannot start or dies, every parse in flight and every later one
 * falls back to the main thread, so a message is never left unparsed because of the worker. The same
 * worker checkpoints the WAL when asked (`checkpointWal`): one isolate for both, since a second one
 * would cost about 11 MB of RSS.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ResourceLimits } from "node:worker_threads";
import { fastParse, parseContent } from "./parse-content.ts";
import { ownsMemory } from "./owned-buffer.ts";
import type { CheckpointRequest, ParseRequest, WorkerReply } from "./store-worker.ts";
import type { CheckpointResult } from "./wal-checkpoint.ts";
import type { ParseResult, ParsedContent } from "./message-parse.ts";

export interface MessageParser {
  /**
   * Parses `raw`. With `reread`, a worker may take `raw` over by transfer instead of a copy (the
   * caller must not use it afterwards); should the worker die, `reread` fetches the bytes again for
   * the main thread.
   */
  parse(raw: Buffer, reread?: () => Buffer | undefined): Promise<ParseResult>;
  /** How many parses may usefully run at once (more than one only with a worker). */
  readonly concurrency: number;
  /** True while a worker thread is running (for tests and diagnostics). */
  workerRunning(): boolean;
  /**
   * Checkpoints the WAL of the database at `path` in the worker (starting it if need be); null when
   * there is no worker (main-thread parsing, or the worker failed): the caller checkpoints itself.
   */
  checkpointWal(path: string): Promise<CheckpointResult | null>;
  close(): Promise<void>;
}

const IDLE_MS = 10_000;
/**
 * The worker's V8 heap limits. Without them its heap grows with each large message and is seldom
 * given back: with 5 MB messages the process peaked about 60 MB higher. A message over
 * WORKER_MAX_BYTES gets a worker of its own instead, with a heap sized for it, stopped as soon as it
 * answered: mailparser needs several times a message's size, and a 49 MB message parsed on the main
 * thread left the process at 400 MB of RSS for good (V8 keeps a grown heap); in its own worker the
 * RSS is back under 190 MB as soon as the parse answered (about 1.1 s after the 250 either way).
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2 };
const WORKER_MAX_BYTES = 8 * 1024 * 1024;
/** The heap of a large message's own worker: this many MB per MB of message, plus a base. */
const LARGE_HEAP_PER_MB = 16;
const LARGE_HEAP_BASE_MB = 64;
const MAX_CRASHES = 3;
/**
 * Up to this size a simple message (one text or HTML part, or one of each: what many applications
 * send) gets the fast parse on the calling thread, about 0.3 ms at 64 KiB, without a round trip to
 * the worker; a larger one would hold the event loop, so the worker tries that parse first.
 */
const INLINE_PARSE_MAX_BYTES = 64 * 1024;

interface InFlight {
  /** The bytes again, for the main thread (the worker may own the original). */
  raw: () => Buffer | undefined;
  resolve: (result: ParseResult) => void;
}

export function createMessageParser(options: {
  worker: boolean;
  logger: Pick<Console, "warn" | "error">;
  /** Stop an idle worker after this many milliseconds; default 10,000. */
  idleMs?: number;
  /**
   * The workers' V8 heap limits; default WORKER_LIMITS, and for a large message's own worker a heap
   * sized for it (tests make them tiny to see a worker die).
   */
  workerLimits?: ResourceLimits;
}): MessageParser {
  if (!options.worker) {
    return {
      parse: (raw) => parseContent(raw),
      concurrency: 1,
      workerRunning: () => false,
      checkpointWal: async () => null,
      close: async () => {},
    };
  }
  const idleMs = options.idleMs ?? IDLE_MS;

  let worker: Worker | null = null;
  let failed = false;
  let nextKey = 1;
  let idleTimer: NodeJS.Timeout | null = null;
  const inFlight = new Map<number, InFlight>();
  /** Checkpoints asked of the worker and not answered yet. */
  const checkpoints = new Map<number, (result: CheckpointResult | null) => void>();
  const busy = (): boolean => inFlight.size > 0 || checkpoints.size > 0;

  // An idle worker is a whole V8 isolate (tens of MB): stop it after a quiet spell, start it again
  // on the next message.
  const stopWhenIdle = (): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = null;
      const w = worker;
      if (!w || busy()) return;
      worker = null;
      w.removeAllListeners("exit");
      void w.terminate();
    }, idleMs);
    idleTimer.unref();
  };

  /**
   * A worker that died (out of its heap limit on a huge message, say) hands its parses in flight to
   * the main thread and is started again on the next message; after MAX_CRASHES, or if it cannot
   * start at all, every parse runs on the main thread.
   */
  let crashes = 0;
  const fallBack = (w: Worker | null, reason: unknown): void => {
    if (failed || (w !== null && worker !== w)) return; // closed, or this worker was handled already
    worker = null;
    if (w) w.removeAllListeners("exit");
    crashes++;
    if (w === null || crashes >= MAX_CRASHES) {
      failed = true;
      options.logger.warn("mailpen store: parse worker unavailable, parsing on the main thread", reason);
    } else
      options.logger.warn("mailpen store: parse worker stopped; its parses run on the main thread", reason);
    for (const answer of checkpoints.values()) answer(null);
    checkpoints.clear();
    const pending = [...inFlight.values()];
    inFlight.clear();
    for (const job of pending) {
      const raw = job.raw();
      if (raw === undefined) job.resolve({ ok: false, error: "message no longer stored" });
      else void parseContent(raw).then(job.resolve);
    }
  };

  const start = (): Worker | null => {
    if (worker || failed) return worker;
    try {
      const w = createParseWorker(options.workerLimits ?? WORKER_LIMITS);
      w.unref();
      w.on("message", (reply: WorkerReply) => {
        if (reply.kind === "checkpoint") {
          const answer = checkpoints.get(reply.key);
          checkpoints.delete(reply.key);
          if (!busy()) stopWhenIdle();
          if ("error" in reply.result) {
            options.logger.warn("mailpen store: WAL checkpoint failed in the worker", reply.result.error);
            answer?.(null);
          } else answer?.(reply.result);
          return;
        }
        const job = inFlight.get(reply.key);
        if (!job) return;
        inFlight.delete(reply.key);
        if (!busy()) stopWhenIdle();
        job.resolve(reviveBuffers(reply.result));
      });
      w.on("error", (error) => fallBack(w, error));
      w.on("exit", (code) => {
        if (busy() || code !== 0) fallBack(w, new Error(`store worker exited with code ${code}`));
      });
      worker = w;
    } catch (error) {
      fallBack(null, error);
    }
    return worker;
  };

  /** The worker for a new request: no longer counting down to its idle stop, started if need be. */
  const startForWork = (): Worker | null => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    return start();
  };

  /** Workers of large messages still parsing (stopped by close). */
  const large = new Set<Worker>();

  /**
   * A message above the shared worker's heap limit, in a worker of its own sized for it and stopped
   * once it answered (its whole heap goes with it). If that worker fails, the main thread parses.
   */
  const parseLarge = async (raw: Buffer, reread?: () => Buffer | undefined): Promise<ParseResult> => {
    const heapMb = LARGE_HEAP_BASE_MB + Math.ceil((raw.length / (1024 * 1024)) * LARGE_HEAP_PER_MB);
    const transfer = reread !== undefined && ownsMemory(raw);
    let w: Worker;
    try {
      w = createParseWorker(
        options.workerLimits ?? { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 },
      );
      w.unref();
    } catch (error) {
      options.logger.warn(
        "mailpen store: could not start a worker for a large message; parsing it here",
        error,
      );
      return parseContent(raw);
    }
    large.add(w);
    const answer = await new Promise<ParseResult | { failed: unknown }>((resolve) => {
      w.once("message", (reply: WorkerReply) =>
        resolve(
          reply.kind === "parse" ? reviveBuffers(reply.result) : { failed: new Error("unexpected reply") },
        ),
      );
      w.once("error", (error) => resolve({ failed: error }));
      w.once("exit", (code) => resolve({ failed: new Error(`parse worker exited with code ${code}`) }));
      const request: ParseRequest = { kind: "parse", key: 0, raw };
      w.postMessage(request, transfer ? [raw.buffer as ArrayBuffer] : []);
    });
    large.delete(w);
    w.removeAllListeners();
    void w.terminate();
    if (!("failed" in answer)) return answer;
    if (failed) return { ok: false, error: "store closed" };
    options.logger.warn(
      "mailpen store: the worker of a large message stopped; parsing it here",
      answer.failed,
    );
    const again = transfer ? reread?.() : raw;
    return again === undefined ? { ok: false, error: "message no longer stored" } : parseContent(again);
  };

  return {
    // Enough parses in flight that the worker never waits for the main thread's batched writes.
    concurrency: 16,
    workerRunning: () => worker !== null,
    parse(raw, reread) {
      const inline = raw.length <= INLINE_PARSE_MAX_BYTES;
      const fast = inline ? fastParse(raw) : null;
      if (fast !== null) return Promise.resolve(fast);
      if (raw.length > WORKER_MAX_BYTES && !failed) return parseLarge(raw, reread);
      const w = startForWork();
      if (!w) return parseContent(raw, inline);
      return new Promise<ParseResult>((resolve) => {
        const key = nextKey++;
        // A buffer that owns its whole memory moves to the worker: a copy would cost a serialised
        // copy plus the worker's own (about 15 MB of transient native memory for 5 MB).
        const transfer = reread !== undefined && ownsMemory(raw);
        inFlight.set(key, { raw: transfer ? reread : () => raw, resolve });
        const request: ParseRequest = { kind: "parse", key, raw, fastParseDeclined: inline };
        w.postMessage(request, transfer ? [raw.buffer as ArrayBuffer] : []);
      });
    },
    checkpointWal(path) {
      const w = startForWork();
      if (!w) return Promise.resolve(null);
      return new Promise((resolve) => {
        const key = nextKey++;
        checkpoints.set(key, resolve);
        const request: CheckpointRequest = { kind: "checkpoint", key, path };
        w.postMessage(request);
      });
    },
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      const w = worker;
      worker = null;
      failed = true; // no restart after close
      if (w) {
        w.removeAllListeners("exit");
        await w.terminate();
      }
      for (const l of large) void l.terminate(); // each answers "store closed" (see parseLarge)
      // Parses in flight at close stay pending in the database and run at the next open.
      for (const job of inFlight.values()) job.resolve({ ok: false, error: "store closed" });
      inFlight.clear();
      for (const answer of checkpoints.values()) answer(null);
      checkpoints.clear();
    },
  };
}

/**
 * Starts the parse worker. Two ways Mailpen runs this file:
 * - from TypeScript sources (tests, `pnpm dev`, `startMailpen()` in-process): this module's URL ends
 *   in `.ts`, and the worker registers tsx itself before importing `store-worker.ts`;
 * - from the production bundle (`apps/server/dist/mailpen.mjs`, built by `apps/server/build.mjs`):
 *   this code is inlined into the bundle, whose build also writes the worker as its own plain-JS
 *   entry, `store-worker.mjs`, beside it. The worker then runs without tsx (no loader thread, no
 *   compiling at start).
 */
function createParseWorker(resourceLimits: ResourceLimits): Worker {
  if (import.meta.url.endsWith(".ts")) return new Worker(workerBootstrap(), { eval: true, resourceLimits });
  return new Worker(new URL("./store-worker.mjs", import.meta.url), { resourceLimits });
}

/**
 * Mailpen runs from TypeScript sources (tsx), and Node 20 does not pass loader hooks to workers: the
 * worker registers tsx itself (resolved from this file, so the same copy the process uses) and then
 * imports the TypeScript entry.
 */
function workerBootstrap(): string {
  const entry = new URL("./store-worker.ts", import.meta.url).href;
  const tsx = pathToFileURL(resolveTsxEsmApi()).href;
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
}

/** The ESM build of `tsx/esm/api` (the CommonJS one cannot register ESM hooks in a worker). */
function resolveTsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("tsx/package.json");
  const exports = (require(manifest) as { exports: Record<string, { import: { default: string } }> }).exports;
  const relative = exports["./esm/api"]?.import.default ?? "./dist/esm/api/index.mjs";
  return path.join(path.dirname(manifest), relative);
}

/** Structured clone turns Buffers into plain Uint8Arrays; give the bodies and parts their Buffers back. */
function reviveBuffers(result: ParseResult): ParseResult {
  if (!result.ok) return result;
  const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const { text, html, parts } = result.content;
  const content: ParsedContent = {
    ...result.content,
    text: text && asBuffer(text),
    html: html && asBuffer(html),
    parts: parts.map((p) => ({ ...p, content: asBuffer(p.content) })),
  };
  return { ok: true, content };
}
