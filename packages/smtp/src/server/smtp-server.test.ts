import net from "node:net";
import tls from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import type { SmtpBackend, SmtpDelivery, SmtpSessionEnd } from "../backend.ts";
import type { SmtpServerOptions } from "../options.ts";
import { createSmtpServer, type SmtpServer } from "./smtp-server.ts";

const silent = { warn: () => {}, error: () => {} };
const open: SmtpServer[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close({ graceMs: 0 })));
});

function recorder(overrides: Partial<SmtpBackend> = {}) {
  const deliveries: SmtpDelivery[] = [];
  const ended: SmtpSessionEnd[] = [];
  const waiters: Array<() => void> = [];
  const backend: SmtpBackend = {
    sessionStarted: () => {},
    transcriptAppended: () => {},
    deliver: async (d) => {
      deliveries.push(d);
    },
    sessionEnded: (s) => {
      ended.push(s);
      for (const wake of waiters.splice(0)) wake();
    },
    ...overrides,
  };
  const waitEnded = async (n: number) => {
    while (ended.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return ended;
  };
  return { backend, deliveries, ended, waitEnded };
}

async function start(backend: SmtpBackend, options: SmtpServerOptions = {}, implicitTls = false) {
  const server = createSmtpServer(backend, { hostname: "mx.test", logger: silent, ...options });
  open.push(server);
  const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
  const tlsPort = implicitTls
    ? (await server.listen({ port: 0, host: "127.0.0.1", implicitTls: true })).port
    : 0;
  return { server, port, tlsPort };
}

/** A line-oriented test client over a plain or TLS socket. */
function client(socket: net.Socket) {
  let text = "";
  const chunks: string[] = [];
  let closed = false;
  let wake: (() => void) | null = null;
  const onData = (d: Buffer) => {
    text += d.toString("latin1");
    chunks.push(d.toString("latin1"));
    wake?.();
  };
  socket.on("data", onData);
  socket.on("close", () => {
    closed = true;
    wake?.();
  });
  socket.on("error", () => {});
  return {
    socket,
    chunks,
    get closed() {
      return closed;
    },
    /** Resolve with everything received once `n` complete replies are there (or the socket closed). */
    async replies(n: number): Promise<string> {
      for (;;) {
        const complete = text.split("\r\n").filter((line) => /^\d{3} /.test(line)).length;
        if (complete >= n || closed) {
          const out = text;
          text = "";
          return out;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async waitClosed(): Promise<void> {
      while (!closed) await new Promise<void>((resolve) => (wake = resolve));
    },
    detach() {
      socket.off("data", onData);
    },
  };
}

async function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  return client(socket);
}

describe("createSmtpServer", () => {
  it("serves a session: greeting, EHLO in one write, a message, QUIT", async () => {
    const { backend, deliveries, waitEnded } = recorder();
    const { port } = await start(backend);
    const c = await connect(port);
    expect(await c.replies(1)).toBe("220 mx.test ESMTP Mailpen\r\n");
    c.socket.write("EHLO c\r\n");
    const ehlo = await c.replies(1);
    expect(ehlo).toMatch(/^250-mx\.test Hello c\r\n[\s\S]*250 AUTH PLAIN LOGIN CRAM-MD5\r\n$/);
    expect(c.chunks).toContain(ehlo);
    c.socket.write("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    expect(await c.replies(3)).toContain("354 ");
    c.socket.write("Subject: hi\r\n\r\n..x\r\n.\r\nQUIT\r\n");
    expect(await c.replies(2)).toMatch(/^250 2\.0\.0 Ok: queued as \S{26}\r\n221 /);
    await c.waitClosed();
    const [ended] = await waitEnded(1);
    expect(ended).toMatchObject({ outcome: "quit", messageCount: 1, heloName: "c" });
    expect(deliveries[0]?.raw.toString()).toBe("Subject: hi\r\n\r\n.x\r\n");
  });

  it("answers 421 at the greeting beyond maxConnections (outcome rejected)", async () => {
    const { backend, waitEnded } = recorder();
    const { server, port } = await start(backend, { maxConnections: 1 });
    const first = await connect(port);
    await first.replies(1);
    const second = await connect(port);
    expect(await second.replies(1)).toMatch(/^421 4\.7\.0 mx\.test Too many connections/);
    await second.waitClosed();
    const ended = await waitEnded(1);
    expect(ended[0]?.outcome).toBe("rejected");
    expect(server.connectionCount).toBe(1);
    first.socket.destroy();
  });

  it("detects a client that talks before the greeting", async () => {
    const { backend, waitEnded } = recorder();
    const { port } = await start(backend, { greetingDelayMs: 50 });
    const socket = net.connect(port, "127.0.0.1", () => socket.write("EHLO early\r\n"));
    const c = client(socket);
    expect(await c.replies(1)).toMatch(/^421 4\.7\.0 /);
    await c.waitClosed();
    expect((await waitEnded(1))[0]?.outcome).toBe("rejected");
  });

  it("closes idle sessions with 421 (outcome timeout)", async () => {
    const { backend, waitEnded } = recorder();
    const { port } = await start(backend, { idleTimeoutMs: 100 });
    const c = await connect(port);
    await c.replies(1);
    expect(await c.replies(1)).toMatch(/^421 4\.4\.2 mx\.test Idle timeout/);
    await c.waitClosed();
    expect((await waitEnded(1))[0]?.outcome).toBe("timeout");
  });

  it("ends sessions that exceed maxSessionMs even when they stay busy", async () => {
    const { backend, waitEnded } = recorder();
    const { port } = await start(backend, { maxSessionMs: 150 });
    const c = await connect(port);
    await c.replies(1);
    const timer = setInterval(() => c.socket.write("NOOP\r\n"), 20);
    try {
      await c.waitClosed();
    } finally {
      clearInterval(timer);
    }
    expect((await waitEnded(1))[0]?.outcome).toBe("timeout");
  });

  it("a client vanishing mid-DATA: no delivery, outcome client-closed", async () => {
    const { backend, deliveries, waitEnded } = recorder();
    const { port } = await start(backend);
    const c = await connect(port);
    await c.replies(1);
    c.socket.write("EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    await c.replies(4);
    c.socket.write("Subject: half");
    c.socket.destroy();
    expect((await waitEnded(1))[0]?.outcome).toBe("client-closed");
    expect(deliveries).toHaveLength(0);
  });

  it("a throwing backend hook is logged, never crashes the session", async () => {
    const errors: unknown[] = [];
    const { backend, deliveries } = recorder({
      transcriptAppended: () => {
        throw new Error("hook bug");
      },
    });
    const server = createSmtpServer(backend, { logger: { warn: () => {}, error: (...a) => errors.push(a) } });
    open.push(server);
    const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
    const c = await connect(port);
    await c.replies(1);
    c.socket.write("EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n");
    expect(await c.replies(6)).toContain("221 ");
    expect(deliveries).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("pauses reading while the backend stores a message and keeps pipelined order", async () => {
    let release: () => void = () => {};
    const { backend, deliveries } = recorder({
      deliver: (d) =>
        new Promise<void>((resolve) => {
          deliveries.push(d);
          release = resolve;
        }),
    });
    const { port } = await start(backend);
    const c = await connect(port);
    await c.replies(1);
    const message = "MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nx\r\n.\r\n";
    c.socket.write(`EHLO c\r\n${message}${message.replace("x\r\n", "y\r\n")}NOOP\r\n`);
    expect(await c.replies(4)).not.toContain("queued");
    while (deliveries.length < 1) await new Promise((r) => setTimeout(r, 5));
    release();
    const rest = await c.replies(4);
    expect(rest).toMatch(/^250 2\.0\.0 Ok: queued as/);
    while (deliveries.length < 2) await new Promise((r) => setTimeout(r, 5));
    release();
    expect(await c.replies(2)).toMatch(/queued as \S+\r\n250 2\.0\.0 OK\r\n$/);
    expect(deliveries.map((d) => d.raw.toString())).toEqual(["x\r\n", "y\r\n"]);
    c.socket.destroy();
  });

  it("STARTTLS with a self-signed certificate; plaintext pipelined after it is discarded", async () => {
    const { backend, deliveries, waitEnded } = recorder();
    const { server, port } = await start(backend, { tls: "self-signed" });
    expect(server.tlsEnabled).toBe(true);
    const c = await connect(port);
    await c.replies(1);
    c.socket.write("EHLO c\r\n");
    expect(await c.replies(1)).toContain("250 STARTTLS\r\n");
    c.socket.write("STARTTLS\r\nMAIL FROM:<injected@evil>\r\n");
    expect(await c.replies(1)).toBe("220 2.0.0 Ready to start TLS\r\n");
    c.detach();
    const secure = tls.connect({ socket: c.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve) => secure.once("secureConnect", () => resolve()));
    const s = client(secure);
    secure.write("MAIL FROM:<a@b.c>\r\n");
    expect(await s.replies(1)).toBe("503 5.5.1 Send HELO/EHLO first\r\n");
    secure.write("EHLO c\r\n");
    expect(await s.replies(1)).not.toContain("STARTTLS");
    secure.write("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n");
    expect(await s.replies(5)).toContain("221 ");
    const [ended] = await waitEnded(1);
    expect(ended?.tls?.mode).toBe("starttls");
    expect(ended?.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(ended?.warnings).toContain("plaintext pipelined after STARTTLS was discarded (CVE-2011-0411)");
    expect(deliveries[0]?.envelope).toMatchObject({ tls: true, mailFrom: "a@b.c" });
  });

  it("listens on an implicit-TLS port too", async () => {
    const { backend, waitEnded } = recorder();
    const { tlsPort } = await start(backend, { tls: "self-signed" }, true);
    const secure = tls.connect({ port: tlsPort, host: "127.0.0.1", rejectUnauthorized: false });
    const s = client(secure);
    expect(await s.replies(1)).toBe("220 mx.test ESMTP Mailpen\r\n");
    secure.write("EHLO c\r\n");
    expect(await s.replies(1)).not.toContain("STARTTLS");
    secure.write("QUIT\r\n");
    await s.replies(1);
    const [ended] = await waitEnded(1);
    expect(ended?.tls?.mode).toBe("implicit");
  });

  it("plaintext sent to the implicit-TLS port still leaves a session record (outcome error)", async () => {
    const entries: string[] = [];
    const { backend, waitEnded } = recorder({
      transcriptAppended: (_id, batch) => entries.push(...batch.map((e) => e.text)),
    });
    const { server, tlsPort } = await start(backend, { tls: "self-signed" }, true);
    const c = await connect(tlsPort);
    c.socket.write("EHLO plaintext.example\r\n");
    await c.waitClosed();
    const [ended] = await waitEnded(1);
    expect(ended).toMatchObject({ outcome: "error", tls: null, messageCount: 0 });
    expect(entries.join("\n")).toMatch(/TLS handshake failed/);
    expect(server.connectionCount).toBe(0);
  });

  it("refuses implicitTls without a certificate", async () => {
    const server = createSmtpServer(recorder().backend, { logger: silent });
    open.push(server);
    await expect(server.listen({ port: 0, implicitTls: true })).rejects.toThrow(/tls/);
  });

  it("close(): idle sessions get 421 at once, a transaction may finish within the grace period", async () => {
    const { backend, deliveries, waitEnded } = recorder();
    const { server, port } = await start(backend);
    const idle = await connect(port);
    await idle.replies(1);
    const busy = await connect(port);
    await busy.replies(1);
    busy.socket.write("EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    await busy.replies(4);
    const closing = server.close({ graceMs: 2000 });
    expect(await idle.replies(1)).toMatch(/^421 4\.3\.2 mx\.test Server shutting down/);
    busy.socket.write("x\r\n.\r\n");
    expect(await busy.replies(2)).toMatch(/^250 2\.0\.0 Ok: queued as \S+\r\n421 4\.3\.2 /);
    await closing;
    expect(server.connectionCount).toBe(0);
    const ended = await waitEnded(2);
    expect(ended.map((e) => e.outcome)).toEqual(["shutdown", "shutdown"]);
    expect(deliveries).toHaveLength(1);
    await expect(server.listen({ port: 0 })).rejects.toThrow();
  });

  it("close(): after the grace period a stalled transaction gets 421", async () => {
    const { backend, waitEnded } = recorder();
    const { server, port } = await start(backend);
    const c = await connect(port);
    await c.replies(1);
    c.socket.write("EHLO c\r\nMAIL FROM:<a@b.c>\r\n");
    await c.replies(2);
    await server.close({ graceMs: 50 });
    expect(await c.replies(1)).toMatch(/^421 4\.3\.2 /);
    expect((await waitEnded(1))[0]?.outcome).toBe("shutdown");
  });
});
