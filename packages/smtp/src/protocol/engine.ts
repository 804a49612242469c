/**
 * The SMTP protocol engine: bytes in (`feed`), actions out. It never touches a socket, a timer or the
 * clock directly (the clock and id generator are injected), so every behaviour is testable in memory
 * and byte-for-byte deterministic (h11 / pg-protocol style). The caller owns all I/O and waiting:
 * it performs the actions in order and reports back (`resolveDelivery`, `resolveAuthentication`,
 * `tlsStarted`, `timeout`, `shutdown`, `end`).
 *
 * Invariants:
 * - Input is borrowed: a chunk given to `feed` is valid only during the call (the socket listener
 *   reads every connection into one shared buffer). What the engine keeps beyond the call, it copies:
 *   a partial line, input queued while the backend works, message content.
 * - Memory per session is bounded: a command line is buffered up to 512 octets (over-long lines are
 *   discarded as they arrive), DATA/BDAT content is copied into a ContentBuffer (one buffer of the
 *   declared SIZE, or pages copied once into the raw), and content beyond the size limit is counted
 *   but not kept. With `streamContent`, content is not kept at all: it is handed out as
 *   `content.write` actions (views of the input, valid during the action) as it arrives.
 * - While the backend is working (`waiting`), input is queued, not processed; the listener stops
 *   reading meanwhile, so the queue holds at most what was already in flight.
 * - Consecutive replies produced by one call are written with ONE `write` action.
 * - `session.started` comes first, `session.ended` exactly once and last; transcript entries are
 *   handed over before any action that depends on them and at the end of every call.
 * - An exception inside the engine becomes 421 + close (outcome "error"), never a thrown error.
 */
import type {
  DataSummary,
  SessionOutcome,
  SessionStart,
  SessionState,
  SessionTls,
  TranscriptEntry,
} from "@mailpen/shared";
import type { SmtpContentInfo, SmtpCredentials, SmtpDelivery, SmtpSessionEnd } from "../backend.ts";
import type { SmtpServerOptions } from "../options.ts";
import { createIdGenerator } from "../id-generator.ts";
import { handleSaslLine } from "./auth-verb.ts";
import { ContentBuffer } from "./content-buffer.ts";
import { createContentScanner, type ContentScanner } from "./content-scanner.ts";
import { createDotDecoder, MAX_COMMAND_LINE, MAX_SASL_LINE, type DotDecoder } from "./framing.ts";
import { createReply, formatReply, replies, wireToText, type SmtpReply } from "./replies.ts";
import { isSmtpReplyError } from "./reply-error.ts";
import type { SaslMechanism } from "./sasl.ts";
import { addWarning, createSession, toSessionState, type OpenEnvelope, type Session } from "./session.ts";
import {
  describeSequenceError,
  isTransitionAllowed,
  isVerbAllowed,
  SMTP_STATES,
  type SmtpState,
  type SmtpVerb,
} from "./state.ts";
import { createTranscriptRecorder, type TranscriptRecorder } from "./transcript.ts";
import { VERB_HANDLERS } from "./verbs.ts";
import type { EngineConfig, SaslExchange, VerbContext } from "./verb-context.ts";

/** What the caller must do, in order. */
export type SmtpAction =
  /** Hand to `backend.sessionStarted` (always the first action of a session). */
  | { type: "session.started"; session: SessionStart }
  /** Write these bytes to the client with one socket write. */
  | { type: "write"; data: Buffer }
  /** Hand to `backend.transcriptAppended`. */
  | { type: "transcript"; sessionId: string; entries: TranscriptEntry[]; state: SessionState }
  /** Call `backend.deliver`, stop reading meanwhile, then call `resolveDelivery`. */
  | { type: "deliver"; delivery: SmtpDelivery }
  /** Call `backend.authenticate`, stop reading meanwhile, then call `resolveAuthentication`. */
  | { type: "authenticate"; credentials: SmtpCredentials }
  /** Upgrade the connection to TLS (server side), then call `tlsStarted`. */
  | { type: "starttls" }
  /** Close the connection once the bytes written so far are flushed. */
  | { type: "close"; outcome: SessionOutcome }
  /** Hand to `backend.sessionEnded` (always the last action of a session). */
  | { type: "session.ended"; session: SmtpSessionEnd }
  /** `streamContent` only: call `backend.openContent(info)`; the message's content follows. */
  | { type: "content.open"; info: SmtpContentInfo }
  /** `streamContent` only: hand these bytes (a view of the input) to the open content sink. */
  | { type: "content.write"; data: Buffer }
  /**
   * `streamContent` only: the content is complete. Call `sink.end(summary)`, stop reading meanwhile,
   * then call `resolveDelivery` (this replaces `deliver` for a streamed message).
   */
  | { type: "content.end"; id: string; summary: DataSummary }
  /** `streamContent` only: the transaction was abandoned; call `sink.abort(reason)`. */
  | { type: "content.abort"; reason: string }
  /** A log line (backend errors, engine bugs). */
  | { type: "log"; level: "warn" | "error"; message: string; error?: unknown };

