/**
 * Runs the full MIME parse either in a worker thread (default) or on the main thread. The worker
 * is started lazily; if it cannot start or dies, every parse in flight and every later one falls
 * back to the main thread, so a message is never left unparsed because of the worker.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { parseMessageContent } from "./message-parse.ts";
import type { ParseResult, ParsedContent } from "./message-parse.ts";

export interface MessageParser {
  parse(raw: Buffer): Promise<ParseResult>;
  /** How many parses may usefully run at once (more than one only with a worker). */
  readonly concurrency: number;
  /** True while a worker thread is running (for tests and diagnostics). */
  workerRunning(): boolean;
  close(): Promise<void>;
}

const IDLE_MS = 10_000;
/**
 * The worker's V8 heap limits. Without them its heap grows with each large message and is seldom
 * given back: with 5 MB messages the process peaked about 60 MB higher. A message over
 * WORKER_MAX_BYTES is parsed on the main thread instead (a parse needs several times its size).
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2 };
const WORKER_MAX_BYTES = 8 * 1024 * 1024;
const MAX_CRASHES = 3;

interface InFlight {
  raw: Buffer;
  resolve: (result: ParseResult) => void;
}

export function createMessageParser(options: {
  worker: boolean;
  logger: Pick<Console, "warn" | "error">;
  /** Stop an idle worker after this many milliseconds; default 10,000. */
  idleMs?: number;
}): MessageParser {
  if (!options.worker) {
    return { parse: parseMessageContent, concurrency: 1, workerRunning: () => false, close: async () => {} };
  }
  const idleMs = options.idleMs ?? IDLE_MS;

  let worker: Worker | null = null;
  let failed = false;
  let nextKey = 1;
  let idleTimer: NodeJS.Timeout | null = null;
  const inFlight = new Map<number, InFlight>();

  // An idle worker is a whole V8 isolate (tens of MB): stop it after a quiet spell, start it again
  // on the next message.
  const stopWhenIdle = (): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      idleTimer = null;
      const w = worker;
      if (!w || inFlight.size > 0) return;
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
    const pending = [...inFlight.values()];
    inFlight.clear();
    for (const job of pending) void parseMessageContent(job.raw).then(job.resolve);
  };

  const start = (): Worker | null => {
    if (worker || failed) return worker;
    try {
      const w = createParseWorker();
      w.unref();
      w.on("message", (reply: { key: number; result: ParseResult }) => {
        const job = inFlight.get(reply.key);
        if (!job) return;
        inFlight.delete(reply.key);
        if (inFlight.size === 0) stopWhenIdle();
        job.resolve(reviveBuffers(reply.result));
      });
      w.on("error", (error) => fallBack(w, error));
      w.on("exit", (code) => {
        if (inFlight.size > 0 || code !== 0) fallBack(w, new Error(`parse worker exited with code ${code}`));
      });
      worker = w;
    } catch (error) {
      fallBack(null, error);
    }
    return worker;
  };

  return {
    // Enough parses in flight that the worker never waits for the main thread's batched writes.
    concurrency: 16,
    workerRunning: () => worker !== null,
    parse(raw) {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      // Above the worker's heap limit: the main thread (no limit) parses it.
      const w = raw.length > WORKER_MAX_BYTES ? null : start();
      if (!w) return parseMessageContent(raw);
      return new Promise<ParseResult>((resolve) => {
        const key = nextKey++;
        inFlight.set(key, { raw, resolve });
        w.postMessage({ key, raw });
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
      // Parses in flight at close stay pending in the database and run at the next open.
      for (const job of inFlight.values()) job.resolve({ ok: false, error: "store closed" });
      inFlight.clear();
    },
  };
}

/**
 * Starts the parse worker. Two ways Mailpen runs this file:
 * - from TypeScript sources (tests, `pnpm dev`, `startMailpen()` in-process): this module's URL ends
 *   in `.ts`, and the worker registers tsx itself before importing `parse-worker.ts`;
 * - from the production bundle (`apps/server/dist/mailpen.mjs`, built by `apps/server/build.mjs`):
 *   this code is inlined into the bundle, whose build also writes the worker as its own plain-JS
 *   entry, `parse-worker.mjs`, beside it. The worker then runs without tsx (no loader thread, no
 *   compiling at start).
 */
function createParseWorker(): Worker {
  if (import.meta.url.endsWith(".ts"))
    return new Worker(workerBootstrap(), { eval: true, resourceLimits: WORKER_LIMITS });
  return new Worker(new URL("./parse-worker.mjs", import.meta.url), { resourceLimits: WORKER_LIMITS });
}

/**
 * Mailpen runs from TypeScript sources (tsx), and Node 20 does not pass loader hooks to workers: the
 * worker registers tsx itself (resolved from this file, so the same copy the process uses) and then
 * imports the TypeScript entry.
 */
function workerBootstrap(): string {
  const entry = new URL("./parse-worker.ts", import.meta.url).href;
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

/** Structured clone turns Buffers into plain Uint8Arrays; give the parts their Buffers back. */
function reviveBuffers(result: ParseResult): ParseResult {
  if (!result.ok) return result;
  const content: ParsedContent = {
    ...result.content,
    parts: result.content.parts.map((p) => ({
      ...p,
      content: Buffer.from(p.content.buffer, p.content.byteOffset, p.content.byteLength),
    })),
  };
  return { ok: true, content };
}
