/**
 * Hostile inputs as tables of exact bytes (STYLE.md item 4: go-smtp's TestServer_smtpSmuggling),
 * each run against the engine in memory and, where the socket matters, over a real socket.
 * Expected message bytes are computed by `referenceUnstuff`: lines are CRLF-delimited only (RFC 5321
 * section 2.3.8), a leading dot is removed from each such line (section 4.5.2), and the data ends
 * only at CRLF "." CRLF.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { TranscriptEntry } from "@mailpen/shared";
import type { SmtpServerOptions } from "../src/index.ts";
import { openEngineHarness, runEngineSession } from "./support/engine-harness.ts";
import { createServerFixture, TEST_SERVER_OPTIONS } from "./support/server-fixture.ts";
import { EXPECTED_REPLY } from "./support/expected-replies.ts";

const fixture = createServerFixture();
afterEach(() => fixture.closeAll());

const ENVELOPE =
  "EHLO client.example\r\nMAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n";

/** Dot-unstuffing of content that ends just before its terminating CRLF.CRLF. */
function referenceUnstuff(content: Buffer): Buffer {
  const out: Buffer[] = [];
  let start = 0;
  while (start < content.length) {
    const crlf = content.indexOf("\r\n", start);
    const end = crlf < 0 ? content.length : crlf + 2;
    const line = content.subarray(start, end);
    // A line "." alone would have ended the data; here only "." followed by other octets occurs.
    out.push(line[0] === 0x2e ? line.subarray(1) : line);
    start = end;
  }
  return Buffer.concat(out);
}

function countBare(raw: Buffer): { bareLf: number; bareCr: number } {
  let bareLf = 0;
  let bareCr = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x0a && raw[i - 1] !== 0x0d) bareLf++;
    if (raw[i] === 0x0d && raw[i + 1] !== 0x0a) bareCr++;
  }
  return { bareLf, bareCr };
}

function dataSummaries(entries: TranscriptEntry[]): TranscriptEntry[] {
  return entries.filter((e) => e.data !== undefined);
}

function codes(output: Buffer): number[] {
  return output
    .toString("latin1")
    .split("\r\n")
    .filter((l) => /^\d{3} /.test(l))
    .map((l) => Number(l.slice(0, 3)));
}

describe("RFC 5321 section 4.1.1.4 and 2.3.8: SMTP smuggling, end-of-data lookalikes never end the data", () => {
  const SMUGGLED = "MAIL FROM:<mallory@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nsmuggled\r\n";
  const variants: Array<[string, string]> = [
    ["LF . LF", "\n.\n"],
    ["LF . CRLF", "\n.\r\n"],
    ["CR . CR", "\r.\r"],
    ["CRLF . CR", "\r\n.\r"],
    ["CR . CRLF", "\r.\r\n"],
  ];

  describe.each(variants)("%s", (_name, lookalike) => {
    const content = Buffer.from(`Subject: smuggle\r\n\r\nbody${lookalike}${SMUGGLED}`, "latin1");
    const session = Buffer.concat([Buffer.from(ENVELOPE), content, Buffer.from("\r\n.\r\nQUIT\r\n")]);
    const expectedRaw = referenceUnstuff(Buffer.concat([content, Buffer.from("\r\n")]));
    const bare = countBare(expectedRaw);

    it("engine: exactly one message, holding the smuggled bytes, flagged", async () => {
      const run = await runEngineSession([session]);
      expect(codes(run.output)).toEqual([220, 250, 250, 250, 354, 250, 221]);
      expect(run.backend.deliveries).toHaveLength(1);
      const delivery = run.backend.deliveries[0]!;
      expect(delivery.envelope.mailFrom).toBe("alice@example.com");
      expect(delivery.envelope.rcptTo.map((r) => r.address)).toEqual(["bob@example.com"]);
      expect(delivery.raw.toString("latin1")).toBe(expectedRaw.toString("latin1"));
      expect(delivery.raw.includes("MAIL FROM:<mallory@example.com>")).toBe(true);
      const [summary] = dataSummaries(run.backend.sessions[0]!.entries);
      expect(summary?.data).toMatchObject(bare);
      expect(bare.bareLf + bare.bareCr).toBeGreaterThan(0);
      // Flagged on the session too, where the inbox shows warnings.
      expect(run.backend.sessions[0]!.ends[0]!.warnings.some((w) => /bare (LF|CR)/i.test(w))).toBe(true);
    });

    it("socket: exactly one message, holding the smuggled bytes", async () => {
      const { connect, backend } = await fixture.start();
      const client = await connect();
      await client.readReply();
      await client.write(session);
      const replies = await client.readReplies(6);
      expect(replies.map((r) => r.code)).toEqual([250, 250, 250, 354, 250, 221]);
      await client.waitClosed();
      await backend.waitForEnded(1);
      expect(backend.deliveries).toHaveLength(1);
      expect(backend.deliveries[0]!.raw.toString("latin1")).toBe(expectedRaw.toString("latin1"));
    });
  });
});

