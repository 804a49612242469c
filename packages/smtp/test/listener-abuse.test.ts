/**
 * Clients that misbehave at the socket level (issue 3: "limits that never hurt the process"): slow
 * readers, half-closes, broken TLS handshakes, throwing backend hooks, many sessions at once. Each test
 * checks that the session ends exactly once and that the server still serves a well-behaved client.
 */
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createSmtpServer } from "../src/index.ts";
import { runEngineSession } from "./support/engine-harness.ts";
import { connectRawClient, type RawClient } from "./support/raw-client.ts";
import { createRecordingBackend } from "./support/recording-backend.ts";
import { createServerFixture, TEST_SERVER_OPTIONS, type StartedServer } from "./support/server-fixture.ts";
import { EXPECTED_REPLY } from "./support/expected-replies.ts";

const fixture = createServerFixture();
const extraClients: RawClient[] = [];
afterEach(async () => {
  for (const c of extraClients.splice(0)) c.close();
  await fixture.closeAll();
});

/** A complete, well-behaved transaction on a new connection: proves the server still serves. */
async function deliverOne(started: StartedServer, subject: string): Promise<void> {
  const client = await started.connect();
  expect((await client.readReply()).code).toBe(220);
  await client.write(`EHLO ok.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n`);
  expect((await client.readReplies(4)).map((r) => r.code)).toEqual([250, 250, 250, 354]);
  expect((await client.command(`Subject: ${subject}\r\n\r\nok\r\n.`)).code).toBe(250);
  expect((await client.command("QUIT")).code).toBe(221);
}

describe("RFC 2920 section 3.1 and backpressure: a client that writes without reading", () => {
  it("60,000 pipelined EHLOs (about 10 MB of replies) sent while the client does not read all get their reply, in order", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    const count = 60_000;
    // Stop reading: the server's replies fill the socket buffers, so it must stop reading our input
    // (backpressure) instead of buffering replies without bound; nothing may be lost meanwhile.
    client.socket.pause();
    const writing = client.write("EHLO a\r\n".repeat(count));
    await new Promise((r) => setTimeout(r, 300));
    expect(client.isClosed()).toBe(false);
    expect(started.server.connectionCount).toBe(1);
    client.socket.resume();
    let ok = 0;
    for (let i = 0; i < count; i++) {
      const reply = await client.readReply();
      if (reply.code === 250 && reply.lines.length > 5) ok++;
    }
    await writing;
    expect(ok).toBe(count);
    expect((await client.command("QUIT")).code).toBe(221);
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends[0]!.errorCount).toBe(0);
  });
});

describe("half-closed and vanishing clients (RFC 5321 section 3.8)", () => {
  it("a complete message followed by FIN (no QUIT) is still delivered and answered", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    client.socket.end(
      "EHLO a.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: fin\r\n\r\nbody\r\n.\r\n",
    );
    await client.closed;
    const [ended] = await started.backend.waitForEnded(1);
    expect(started.backend.deliveries).toHaveLength(1);
    expect(started.backend.deliveries[0]!.raw.toString()).toBe("Subject: fin\r\n\r\nbody\r\n");
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["client-closed"]);
    expect(client.received().toString()).toMatch(/\r\n250 2\.0\.0 [^\r]*\r\n$/);
  });

  it("QUIT followed by FIN gets 221 and outcome quit", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    client.socket.end("QUIT\r\n");
    await client.closed;
    expect(client.received().toString()).toMatch(/\r\n221 2\.0\.0 [^\r]*\r\n$/);
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["quit"]);
  });

  it("a client reset (RST) in the middle of BDAT ends the session once, with no message", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    await client.write("EHLO a\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n");
    await client.readReplies(3);
    await client.write("BDAT 1000 LAST\r\nonly part of it");
    client.socket.resetAndDestroy();
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends).toHaveLength(1);
    expect(["client-closed", "error"]).toContain(ended!.ends[0]!.outcome);
    expect(started.backend.deliveries).toHaveLength(0);
    await deliverOne(started, "after reset");
  });
});