/** Where the connection comes from, for the session record. */
export interface SmtpConnectionInfo {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** Options of one engine (one connection). Every field has a default, for tests. */
export interface SmtpEngineOptions extends Omit<
  SmtpServerOptions,
  "tls" | "logger" | "maxConnections" | "idleTimeoutMs" | "maxSessionMs"
> {
  connection?: SmtpConnectionInfo;
  /** Set when the connection arrived over implicit TLS. */
  tls?: SessionTls | null;
  /** STARTTLS can be offered (the listener has a certificate). Default false. */
  tlsAvailable?: boolean;
  /** Emit `authenticate` actions instead of accepting every credential. Default false. */
  checkCredentials?: boolean;
  /** The session id; default a new id from `newId`. */
  sessionId?: string;
  /**
   * Hand content out as `content.*` actions instead of building `SmtpDelivery.raw` (the listener
   * sets it when the backend implements `openContent`). Default false.
   */
  streamContent?: boolean;
}

/** One SMTP session as a state machine. */
export interface SmtpEngine {
  readonly sessionId: string;
  readonly state: SmtpState;
  /** A transaction is open (MAIL given, content being read, or a delivery pending). */
  readonly inTransaction: boolean;
  /** The backend is working (delivery or credential check); input is queued. */
  readonly waiting: boolean;
  /** The engine has decided to close (or has closed). */
  readonly closing: boolean;
  /** Send the greeting; with `reject`, send 421 and close instead (too many connections). */
  start(options?: { reject?: boolean }): SmtpAction[];
  /** Bytes from the client. */
  feed(chunk: Buffer): SmtpAction[];
  /** `backend.deliver` finished: `error` is what it threw (an `SmtpReplyError` or anything else). */
  resolveDelivery(result: { ok: true } | { ok: false; error: unknown }): SmtpAction[];
  /** `backend.authenticate` finished: true accepts; an `error` it threw becomes 454 (or its reply). */
  resolveAuthentication(result: { ok: boolean } | { ok: false; error: unknown }): SmtpAction[];
  /** The TLS handshake finished: after STARTTLS, or before `start` on an implicit-TLS connection. */
  tlsStarted(tls: SessionTls): SmtpAction[];
  /** The idle timer or the session timer ran out: 421 and close. */
  timeout(kind: "idle" | "session"): SmtpAction[];
  /** The server is stopping: 421 and close. */
  shutdown(): SmtpAction[];
  /**
   * The connection is gone. `outcome` overrides the default (what the engine decided, else
   * client-closed). `closedBy: "server"` when the listener itself dropped it (a TLS handshake it timed
   * out or aborted): the transcript then does not say that the client closed it.
   */
  end(options?: EndOptions): SmtpAction[];
}

/** How a connection ended, as the listener saw it (see `SmtpEngine.end`). */
export interface EndOptions {
  outcome?: SessionOutcome;
  reason?: string;
  closedBy?: "client" | "server";
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = Buffer.alloc(0);
const DEFAULT_CONNECTION: SmtpConnectionInfo = {
  remoteAddress: "127.0.0.1",
  remotePort: 0,
  localAddress: "127.0.0.1",
  localPort: 0,
};
/** RFC 7230 request lines and common header lines: a browser or HTTP client talking to the SMTP port. */
const HTTP_LINE =
  /^(?:(?:GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH) \S+(?: HTTP\/\d(?:\.\d)?)?|(?:Host|User-Agent|Accept|Content-Type|Content-Length|Connection): .*)$/;
const TRANSCRIPT_TEXT_LIMIT = 1000;
/** Placeholder until the first content starts; content is always scanned by a fresh scanner. */
const IDLE_SCANNER: ContentScanner = createContentScanner();

let sharedNewId: (() => string) | null = null;
/** One default generator per process: ids stay monotonic across engines and randomness is pooled. */
function defaultNewId(): () => string {
  sharedNewId ??= createIdGenerator(Date.now);
  return sharedNewId;
}

/** Create the engine for one connection. */
export function createSmtpEngine(options: SmtpEngineOptions = {}): SmtpEngine {
  return new Engine(options, resolveEngineConfig(options));
}

/**
 * For the listener: an engine whose settings were resolved once per server (`resolveEngineConfig`),
 * so accepting a connection copies no options. `options` adds what is per connection.
 */
export function createSmtpEngineWithConfig(
  config: EngineConfig,
  options: Pick<SmtpEngineOptions, "connection" | "tls" | "streamContent">,
): SmtpEngine {
  return new Engine(options, config);
}

/** Apply defaults (shared with the listener). */
export function resolveEngineConfig(options: SmtpEngineOptions): EngineConfig {
  const clock = options.clock ?? Date.now;
  return {
    hostname: options.hostname ?? "mailpen",
    maxMessageSize: options.maxMessageSize ?? 50 * 1024 * 1024,
    maxRecipients: options.maxRecipients ?? 1000,
    maxErrors: options.maxErrors ?? 10,
    authRequired: options.authRequired ?? false,
    vrfy: options.vrfy ?? "cannot-verify",
    expn: options.expn ?? "disabled",
    keepAuthSecrets: options.keepAuthSecrets ?? false,
    tlsAvailable: options.tlsAvailable ?? false,
    checkCredentials: options.checkCredentials ?? false,
    clock,
    newId: options.newId ?? (options.clock === undefined ? defaultNewId() : createIdGenerator(clock)),
  };
}

type Waiting =
  | {
      kind: "delivery";
      id: string;
      summaryAtMs: number;
      summary: TranscriptEntry["data"];
      transport: "DATA" | "BDAT";
    }
  | { kind: "auth"; mechanism: SaslMechanism; username: string };

class Engine implements SmtpEngine, VerbContext {
  readonly config: EngineConfig;
  readonly session: Session;
  readonly sessionId: string;
  state: SmtpState = "greeting";
  envelope: OpenEnvelope | null = null;
  sasl: SaslExchange | null = null;
  verb: SmtpVerb | null = null;

