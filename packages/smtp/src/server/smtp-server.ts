/**
 * The thin socket adapter around the engine: accepts TCP (or implicit-TLS) connections, feeds bytes to
 * one engine per connection and performs the actions it returns. It owns everything the engine must
 * not: sockets, timers (idle and total session time), the connection limit, backpressure, the TLS
 * upgrade and graceful shutdown. It never interprets SMTP itself (no protocol state inferred from
 * reply codes).
 *
 * Invariants:
 * - TCP_NODELAY on every socket, and each `write` action is one socket write (a multi-line EHLO
 *   reply is one write), so no reply waits on the client's delayed ACK.
 * - Reading is paused once input arrives while the backend works on a delivery or credentials (not
 *   before: most clients wait for the reply, and a pause and resume per message has a cost), while
 *   a content sink applies backpressure and while the socket's write buffer is full, so a session's
 *   memory stays bounded (one input chunk queued at most) whatever the client sends.
 * - Plaintext connections read into one buffer shared by every connection (shared-read-buffer.ts):
 *   a chunk is valid during its call only; the engine copies what it keeps, a sink what it keeps.
 * - A content sink (`backend.openContent`) gets exactly one `end` or `abort`, after its writes.
 * - `sessionEnded` is handed over exactly once, after any delivery in flight has settled.
 * - A throwing backend hook or engine is logged; it never crashes the process.
 * - Timers are not per connection: one coarse sweep per server (running only while connections are
 *   open) checks idle time, session length, TLS handshakes and lingering closes, so accepting a
 *   connection creates no timer and a read or write only sets a flag. Timeouts fire up to two
 *   sweep intervals (a quarter of the shortest limit, at most 500 ms) late, never early.
 */
import net from "node:net";
import tls from "node:tls";
import type { SessionTls } from "@mailpen/shared";
import type { DataSummary } from "@mailpen/shared";
import type { SmtpBackend, SmtpCredentials, SmtpDelivery } from "../backend.ts";
import type { SmtpServerOptions } from "../options.ts";
import { createIdGenerator } from "../id-generator.ts";
import {
  createSmtpEngineWithConfig,
  resolveEngineConfig,
  type EndOptions,
  type SmtpAction,
  type SmtpEngine,
} from "../protocol/engine.ts";
import type { EngineConfig } from "../protocol/verb-context.ts";
import { ContentSinkRelay } from "../content-sink-relay.ts";
import { createSelfSignedCertificate } from "./self-signed-certificate.ts";
import { acceptWithSharedReadBuffer } from "./shared-read-buffer.ts";

/** Where to listen. `implicitTls` makes this port speak TLS from the first byte (needs `options.tls`). */
export interface SmtpListenOptions {
  port: number;
  host?: string;
  implicitTls?: boolean;
}

/** A running SMTP server (one or more listening ports sharing connections and limits). */
export interface SmtpServer {
  /** Start listening; may be called twice (a plain port and an implicit-TLS port). */
  listen(options: SmtpListenOptions): Promise<{ address: string; port: number }>;
  /**
   * Stop accepting, let transactions in flight finish for up to `graceMs` (default 5000), then end
   * the remaining sessions with 421 (outcome "shutdown"). Resolves when every session has ended.
   */
  close(options?: { graceMs?: number }): Promise<void>;
  /** Open connections. */
  readonly connectionCount: number;
  /** STARTTLS and implicit TLS are available (a certificate was configured or generated). */
  readonly tlsEnabled: boolean;
}

const DEFAULT_IDLE_MS = 5 * 60_000;
const DEFAULT_SESSION_MS = 30 * 60_000;
const DEFAULT_MAX_CONNECTIONS = 200;
/** After our FIN, how long a client may keep its side open before the socket is destroyed. */
const LINGER_MS = 2_000;
/** Bounds of the sweep interval (see the invariants). */
const MIN_SWEEP_MS = 5;
const MAX_SWEEP_MS = 500;

interface ServerContext {
  backend: SmtpBackend;
  /** Engine settings, resolved once for every connection. */
  engineConfig: EngineConfig;
  streamContent: boolean;
  options: SmtpServerOptions;
  clock: () => number;
  newId: () => string;
  logger: Pick<Console, "warn" | "error">;
  secureContext: tls.SecureContext | null;
  idleTimeoutMs: number;
  maxSessionMs: number;
  shuttingDown: boolean;
  connections: Set<Connection>;
  onConnectionClosed: () => void;
  /** Start the sweep if it is not running (a connection was added). */
  ensureSweep: () => void;
}