describe("RFC 5321 section 2.3.8: bare CR and bare LF in DATA are kept and counted", () => {
  const cases: Array<[string, string, { bareLf: number; bareCr: number }]> = [
    ["bare LF", "a\nb\nc\r\n", { bareLf: 2, bareCr: 0 }],
    ["bare CR", "a\rb\r\n", { bareLf: 0, bareCr: 1 }],
    ["both", "x\r\ny\nz\rw\r\n", { bareLf: 1, bareCr: 1 }],
    ["CR CR LF", "a\r\r\nb\r\n", { bareLf: 0, bareCr: 1 }],
  ];
  it.each(cases)("%s", async (_name, body, counts) => {
    const run = await runEngineSession([Buffer.from(`${ENVELOPE}${body}.\r\nQUIT\r\n`, "latin1")]);
    expect(run.backend.deliveries).toHaveLength(1);
    expect(run.backend.deliveries[0]!.raw.toString("latin1")).toBe(body);
    const [summary] = dataSummaries(run.backend.sessions[0]!.entries);
    expect(summary?.data).toMatchObject(counts);
  });
});

describe("RFC 5321 section 4.5.2: dot-unstuffing edge cases", () => {
  const cases: Array<[string, string, string]> = [
    ["empty message", "", ""],
    ["single stuffed dot line", "..\r\n", ".\r\n"],
    ["dot then space", ". \r\n", " \r\n"],
    ["dots mid-line untouched", "a.b..c\r\n", "a.b..c\r\n"],
    ["line with only dots", "...\r\n", "..\r\n"],
    ["content without final CRLF before terminator is impossible; CRLF kept", "x\r\n", "x\r\n"],
  ];
  it.each(cases)("%s", async (_name, sent, delivered) => {
    const run = await runEngineSession([Buffer.from(`${ENVELOPE}${sent}.\r\nQUIT\r\n`, "latin1")]);
    expect(run.backend.deliveries).toHaveLength(1);
    expect(run.backend.deliveries[0]!.raw.toString("latin1")).toBe(delivered);
  });
});

