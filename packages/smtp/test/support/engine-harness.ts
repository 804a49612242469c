/**
 * Drives the pure engine in memory the way the listener drives it over a socket: performs its actions
 * in order against a recording backend (awaiting deliveries and credential checks before reporting
 * back), collects every written byte, and ends the session when the engine closes or the "client"
 * leaves. Invariants: deterministic (fixed clock and counter ids unless the options give others); no
 * sockets and no timers.
 */
import { createSmtpEngine, type SmtpAction, type SmtpEngine } from "../../src/index.ts";
import type { SmtpServerOptions } from "../../src/options.ts";
import { createRecordingBackend, type RecordingBackend } from "./recording-backend.ts";

export interface EngineHarness {
  readonly engine: SmtpEngine;
  readonly backend: RecordingBackend;
  /** Log actions the engine emitted. */
  readonly logs: Array<Extract<SmtpAction, { type: "log" }>>;
  /** Every byte written so far. */
  output(): Buffer;
  /** The engine asked to close. */
  isClosed(): boolean;
  /** Feeds bytes and performs the resulting actions until the engine is idle again. */
  feed(chunk: Buffer): Promise<void>;
  /**
   * Takes `count` complete replies (each as its lines) from the output not taken yet; throws when
   * fewer are there. `Infinity` takes all of them.
   */
  takeReplies(count: number): string[][];
  /** The client went away (if the engine has not closed already); performs the end actions. */
  clientClosed(): Promise<void>;
}

/** Fixed epoch for the injected clock: 2026-01-01T00:00:00Z. */
export const ENGINE_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Counter ids, so two runs of the same input produce identical bytes. */
export function createCounterIds(prefix = "id"): () => string {
  let n = 0;
  return () => `${prefix}${String(++n).padStart(6, "0")}`;
}

export async function openEngineHarness(
  backend: RecordingBackend | undefined,
  options: SmtpServerOptions = {},
): Promise<EngineHarness> {
  const rec = backend ?? createRecordingBackend();
  const {
    tls,
    logger: _logger,
    maxConnections: _mc,
    idleTimeoutMs: _it,
    maxSessionMs: _ms,
    ...engineOptions
  } = options;
  const engine = createSmtpEngine({
    clock: () => ENGINE_EPOCH_MS,
    newId: createCounterIds(),
    ...engineOptions,
    tlsAvailable: tls !== undefined,
    checkCredentials: typeof rec.authenticate === "function",
    connection: { remoteAddress: "127.0.0.1", remotePort: 40000, localAddress: "127.0.0.1", localPort: 2525 },
  });
  const written: Buffer[] = [];
  const logs: Array<Extract<SmtpAction, { type: "log" }>> = [];
  let closed = false;
  let ended = false;
  let taken = 0;
  const replies: string[][] = [];
  let partial: string[] = [];
  let pending: Buffer = Buffer.alloc(0);

  const parse = (data: Buffer): void => {
    pending = Buffer.concat([pending, data]);
    for (let crlf = pending.indexOf("\r\n"); crlf >= 0; crlf = pending.indexOf("\r\n")) {
      const line = pending.subarray(0, crlf).toString("utf8");
      pending = pending.subarray(crlf + 2);
      partial.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        replies.push(partial);
        partial = [];
      }
    }
  };

  const perform = async (actions: SmtpAction[]): Promise<void> => {
    for (const action of actions) {
      switch (action.type) {
        case "session.started":
          rec.sessionStarted(action.session);
          break;
        case "write":
          if (closed) throw new Error("engine wrote after close");
          written.push(action.data);
          parse(action.data);
          break;
        case "transcript":
          rec.transcriptAppended(action.sessionId, action.entries, action.state);
          break;
        case "deliver": {
          let result: { ok: true } | { ok: false; error: unknown };
          try {
            await rec.deliver(action.delivery);
            result = { ok: true };
          } catch (error) {
            result = { ok: false, error };
          }
          await perform(engine.resolveDelivery(result));
          break;
        }
        case "authenticate": {
          let result: { ok: boolean } | { ok: false; error: unknown };
          try {
            result = { ok: await rec.authenticate!(action.credentials) };
          } catch (error) {
            result = { ok: false, error };
          }
          await perform(engine.resolveAuthentication(result));
          break;
        }
        case "starttls":
          throw new Error("STARTTLS cannot be performed in memory; test it over a socket");
        case "close":
          // The listener finishes this batch, closes the socket, then reports the end (see settle).
          closed = true;
          break;
        case "session.ended":
          ended = true;
          rec.sessionEnded(action.session);
          break;
        case "log":
          logs.push(action);
          break;
      }
    }
  };

  /** Performs a batch; once the engine has closed, reports the end like the listener's close handler. */
  const settle = async (actions: SmtpAction[]): Promise<void> => {
    await perform(actions);
    if (closed && !endReported) {
      endReported = true;
      await perform(engine.end());
    }
  };
  let endReported = false;

  await settle(engine.start());

  return {
    engine,
    backend: rec,
    logs,
    output: () => Buffer.concat(written),
    isClosed: () => closed,
    async feed(chunk) {
      if (closed) return;
      await settle(engine.feed(chunk));
    },
    takeReplies(count) {
      const available = replies.length - taken;
      if (count !== Infinity && available < count) {
        throw new Error(
          `expected ${count} repl(ies), the engine wrote ${available}: ${JSON.stringify(replies.slice(taken))}`,
        );
      }
      const n = count === Infinity ? available : count;
      const out = replies.slice(taken, taken + n);
      taken += n;
      return out;
    },
    async clientClosed() {
      if (ended || endReported) return;
      closed = true;
      endReported = true;
      await perform(engine.end());
    },
  };
}

/** Runs a whole session: start, feed each chunk, then the client leaves. */
export async function runEngineSession(
  chunks: Buffer[],
  options: SmtpServerOptions = {},
  backend?: RecordingBackend,
): Promise<{ output: Buffer; backend: RecordingBackend; harness: EngineHarness }> {
  const harness = await openEngineHarness(backend, { hostname: "mailpen.test", ...options });
  for (const chunk of chunks) await harness.feed(chunk);
  await harness.clientClosed();
  return { output: harness.output(), backend: harness.backend, harness };
}
