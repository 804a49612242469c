/**
 * A raw SMTP client for tests: writes exact bytes and reads whole replies (RFC 5321 section 4.2: a
 * reply ends with the line whose code is followed by a space, or by nothing). It never interprets
 * what it sends, so tests control every octet. Invariants: every read has a timeout; `close()` always
 * destroys the socket; bytes received are kept in `received` for assertions on the raw stream.
 */
import net from "node:net";
import tls from "node:tls";

/** One complete SMTP reply. */
export interface SmtpReply {
  code: number;
  /** Lines without CRLF, codes included ("250-PIPELINING", "250 SIZE 1"). */
  lines: string[];
  /** Lines joined with "\n", as in the transcript. */
  text: string;
}

export interface RawClient {
  readonly socket: net.Socket;
  /** Every byte received so far. */
  readonly received: () => Buffer;
  /** Resolves once the server has closed (or the socket ended); never rejects. */
  readonly closed: Promise<void>;
  readonly isClosed: () => boolean;
  /** Writes exact bytes; resolves once handed to the kernel (or rejects on a write error). */
  write(data: string | Buffer): Promise<void>;
  /** Writes `line` + CRLF. */
  send(line: string): Promise<void>;
  /** Reads the next complete reply. Rejects on timeout or when the connection closes first. */
  readReply(timeoutMs?: number): Promise<SmtpReply>;
  /** Reads `count` replies. */
  readReplies(count: number, timeoutMs?: number): Promise<SmtpReply[]>;
  /** `send(line)` then `readReply()`. */
  command(line: string, timeoutMs?: number): Promise<SmtpReply>;
  /** Waits for the server to close; rejects on timeout. Returns every reply left unread. */
  waitClosed(timeoutMs?: number): Promise<SmtpReply[]>;
  /** Upgrades this connection with TLS (after a 220 to STARTTLS); later reads and writes go over TLS. */
  startTls(): Promise<void>;
  /** Destroys the socket. */
  close(): void;
}

const REPLY_END = /^\d{3}(?: |$)/;

/** Splits complete lines off a buffer; tolerates bare LF as a line end so a broken server is still read. */
function takeLine(buf: Buffer): { line: string; rest: Buffer } | undefined {
  const lf = buf.indexOf(0x0a);
  if (lf < 0) return undefined;
  const end = lf > 0 && buf[lf - 1] === 0x0d ? lf - 1 : lf;
  return { line: buf.subarray(0, end).toString("utf8"), rest: buf.subarray(lf + 1) };
}

/** Connects to 127.0.0.1:`port`; with `implicitTls`, over TLS accepting any certificate. */
export async function connectRawClient(
  port: number,
  options: { implicitTls?: boolean; timeoutMs?: number } = {},
): Promise<RawClient> {
  const timeoutMs = options.timeoutMs ?? 5000;
  let socket: net.Socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = options.implicitTls
      ? tls.connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => resolve(s))
      : net.connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`connect to ${port} timed out`));
    }, timeoutMs);
    s.once("connect", () => clearTimeout(timer));
    s.once("secureConnect", () => clearTimeout(timer));
  });

  let all: Buffer[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let lines: string[] = [];
  const replies: SmtpReply[] = [];
  let closed = false;
  let wake: (() => void) | null = null;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((r) => (resolveClosed = r));

  const onData = (chunk: Buffer): void => {
    all.push(chunk);
    pending = Buffer.concat([pending, chunk]);
    for (let next = takeLine(pending); next; next = takeLine(pending)) {
      pending = next.rest;
      lines.push(next.line);
      if (REPLY_END.test(next.line)) {
        replies.push({ code: Number(next.line.slice(0, 3)), lines, text: lines.join("\n") });
        lines = [];
      }
    }
    wake?.();
  };
  const onClose = (): void => {
    closed = true;
    resolveClosed();
    wake?.();
  };
  const attach = (s: net.Socket): void => {
    s.on("data", onData);
    s.on("close", onClose);
    s.on("end", onClose);
    // Errors (ECONNRESET when the server closes hard) count as a close; tests assert on replies.
    s.on("error", onClose);
  };
  attach(socket);

  const waitUntil = <T>(check: () => T | undefined, what: string, ms: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = null;
        reject(
          new Error(
            `timed out after ${ms} ms waiting for ${what}; received so far:\n${client.received().toString("latin1")}`,
          ),
        );
      }, ms);
      const attempt = (): void => {
        let value: T | undefined;
        try {
          value = check();
        } catch (err) {
          clearTimeout(timer);
          wake = null;
          reject(err as Error);
          return;
        }
        if (value === undefined) return;
        clearTimeout(timer);
        wake = null;
        resolve(value);
      };
      wake = attempt;
      attempt();
    });

  const client: RawClient = {
    get socket() {
      return socket;
    },
    received: () => Buffer.concat(all),
    closed: closedPromise,
    isClosed: () => closed,
    write(data) {
      return new Promise<void>((resolve, reject) => {
        if (closed || socket.destroyed) return reject(new Error("write after close"));
        socket.write(data, (err) => (err ? reject(err) : resolve()));
      });
    },
    send(line) {
      return client.write(`${line}\r\n`);
    },
    readReply(ms = timeoutMs) {
      return waitUntil(
        () => {
          const r = replies.shift();
          if (r) return r;
          if (closed)
            throw new Error(
              `connection closed while waiting for a reply; received:\n${client.received().toString("latin1")}`,
            );
          return undefined;
        },
        "a reply",
        ms,
      );
    },
    async readReplies(count, ms = timeoutMs) {
      const out: SmtpReply[] = [];
      for (let i = 0; i < count; i++) out.push(await client.readReply(ms));
      return out;
    },
    async command(line, ms) {
      await client.send(line);
      return client.readReply(ms);
    },
    async waitClosed(ms = timeoutMs) {
      await waitUntil(() => (closed ? true : undefined), "the server to close", ms);
      return replies.splice(0);
    },
    async startTls() {
      const plain = socket;
      plain.removeListener("data", onData);
      plain.removeListener("close", onClose);
      plain.removeListener("end", onClose);
      plain.removeListener("error", onClose);
      all = [];
      pending = Buffer.alloc(0);
      socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = tls.connect({ socket: plain, rejectUnauthorized: false, servername: "localhost" }, () =>
          resolve(s),
        );
        s.once("error", reject);
      });
      attach(socket);
    },
    close() {
      socket.destroy();
    },
  };
  return client;
}

/** Tracks raw clients so a test's afterEach can close every one of them. */
export function createClientPool(): {
  connect: typeof connectRawClient;
  closeAll(): void;
} {
  const clients: RawClient[] = [];
  return {
    async connect(port, options) {
      const c = await connectRawClient(port, options);
      clients.push(c);
      return c;
    },
    closeAll() {
      for (const c of clients.splice(0)) c.close();
    },
  };
}