describe("RFC 1870 section 6: a declared SIZE that does not match the content", () => {
  const body = (n: number): string => `Subject: size\r\n\r\n${"0123456789abcde\r\n".repeat(n)}`;
  const cases: Array<[string, number, string]> = [
    ["declared larger than sent", 5000, body(10)],
    ["declared smaller than sent", 20, body(100)],
    ["declared zero", 0, body(3)],
    ["declared exact", Buffer.byteLength(body(7)), body(7)],
    ["with dot-stuffed lines", 40, `..a\r\n${body(4)}...\r\n`],
  ];

  it.each(cases)(
    "%s: the delivered bytes are exactly the content (engine)",
    async (_name, declared, content) => {
      const sent = content;
      const run = await runEngineSession([
        Buffer.from(
          `EHLO a\r\nMAIL FROM:<a@example.com> SIZE=${declared}\r\nRCPT TO:<b@example.com>\r\nDATA\r\n${sent}.\r\n`,
        ),
      ]);
      const expected = referenceUnstuff(Buffer.from(sent));
      expect(run.backend.deliveries).toHaveLength(1);
      expect(run.backend.deliveries[0]!.raw.length).toBe(expected.length);
      expect(run.backend.deliveries[0]!.raw.toString()).toBe(expected.toString());
    },
  );

  it.each(cases)(
    "%s: the delivered bytes are exactly the content (socket, 7-byte writes)",
    async (_name, declared, content) => {
      const { connect, backend } = await fixture.start();
      const client = await connect();
      await client.readReply();
      await client.write(
        `EHLO a\r\nMAIL FROM:<a@example.com> SIZE=${declared}\r\nRCPT TO:<b@example.com>\r\nDATA\r\n`,
      );
      await client.readReplies(4);
      const wire = Buffer.from(`${content}.\r\n`);
      for (let i = 0; i < wire.length; i += 7) await client.write(wire.subarray(i, i + 7));
      expect((await client.readReply()).code).toBe(250);
      expect(backend.deliveries[0]!.raw.toString()).toBe(referenceUnstuff(Buffer.from(content)).toString());
    },
  );

  it("declared SIZE then BDAT: chunks are kept exactly", async () => {
    const run = await runEngineSession([
      Buffer.from(
        "EHLO a\r\nMAIL FROM:<a@example.com> SIZE=3\r\nRCPT TO:<b@example.com>\r\nBDAT 6\r\nabcdefBDAT 4 LAST\r\nghij",
      ),
    ]);
    expect(run.backend.deliveries[0]!.raw.toString()).toBe("abcdefghij");
  });

  it("two messages in one session with different declared sizes do not leak bytes into each other", async () => {
    const run = await runEngineSession([
      Buffer.from(
        "EHLO a\r\nMAIL FROM:<a@example.com> SIZE=100\r\nRCPT TO:<b@example.com>\r\nDATA\r\nfirst message\r\n.\r\n" +
          "MAIL FROM:<a@example.com> SIZE=5\r\nRCPT TO:<b@example.com>\r\nDATA\r\nsecond, longer than declared\r\n.\r\n" +
          "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nthird\r\n.\r\n",
      ),
    ]);
    expect(run.backend.deliveries.map((d) => d.raw.toString())).toEqual([
      "first message\r\n",
      "second, longer than declared\r\n",
      "third\r\n",
    ]);
  });
});

describe("NUL bytes (RFC 5321 section 2.3.8 forbids them; we keep and count them)", () => {
  it("in DATA: kept byte-exact and counted in the summary", async () => {
    const body = "Subject: nul\r\n\r\na\0b\0\0c\r\n";
    const run = await runEngineSession([Buffer.from(`${ENVELOPE}${body}.\r\nQUIT\r\n`, "latin1")]);
    expect(run.backend.deliveries[0]!.raw.toString("latin1")).toBe(body);
    const [summary] = dataSummaries(run.backend.sessions[0]!.entries);
    expect(summary?.data?.nul).toBe(3);
  });

  it("in a command line: an error reply, and the session goes on", async () => {
    const run = await runEngineSession([
      Buffer.from(
        "EHLO client.example\r\nNO\0OP\r\nMAIL FROM:<a\0@example.com>\r\nNOOP\r\nQUIT\r\n",
        "latin1",
      ),
    ]);
    const c = codes(run.output);
    expect(c[0]).toBe(220);
    expect(c[1]).toBe(250);
    expect(c[2]).toBeGreaterThanOrEqual(500);
    expect(c[3]).toBeGreaterThanOrEqual(500);
    expect(c.slice(4)).toEqual([250, 221]);
  });
});

