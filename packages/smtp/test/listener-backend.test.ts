/**
 * The listener and its backend seam over real sockets (STYLE.md item 4): replies chosen by the backend,
 * connection limits, timeouts, graceful close, the transcript handed to the backend, and the session's
 * start and end. Every server and socket is closed in afterEach.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SmtpReplyError } from "../src/index.ts";
import type { RawClient } from "./support/raw-client.ts";
import { createServerFixture, type StartedServer } from "./support/server-fixture.ts";
import { EXPECTED_REPLY } from "./support/expected-replies.ts";
import { expectEnhancedStatusCodes } from "./support/scenario-runner.ts";

const fixture = createServerFixture();
afterEach(() => fixture.closeAll());

/** Greeting, EHLO, MAIL, RCPT, DATA: leaves the client about to send content. */
async function openTransaction(client: RawClient): Promise<void> {
  expect((await client.readReply()).code).toBe(220);
  expect((await client.command("EHLO client.example")).code).toBe(250);
  expect((await client.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
  expect((await client.command("RCPT TO:<bob@example.com>")).code).toBe(250);
  expect((await client.command("DATA")).code).toBe(354);
}

async function sendOne(started: StartedServer): Promise<RawClient> {
  const client = await started.connect();
  await openTransaction(client);
  return client;
}

describe("STYLE.md item 4: a backend chooses the reply", () => {
  it("deliver() rejecting with SmtpReplyError(550, 5.7.1) yields exactly that reply; the session goes on", async () => {
    const started = await fixture.start();
    started.backend.behaviour = {
      kind: "throw",
      error: new SmtpReplyError(550, "5.7.1", "Rejected by policy"),
    };
    const client = await sendOne(started);
    const reply = await client.command("Subject: x\r\n\r\nbody\r\n.");
    expect(reply.text).toBe("550 5.7.1 Rejected by policy");
    started.backend.behaviour = { kind: "accept" };
    expect((await client.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
    await client.command("QUIT");
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends[0]!.messageCount).toBe(0);
  });

  it("SmtpReplyError exposes code, enhancedCode and text", () => {
    const e = new SmtpReplyError(451, "4.3.0", "Try later");
    expect(e).toBeInstanceOf(Error);
    expect([e.code, e.enhancedCode, e.text]).toEqual([451, "4.3.0", "Try later"]);
  });

  it("a multi-line SmtpReplyError text becomes a multi-line reply", async () => {
    const started = await fixture.start();
    started.backend.behaviour = { kind: "throw", error: new SmtpReplyError(554, "5.6.0", "first\nsecond") };
    const client = await sendOne(started);
    const reply = await client.command(".");
    expect(reply.lines).toEqual(["554-5.6.0 first", "554 5.6.0 second"]);
  });

  it("deliver() throwing a plain Error yields 451 4.3.0 and logs it", async () => {
    const errors: unknown[][] = [];
    const started = await fixture.start({
      server: { logger: { warn: () => undefined, error: (...args: unknown[]) => void errors.push(args) } },
    });
    started.backend.behaviour = { kind: "throw", error: new Error("disk full") };
    const client = await sendOne(started);
    const reply = await client.command("Subject: x\r\n\r\nbody\r\n.");
    expect(reply.code).toBe(451);
    expect(reply.text).toMatch(EXPECTED_REPLY.localError);
    expect(reply.text).not.toContain("disk full");
    expect(errors.length).toBeGreaterThan(0);
    expect((await client.command("NOOP")).code).toBe(250);
  });

  it("replies 250 with the message id only after deliver() resolves", async () => {
    const started = await fixture.start();
    started.backend.behaviour = { kind: "hold" };
    const client = await sendOne(started);
    await client.send("Subject: x\r\n\r\nbody\r\n.");
    await started.backend.waitForHeld();
    // Nothing may arrive while the backend holds the message.
    await expect(client.readReply(200)).rejects.toThrow(/timed out/);
    started.backend.release();
    const reply = await client.readReply();
    expect(reply.code).toBe(250);
    expect(reply.text).toContain(started.backend.deliveries[0]!.id);
  });
});

describe("RFC 4954: a backend without authenticate() accepts any credentials", () => {
  it.each(["PLAIN", "LOGIN"])("AUTH %s is accepted and the user name recorded", async (mechanism) => {
    const started = await fixture.start({ backend: { authenticate: false } });
    expect(started.backend.authenticate).toBeUndefined();
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO client.example");
    const user = Buffer.from("anyone").toString("base64");
    const pass = Buffer.from("anything").toString("base64");
    if (mechanism === "PLAIN") {
      expect(
        (await client.command(`AUTH PLAIN ${Buffer.from("\0anyone\0anything").toString("base64")}`)).code,
      ).toBe(235);
    } else {
      expect((await client.command(`AUTH LOGIN ${user}`)).code).toBe(334);
      expect((await client.command(pass)).code).toBe(235);
    }
    await client.command("QUIT");
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends[0]).toMatchObject({ authMechanism: mechanism, authUser: "anyone" });
  });
});

describe("limits (issue 3: limits that never hurt the process)", () => {
  it("RFC 5321 section 3.8: beyond maxConnections a new connection gets 421 at greeting; the others are unaffected", async () => {
    const started = await fixture.start({ server: { maxConnections: 2 } });
    const a = await started.connect();
    const b = await started.connect();
    expect((await a.readReply()).code).toBe(220);
    expect((await b.readReply()).code).toBe(220);
    expect(started.server.connectionCount).toBe(2);
    const c = await started.connect();
    const rejected = await c.readReply();
    expect(rejected.code).toBe(421);
    expect(rejected.text).toMatch(EXPECTED_REPLY.serviceClosing);
    await c.waitClosed();
    expect((await a.command("NOOP")).code).toBe(250);
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["rejected"]);
    expectEnhancedStatusCodes(ended!.entries, "maxConnections");
    // A slot frees up when a client leaves.
    await a.command("QUIT");
    await a.waitClosed();
    await started.backend.waitForEnded(2);
    const d = await started.connect();
    expect((await d.readReply()).code).toBe(220);
  });

  it("RFC 5321 section 4.5.3.2: the idle timeout ends the session with 421 and outcome timeout", async () => {
    const started = await fixture.start({ server: { idleTimeoutMs: 200 } });
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO client.example");
    const left = await client.waitClosed(3000);
    expect(left.map((r) => r.code)).toEqual([421]);
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["timeout"]);
    expect(started.backend.deliveries).toHaveLength(0);
  });

  it("a slow writer that keeps sending is not idle: one byte every 25 ms for longer than the idle timeout", async () => {
    const started = await fixture.start({ server: { idleTimeoutMs: 250 } });
    const client = await sendOne(started);
    const body = Buffer.from("Subject: slow\r\n\r\ndrip\r\n.\r\n");
    for (const byte of body) {
      await client.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 25));
    }
    expect((await client.readReply()).code).toBe(250);
    expect(started.backend.deliveries[0]!.raw.toString()).toBe("Subject: slow\r\n\r\ndrip\r\n");
  });

  it("the idle timeout also applies in the middle of DATA", async () => {
    const started = await fixture.start({ server: { idleTimeoutMs: 200 } });
    const client = await sendOne(started);
    await client.write("Subject: slow\r\n\r\npart");
    await client.waitClosed(3000);
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["timeout"]);
    expect(started.backend.deliveries).toHaveLength(0);
  });

  it("a backend slower than the idle timeout does not time the client out", async () => {
    const started = await fixture.start({ server: { idleTimeoutMs: 200 } });
    started.backend.behaviour = { kind: "hold" };
    const client = await sendOne(started);
    await client.send("Subject: slow backend\r\n\r\nbody\r\n.");
    await started.backend.waitForHeld();
    await new Promise((r) => setTimeout(r, 500));
    started.backend.release();
    const reply = await client.readReply();
    expect(reply.code).toBe(250);
  });

  it("maxSessionMs ends a busy session with outcome timeout", async () => {
    const started = await fixture.start({ server: { maxSessionMs: 300, idleTimeoutMs: 10_000 } });
    const client = await started.connect();
    await client.readReply();
    for (let i = 0; i < 50 && !client.isClosed(); i++) {
      await client.send("NOOP").catch(() => undefined);
      await new Promise((r) => setTimeout(r, 20));
    }
    await client.waitClosed(3000);
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["timeout"]);
  });
});