  private readonly connection: SmtpConnectionInfo;
  private readonly transcript: TranscriptRecorder;
  private out: SmtpAction[] = [];
  private pendingWrite = "";
  private started = false;
  private ended = false;
  private closeOutcome: SessionOutcome | null = null;

  private queue: Buffer[] = [];
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** An over-long command line being discarded: its first octets (for the transcript) and length. */
  private overlong: { head: string; octets: number; sasl: boolean } | null = null;

  /** Created at the first DATA: most connections of a test suite send one message or none. */
  private dot: DotDecoder | null = null;
  private readonly body = new ContentBuffer();
  private contentBytes = 0;
  private oversize = false;
  /** Replaced at the start of every message's content (startContent). */
  private scanner: ContentScanner = IDLE_SCANNER;
  private readonly onContent = (segment: Buffer) => this.collect(segment);
  private readonly streamContent: boolean;
  /** The id of the message whose content sink is open (`content.open` sent, no end or abort yet). */
  private streamingId: string | null = null;
  private bdat: {
    remaining: number;
    size: number;
    last: boolean;
    reject: SmtpReply | null;
    back: SmtpState;
  } | null = null;
  /** True once a BDAT chunk of the current message was accepted. */
  private chunked = false;
  private waitingFor: Waiting | null = null;
  private discardedAfterTls = 0;

  constructor(options: SmtpEngineOptions, config: EngineConfig) {
    this.config = config;
    this.streamContent = options.streamContent ?? false;
    this.connection = options.connection ?? DEFAULT_CONNECTION;
    this.sessionId = options.sessionId ?? this.config.newId();
    const startedAtMs = this.config.clock();
    this.session = createSession(this.sessionId, startedAtMs, options.tls ?? null);
    this.transcript = createTranscriptRecorder(this.config.clock, startedAtMs);
  }

  get inTransaction(): boolean {
    return (
      this.envelope !== null ||
      this.state === "data" ||
      this.state === "bdat" ||
      this.state === "chunking" ||
      this.waitingFor?.kind === "delivery"
    );
  }

  get waiting(): boolean {
    return this.state === "waiting";
  }

  get closing(): boolean {
    return this.state === "closed";
  }

  // ---- public entry points: each collects actions and never throws ----

  start(options: { reject?: boolean } = {}): SmtpAction[] {
    return this.run(() => {
      if (this.state !== "greeting") return;
      this.ensureStarted();
      if (options.reject) {
        this.event("connection refused: too many connections");
        this.reply(replies.tooManyConnections(this.config.hostname));
        this.close("rejected");
        return;
      }
      this.reply(replies.greeting(this.config.hostname));
      this.transition("ready");
      this.pump();
    });
  }

