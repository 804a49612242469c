/**
 * Drives an engine in memory with a backend, the way the socket listener does, for tests and
 * transcript fixtures: each `send` feeds bytes, performs the actions (awaiting the backend for
 * deliveries and credentials) and returns the reply bytes written. No sockets, no timers.
 */
import type { SessionOutcome, SessionTls } from "@mailpen/shared";
import type { SmtpBackend, SmtpContentSink } from "../backend.ts";
import { createSmtpEngine, type SmtpAction, type SmtpEngine, type SmtpEngineOptions } from "./engine.ts";

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
  /** The open content sink; a failure of openContent or write is kept for the end of the content. */
  let sink: SmtpContentSink | null = null;
  let sinkFailed: { error: unknown } | null = null;

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
          sink = null;
          sinkFailed = null;
          try {
            sink = backend.openContent?.(action.info) ?? null;
          } catch (error) {
            sinkFailed = { error };
          }
          break;
        case "content.write":
          if (sink !== null && sinkFailed === null) {
            try {
              await sink.write(action.data);
            } catch (error) {
              sinkFailed = { error };
            }
          }
          break;
        case "content.end": {
          const open = sink;
          const failed = sinkFailed;
          sink = null;
          sinkFailed = null;
          const result = await Promise.resolve()
            .then(() => {
              if (failed !== null) {
                open?.abort("content sink failed");
                throw failed.error;
              }
              return open?.end(action.summary);
            })
            .then(
              () => ({ ok: true as const }),
              (error: unknown) => ({ ok: false as const, error }),
            );
          written += await perform(engine.resolveDelivery(result));
          break;
        }
        case "content.abort":
          sink?.abort(action.reason);
          sink = null;
          sinkFailed = null;
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
        written += await perform(engine.feed(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk));
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