describe("close()", () => {
  it("with a delivery in flight: the message is still acknowledged, then the session ends with shutdown", async () => {
    const started = await fixture.start();
    started.backend.behaviour = { kind: "hold" };
    const client = await sendOne(started);
    await client.send("Subject: in flight\r\n\r\nbody\r\n.");
    await started.backend.waitForHeld();
    const closing = started.server.close({ graceMs: 2000 });
    started.backend.release();
    const reply = await client.readReply();
    expect(reply.code).toBe(250);
    await client.waitClosed();
    await closing;
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends).toHaveLength(1);
    expect(ended!.ends[0]!.outcome).toBe("shutdown");
    expect(ended!.ends[0]!.messageCount).toBe(1);
    expect(started.server.connectionCount).toBe(0);
  });

  it("with an open transaction and graceMs 0: 421, outcome shutdown, no message", async () => {
    const started = await fixture.start();
    const client = await sendOne(started);
    await client.write("Subject: half");
    await started.server.close({ graceMs: 0 });
    const left = await client.waitClosed();
    expect(left.map((r) => r.code)).toEqual([421]);
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["shutdown"]);
    expect(started.backend.deliveries).toHaveLength(0);
  });

  it("a transaction still open at close() may finish within graceMs: 250, then 421, outcome shutdown", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO client.example");
    expect((await client.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
    const closing = started.server.close({ graceMs: 3000 });
    expect((await client.command("RCPT TO:<bob@example.com>")).code).toBe(250);
    expect((await client.command("DATA")).code).toBe(354);
    expect((await client.command("Subject: late\r\n\r\nbody\r\n.")).code).toBe(250);
    const left = await client.waitClosed();
    expect(left.map((r) => r.code)).toEqual([421]);
    await closing;
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends.map((e) => [e.outcome, e.messageCount])).toEqual([["shutdown", 1]]);
  });

  it("an idle session (no transaction) is ended at once by close(), whatever graceMs", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO client.example");
    await started.server.close({ graceMs: 10_000 });
    expect((await client.waitClosed()).map((r) => r.code)).toEqual([421]);
  });

  it("a delivery outliving graceMs is still awaited: sessionEnded only after it settles, close() too", async () => {
    const started = await fixture.start();
    started.backend.behaviour = { kind: "hold" };
    const client = await sendOne(started);
    await client.send("Subject: very slow\r\n\r\nbody\r\n.");
    await started.backend.waitForHeld();
    let closed = false;
    const closing = started.server.close({ graceMs: 50 }).then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(started.backend.sessions[0]!.ends).toHaveLength(0);
    expect(closed).toBe(false);
    started.backend.release();
    await closing;
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.ends).toHaveLength(1);
    expect(ended!.ends[0]!.outcome).toBe("shutdown");
    expect(started.backend.violations).toEqual([]);
  });

  it("stops accepting connections", async () => {
    const started = await fixture.start();
    await started.server.close({ graceMs: 0 });
    await expect(started.connect()).rejects.toThrow();
  });
});