  feed(chunk: Buffer): SmtpAction[] {
    return this.run(() => {
      // After a close, input is dropped, never queued: a client talking on cannot grow memory.
      if (chunk.length === 0 || this.ended || this.state === "closed") return;
      if (this.state === "greeting") return this.earlyTalker(chunk);
      this.queue.push(chunk);
      this.pump();
      this.keepUnread(chunk);
    });
  }

  resolveDelivery(result: { ok: true } | { ok: false; error: unknown }): SmtpAction[] {
    return this.run(() => {
      const waiting = this.waitingFor;
      if (this.state !== "waiting" || waiting?.kind !== "delivery") return;
      this.waitingFor = null;
      if (result.ok) {
        this.transcript.add("client", this.summaryText(waiting), {
          data: waiting.summary,
          messageId: waiting.id,
          atMs: waiting.summaryAtMs,
        });
        this.session.messageCount++;
        this.reply(replies.queued(waiting.id));
      } else {
        this.transcript.add("client", this.summaryText(waiting), {
          data: waiting.summary,
          atMs: waiting.summaryAtMs,
        });
        this.replyForError(result.error, "backend.deliver failed", replies.localError());
      }
      this.transition("identified");
      this.pump();
    });
  }

  resolveAuthentication(result: { ok: boolean } | { ok: false; error: unknown }): SmtpAction[] {
    return this.run(() => {
      const waiting = this.waitingFor;
      if (this.state !== "waiting" || waiting?.kind !== "auth") return;
      this.waitingFor = null;
      this.transition("identified");
      if ("error" in result) {
        this.replyForError(result.error, "backend.authenticate failed", replies.authTemporaryFailure());
      } else if (result.ok) {
        this.acceptAuth(waiting.mechanism, waiting.username);
      } else {
        this.event(`authentication failed for ${JSON.stringify(waiting.username)}`);
        this.reply(replies.authFailed());
      }
      this.pump();
    });
  }

  tlsStarted(tls: SessionTls): SmtpAction[] {
    return this.run(() => {
      if (this.state === "greeting") {
        // Implicit TLS: the handshake came before the greeting.
        this.session.tls = { ...tls };
        this.event(`TLS started: ${tls.protocol ?? "unknown protocol"} ${tls.cipher ?? "unknown cipher"}`);
        return;
      }
      if (this.state !== "starttls") return;
      this.session.tls = { ...tls };
      this.event(`TLS started: ${tls.protocol ?? "unknown protocol"} ${tls.cipher ?? "unknown cipher"}`);
      // RFC 3207 section 4.2: the server MUST discard any knowledge obtained from the client.
      this.session.greeted = false;
      this.session.extended = false;
      this.session.authMechanism = null;
      this.session.authUser = null;
      this.envelope = null;
      this.abortContent("TLS started");
      this.queue = [];
      this.buf = EMPTY;
      this.pos = 0;
      this.transition("ready");
    });
  }

  timeout(kind: "idle" | "session"): SmtpAction[] {
    return this.run(() => {
      if (this.state === "closed") return;
      this.ensureStarted();
      const what = kind === "idle" ? "Idle timeout" : "Session time limit reached";
      this.event(`${what.toLowerCase()}${this.inTransaction ? " during a transaction" : ""}`);
      this.reply(replies.timeout(this.config.hostname, what));
      this.close("timeout");
    });
  }

  shutdown(): SmtpAction[] {
    return this.run(() => {
      if (this.state === "closed") return;
      this.ensureStarted();
      this.event("server shutting down");
      this.reply(replies.shutdown(this.config.hostname));
      this.close("shutdown");
    });
  }

  end(options: EndOptions = {}): SmtpAction[] {
    return this.run(() => {
      if (this.ended) return;
      this.ensureStarted();
      if (this.overlong !== null) this.recordOverlong();
      if (this.state !== "closed" && options.closedBy !== "server") {
        const during =
          this.state === "data" || this.state === "bdat" || this.state === "chunking"
            ? " during message content"
            : this.state === "waiting"
              ? " while the backend was working"
              : "";
        this.event(`client closed the connection${during}`);
      }
      const outcome = options.outcome ?? this.closeOutcome ?? "client-closed";
      this.event(`connection closed (${outcome})${options.reason ? `: ${options.reason}` : ""}`);
      this.state = "closed";
      this.ended = true;
      this.queue = [];
      this.buf = EMPTY;
      this.body.clear();
      this.abortContent(`connection closed (${outcome})`);
      this.flushTranscript();
      this.out.push({
        type: "session.ended",
        session: {
          id: this.sessionId,
          endedAt: new Date(this.config.clock()),
          outcome,
          ...toSessionState(this.session),
        },
      });
    });
  }