describe("RFC 5321 section 4.5.3.1.4: command lines are at most 512 octets including CRLF", () => {
  it("512 octets is accepted, 513 gets 500, and the session goes on", async () => {
    const ok = `NOOP ${"x".repeat(512 - 2 - 5)}\r\n`;
    const long = `NOOP ${"x".repeat(513 - 2 - 5)}\r\n`;
    expect(Buffer.byteLength(ok)).toBe(512);
    expect(Buffer.byteLength(long)).toBe(513);
    const run = await runEngineSession([Buffer.from(`EHLO client.example\r\n${ok}${long}NOOP\r\nQUIT\r\n`)]);
    expect(codes(run.output)).toEqual([220, 250, 250, 500, 250, 221]);
  });

  it("socket: 10 MB without a newline gets one 500, bounded, and the session stays usable", async () => {
    const { connect, backend } = await fixture.start({ server: { maxErrors: 100 } });
    const client = await connect();
    await client.readReply();
    await client.command("EHLO client.example");
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 10; i++) await client.write(chunk);
    await client.write("\r\nNOOP\r\n");
    const replies = await client.readReplies(2, 10_000);
    expect(replies.map((r) => r.code)).toEqual([500, 250]);
    const mail = await client.command("MAIL FROM:<alice@example.com>");
    expect(mail.code).toBe(250);
    await client.command("QUIT");
    await backend.waitForEnded(1);
    expect(backend.sessions[0]!.ends[0]!.outcome).toBe("quit");
  });

  it("engine: 10 MB without a newline fed in 64 KiB chunks gets one 500", async () => {
    const engine = await openEngineHarness(undefined, TEST_SERVER_OPTIONS);
    await engine.feed(Buffer.from("EHLO client.example\r\n"));
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    for (let i = 0; i < 160; i++) await engine.feed(chunk);
    await engine.feed(Buffer.from("\r\nNOOP\r\n"));
    expect(engine.takeReplies(Infinity).map((r) => r[r.length - 1]!.slice(0, 3))).toEqual([
      "220",
      "250",
      "500",
      "250",
    ]);
    expect(engine.isClosed()).toBe(false);
    await engine.clientClosed();
  });
});

describe("binary garbage", () => {
  /** Deterministic pseudo-random bytes (xorshift32), so a failure can be replayed. */
  function garbage(length: number, seed: number): Buffer {
    const out = Buffer.alloc(length);
    let x = seed;
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  }

  it.each([1, 2, 3, 4])(
    "seed %i: the engine answers with errors or a 421, never crashes, and ends once",
    async (seed) => {
      const run = await runEngineSession([garbage(64 * 1024, seed)]);
      const c = codes(run.output);
      expect(c[0]).toBe(220);
      for (const code of c.slice(1)) expect(code).toBeGreaterThanOrEqual(400);
      expect(run.backend.deliveries).toHaveLength(0);
      expect(run.backend.sessions[0]!.ends).toHaveLength(1);
    },
  );

  it("socket: garbage on one connection does not disturb another", async () => {
    const { connect, backend } = await fixture.start();
    const bad = await connect();
    const good = await connect();
    await bad.readReply();
    await good.readReply();
    await bad.write(garbage(256 * 1024, 7)).catch(() => undefined);
    expect((await good.command("EHLO client.example")).code).toBe(250);
    expect((await good.command("MAIL FROM:<a@example.com>")).code).toBe(250);
    expect((await good.command("RCPT TO:<b@example.com>")).code).toBe(250);
    expect((await good.command("DATA")).code).toBe(354);
    expect((await good.command("Subject: fine\r\n\r\nok\r\n.")).code).toBe(250);
    expect(backend.deliveries).toHaveLength(1);
    await good.command("QUIT");
  });
});

