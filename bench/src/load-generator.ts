/**
 * Our own SMTP load generator over raw `net` sockets: no SMTP library in the hot path, so the client
 * costs the same for every server under test.
 *
 * Invariants:
 * - targets 127.0.0.1 only;
 * - bounded twice: by `maxMessages` and by the wall-clock cap `maxDurationMs` (no new message starts
 *   after it), and every reply has a timeout, so a stuck server cannot hang the run;
 * - latency is end-of-DATA -> 250: from the moment the final "\r\n.\r\n" is handed to the socket
 *   (after the body itself was flushed to the kernel, for bodies above 64 KiB) to the 250 reply;
 * - pipelining is used only when the server announced PIPELINING in its EHLO reply.
 */
import net from "node:net";
import { buildHeader } from "./message-bodies.ts";

export type ConnectionMode = "new-connection" | "reused";

export interface LoadOptions {
  port: number;
  /** Payload shared by every message (see message-bodies.ts). */
  payload: Buffer;
  connections: number;
  mode: ConnectionMode;
  /** Send MAIL, RCPT and DATA in one write when the server announces PIPELINING. */
  pipelining: boolean;
  maxMessages: number;
  maxDurationMs: number;
  /** Prefix of every message key (Subject / Message-ID); unique per run. */
  runId: string;
  /** Called at end-of-DATA with the message key, for end-of-DATA -> websocket matching. */
  onEndOfData?: (key: string, atNs: bigint) => void;
  /** Per-reply timeout. Default 30 s. */
  replyTimeoutMs?: number;
}

export interface LoadResult {
  /** Messages acknowledged with 250 after DATA. */
  accepted: number;
  failed: number;
  /** The first few distinct failures, for the report. */
  errors: string[];
  durationMs: number;
  messagesPerSecond: number;
  /** end-of-DATA -> 250, milliseconds, one per accepted message. */
  latenciesMs: number[];
  bytesSent: number;
  /** Whether the server announced PIPELINING (and `pipelining` was asked for). */
  pipelined: boolean;
}

const LARGE_BODY = 64 * 1024;
const TERMINATOR = Buffer.from(".\r\n", "latin1");
const ENVELOPE_LINES = ["MAIL FROM:<sender@bench.test>\r\n", "RCPT TO:<inbox@mailpen.test>\r\n", "DATA\r\n"];
const PIPELINED_ENVELOPE = ENVELOPE_LINES.join("");

interface Reply {
  code: number;
  lines: string[];
}

/** Splits a socket's input into SMTP replies (multi-line replies joined) and hands them out in order. */
class ReplyReader {
  private buffered = "";
  private lines: string[] = [];
  private readonly ready: Reply[] = [];
  private readonly waiters: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(socket: net.Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => this.onData(chunk));
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("connection closed")));
  }

  next(): Promise<Reply> {
    const reply = this.ready.shift();
    if (reply) return Promise.resolve(reply);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  fail(error: Error): void {
    if (!this.failure) this.failure = error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let eol = this.buffered.indexOf("\r\n");
    while (eol !== -1) {
      const line = this.buffered.slice(0, eol);
      this.buffered = this.buffered.slice(eol + 2);
      this.lines.push(line);
      if (line.charAt(3) !== "-") {
        const reply = { code: Number(line.slice(0, 3)), lines: this.lines };
        this.lines = [];
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(reply);
        else this.ready.push(reply);
      }
      eol = this.buffered.indexOf("\r\n");
    }
  }
}

class SmtpReplyCodeError extends Error {}

interface Session {
  socket: net.Socket;
  reader: ReplyReader;
  pipelining: boolean;
}

function expect(reply: Reply, code: number, step: string): void {
  if (reply.code !== code) {
    throw new SmtpReplyCodeError(`${step}: expected ${code}, got ${reply.lines.join(" | ").slice(0, 120)}`);
  }
}