  // ---- VerbContext ----

  reply(reply: SmtpReply): void {
    const wire = formatReply(reply);
    this.pendingWrite += wire;
    this.transcript.add("server", wireToText(wire));
    if (reply.code >= 400) {
      this.session.errorCount++;
      this.session.consecutiveErrors++;
    } else if (reply.code < 300) {
      this.session.consecutiveErrors = 0;
    }
  }

  transition(to: SmtpState): void {
    if (!isTransitionAllowed(this.state, to)) throw new Error(`illegal transition ${this.state} -> ${to}`);
    this.state = to;
  }

  resetTransaction(): void {
    this.envelope = null;
    this.abortContent("transaction reset");
    this.body.clear();
    this.chunked = false;
    if (this.state !== "closed") this.state = this.session.greeted ? "identified" : "ready";
  }

  close(outcome: SessionOutcome): void {
    if (this.state === "closed" && this.closeOutcome !== null) return;
    this.closeOutcome = outcome;
    this.state = "closed";
    this.queue = [];
    this.body.clear();
    this.abortContent(`connection closing (${outcome})`);
    this.flushWrite();
    this.out.push({ type: "close", outcome });
  }

  event(text: string): void {
    this.transcript.add("event", text);
  }

  warn(warning: string): void {
    addWarning(this.session, warning);
  }

  beginData(): void {
    this.transition("data");
    (this.dot ??= createDotDecoder()).reset();
    this.startContent();
  }

  beginBdat(size: number, last: boolean, reject: SmtpReply | null): void {
    const back = this.state;
    if (reject === null && !this.chunked) this.startContent();
    this.bdat = { remaining: size, size, last, reject, back };
    this.transition("bdat");
    if (size === 0) this.finishBdatChunk();
  }

  finishAuth(mechanism: SaslMechanism, credentials: SmtpCredentials): void {
    if (this.state === "sasl") this.transition("identified");
    if (!this.config.checkCredentials) return this.acceptAuth(mechanism, credentials.username);
    this.waitingFor = { kind: "auth", mechanism, username: credentials.username };
    this.transition("waiting");
    this.push({ type: "authenticate", credentials });
  }

  beginTls(): void {
    this.transition("starttls");
    this.discardPlaintext();
    this.push({ type: "starttls" });
  }

  // ---- input ----

  private pump(): void {
    for (;;) {
      const mode = SMTP_STATES[this.state].input;
      if (mode === "queue" || mode === "ignore" || mode === "early") return;
      if (mode === "discard") return this.discardPlaintext();
      if (this.pos >= this.buf.length) {
        const next = this.queue.shift();
        if (next === undefined) {
          this.buf = EMPTY;
          this.pos = 0;
          return;
        }
        this.buf = next;
        this.pos = 0;
      }
      switch (mode) {
        case "command":
        case "sasl":
          if (!this.readLine(mode === "sasl" ? MAX_SASL_LINE : MAX_COMMAND_LINE)) return;
          break;
        case "data":
          this.readData();
          break;
        case "bdat":
          this.readBdat();
          break;
      }
    }
  }

  /** Handle one line if a whole one is buffered. Returns false when more input is needed. */
  private readLine(limit: number): boolean {
    const buf = this.buf;
    const lf = buf.indexOf(LF, this.pos);
    if (this.overlong !== null) {
      if (lf === -1) {
        this.overlong.octets += buf.length - this.pos;
        this.pos = buf.length;
        return true;
      }
      this.overlong.octets += lf + 1 - this.pos;
      this.pos = lf + 1;
      this.recordOverlong();
      this.rejectLongLine();
      return true;
    }
    if (lf === -1) {
      const have = buf.length - this.pos;
      if (have >= limit) {
        this.overlong = {
          head: buf.toString("utf8", this.pos, this.pos + 64),
          octets: have,
          sasl: this.state === "sasl",
        };
        this.pos = buf.length;
        return true;
      }
      const next = this.queue.shift();
      if (next === undefined) {
        // Keep the partial line (at most `limit` octets) for the next chunk.
        if (this.pos > 0) {
          this.buf = Buffer.from(buf.subarray(this.pos));
          this.pos = 0;
        }
        return false;
      }
      this.buf = Buffer.concat([buf.subarray(this.pos), next]);
      this.pos = 0;
      return true;
    }
    const octets = lf + 1 - this.pos;
    const end = lf > this.pos && buf[lf - 1] === CR ? lf - 1 : lf;
    const line = buf.toString("utf8", this.pos, end);
    this.pos = lf + 1;
    if (octets > limit) {
      const { text, masked } = this.clientText(line, this.state === "sasl", 64);
      this.transcript.add("client", `${text}… (${octets} octets)`, { masked });
      this.rejectLongLine();
      return true;
    }
    if (this.state === "sasl") this.onSaslLine(line);
    else this.onCommand(line);
    return true;
  }