describe("RFC 3207: STARTTLS over a raw socket", () => {
  it("section 4.2: plaintext pipelined after STARTTLS is discarded (CVE-2011-0411) and the session starts over", async () => {
    const started = await fixture.start({ server: { tls: "self-signed" } });
    const client = await started.connect();
    await client.readReply();
    const ehlo = await client.command("EHLO client.example");
    expect(ehlo.lines.some((l) => /^250[ -]STARTTLS$/.test(l))).toBe(true);
    await client.write("STARTTLS\r\nRSET\r\nMAIL FROM:<injected@example.com>\r\n");
    const ready = await client.readReply();
    expect(ready.text).toMatch(EXPECTED_REPLY.readyForTls);
    await client.startTls();
    // The injected commands must not be answered over TLS either: the first reply is to our EHLO.
    await client.send("MAIL FROM:<after@example.com>");
    expect((await client.readReply()).code).toBe(503);
    const again = await client.command("EHLO client.example");
    expect(again.code).toBe(250);
    expect(again.lines.some((l) => /STARTTLS/.test(l))).toBe(false);
    expect((await client.command("STARTTLS")).code).toBeGreaterThanOrEqual(500);
    expect((await client.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
    expect((await client.command("RCPT TO:<bob@example.com>")).code).toBe(250);
    expect((await client.command("DATA")).code).toBe(354);
    expect((await client.command("Subject: tls\r\n\r\nok\r\n.")).code).toBe(250);
    await client.command("QUIT");
    const [ended] = await started.backend.waitForEnded(1);
    const d = started.backend.deliveries[0]!;
    expect(d.envelope.mailFrom).toBe("alice@example.com");
    expect(d.envelope.tls).toBe(true);
    const clientLines = ended!.entries.filter((e) => e.dir === "client").map((e) => e.text);
    expect(clientLines.join("\n")).not.toContain("injected@example.com");
    expect(ended!.ends[0]!.warnings.length).toBeGreaterThan(0);
  });

  it("STARTTLS without a configured certificate is refused and the session goes on", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO client.example");
    const reply = await client.command("STARTTLS");
    expect([454, 502]).toContain(reply.code);
    expect((await client.command("NOOP")).code).toBe(250);
  });
});

describe("the transcript handed to the backend", () => {
  async function fullSession(started: StartedServer, auth: string[]): Promise<void> {
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO client.example");
    for (const line of auth) await client.command(line);
    await client.command("MAIL FROM:<alice@example.com>");
    await client.command("RCPT TO:<bob@example.com>");
    await client.command("DATA");
    await client.command("Subject: t\r\n\r\nline 1\r\nline 2\r\n.");
    await client.command("QUIT");
    await client.waitClosed();
    await started.backend.waitForEnded(1);
  }

  it("has every command and reply in order, masked AUTH secrets and a DATA summary with the message id", async () => {
    const started = await fixture.start();
    await fullSession(started, ["AUTH LOGIN", "YWxpY2U=", "c2VjcmV0"]);
    const session = started.backend.sessions[0]!;
    const entries = session.entries;
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => entries[0]!.seq + i));
    for (let i = 1; i < entries.length; i++)
      expect(entries[i]!.atMs).toBeGreaterThanOrEqual(entries[i - 1]!.atMs);
    const talk = entries.filter((e) => e.dir !== "event" || e.data !== undefined);
    const shape = talk.map((e) =>
      e.data ? "DATA-SUMMARY" : e.dir === "client" ? `C: ${e.text.slice(0, 10)}` : `S: ${e.text.slice(0, 4)}`,
    );
    expect(shape).toEqual([
      "S: 220 ",
      "C: EHLO clien",
      "S: 250-",
      "C: AUTH LOGIN",
      "S: 334 ",
      expect.stringMatching(/^C: /),
      "S: 334 ",
      expect.stringMatching(/^C: /),
      "S: 235 ",
      "C: MAIL FROM:",
      "S: 250 ",
      "C: RCPT TO:<b",
      "S: 250 ",
      "C: DATA",
      "S: 354 ",
      "DATA-SUMMARY",
      "S: 250 ",
      "C: QUIT",
      "S: 221 ",
    ]);
    // The whole EHLO reply is one entry, its lines joined with "\n".
    expect(talk[2]!.text.split("\n").length).toBeGreaterThan(5);
    const secrets = talk.filter((e) => e.dir === "client" && e.masked);
    expect(secrets).toHaveLength(2);
    for (const e of secrets) expect(e.text).not.toMatch(/YWxpY2U=|c2VjcmV0|secret/);
    const summary = entries.find((e) => e.data)!;
    const delivery = started.backend.deliveries[0]!;
    expect(summary.messageId).toBe(delivery.id);
    expect(summary.data).toMatchObject({
      bytes: delivery.raw.length,
      bareLf: 0,
      bareCr: 0,
      nul: 0,
      longLines: 0,
    });
    expect(summary.data!.lines).toBe(4);
    // The user name (not a secret) is still recorded on the session.
    expect(session.ends[0]).toMatchObject({ authMechanism: "LOGIN", authUser: "alice" });
  });

  it("is handed over live, while the session is still open", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    await client.command("EHLO client.example");
    await client.command("MAIL FROM:<alice@example.com>");
    const session = started.backend.sessions[0]!;
    expect(session.ends).toHaveLength(0);
    const texts = session.entries.map((e) => e.text);
    expect(texts).toContain("EHLO client.example");
    expect(texts).toContain("MAIL FROM:<alice@example.com>");
    expect(session.lastState).toMatchObject({ heloName: "client.example", messageCount: 0 });
  });

  it("uses the injected clock and id generator for sessions, messages and offsets", async () => {
    const fixed = Date.UTC(2030, 5, 15, 12, 0, 0);
    let n = 0;
    const started = await fixture.start({ server: { clock: () => fixed, newId: () => `fixed-${++n}` } });
    const client = await started.connect();
    await client.readReply();
    await client.write(`EHLO a\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n`);
    await client.readReplies(4);
    const queued = await client.command("x\r\n.");
    await client.command("QUIT");
    const [ended] = await started.backend.waitForEnded(1);
    expect(ended!.start.id).toBe("fixed-1");
    expect(ended!.start.startedAt.getTime()).toBe(fixed);
    expect(ended!.ends[0]!.endedAt.getTime()).toBe(fixed);
    expect(started.backend.deliveries[0]!.id).toBe("fixed-2");
    expect(started.backend.deliveries[0]!.receivedAt.getTime()).toBe(fixed);
    expect(queued.text).toContain("fixed-2");
    expect(ended!.entries.every((e) => e.atMs === 0)).toBe(true);
  });

  it("keepAuthSecrets keeps them, for debugging a client's credentials", async () => {
    const started = await fixture.start({ server: { keepAuthSecrets: true } });
    await fullSession(started, ["AUTH PLAIN AGFsaWNlAHNlY3JldA=="]);
    const entry = started.backend.sessions[0]!.entries.find(
      (e) => e.dir === "client" && e.text.startsWith("AUTH"),
    );
    expect(entry?.text).toBe("AUTH PLAIN AGFsaWNlAHNlY3JldA==");
    expect(entry?.masked).toBeFalsy();
  });

  it("the session start carries both addresses and ports; the end carries the HELO name and counts", async () => {
    const started = await fixture.start();
    const client = await started.connect();
    await client.readReply();
    const start = started.backend.sessions[0]!.start;
    expect(start).toMatchObject({
      remoteAddress: "127.0.0.1",
      remotePort: client.socket.localPort,
      localAddress: "127.0.0.1",
      localPort: started.port,
      tls: null,
    });
    expect(start.startedAt).toBeInstanceOf(Date);
    await client.command("EHLO client.example");
    await client.command("BOGUS");
    await client.command("QUIT");
    const [ended] = await started.backend.waitForEnded(1);
    const end = ended!.ends[0]!;
    expect(end).toMatchObject({
      id: start.id,
      heloName: "client.example",
      messageCount: 0,
      errorCount: 1,
      outcome: "quit",
    });
    expect(end.endedAt.getTime()).toBeGreaterThanOrEqual(start.startedAt.getTime());
  });
});

