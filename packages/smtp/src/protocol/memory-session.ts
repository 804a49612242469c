/**
 * Drives an engine in memory with a backend, the way the socket listener does, for tests and
 * transcript fixtures: each `send` feeds bytes, performs the actions (awaiting the backend for
 * deliveries and credentials) and returns the reply bytes written. No sockets, no timers.
 */
import type { SessionOutcome, SessionTls } from "@mailpen/shared";
import type { SmtpBackend } from "../backend.ts";
import { ContentSinkRelay } from "../content-sink-relay.ts";
import { createSmtpEngine, type SmtpAction, type SmtpEngine, type SmtpEngineOptions } from "./engine.ts";

/** What a borrowed input chunk is overwritten with after its call ("#"): kept bytes show it. */
const OVERWRITTEN = 0x23;

export interface SmtpMemorySession {
  readonly engine: SmtpEngine;
  /** Everything the server wrote so far. */
  readonly output: string;
  /** Set once the engine asked to close the connection. */
  readonly closedWith: SessionOutcome | null;
  /** True when the engine asked for a TLS upgrade (complete it with `completeTls`). */
  readonly tlsRequested: boolean;
  /** Send the greeting (or 421 with `reject`); returns what was written. */
  start(options?: { reject?: boolean }): Promise<string>;
  /** Feed bytes (split as given); returns what the server wrote in reply, after the backend settled. */
  send(...chunks: Array<string | Buffer>): Promise<string>;
  /** Pretend the TLS handshake finished. */
  completeTls(tls?: SessionTls): Promise<string>;
  /** The client went away (or pass an outcome). */
  end(options?: { outcome?: SessionOutcome }): Promise<void>;
  /** Every action performed, in order (for assertions on ordering). */
  readonly actions: SmtpAction[];
}

/** Create an in-memory session over a backend (defaults suit tests: fixed clock unless given). */
export function createMemorySession(
  backend: SmtpBackend,
  options: SmtpEngineOptions = {},
): SmtpMemorySession {
  const engine = createSmtpEngine({
    checkCredentials: typeof backend.authenticate === "function",
    streamContent: typeof backend.openContent === "function",
    ...options,
  });
  let output = "";
  let closedWith: SessionOutcome | null = null;
  let tlsRequested = false;
  const actions: SmtpAction[] = [];
  const content = new ContentSinkRelay(console);

  const perform = async (batch: SmtpAction[]): Promise<string> => {
    let written = "";
    for (const action of batch) {
      actions.push(action);
      switch (action.type) {
        case "session.started":
          backend.sessionStarted(action.session);
          break;
        case "transcript":
          backend.transcriptAppended(action.sessionId, action.entries, action.state);
          break;
        case "write":
          written += action.data.toString("utf8");
          output += action.data.toString("utf8");
          break;
        case "deliver": {
          const result = await backend.deliver(action.delivery).then(
            () => ({ ok: true as const }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          written += await perform(engine.resolveDelivery(result));
          break;
        }
        case "authenticate": {
          const result = await Promise.resolve()
            .then(() => backend.authenticate?.(action.credentials) ?? true)
            .then(
              (ok) => ({ ok }),
              (error: unknown) => ({ ok: false as const, error }),
            );
          written += await perform(engine.resolveAuthentication(result));
          break;
        }
        case "content.open":
          content.open(backend, action.info);
          break;
        case "content.write":
          await content.write(action.data);
          break;
        case "content.end": {
          const result = await content.end(action.summary).then(
            () => ({ ok: true as const }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          written += await perform(engine.resolveDelivery(result));
          break;
        }
        case "content.abort":
          content.abort(action.reason);
          break;
        case "starttls":
          tlsRequested = true;
          break;
        case "close":
          closedWith = action.outcome;
          break;
        case "session.ended":
          backend.sessionEnded(action.session);
          break;
        case "log":
          break;
      }
    }
    return written;
  };

  return {
    engine,
    actions,
    get output() {
      return output;
    },
    get closedWith() {
      return closedWith;
    },
    get tlsRequested() {
      return tlsRequested;
    },
    start: (startOptions) => perform(engine.start(startOptions)),
    async send(...chunks) {
      let written = "";
      for (const chunk of chunks) {
        // The engine borrows its input (the listener reads into one shared buffer): feed a copy and
        // overwrite it once the engine and the backend are done with it, as the next read would.
        const borrowed = Buffer.from(chunk);
        written += await perform(engine.feed(borrowed));
        borrowed.fill(OVERWRITTEN);
      }
      return written;
    },
    completeTls: (tls = { protocol: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256", mode: "starttls" }) =>
      perform(engine.tlsStarted(tls)),
    async end(endOptions) {
      await perform(engine.end(endOptions));
    },
  };
}