  private recordOverlong(): void {
    const overlong = this.overlong;
    if (overlong === null) return;
    this.overlong = null;
    const { text, masked } = this.clientText(overlong.head, overlong.sasl, 64);
    this.transcript.add("client", `${text}… (${overlong.octets} octets without end of line)`, { masked });
    this.warn(overlong.sasl ? "SASL response over 12288 octets" : "command line over 512 octets");
  }

  /** 500 for an over-long line; one inside a SASL exchange also ends the exchange (RFC 4954 section 4). */
  private rejectLongLine(): void {
    if (this.state === "sasl") {
      this.sasl = null;
      this.transition("identified");
    }
    this.reply(replies.lineTooLong());
    this.checkErrors();
  }

  /**
   * The transcript text of a client line, with AUTH secrets masked unless `keepAuthSecrets`:
   * anything after `AUTH <mechanism>`, and every SASL continuation line except a cancelling `*`.
   */
  private clientText(line: string, sasl: boolean, max: number): { text: string; masked?: boolean } {
    if (!this.config.keepAuthSecrets) {
      if (sasl) return line.trim() === "*" ? { text: "*" } : { text: "***", masked: true };
      if (/^auth(?: |$)/i.test(line)) {
        const words = line.slice(4).trim().split(/ +/);
        if (words.length > 1) return { text: `AUTH ${words[0] ?? ""} ***`, masked: true };
      }
    }
    return { text: clip(line, max) };
  }

  private onCommand(line: string): void {
    const space = line.indexOf(" ");
    const word = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const arg = space === -1 ? "" : line.slice(space + 1);

    const { text, masked } = this.clientText(line, false, TRANSCRIPT_TEXT_LIMIT);
    this.transcript.add("client", text, { masked });

    if (HTTP_LINE.test(line)) {
      this.warn("HTTP request on the SMTP port");
      this.reply(replies.protocolViolation(this.config.hostname, "HTTP is not SMTP"));
      this.close("rejected");
      return;
    }
    if (!Object.hasOwn(VERB_HANDLERS, word)) {
      this.reply(replies.unknownCommand());
      this.checkErrors();
      return;
    }
    const verb = word as SmtpVerb;
    this.verb = verb;
    if (verb !== "BDAT" && !isVerbAllowed(this.state, verb)) {
      this.reply(replies.badSequence(describeSequenceError(this.state, verb)));
    } else {
      VERB_HANDLERS[verb](this, arg);
    }
    this.verb = null;
    this.checkErrors();
  }

  private onSaslLine(line: string): void {
    const { text, masked } = this.clientText(line, true, TRANSCRIPT_TEXT_LIMIT);
    this.transcript.add("client", text, { masked });
    handleSaslLine(this, line);
    this.checkErrors();
  }

  /** Too many errors in a row: 421 and close (rejected). */
  private checkErrors(): void {
    if (this.state === "closed" || this.session.consecutiveErrors < this.config.maxErrors) return;
    this.event(`${this.session.consecutiveErrors} errors in a row`);
    this.reply(replies.tooManyErrors(this.config.hostname));
    this.close("rejected");
  }

  private earlyTalker(chunk: Buffer): void {
    this.ensureStarted();
    const lf = chunk.indexOf(LF);
    const text = chunk.toString("utf8", 0, Math.min(lf === -1 ? chunk.length : lf, 200)).replace(/\r$/, "");
    this.transcript.add("client", text);
    this.event("client sent data before the greeting");
    this.warn("input before greeting");
    this.reply(replies.protocolViolation(this.config.hostname, "Input before greeting"));
    this.close("rejected");
  }

  /**
   * The chunk `feed` borrowed: copy what the engine still holds of it (the rest of it in `buf` or
   * the queue, when the backend is working or the connection is closing), drop the reference if
   * none.
   */
  private keepUnread(chunk: Buffer): void {
    if (this.buf === chunk) {
      this.buf = this.pos < chunk.length ? Buffer.from(chunk.subarray(this.pos)) : EMPTY;
      this.pos = 0;
    }
    const queued = this.queue.indexOf(chunk);
    if (queued !== -1) this.queue[queued] = Buffer.from(chunk);
  }