describe("input split at every byte offset (RFC 5321 section 2.3.8: lines, not packets)", () => {
  const session = Buffer.from(
    [
      "EHLO client.example\r\n",
      "MAIL FROM:<alice@example.com> SIZE=200\r\n",
      "RCPT TO:<bob@example.com>\r\nRCPT TO:<carol@example.com>\r\n",
      "DATA\r\n",
      "Subject: split\r\n\r\n..stuffed\r\nbare\nlf and bare\rcr\r\n.\r.\n\0\r\n.\r\n",
      "MAIL FROM:<>\r\nRCPT TO:<dave@example.com>\r\n",
      "BDAT 12\r\n.\r\n\r\n.\r\nab\r\n",
      "BDAT 0 LAST\r\n",
      "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
      "NOOP\r\nRSET\r\nQUIT\r\n",
    ].join(""),
    "latin1",
  );

  it("every split into two chunks gives the same replies and the same delivered bytes", async () => {
    const whole = await runEngineSession([session]);
    expect(whole.backend.deliveries).toHaveLength(2);
    expect(codes(whole.output)).toEqual([
      220, 250, 250, 250, 250, 354, 250, 250, 250, 250, 250, 235, 250, 250, 221,
    ]);
    for (let i = 1; i < session.length; i++) {
      const split = await runEngineSession([session.subarray(0, i), session.subarray(i)]);
      expect(split.output.toString("latin1"), `split at ${i}`).toBe(whole.output.toString("latin1"));
      expect(
        split.backend.deliveries.map((d) => d.raw.toString("latin1")),
        `split at ${i}`,
      ).toEqual(whole.backend.deliveries.map((d) => d.raw.toString("latin1")));
    }
  });

  it("one byte at a time gives the same replies and the same delivered bytes", async () => {
    const whole = await runEngineSession([session]);
    const bytes = Array.from({ length: session.length }, (_, i) => session.subarray(i, i + 1));
    const trickle = await runEngineSession(bytes);
    expect(trickle.output.toString("latin1")).toBe(whole.output.toString("latin1"));
    expect(trickle.backend.deliveries.map((d) => d.raw)).toEqual(whole.backend.deliveries.map((d) => d.raw));
    expect(trickle.backend.deliveries.map((d) => d.envelope)).toEqual(
      whole.backend.deliveries.map((d) => d.envelope),
    );
  });

  it("lines of 511, 512, 513 and 1500 octets split at every offset get the same replies", async () => {
    const line = (octets: number): string => `NOOP ${"z".repeat(octets - 7)}\r\n`;
    const boundary = Buffer.from(
      `EHLO a\r\n${line(511)}${line(512)}${line(513)}${line(1500)}NOOP\r\nQUIT\r\n`,
    );
    const whole = await runEngineSession([boundary]);
    expect(codes(whole.output)).toEqual([220, 250, 250, 250, 500, 500, 250, 221]);
    for (let i = 1; i < boundary.length; i++) {
      const split = await runEngineSession([boundary.subarray(0, i), boundary.subarray(i)]);
      expect(split.output.toString("latin1"), `split at ${i}`).toBe(whole.output.toString("latin1"));
    }
  });

  it("socket: the session written in 3-byte pieces (pipelining across chunk boundaries) gives the same replies", async () => {
    const whole = await runEngineSession([session]);
    const { connect, backend } = await fixture.start();
    const client = await connect();
    client.socket.setNoDelay(true);
    // Wait for the greeting first: bytes sent before it would make this an early talker (421).
    await client.readReply();
    for (let i = 0; i < session.length; i += 3) await client.write(session.subarray(i, i + 3));
    await client.waitClosed();
    const strip = (b: Buffer): string => b.toString("latin1").replace(/queued as \S+/g, "queued as ID");
    expect(strip(client.received())).toBe(strip(whole.output));
    expect(backend.deliveries.map((d) => d.raw)).toEqual(whole.backend.deliveries.map((d) => d.raw));
  });
});

describe("RFC 5321 section 3.8: a client that vanishes mid-DATA", () => {
  it("engine: no message, the session ends client-closed", async () => {
    const engine = await openEngineHarness(undefined, TEST_SERVER_OPTIONS);
    await engine.feed(Buffer.from(`${ENVELOPE}Subject: cut\r\n\r\nhalf a mess`));
    await engine.clientClosed();
    expect(engine.backend.deliveries).toHaveLength(0);
    expect(engine.backend.sessions[0]!.ends.map((e) => e.outcome)).toEqual(["client-closed"]);
  });

  it("socket: no message, the session ends client-closed once", async () => {
    const { connect, backend } = await fixture.start();
    const client = await connect();
    await client.readReply();
    await client.write(ENVELOPE);
    await client.readReplies(4);
    await client.write("Subject: cut\r\n\r\nhalf a mess");
    client.close();
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual(["client-closed"]);
    expect(backend.deliveries).toHaveLength(0);
  });
});