/** Create an SMTP server that hands messages and sessions to `backend`. Nothing listens until `listen`. */
export function createSmtpServer(backend: SmtpBackend, options: SmtpServerOptions = {}): SmtpServer {
  const clock = options.clock ?? Date.now;
  const pem =
    options.tls === "self-signed"
      ? createSelfSignedCertificate({ hostname: options.hostname ?? "mailpen" })
      : options.tls;
  const secureContext = pem === undefined ? null : tls.createSecureContext({ cert: pem.cert, key: pem.key });
  const closeWaiters: Array<() => void> = [];
  const newId = options.newId ?? createIdGenerator(clock);
  const ctx: ServerContext = {
    backend,
    engineConfig: resolveEngineConfig({
      ...options,
      clock,
      newId,
      tls: null,
      tlsAvailable: secureContext !== null,
      checkCredentials: typeof backend.authenticate === "function",
    }),
    streamContent: typeof backend.openContent === "function",
    options,
    clock,
    newId,
    logger: options.logger ?? console,
    secureContext,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_MS,
    maxSessionMs: options.maxSessionMs ?? DEFAULT_SESSION_MS,
    shuttingDown: false,
    connections: new Set(),
    onConnectionClosed: () => {
      if (ctx.connections.size === 0) {
        stopSweep();
        for (const wake of closeWaiters.splice(0)) wake();
      }
    },
    ensureSweep: () => {
      sweepTimer ??= setInterval(sweep, sweepMs).unref();
    },
  };
  const sweepMs = Math.min(
    MAX_SWEEP_MS,
    Math.max(MIN_SWEEP_MS, Math.floor(Math.min(ctx.idleTimeoutMs, ctx.maxSessionMs, LINGER_MS) / 4)),
  );
  let sweepTimer: NodeJS.Timeout | null = null;
  const stopSweep = () => {
    if (sweepTimer !== null) clearInterval(sweepTimer);
    sweepTimer = null;
  };
  const sweep = () => {
    if (ctx.connections.size === 0) return stopSweep();
    const now = Date.now();
    for (const connection of ctx.connections) connection.sweep(now);
  };
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const servers: net.Server[] = [];

  /** `sharedReads`: the socket reads into the shared buffer (see shared-read-buffer.ts). */
  const accept = (
    socket: net.Socket,
    implicitTls: boolean,
    local: net.AddressInfo | null,
    sharedReads = false,
  ) => {
    const reject = ctx.shuttingDown || ctx.connections.size >= maxConnections;
    const connection = new Connection(ctx, socket, implicitTls, local, sharedReads);
    ctx.connections.add(connection);
    ctx.ensureSweep();
    connection.begin(reject);
  };

  return {
    get connectionCount() {
      return ctx.connections.size;
    },
    get tlsEnabled() {
      return secureContext !== null;
    },
    listen({ port, host, implicitTls = false }) {
      if (ctx.shuttingDown) return Promise.reject(new Error("SMTP server is closed"));
      if (implicitTls && secureContext === null)
        return Promise.reject(new Error("implicitTls needs options.tls"));
      // Implicit TLS is a plain TCP server whose sockets are wrapped at accept, so that a failed
      // handshake (plain SMTP sent to port 465, say) is still a session with a record.
      // The local address of a socket is the listening one unless that is a wildcard: knowing it
      // spares a getsockname per connection.
      let local: net.AddressInfo | null = null;
      const server = net.createServer((socket) => accept(socket, implicitTls, local));
      server.on("error", (error) => ctx.logger.error("SMTP listener error", error));
      servers.push(server);
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => {
          servers.splice(servers.indexOf(server), 1);
          reject(error);
        };
        server.once("error", onError);
        server.listen(port, host, () => {
          server.off("error", onError);
          const address = server.address() as net.AddressInfo;
          if (address.address !== "0.0.0.0" && address.address !== "::") local = address;
          // Before any connection is dispatched ('listening' comes first): plaintext connections
          // read into one buffer shared by all of them from here (TLS ones decrypt into their own).
          if (!implicitTls)
            acceptWithSharedReadBuffer(server, {
              onSocket: (socket) => accept(socket, false, local, true),
              onChunk: onSocketData,
              onError: (error) => ctx.logger.error("SMTP listener error", error),
            });
          resolve({ address: address.address, port: address.port });
        });
      });
    },
    async close({ graceMs = 5_000 } = {}) {
      ctx.shuttingDown = true;
      const stopped = servers
        .splice(0)
        .map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      for (const connection of ctx.connections) connection.shutdownIfIdle();
      const allClosed = () =>
        new Promise<void>((resolve) => {
          if (ctx.connections.size === 0) resolve();
          else closeWaiters.push(resolve);
        });
      await waitAtMost(allClosed(), graceMs);
      for (const connection of ctx.connections) connection.shutdownNow();
      await waitAtMost(allClosed(), LINGER_MS + 500);
      for (const connection of ctx.connections) connection.destroy();
      // A backend that never settles a delivery keeps its session open; do not hang on it.
      await waitAtMost(allClosed(), 1_000);
      await Promise.all(stopped);
    },
  };
}