  private discardPlaintext(): void {
    let dropped = this.buf.length - this.pos;
    for (const chunk of this.queue) dropped += chunk.length;
    this.queue = [];
    this.buf = EMPTY;
    this.pos = 0;
    if (dropped > 0) {
      this.discardedAfterTls += dropped;
      this.event(`discarded ${dropped} octets of plaintext pipelined after STARTTLS`);
      this.warn("plaintext pipelined after STARTTLS was discarded (CVE-2011-0411)");
    }
  }

  // ---- message content ----

  private startContent(): void {
    this.contentBytes = 0;
    this.oversize = false;
    this.scanner = createContentScanner();
    this.abortContent("content restarted");
    if (this.streamContent) {
      this.body.clear();
      const envelope = this.envelope;
      if (envelope === null) return;
      const id = this.config.newId();
      this.streamingId = id;
      this.push({
        type: "content.open",
        info: {
          id,
          sessionId: this.sessionId,
          receivedAt: new Date(this.config.clock()),
          envelope: this.toEnvelope(envelope, this.state === "data" ? "DATA" : "BDAT"),
        },
      });
      return;
    }
    // With a declared SIZE (RFC 1870), the content is collected into one buffer of that size: the
    // message is then held once, not as pages plus their concatenation.
    const declared = this.envelope?.mailParams.SIZE;
    const size = typeof declared === "string" ? Number(declared) : 0;
    this.body.start(size > 0 && size <= this.config.maxMessageSize ? size : 0);
  }

  /** Tell the backend to drop a streamed message that will not complete. */
  private abortContent(reason: string): void {
    if (this.streamingId === null) return;
    this.streamingId = null;
    this.push({ type: "content.abort", reason });
  }

  private collect(segment: Buffer): void {
    this.scanner.scan(segment);
    this.contentBytes += segment.length;
    if (this.oversize) return;
    if (this.contentBytes > this.config.maxMessageSize) {
      // Read and discard the rest with bounded memory; 552 at the end (RFC 1870 section 6.3).
      this.oversize = true;
      this.body.clear();
      this.abortContent("message over the size limit");
      return;
    }
    if (this.streamingId !== null) {
      this.push({ type: "content.write", data: segment });
      return;
    }
    this.body.append(segment);
  }

  private readData(): void {
    const dot = (this.dot ??= createDotDecoder());
    const end = dot.decode(this.buf, this.pos, this.onContent);
    if (end === -1) {
      this.pos = this.buf.length;
      return;
    }
    this.pos = end;
    this.finishMessage("DATA");
  }

  private readBdat(): void {
    const bdat = this.bdat;
    if (bdat === null) throw new Error("bdat state without a chunk");
    const take = Math.min(bdat.remaining, this.buf.length - this.pos);
    const segment = this.buf.subarray(this.pos, this.pos + take);
    this.pos += take;
    bdat.remaining -= take;
    if (bdat.reject === null) this.collect(segment);
    if (bdat.remaining === 0) this.finishBdatChunk();
  }

  private finishBdatChunk(): void {
    const bdat = this.bdat;
    if (bdat === null) throw new Error("no BDAT chunk");
    this.bdat = null;
    if (bdat.reject !== null) {
      this.state = bdat.back;
      this.transcript.add("event", `discarded BDAT chunk of ${bdat.size} octets`);
      this.reply(bdat.reject);
      return;
    }
    this.chunked = true;
    if (this.oversize) {
      this.transcript.add("client", this.contentText("BDAT"), { data: this.scanner.finish() });
      this.reply(replies.messageTooBig());
      this.resetTransaction();
      return;
    }
    if (bdat.last) {
      this.finishMessage("BDAT");
      return;
    }
    this.transition("chunking");
    this.reply(replies.chunkReceived(bdat.size));
  }

  private finishMessage(transport: "DATA" | "BDAT"): void {
    const summary = this.scanner.finish();
    const envelope = this.envelope;
    const atMs = this.transcript.now();
    if (this.oversize || envelope === null) {
      this.transcript.add("client", this.contentText(transport, summary.bytes), { data: summary, atMs });
      this.reply(this.oversize ? replies.messageTooBig() : replies.badSequence("Need MAIL command"));
      this.resetTransaction();
      return;
    }
    this.noteContentWarnings(summary, envelope);
    const streamingId = this.streamingId;
    if (streamingId !== null) {
      this.streamingId = null;
      this.envelope = null;
      this.chunked = false;
      this.waitingFor = { kind: "delivery", id: streamingId, summary, summaryAtMs: atMs, transport };
      this.transition("waiting");
      this.push({ type: "content.end", id: streamingId, summary });
      return;
    }
    const raw = this.body.take();
    const id = this.config.newId();
    const delivery: SmtpDelivery = {
      id,
      sessionId: this.sessionId,
      receivedAt: new Date(this.config.clock()),
      envelope: this.toEnvelope(envelope, transport),
      raw,
      summary,
    };
    this.envelope = null;
    this.chunked = false;
    this.waitingFor = { kind: "delivery", id, summary, summaryAtMs: atMs, transport };
    this.transition("waiting");
    this.push({ type: "deliver", delivery });
  }