describe("RFC 3207: broken TLS", () => {
  it("plaintext garbage instead of a TLS handshake after STARTTLS ends the session once; others are unaffected", async () => {
    const started = await fixture.start({ server: { tls: "self-signed" } });
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO a.example");
    expect((await client.command("STARTTLS")).code).toBe(220);
    await client.write("this is not a TLS ClientHello\r\n".repeat(10)).catch(() => undefined);
    await client.closed;
    const [ended] = await started.backend.waitForEnded(1, 3000);
    expect(ended!.ends).toHaveLength(1);
    await deliverOne(started, "after broken TLS");
  });

  it("a client that vanishes during the TLS handshake ends the session once", async () => {
    const started = await fixture.start({ server: { tls: "self-signed" } });
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO a.example");
    expect((await client.command("STARTTLS")).code).toBe(220);
    client.close();
    const [ended] = await started.backend.waitForEnded(1, 3000);
    expect(ended!.ends).toHaveLength(1);
    expect(started.server.connectionCount).toBe(0);
  });

  // Was FINDINGS.md #4 (fixed): a failed handshake on the implicit-TLS port left no session record.
  it("RFC 8314: plaintext SMTP sent to the implicit-TLS port still produces a session record", async () => {
    const started = await fixture.start({ server: { tls: "self-signed" }, implicitTls: true });
    const socket = net.connect({ host: "127.0.0.1", port: started.tlsPort! });
    socket.on("error", () => undefined);
    try {
      await new Promise((resolve) => socket.on("connect", resolve));
      socket.write("EHLO plaintext.example\r\n");
      await new Promise((resolve) => socket.on("close", resolve));
      const [ended] = await started.backend.waitForEnded(1, 1000);
      expect(ended!.ends).toHaveLength(1);
      expect(["error", "rejected", "client-closed"]).toContain(ended!.ends[0]!.outcome);
    } finally {
      socket.destroy();
    }
  });

  /** The session record of a TCP client on the implicit-TLS port that never starts the handshake. */
  async function silentTlsClientEnded() {
    const started = await fixture.start({
      server: { tls: "self-signed", idleTimeoutMs: 200 },
      implicitTls: true,
    });
    const socket = net.connect({ host: "127.0.0.1", port: started.tlsPort! });
    socket.on("error", () => undefined);
    try {
      const [ended] = await started.backend.waitForEnded(1, 3000);
      return ended!;
    } finally {
      socket.destroy();
    }
  }

  it("a TCP client that never starts the TLS handshake is timed out: one record, outcome timeout", async () => {
    const ended = await silentTlsClientEnded();
    expect(ended.ends.map((e) => e.outcome)).toEqual(["timeout"]);
  });

  // FINDINGS.md #5 (fixed): the transcript said the client closed when the server timed it out.
  it("the transcript of a handshake timeout does not claim that the client closed", async () => {
    const ended = await silentTlsClientEnded();
    const events = ended.entries.filter((e) => e.dir === "event").map((e) => e.text);
    expect(events.some((t) => /timed out/i.test(t))).toBe(true);
    expect(events.filter((t) => /client closed/i.test(t))).toEqual([]);
  });

  it("maxConnections counts the implicit-TLS listener too", async () => {
    const started = await fixture.start({
      server: { tls: "self-signed", maxConnections: 1 },
      implicitTls: true,
    });
    const secure = await started.connect({ implicitTls: true });
    expect((await secure.readReply()).code).toBe(220);
    const plain = await started.connect();
    expect((await plain.readReply()).code).toBe(421);
    await plain.waitClosed();
  });
});

describe("a backend whose hooks throw never crashes the process", () => {
  it("throwing sessionStarted and transcriptAppended are logged; the server keeps serving", async () => {
    const inner = createRecordingBackend();
    const errors: unknown[] = [];
    let calls = 0;
    const server = createSmtpServer(
      {
        ...inner,
        sessionStarted(s) {
          inner.sessionStarted(s);
          calls++;
          if (calls === 1) throw new Error("sessionStarted exploded");
        },
        transcriptAppended(id, entries, state) {
          inner.transcriptAppended(id, entries, state);
          if (calls === 1) throw new Error("transcriptAppended exploded");
        },
        deliver: (m) => inner.deliver(m),
        sessionEnded: (e) => inner.sessionEnded(e),
      },
      {
        ...TEST_SERVER_OPTIONS,
        logger: { warn: (...a: unknown[]) => errors.push(a), error: (...a: unknown[]) => errors.push(a) },
      },
    );
    try {
      const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
      // First session: its hooks throw; whatever it is answered, the process must survive.
      const first = await connectRawClient(port);
      extraClients.push(first);
      if ((await first.readReply()).code === 220) {
        await first.command("EHLO a.example");
        await first.command("QUIT");
      }
      await first.closed;
      // Second session: hooks behave, so it must work normally.
      const second = await connectRawClient(port);
      extraClients.push(second);
      expect((await second.readReply()).code).toBe(220);
      expect((await second.command("EHLO b.example")).code).toBe(250);
      expect((await second.command("QUIT")).code).toBe(221);
      await second.closed;
      await inner.waitForEnded(2);
      expect(errors.length).toBeGreaterThan(0);
      expect(inner.sessions.every((s) => s.ends.length === 1)).toBe(true);
    } finally {
      await server.close({ graceMs: 0 });
    }
  });
});