describe("sessionEnded exactly once per connection, with the right outcome", () => {
  it.each([
    ["quit", async (c: RawClient) => void (await c.command("QUIT"))],
    ["client-closed", async (c: RawClient) => c.close()],
    [
      "rejected",
      async (c: RawClient) => {
        for (let i = 0; i < 5 && !c.isClosed(); i++) await c.command("BOGUS").catch(() => undefined);
      },
    ],
    ["timeout", async () => new Promise<void>((r) => setTimeout(r, 400))],
  ] satisfies Array<[string, (c: RawClient) => Promise<void>]>)("%s", async (outcome, act) => {
    const started = await fixture.start({ server: { maxErrors: 3, idleTimeoutMs: 200 } });
    const client = await started.connect();
    await client.readReply();
    await act(client);
    const [ended] = await started.backend.waitForEnded(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(ended!.ends.map((e) => e.outcome)).toEqual([outcome]);
    expect(started.backend.violations).toEqual([]);
    expectEnhancedStatusCodes(ended!.entries, outcome);
  });

  it("client-closed while a delivery is pending: sessionEnded once, only after deliver() settles", async () => {
    const started = await fixture.start();
    started.backend.behaviour = { kind: "hold" };
    const client = await sendOne(started);
    await client.send("Subject: orphan\r\n\r\nbody\r\n.");
    await started.backend.waitForHeld();
    client.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(started.backend.sessions[0]!.ends).toHaveLength(0);
    started.backend.release();
    const [ended] = await started.backend.waitForEnded(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["client-closed"]);
    expect(started.backend.violations).toEqual([]);
  });

  it("shutdown, for every open connection", async () => {
    const started = await fixture.start();
    const clients = [await started.connect(), await started.connect(), await started.connect()];
    for (const c of clients) await c.readReply();
    expect(started.server.connectionCount).toBe(3);
    await started.server.close({ graceMs: 0 });
    const ended = await started.backend.waitForEnded(3);
    expect(ended.map((s) => s.ends.map((e) => e.outcome))).toEqual([
      ["shutdown"],
      ["shutdown"],
      ["shutdown"],
    ]);
    for (const s of ended) expectEnhancedStatusCodes(s.entries, "shutdown");
    expect(started.server.connectionCount).toBe(0);
  });

  it("many concurrent sessions each end once", async () => {
    const started = await fixture.start();
    const clients = await Promise.all(Array.from({ length: 20 }, () => started.connect()));
    await Promise.all(
      clients.map(async (c, i) => {
        await c.readReply();
        if (i % 2 === 0) await c.command("QUIT");
        else c.close();
      }),
    );
    const ended = await started.backend.waitForEnded(20);
    expect(ended.every((s) => s.ends.length === 1)).toBe(true);
    expect(started.backend.violations).toEqual([]);
  });
});