  private toEnvelope(envelope: OpenEnvelope, transport: "DATA" | "BDAT"): SmtpDelivery["envelope"] {
    return {
      mailFrom: envelope.mailFrom,
      mailParams: envelope.mailParams,
      rcptTo: envelope.rcptTo,
      heloName: this.session.heloName,
      authUser: this.session.authUser,
      tls: this.session.tls !== null,
      transport,
    };
  }

  private noteContentWarnings(summary: NonNullable<TranscriptEntry["data"]>, envelope: OpenEnvelope): void {
    if (summary.bareLf > 0) this.warn("bare LF in message content");
    if (summary.bareCr > 0) this.warn("bare CR in message content");
    if (summary.nul > 0) this.warn("NUL in message content");
    if (summary.longLines > 0) this.warn("line over 998 octets in message content");
    const body = envelope.mailParams.BODY;
    if (summary.eightBit > 0 && !(typeof body === "string" && body.toUpperCase() === "8BITMIME")) {
      this.warn("8-bit data without BODY=8BITMIME");
    }
  }

  private summaryText(waiting: { transport: "DATA" | "BDAT"; summary: TranscriptEntry["data"] }): string {
    return this.contentText(waiting.transport, waiting.summary?.bytes ?? 0);
  }

  private contentText(transport: "DATA" | "BDAT", bytes = this.contentBytes): string {
    return `<${transport} content: ${bytes} octets>`;
  }

  // ---- output ----

  private acceptAuth(mechanism: SaslMechanism, username: string): void {
    this.session.authMechanism = mechanism;
    this.session.authUser = username;
    this.event(`authenticated as ${JSON.stringify(username)} with ${mechanism}`);
    this.reply(replies.authSucceeded());
  }

  private replyForError(error: unknown, what: string, fallback: SmtpReply): void {
    if (isSmtpReplyError(error)) {
      this.reply(createReply(error.code, error.enhancedCode, error.text));
      return;
    }
    this.push({ type: "log", level: "error", message: `${what} (session ${this.sessionId})`, error });
    this.reply(fallback);
  }

  private ensureStarted(): void {
    if (this.started) return;
    this.started = true;
    this.out.push({
      type: "session.started",
      session: {
        id: this.sessionId,
        startedAt: new Date(this.session.startedAtMs),
        remoteAddress: this.connection.remoteAddress,
        remotePort: this.connection.remotePort,
        localAddress: this.connection.localAddress,
        localPort: this.connection.localPort,
        tls: this.session.tls === null ? null : { ...this.session.tls },
      },
    });
  }

  /** Push a non-write action after the replies and transcript entries that precede it. */
  private push(action: SmtpAction): void {
    this.flushWrite();
    this.flushTranscript();
    this.out.push(action);
  }

  private flushWrite(): void {
    if (this.pendingWrite === "") return;
    this.out.push({ type: "write", data: Buffer.from(this.pendingWrite, "utf8") });
    this.pendingWrite = "";
  }

  private flushTranscript(): void {
    if (this.transcript.pending === 0 || !this.started) return;
    this.out.push({
      type: "transcript",
      sessionId: this.sessionId,
      entries: this.transcript.take(),
      state: toSessionState(this.session),
    });
  }

  private run(step: () => void): SmtpAction[] {
    try {
      step();
    } catch (error) {
      this.failSafe(error);
    }
    this.flushWrite();
    this.flushTranscript();
    const out = this.out;
    this.out = [];
    return out;
  }

  /** An engine bug: 421 and close; the session record says "error". */
  private failSafe(error: unknown): void {
    this.out.push({
      type: "log",
      level: "error",
      message: `SMTP engine error (session ${this.sessionId})`,
      error,
    });
    if (this.ended) return;
    try {
      this.ensureStarted();
      this.event("internal error");
      if (this.state !== "closed") {
        this.reply(replies.internalError(this.config.hostname));
        this.close("error");
      }
    } catch {
      this.state = "closed";
      this.out.push({ type: "close", outcome: "error" });
    }
  }
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