describe("a backend whose deliver/authenticate/sessionEnded throw synchronously", () => {
  it("deliver() throwing synchronously is a 451, authenticate() throwing is a 454, sessionEnded() throwing is logged", async () => {
    const inner = createRecordingBackend();
    const logged: unknown[] = [];
    const server = createSmtpServer(
      {
        sessionStarted: (s) => inner.sessionStarted(s),
        transcriptAppended: (id, e, st) => inner.transcriptAppended(id, e, st),
        deliver: () => {
          throw new Error("deliver exploded synchronously");
        },
        authenticate: () => {
          throw new Error("authenticate exploded synchronously");
        },
        sessionEnded: (e) => {
          inner.sessionEnded(e);
          throw new Error("sessionEnded exploded");
        },
      },
      {
        ...TEST_SERVER_OPTIONS,
        logger: { warn: (...a: unknown[]) => logged.push(a), error: (...a: unknown[]) => logged.push(a) },
      },
    );
    try {
      const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
      const client = await connectRawClient(port);
      extraClients.push(client);
      await client.readReply();
      await client.command("EHLO a.example");
      expect((await client.command("AUTH PLAIN AGFsaWNlAHNlY3JldA==")).text).toMatch(/^454 4\.7\.0 /);
      await client.write("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
      await client.readReplies(3);
      expect((await client.command("x\r\n.")).text).toMatch(EXPECTED_REPLY.localError);
      expect((await client.command("QUIT")).code).toBe(221);
      await inner.waitForEnded(1);
      // The server survived all of it: a second session works.
      const again = await connectRawClient(port);
      extraClients.push(again);
      expect((await again.readReply()).code).toBe(220);
      expect(logged.length).toBeGreaterThanOrEqual(2);
    } finally {
      await server.close({ graceMs: 0 });
    }
  });
});

describe("many sessions at once", () => {
  it("30 concurrent connections each deliver one message; every session ends once", async () => {
    const started = await fixture.start();
    await Promise.all(Array.from({ length: 30 }, (_, i) => deliverOne(started, `concurrent ${i}`)));
    const ended = await started.backend.waitForEnded(30);
    expect(started.backend.deliveries).toHaveLength(30);
    expect(new Set(started.backend.deliveries.map((d) => d.id)).size).toBe(30);
    expect(new Set(started.backend.sessions.map((s) => s.start.id)).size).toBe(30);
    expect(ended.every((s) => s.ends.length === 1 && s.ends[0]!.outcome === "quit")).toBe(true);
  });
});

describe("server lifecycle", () => {
  it("close() twice is harmless; listen() after close() rejects; a closed port refuses", async () => {
    const started = await fixture.start();
    await started.server.close({ graceMs: 0 });
    await started.server.close({ graceMs: 0 });
    await expect(started.server.listen({ port: 0, host: "127.0.0.1" })).rejects.toThrow();
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect({ host: "127.0.0.1", port: started.port }, () => resolve(s));
        s.on("error", reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it("connectionCount follows connections up and down", async () => {
    const started = await fixture.start();
    expect(started.server.connectionCount).toBe(0);
    const a = await started.connect();
    const b = await started.connect();
    await a.readReply();
    await b.readReply();
    expect(started.server.connectionCount).toBe(2);
    await a.command("QUIT");
    await a.closed;
    await started.backend.waitForEnded(1);
    expect(started.server.connectionCount).toBe(1);
  });
});

describe("engine limits", () => {
  it("RFC 5321 section 4.5.3.1.8: the default maximum is 1000 recipients; the 1001st gets 452 4.5.3", async () => {
    const rcpts = Array.from({ length: 1001 }, (_, i) => `RCPT TO:<r${i}@example.com>\r\n`).join("");
    const run = await runEngineSession([
      Buffer.from(`EHLO a\r\nMAIL FROM:<a@example.com>\r\n${rcpts}DATA\r\nx\r\n.\r\n`),
    ]);
    const lines = run.output
      .toString()
      .split("\r\n")
      .filter((l) => /^\d{3} /.test(l));
    expect(lines.slice(3, 1003).every((l) => l.startsWith("250 2.1.5"))).toBe(true);
    expect(lines[1003]).toMatch(EXPECTED_REPLY.tooManyRecipients);
    expect(run.backend.deliveries[0]!.envelope.rcptTo).toHaveLength(1000);
  });

  // Was FINDINGS.md #2 (fixed): the engine stayed in the SASL exchange after "500 Line too long".
  it("RFC 4954 section 4: an over-long SASL response gets 500 and ends the AUTH exchange", async () => {
    const run = await runEngineSession([
      Buffer.from("EHLO a\r\nAUTH LOGIN\r\n"),
      Buffer.alloc(1024 * 1024, 0x41),
      Buffer.from("\r\nNOOP\r\nNOOP\r\nQUIT\r\n"),
    ]);
    const codes = run.output
      .toString()
      .split("\r\n")
      .filter((l) => /^\d{3} /.test(l))
      .map((l) => Number(l.slice(0, 3)));
    expect(codes).toEqual([220, 250, 334, 500, 250, 250, 221]);
    expect(run.backend.sessions[0]!.ends[0]).toMatchObject({
      authMechanism: null,
      authUser: null,
      outcome: "quit",
    });
  });
});