describe("RFC 1870 section 6.2: an undeclared oversize message gets 552 after the data; the session stays usable", () => {
  it("DATA: read and discarded, 552 5.3.4, then a small message is accepted", async () => {
    const { connect, backend } = await fixture.start({ server: { maxMessageSize: 1000 } });
    const client = await connect();
    await client.readReply();
    await client.write(ENVELOPE);
    await client.readReplies(4);
    await client.write(`Subject: big\r\n\r\n${"0123456789abcdef\r\n".repeat(2000)}.\r\n`);
    const reply = await client.readReply();
    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(EXPECTED_REPLY.messageTooBig);
    expect((await client.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
    expect((await client.command("RCPT TO:<bob@example.com>")).code).toBe(250);
    expect((await client.command("DATA")).code).toBe(354);
    expect((await client.command("Subject: small\r\n\r\nok\r\n.")).code).toBe(250);
    expect((await client.command("QUIT")).code).toBe(221);
    await backend.waitForEnded(1);
    expect(backend.deliveries).toHaveLength(1);
    expect(backend.deliveries[0]!.raw.toString()).toBe("Subject: small\r\n\r\nok\r\n");
  });

  it("socket: 10 MB of DATA without a newline over a 1 MB limit gets 552; the session stays usable", async () => {
    const { connect, backend } = await fixture.start({ server: { maxMessageSize: 1024 * 1024 } });
    const client = await connect();
    await client.readReply();
    await client.write(ENVELOPE);
    await client.readReplies(4);
    const chunk = Buffer.alloc(1024 * 1024, 0x7a);
    for (let i = 0; i < 10; i++) await client.write(chunk);
    await client.write("\r\n.\r\n");
    expect((await client.readReply(10_000)).text).toMatch(EXPECTED_REPLY.messageTooBig);
    expect((await client.command("NOOP")).code).toBe(250);
    expect(backend.deliveries).toHaveLength(0);
  });

  it("BDAT: chunks past the limit get 552 5.3.4 and nothing is delivered", async () => {
    const run = await runEngineSession(
      [
        Buffer.from(
          `EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nBDAT 800\r\n${"x".repeat(800)}BDAT 800 LAST\r\n${"y".repeat(800)}RSET\r\nNOOP\r\nQUIT\r\n`,
        ),
      ],
      { maxMessageSize: 1000 },
    );
    const c = codes(run.output);
    expect(c.slice(0, 4)).toEqual([220, 250, 250, 250]);
    expect(c.slice(4, -3)).toContain(552);
    expect(c.slice(-3)).toEqual([250, 250, 221]);
    expect(run.backend.deliveries).toHaveLength(0);
  });
});

describe("RFC 5321 section 4.3.1: early talkers", () => {
  it("socket: input written before reading the greeting gets 421 and a close (outcome rejected)", async () => {
    // A pre-greeting pause makes this deterministic; the option is not in every version of the type.
    const { port, backend } = await fixture.start({ server: { greetingDelayMs: 300 } as SmtpServerOptions });
    const net = await import("node:net");
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => undefined);
    const received: Buffer[] = [];
    socket.on("data", (d: Buffer) => received.push(d));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    // Written in the connect callback, before any byte of the greeting can have been read.
    socket.on("connect", () => socket.write("EHLO early.example\r\n"));
    try {
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1500))]);
      const text = Buffer.concat(received).toString("latin1");
      expect(text).toMatch(EXPECTED_REPLY.serviceClosing);
      expect(text).not.toMatch(/(^|\r\n)2\d\d/);
      const [ended] = await backend.waitForEnded(1, 1000);
      expect(ended!.ends[0]!.outcome).toBe("rejected");
    } finally {
      socket.destroy();
    }
  });
});