function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(
    () => clearTimeout(timer),
  );
}

function describeTls(socket: tls.TLSSocket, mode: SessionTls["mode"]): SessionTls {
  return { protocol: socket.getProtocol() ?? null, cipher: socket.getCipher()?.name ?? null, mode };
}

/**
 * Socket listeners shared by every connection (the socket is `this`): no closures per connection.
 * The connection is found through a symbol-keyed property set in `attach`.
 */
const CONNECTION = Symbol("mailpen.smtp.connection");
type OwnedSocket = net.Socket & { [CONNECTION]?: Connection };
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[CONNECTION]?.handleData(chunk);
}
function onSocketError(this: OwnedSocket, error: NodeJS.ErrnoException): void {
  this[CONNECTION]?.handleError(error);
}
function onSocketClose(this: OwnedSocket): void {
  this[CONNECTION]?.handleClose();
}
function onSocketDrain(this: OwnedSocket): void {
  this[CONNECTION]?.handleDrain();
}

/** One accepted connection: a socket, its engine and its timers. */
class Connection {
  private socket: net.Socket;
  private readonly engine: SmtpEngine;
  /** The backend is working (delivery or credentials). */
  private busy = false;
  /** Input arrived while busy: the engine queued it; stop reading until the backend is done. */
  private readWhileBusy = false;
  private waitingForDrain = false;
  private upgrading = false;
  /** An implicit-TLS connection whose handshake has not finished. */
  private handshaking = false;
  private socketClosed = false;
  private endOutcome: EndOptions | null = null;
  private sessionEnded = false;
  /** Real time (Date.now, not the injected clock) of the accept, the last quiet sweep, our FIN. */
  private readonly acceptedAtMs = Date.now();
  private quietSinceMs = this.acceptedAtMs;
  /** Read or written since the last sweep. */
  private active = true;
  private sessionTimedOut = false;
  private lingerSinceMs: number | null = null;
  private greetTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** The content sink of a streamed message (stops reading while its writes are in flight). */
  private readonly content: ContentSinkRelay;

  handleData(chunk: Buffer): void {
    this.active = true;
    if (this.busy) this.readWhileBusy = true;
    this.perform(this.engine.feed(chunk));
  }

  private onTimeout(): void {
    if (this.handshaking) {
      this.endOutcome ??= { outcome: "timeout", reason: "TLS handshake timed out", closedBy: "server" };
      this.socket.destroy();
    } else if (!this.busy) {
      this.perform(this.engine.timeout("idle"));
    }
  }

  handleError(error: NodeJS.ErrnoException): void {
    const clientGone = error.code === "ECONNRESET" || error.code === "EPIPE" || error.code === "ECONNABORTED";
    const reason =
      this.handshaking || this.upgrading ? `TLS handshake failed: ${error.message}` : error.message;
    this.endOutcome ??= clientGone && !this.handshaking ? {} : { outcome: "error", reason };
  }

  handleClose(): void {
    this.socketClosed = true;
    this.clearTimers();
    this.finish();
  }

  handleDrain(): void {
    this.waitingForDrain = false;
    this.updateFlow();
  }