async function openSession(port: number, timeoutMs: number): Promise<Session> {
  const socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no reply within ${timeoutMs} ms`)));
  const reader = new ReplyReader(socket);
  try {
    expect(await reader.next(), 220, "greeting");
    socket.write("EHLO bench.test\r\n");
    const ehlo = await reader.next();
    expect(ehlo, 250, "EHLO");
    const pipelining = ehlo.lines.some((line) => /^PIPELINING\b/i.test(line.slice(4)));
    return { socket, reader, pipelining };
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** Sends one message on an open session; returns end-of-DATA -> 250 in milliseconds. */
async function sendMessage(
  session: Session,
  key: string,
  payload: Buffer,
  pipelining: boolean,
  onEndOfData: LoadOptions["onEndOfData"],
): Promise<number> {
  const { socket, reader } = session;
  if (pipelining) {
    socket.write(PIPELINED_ENVELOPE);
    const replies = [reader.next(), reader.next(), reader.next()];
    // Attach handlers to all three at once so a failed connection cannot leave one unobserved.
    const [mail, rcpt, data] = await Promise.all(replies);
    expect(mail!, 250, "MAIL");
    expect(rcpt!, 250, "RCPT");
    expect(data!, 354, "DATA");
  } else {
    socket.write(ENVELOPE_LINES[0]!);
    expect(await reader.next(), 250, "MAIL");
    socket.write(ENVELOPE_LINES[1]!);
    expect(await reader.next(), 250, "RCPT");
    socket.write(ENVELOPE_LINES[2]!);
    expect(await reader.next(), 354, "DATA");
  }
  const header = buildHeader(key);
  let start: bigint;
  if (payload.length > LARGE_BODY) {
    socket.write(header);
    await new Promise<void>((resolve, reject) =>
      socket.write(payload, (error) => (error ? reject(error) : resolve())),
    );
    start = process.hrtime.bigint();
    socket.write(TERMINATOR);
  } else {
    socket.cork();
    socket.write(header);
    socket.write(payload);
    start = process.hrtime.bigint();
    socket.write(TERMINATOR);
    socket.uncork();
  }
  onEndOfData?.(key, start);
  const done = await reader.next();
  const latencyMs = Number(process.hrtime.bigint() - start) / 1e6;
  expect(done, 250, "end of DATA");
  return latencyMs;
}

async function quit(session: Session): Promise<void> {
  session.socket.write("QUIT\r\n");
  try {
    await session.reader.next();
  } catch {
    // The server may close without a 221: the message was already acknowledged.
  }
  session.socket.destroy();
}

/** Runs the load and resolves with its figures; never rejects for server-side failures. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const timeoutMs = options.replyTimeoutMs ?? 30_000;
  const latenciesMs: number[] = [];
  const errors = new Set<string>();
  let claimed = 0;
  let failed = 0;
  let bytesSent = 0;
  let pipelined = false;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(options.maxDurationMs) * 1_000_000n;
  let finished = started;

  const claim = (): string | null => {
    if (claimed >= options.maxMessages || process.hrtime.bigint() >= deadline) return null;
    claimed += 1;
    return `${options.runId}-${claimed}`;
  };
  const recordFailure = (error: unknown): void => {
    failed += 1;
    if (errors.size < 5) errors.add(error instanceof Error ? error.message : String(error));
  };

  const worker = async (): Promise<void> => {
    let session: Session | null = null;
    for (let key = claim(); key !== null; key = claim()) {
      try {
        session ??= await openSession(options.port, timeoutMs);
        const usePipelining = options.pipelining && session.pipelining;
        pipelined ||= usePipelining;
        latenciesMs.push(
          await sendMessage(session, key, options.payload, usePipelining, options.onEndOfData),
        );
        bytesSent += options.payload.length;
        finished = process.hrtime.bigint();
        if (options.mode === "new-connection") {
          await quit(session);
          session = null;
        }
      } catch (error) {
        recordFailure(error);
        session?.socket.destroy();
        session = null;
        // Back off briefly so a refusing server does not turn the loop into a busy spin.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    if (session) await quit(session);
  };

  await Promise.all(Array.from({ length: options.connections }, worker));
  const durationMs = Number(finished - started) / 1e6;
  return {
    accepted: latenciesMs.length,
    failed,
    errors: [...errors],
    durationMs,
    messagesPerSecond: durationMs > 0 ? (latenciesMs.length * 1000) / durationMs : 0,
    latenciesMs,
    bytesSent,
    pipelined,
  };
}