  constructor(
    private readonly ctx: ServerContext,
    socket: net.Socket,
    implicitTls: boolean,
    local: net.AddressInfo | null,
    sharedReads: boolean,
  ) {
    this.content = new ContentSinkRelay(ctx.logger, () => this.updateFlow());
    socket.setNoDelay(true);
    if (implicitTls && ctx.secureContext !== null) {
      const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: ctx.secureContext });
      // A raw socket error also surfaces on the TLS socket; keep the raw one from throwing.
      socket.on("error", () => {});
      this.handshaking = true;
      socket = secure;
    }
    this.socket = socket;
    this.engine = createSmtpEngineWithConfig(ctx.engineConfig, {
      connection: {
        remoteAddress: socket.remoteAddress ?? "",
        remotePort: socket.remotePort ?? 0,
        localAddress: local?.address ?? socket.localAddress ?? "",
        localPort: local?.port ?? socket.localPort ?? 0,
      },
      tls: null,
      streamContent: ctx.streamContent,
    });
    this.attach(socket, !sharedReads);
  }

  begin(reject: boolean): void {
    if (this.handshaking) {
      const secure = this.socket as tls.TLSSocket;
      secure.once("secure", () => {
        this.handshaking = false;
        this.perform(this.engine.tlsStarted(describeTls(secure, "implicit")));
        this.greetSoon(reject);
      });
      return;
    }
    this.greetSoon(reject);
  }

  private greetSoon(reject: boolean): void {
    // Bytes read before the greeting go to the engine in its `greeting` state: an early talker (421).
    const greet = () => {
      this.greetTimer = null;
      if (!this.socketClosed && this.engine.state === "greeting") this.perform(this.engine.start({ reject }));
    };
    const delay = this.ctx.options.greetingDelayMs ?? 0;
    if (delay > 0) {
      this.greetTimer = setTimeout(greet, delay);
    } else {
      // Two immediates span one poll phase: input already in the kernel buffer is read first.
      this.greetTimer = setImmediate(() => {
        this.greetTimer = setImmediate(greet);
      });
    }
  }

  /** Called by the server's sweep: the idle timeout, the session limit and a lingering close. */
  sweep(now: number): void {
    if (this.socketClosed) return;
    if (this.lingerSinceMs !== null) {
      if (now - this.lingerSinceMs >= LINGER_MS) this.socket.destroy();
      return;
    }
    if (!this.sessionTimedOut && now - this.acceptedAtMs >= this.ctx.maxSessionMs) {
      this.sessionTimedOut = true;
      this.perform(this.engine.timeout("session"));
      return;
    }
    if (this.active) {
      this.active = false;
      this.quietSinceMs = now;
    } else if (now - this.quietSinceMs >= this.ctx.idleTimeoutMs) {
      this.quietSinceMs = now;
      this.onTimeout();
    }
  }

  shutdownIfIdle(): void {
    if (this.handshaking) return this.abortHandshake();
    if (!this.busy && !this.engine.closing && !this.engine.inTransaction)
      this.perform(this.engine.shutdown());
  }

  shutdownNow(): void {
    if (this.handshaking) return this.abortHandshake();
    if (!this.engine.closing) this.perform(this.engine.shutdown());
  }

  private abortHandshake(): void {
    this.endOutcome ??= {
      outcome: "shutdown",
      reason: "server shutting down during the TLS handshake",
      closedBy: "server",
    };
    this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** `dataEvents` false: the socket reads into the shared buffer (its reads come to onSocketData directly). */
  private attach(socket: net.Socket, dataEvents = true): void {
    (socket as OwnedSocket)[CONNECTION] = this;
    if (dataEvents) socket.on("data", onSocketData);
    socket.on("error", onSocketError);
    socket.on("close", onSocketClose);
    socket.on("drain", onSocketDrain);
  }

  private detach(socket: net.Socket): void {
    socket.off("data", onSocketData);
    socket.off("close", onSocketClose);
    socket.off("drain", onSocketDrain);
    // Keep an error listener on the raw socket: errors now surface on the TLS socket.
  }

  private perform(actions: SmtpAction[]): void {
    const { backend, logger } = this.ctx;
    for (const action of actions) {
      try {
        switch (action.type) {
          case "session.started":
            backend.sessionStarted(action.session);
            break;
          case "transcript":
            backend.transcriptAppended(action.sessionId, action.entries, action.state);
            break;
          case "write":
            this.active = true;
            if (this.socket.writable && !this.socket.write(action.data)) this.waitingForDrain = true;
            break;
          case "deliver":
            this.deliver(action.delivery);
            break;
          case "content.open":
            this.content.open(backend, action.info);
            break;
          case "content.write":
            this.content.write(action.data);
            break;
          case "content.end":
            this.endContent(action.summary);
            break;
          case "content.abort":
            this.content.abort(action.reason);
            break;
          case "authenticate":
            this.authenticate(action.credentials);
            break;
          case "starttls":
            this.upgrade();
            break;
          case "close":
            this.closeSocket();
            break;
          case "session.ended":
            this.sessionEnded = true;
            backend.sessionEnded(action.session);
            break;
          case "log":
            logger[action.level](action.message, action.error);
            break;
        }
      } catch (error) {
        logger.error(`SMTP backend hook ${action.type} failed`, error);
      }
    }
    this.updateFlow();
    if (this.ctx.shuttingDown && !this.socketClosed) this.shutdownIfIdle();
  }

  private deliver(delivery: SmtpDelivery): void {
    this.settle(
      () => this.ctx.backend.deliver(delivery),
      (result) => this.engine.resolveDelivery(result),
    );
  }

  private endContent(summary: DataSummary): void {
    this.settle(
      () => this.content.end(summary),
      (result) => this.engine.resolveDelivery("error" in result ? result : { ok: true }),
    );
  }

  private authenticate(credentials: SmtpCredentials): void {
    const check = this.ctx.backend.authenticate;
    this.settle(
      async () => (check === undefined ? true : check.call(this.ctx.backend, credentials)),
      (result) =>
        this.engine.resolveAuthentication("error" in result ? result : { ok: result.value === true }),
    );
  }

  /** Run a backend call with reading paused, then hand its result to the engine. */
  private settle<T>(
    call: () => Promise<T> | T,
    resolve: (result: { ok: true; value: T } | { ok: false; error: unknown }) => SmtpAction[],
  ): void {
    this.busy = true;
    this.updateFlow();
    let promise: Promise<T>;
    try {
      promise = Promise.resolve(call());
    } catch (error) {
      promise = Promise.reject(error);
    }
    // One reaction for both outcomes (not a then to wrap the result and another to use it): one
    // promise and one microtask less per delivery.
    const settled = (result: { ok: true; value: T } | { ok: false; error: unknown }): void => {
      try {
        this.busy = false;
        this.readWhileBusy = false;
        this.perform(resolve(result));
        if (this.socketClosed) this.finish();
      } catch (error) {
        this.ctx.logger.error("SMTP connection error", error);
      }
    };
    promise.then(
      (value) => settled({ ok: true, value }),
      (error: unknown) => settled({ ok: false, error }),
    );
  }

  private upgrade(): void {
    const secureContext = this.ctx.secureContext;
    if (secureContext === null) {
      this.perform(this.engine.end({ outcome: "error", reason: "STARTTLS without a certificate" }));
      this.socket.destroy();
      return;
    }
    const raw = this.socket;
    this.detach(raw);
    this.upgrading = true;
    // Plaintext already read is dropped by the engine; the TLS socket takes over the handle from here.
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext });
    this.socket = secure;
    secure.once("secure", () => {
      this.upgrading = false;
      this.perform(this.engine.tlsStarted(describeTls(secure, "starttls")));
    });
    this.attach(secure);
    secure.setNoDelay(true);
  }

  private updateFlow(): void {
    if (this.socketClosed) return;
    const closing = this.engine.closing;
    // A closing connection keeps reading (and dropping) so that the client's FIN is seen.
    const read = closing || (!this.readWhileBusy && !this.waitingForDrain && !this.content.writing);
    if (read) {
      if (this.socket.isPaused()) this.socket.resume();
    } else if (!this.socket.isPaused()) {
      this.socket.pause();
    }
  }

  private closeSocket(): void {
    if (this.lingerSinceMs !== null) return;
    this.socket.end();
    this.lingerSinceMs = Date.now();
  }

  private clearTimers(): void {
    if (this.greetTimer !== null) {
      clearTimeout(this.greetTimer as NodeJS.Timeout);
      clearImmediate(this.greetTimer as NodeJS.Immediate);
      this.greetTimer = null;
    }
    this.lingerSinceMs = null;
  }

  /** The socket is closed: end the session once nothing is in flight. */
  private finish(): void {
    if (this.sessionEnded || this.busy) return;
    const options = this.endOutcome ?? {};
    if ((this.upgrading || this.handshaking) && options.outcome === undefined) {
      options.outcome = "error";
      options.reason = "TLS handshake failed";
    }
    this.perform(this.engine.end(options));
    this.sessionEnded = true;
    this.ctx.connections.delete(this);
    this.ctx.onConnectionClosed();
  }
}
