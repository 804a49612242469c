import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { SessionStart, TranscriptEntry } from "@mailpen/shared";
import type { SmtpBackend, SmtpCredentials, SmtpDelivery, SmtpSessionEnd } from "../backend.ts";
import { createSmtpEngine, type SmtpAction, type SmtpEngineOptions } from "./engine.ts";
import { createMemorySession } from "./memory-session.ts";
import { SmtpReplyError } from "./reply-error.ts";

// ---- helpers ----

function recordingBackend(overrides: Partial<SmtpBackend> = {}) {
  const log = {
    started: [] as SessionStart[],
    entries: [] as TranscriptEntry[],
    deliveries: [] as SmtpDelivery[],
    ended: [] as SmtpSessionEnd[],
    calls: [] as string[],
  };
  const backend: SmtpBackend = {
    sessionStarted: (s) => {
      log.calls.push("sessionStarted");
      log.started.push(s);
    },
    transcriptAppended: (_id, entries) => {
      log.calls.push("transcriptAppended");
      log.entries.push(...entries);
    },
    deliver: async (d) => {
      log.calls.push("deliver");
      log.deliveries.push(d);
    },
    sessionEnded: (s) => {
      log.calls.push("sessionEnded");
      log.ended.push(s);
    },
    ...overrides,
  };
  return { backend, log };
}

function sequentialIds() {
  let n = 0;
  return () => `id${String(++n).padStart(4, "0")}`;
}

function setup(options: SmtpEngineOptions = {}, overrides: Partial<SmtpBackend> = {}) {
  const { backend, log } = recordingBackend(overrides);
  let now = 1_700_000_000_000;
  const session = createMemorySession(backend, {
    hostname: "mx.test",
    clock: () => now,
    newId: sequentialIds(),
    ...options,
  });
  return { session, log, advance: (ms: number) => (now += ms) };
}

async function greeted(options: SmtpEngineOptions = {}, overrides: Partial<SmtpBackend> = {}) {
  const t = setup(options, overrides);
  await t.session.start();
  await t.session.send("EHLO client.test\r\n");
  return t;
}

/** The reply code of each complete reply in `output` (the last line of multi-line replies). */
function codes(output: string): number[] {
  return output
    .split("\r\n")
    .filter((line) => /^\d{3} /.test(line))
    .map((line) => Number(line.slice(0, 3)));
}

const MESSAGE = "Subject: test\r\n\r\nHello\r\n";
const TRANSACTION = `MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n${MESSAGE}.\r\n`;

// ---- greeting, HELO/EHLO ----

describe("greeting and HELO/EHLO (RFC 5321 sections 4.1.1.1, 4.2)", () => {
  it("greets with 220 and the host name, after session.started", async () => {
    const { session, log } = setup();
    expect(await session.start()).toBe("220 mx.test ESMTP Mailpen\r\n");
    expect(session.actions[0]?.type).toBe("session.started");
    expect(log.started[0]).toMatchObject({ id: "id0001", remoteAddress: "127.0.0.1", tls: null });
  });

  it("EHLO announces the extensions in one multi-line reply", async () => {
    const { session } = setup({ maxMessageSize: 1000 });
    await session.start();
    expect(await session.send("EHLO client.test\r\n")).toBe(
      [
        "250-mx.test Hello client.test",
        "250-PIPELINING",
        "250-SIZE 1000",
        "250-8BITMIME",
        "250-SMTPUTF8",
        "250-ENHANCEDSTATUSCODES",
        "250-CHUNKING",
        "250 AUTH PLAIN LOGIN CRAM-MD5",
        "",
      ].join("\r\n"),
    );
    const writes = session.actions.filter((a) => a.type === "write");
    expect(writes).toHaveLength(2);
  });

  it("EHLO announces STARTTLS only when TLS is available", async () => {
    const { session } = setup({ tlsAvailable: true });
    await session.start();
    expect(await session.send("EHLO c\r\n")).toContain("250-AUTH PLAIN LOGIN CRAM-MD5\r\n250 STARTTLS\r\n");
  });

  it("HELO replies 250 without extensions; HELO/EHLO without a name is 501", async () => {
    const { session } = setup();
    await session.start();
    expect(await session.send("HELO c\r\n")).toBe("250 mx.test Hello c\r\n");
    expect(await session.send("HELO\r\n")).toMatch(/^501 5\.5\.4 /);
    expect(await session.send("EHLO \r\n")).toMatch(/^501 5\.5\.4 /);
  });

  it("HELO/EHLO reset the transaction (RFC 5321 section 4.1.4)", async () => {
    const { session } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\n");
    await session.send("EHLO again\r\n");
    expect(await session.send("RCPT TO:<x@y.z>\r\n")).toBe("503 5.5.1 Need MAIL command\r\n");
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
    await session.send("HELO again\r\n");
    expect(await session.send("DATA\r\n")).toBe("503 5.5.1 Need MAIL command\r\n");
  });

  it("MAIL, RCPT, DATA before HELO get 503", async () => {
    const { session } = setup();
    await session.start();
    expect(await session.send("MAIL FROM:<a@b.c>\r\n")).toBe("503 5.5.1 Send HELO/EHLO first\r\n");
    expect(codes(await session.send("RCPT TO:<a@b.c>\r\nDATA\r\n"))).toEqual([503, 503]);
  });
});

// ---- MAIL / RCPT ----

describe("MAIL FROM (RFC 5321 section 4.1.1.2, RFC 1870, 6152, 6531, 4954, 3461)", () => {
  const accepted: Array<[string, string]> = [
    ["null sender", "MAIL FROM:<>"],
    ["quoted local part", 'MAIL FROM:<"john doe"@example.com>'],
    ["quoted local part with >", 'MAIL FROM:<"a>b"@example.com>'],
    ["UTF-8 address", "MAIL FROM:<用户@例子.广告> SMTPUTF8"],
    ["space after colon", "MAIL FROM: <a@example.com>"],
    ["lower-case keyword", "mail from:<a@example.com>"],
    ["address literal", "MAIL FROM:<a@[192.0.2.1]>"],
    ["source route", "MAIL FROM:<@relay.example,@other.example:a@example.com>"],
    [
      "all parameters",
      "MAIL FROM:<a@example.com> SIZE=100 BODY=8BITMIME SMTPUTF8 AUTH=<> RET=HDRS ENVID=QQ314159",
    ],
    ["BODY=7BIT", "MAIL FROM:<a@example.com> BODY=7BIT"],
  ];
  for (const [name, command] of accepted) {
    it(`accepts ${name}`, async () => {
      const { session } = await greeted();
      expect(await session.send(`${command}\r\n`)).toBe("250 2.1.0 Sender OK\r\n");
    });
  }

  const refused: Array<[string, string, string]> = [
    ["missing brackets", "MAIL FROM:a@example.com", "501 5.1.7"],
    ["missing FROM:", "MAIL <a@example.com>", "501 5.1.7"],
    ["no domain", "MAIL FROM:<a>", "501 5.1.7"],
    ["unclosed bracket", "MAIL FROM:<a@example.com", "501 5.1.7"],
    ["space inside", "MAIL FROM:<a b@example.com>", "501 5.1.7"],
    ["garbage after path", "MAIL FROM:<a@example.com>x", "501 5.1.7"],
    ["unknown parameter", "MAIL FROM:<a@example.com> FOO=1", "555 5.5.4"],
    ["unsupported BODY", "MAIL FROM:<a@example.com> BODY=BINARYMIME", "555 5.5.4"],
    ["non-numeric SIZE", "MAIL FROM:<a@example.com> SIZE=big", "501 5.5.4"],
    ["SMTPUTF8 with a value", "MAIL FROM:<a@example.com> SMTPUTF8=yes", "501 5.5.4"],
    ["bad RET", "MAIL FROM:<a@example.com> RET=ALL", "501 5.5.4"],
    ["duplicate parameter", "MAIL FROM:<a@example.com> SIZE=1 SIZE=2", "501 5.5.4"],
    ["declared SIZE over the limit", "MAIL FROM:<a@example.com> SIZE=1001", "552 5.3.4"],
  ];
  for (const [name, command, reply] of refused) {
    it(`refuses ${name} with ${reply}`, async () => {
      const { session } = await greeted({ maxMessageSize: 1000 });
      expect(await session.send(`${command}\r\n`)).toMatch(new RegExp(`^${reply.replaceAll(".", "\\.")} `));
    });
  }

  it("records the reverse-path and parameters in the delivered envelope", async () => {
    const { session, log } = await greeted();
    await session.send(
      'MAIL FROM:<"x y"@example.com> SIZE=25 BODY=8BITMIME SMTPUTF8 ENVID=abc\r\nRCPT TO:<b@example.com>\r\nDATA\r\n',
    );
    await session.send(`${MESSAGE}.\r\n`);
    expect(log.deliveries[0]?.envelope).toEqual({
      mailFrom: '"x y"@example.com',
      mailParams: { SIZE: "25", BODY: "8BITMIME", SMTPUTF8: true, ENVID: "abc" },
      rcptTo: [{ address: "b@example.com", params: {} }],
      heloName: "client.test",
      authUser: null,
      tls: false,
      transport: "DATA",
    });
  });

  it("delivers a raw with no other memory behind its bytes, with or without a larger SIZE", async () => {
    const { session, log } = await greeted();
    for (const size of ["", " SIZE=2000"]) {
      // Fill Node's shared allocation pool with something recognisable first: a buffer taken from
      // it would carry these octets beside the message.
      Buffer.from("x".repeat(4000)).fill(0x78);
      await session.send(`MAIL FROM:<a@example.com>${size}\r\nRCPT TO:<b@example.com>\r\nDATA\r\n`);
      await session.send(`${MESSAGE}.\r\n`);
    }
    expect(log.deliveries).toHaveLength(2);
    for (const { raw } of log.deliveries) {
      expect(raw.toString()).toBe(MESSAGE);
      expect(raw.byteOffset).toBe(0);
      // The whole ArrayBuffer is what a structured clone (postMessage) copies.
      const tail = new Uint8Array(raw.buffer, raw.length);
      expect(tail.every((octet) => octet === 0)).toBe(true);
    }
  });

  it("accepts a UTF-8 address without SMTPUTF8 but notes it (RFC 6531 section 3.4)", async () => {
    const { session, log } = await greeted();
    await session.send("MAIL FROM:<a@b.c> SMTPUTF8\r\nRCPT TO:<δοκιμή@παράδειγμα.δοκιμή>\r\nRSET\r\n");
    await session.end();
    expect(log.ended[0]?.warnings).toEqual([]);
    const other = await greeted();
    expect(await other.session.send("MAIL FROM:<josé@example.com>\r\n")).toMatch(/^250 /);
    await other.session.end();
    expect(other.log.ended[0]?.warnings).toEqual(["UTF-8 address without SMTPUTF8"]);
  });

  it("a second MAIL inside a transaction is 503", async () => {
    const { session } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\n");
    expect(await session.send("MAIL FROM:<a@b.c>\r\n")).toBe("503 5.5.1 Sender already specified\r\n");
  });
});

describe("RCPT TO (RFC 5321 section 4.1.1.3, RFC 3461)", () => {
  it("is repeatable and records NOTIFY/ORCPT; source routes are dropped", async () => {
    const { session, log } = await greeted();
    const out = await session.send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y.z\r\nRCPT TO:<@hop.example:q@y.z>\r\nRCPT TO:<Postmaster>\r\nDATA\r\n",
    );
    expect(codes(out)).toEqual([250, 250, 250, 250, 354]);
    await session.send(`${MESSAGE}.\r\n`);
    expect(log.deliveries[0]?.envelope.rcptTo).toEqual([
      { address: "x@y.z", params: { NOTIFY: "SUCCESS,FAILURE", ORCPT: "rfc822;x@y.z" } },
      { address: "q@y.z", params: {} },
      { address: "Postmaster", params: {} },
    ]);
  });

  it("refuses a null path, bad parameters and unknown parameters", async () => {
    const { session } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\n");
    expect(await session.send("RCPT TO:<>\r\n")).toMatch(/^501 5\.1\.3 /);
    expect(await session.send("RCPT TO:<x@y.z> NOTIFY=SOMETIMES\r\n")).toMatch(/^501 5\.5\.4 /);
    expect(await session.send("RCPT TO:<x@y.z> XFOO\r\n")).toMatch(/^555 5\.5\.4 /);
    expect(await session.send("RCPT FROM:<x@y.z>\r\n")).toMatch(/^501 5\.1\.3 /);
  });

  it("beyond maxRecipients answers 452 and keeps the transaction", async () => {
    const { session, log } = await greeted({ maxRecipients: 2 });
    const out = await session.send(
      "MAIL FROM:<a@b.c>\r\nRCPT TO:<1@y.z>\r\nRCPT TO:<2@y.z>\r\nRCPT TO:<3@y.z>\r\n",
    );
    expect(codes(out)).toEqual([250, 250, 250, 452]);
    expect(out).toContain("452 4.5.3 Too many recipients");
    await session.send(`DATA\r\n${MESSAGE}.\r\n`);
    expect(log.deliveries[0]?.envelope.rcptTo).toHaveLength(2);
  });
});

// ---- DATA ----

describe("DATA (RFC 5321 section 4.1.1.4)", () => {
  it("354, dot-unstuffing, and 250 with the message id", async () => {
    const { session, log } = await greeted();
    const out = await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    expect(out).toContain("354 End data with <CR><LF>.<CR><LF>\r\n");
    expect(await session.send("..dot\r\nline\r\n.\r\n")).toBe("250 2.0.0 Ok: queued as id0002\r\n");
    expect(log.deliveries[0]).toMatchObject({ id: "id0002", sessionId: "id0001" });
    expect(log.deliveries[0]?.raw.toString()).toBe(".dot\r\nline\r\n");
  });

  it("needs RCPT first (503) and takes no argument (501)", async () => {
    const { session } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\n");
    expect(await session.send("DATA\r\n")).toBe("503 5.5.1 Need RCPT command\r\n");
    await session.send("RCPT TO:<x@y.z>\r\n");
    expect(await session.send("DATA now\r\n")).toMatch(/^501 5\.5\.4 /);
  });

  it("replies 250 only after the backend stored the message", () => {
    const engine = createSmtpEngine({ newId: sequentialIds() });
    engine.start();
    engine.feed(Buffer.from("EHLO c\r\n"));
    const actions = engine.feed(Buffer.from(`${TRANSACTION}NOOP\r\n`));
    const deliver = actions.find((a) => a.type === "deliver");
    expect(deliver).toBeDefined();
    const written = actions.filter((a): a is Extract<SmtpAction, { type: "write" }> => a.type === "write");
    expect(written.map((w) => w.data.toString()).join("")).not.toContain("queued");
    expect(engine.waiting).toBe(true);
    // Pipelined input waits for the backend.
    expect(engine.feed(Buffer.from("NOOP\r\n"))).toEqual([]);
    const after = engine.resolveDelivery({ ok: true });
    const text = after
      .filter((a) => a.type === "write")
      .map((a) => (a.type === "write" ? a.data.toString() : ""))
      .join("");
    expect(text).toBe("250 2.0.0 Ok: queued as id0002\r\n250 2.0.0 OK\r\n250 2.0.0 OK\r\n");
    expect(after.filter((a) => a.type === "write")).toHaveLength(1);
  });

  it("copies the input it keeps: the listener's read buffer is reused for the next read", () => {
    // As the socket listener does: every read lands in one shared buffer, overwritten by the next.
    const shared = Buffer.alloc(4096);
    const feed = (text: string) => {
      const length = shared.write(text, "latin1");
      const actions = engine.feed(shared.subarray(0, length));
      shared.fill(0x23);
      return actions;
    };
    const engine = createSmtpEngine({ newId: sequentialIds() });
    engine.start();
    feed("EHLO c\r\n");
    // The rest of this read (a second message) is held while the first is stored...
    const first = feed(`${TRANSACTION}MAIL FROM:<second@example.com>\r\nRCPT TO:<b@example.com>\r\nDA`);
    expect(first.some((a) => a.type === "deliver")).toBe(true);
    // ...and so is a read that arrives meanwhile (queued).
    expect(feed("TA\r\nSubject: two\r\n\r\nsecond body\r\n.\r\n")).toEqual([]);
    const after = engine.resolveDelivery({ ok: true });
    const delivery = after.find((a) => a.type === "deliver");
    if (delivery?.type !== "deliver") throw new Error("the second message was not delivered");
    expect(delivery.delivery.envelope.mailFrom).toBe("second@example.com");
    expect(delivery.delivery.raw.toString("latin1")).toBe("Subject: two\r\n\r\nsecond body\r\n");
  });

  it("a backend SmtpReplyError becomes that reply; any other error 451 and a log line", async () => {
    let fail: unknown = new SmtpReplyError(550, "5.7.1", "Rejected by policy");
    const { session, log } = await greeted(
      {},
      {
        deliver: async () => {
          throw fail;
        },
      },
    );
    expect(await session.send(TRANSACTION)).toContain("550 5.7.1 Rejected by policy\r\n");
    fail = new Error("disk full");
    expect(await session.send(TRANSACTION)).toContain("451 4.3.0 ");
    expect(session.actions.some((a) => a.type === "log" && a.level === "error" && a.error === fail)).toBe(
      true,
    );
    await session.end();
    expect(log.ended[0]?.messageCount).toBe(0);
    const summaries = log.entries.filter((e) => e.data !== undefined);
    expect(summaries).toHaveLength(2);
    expect(summaries.every((e) => e.messageId === undefined)).toBe(true);
  });

  it("an undeclared oversize message is read and discarded, then 552", async () => {
    const { session, log } = await greeted({ maxMessageSize: 100 });
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    for (let i = 0; i < 50; i++) expect(await session.send(`${"x".repeat(76)}\r\n`)).toBe("");
    expect(await session.send(".\r\n")).toBe("552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    expect(log.deliveries).toHaveLength(0);
    expect(await session.send(TRANSACTION.replace("Hello", "Hi"))).toContain("250 2.0.0 Ok: queued as");
    expect(log.entries.find((e) => e.data !== undefined)?.data?.bytes).toBe(50 * 78);
  });

  it("collects into one buffer of the declared SIZE, and copes with more or less than declared", async () => {
    for (const size of [5, 24, 100]) {
      const { session, log } = await greeted();
      await session.send(`MAIL FROM:<a@b.c> SIZE=${size}\r\nRCPT TO:<x@y.z>\r\nDATA\r\n`);
      await session.send("Subject: test\r\n", "\r\n", "Hel", "lo\r\n.\r\n");
      expect(log.deliveries[0]?.raw.toString(), `SIZE=${size}`).toBe(MESSAGE);
    }
  });

  it("flags bare LF, bare CR, NUL, long lines and 8-bit without BODY=8BITMIME", async () => {
    const { session, log } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\n");
    await session.send(Buffer.from(`a\nb\rc\u0000\u00e9\r\n${"z".repeat(1200)}\r\n.\r\n`, "latin1"));
    await session.end();
    expect(log.entries.find((e) => e.data)?.data).toEqual({
      bytes: 1211,
      lines: 3,
      bareLf: 1,
      bareCr: 1,
      eightBit: 1,
      longLines: 1,
      nul: 1,
    });
    expect(log.ended[0]?.warnings).toEqual([
      "bare LF in message content",
      "bare CR in message content",
      "NUL in message content",
      "line over 998 octets in message content",
      "8-bit data without BODY=8BITMIME",
    ]);
  });

  it("8-bit content with BODY=8BITMIME is not flagged", async () => {
    const { session, log } = await greeted();
    await session.send(
      `MAIL FROM:<a@b.c> BODY=8BITMIME\r\nRCPT TO:<x@y.z>\r\nDATA\r\nSubject: caf\u00e9\r\n\r\n.\r\n`,
    );
    await session.end();
    expect(log.ended[0]?.warnings).toEqual([]);
  });

  it("the smuggling variants never end the data (one message, not two)", async () => {
    for (const sep of ["\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r"]) {
      const { session, log } = await greeted();
      const out = await session.send(
        `MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nfirst${sep}MAIL FROM:<evil@b.c>\r\nRCPT TO:<victim@y.z>\r\nDATA\r\nsmuggled\r\n.\r\n`,
      );
      expect(codes(out), JSON.stringify(sep)).toEqual([250, 250, 354, 250]);
      expect(log.deliveries).toHaveLength(1);
      expect(log.deliveries[0]?.raw.toString("latin1")).toContain("evil@b.c");
    }
  });
});

// ---- pipelining and splitting ----

describe("pipelining (RFC 2920) and arbitrary chunking", () => {
  const conversation =
    "EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<w@y.z>\r\nDATA\r\nSubject: s\r\n\r\n..x\r\n.\r\n" +
    "MAIL FROM:<>\r\nRCPT TO:<x@y.z>\r\nBDAT 6\r\nab\r\ncdBDAT 0 LAST\r\nRSET\r\nQUIT\r\n";

  async function run(cuts: number[]) {
    const { session, log } = setup();
    await session.start();
    const input = Buffer.from(conversation);
    const chunks: Buffer[] = [];
    let previous = 0;
    for (const cut of [...cuts, input.length]) {
      chunks.push(input.subarray(previous, cut));
      previous = cut;
    }
    await session.send(...chunks);
    return {
      output: session.output,
      raws: log.deliveries.map((d) => d.raw.toString()),
      closed: session.closedWith,
    };
  }

  it("gives the same replies and messages when split at every byte offset", async () => {
    const whole = await run([]);
    expect(codes(whole.output)).toEqual([220, 250, 250, 250, 250, 354, 250, 250, 250, 250, 250, 250, 221]);
    expect(whole.raws).toEqual(["Subject: s\r\n\r\n.x\r\n", "ab\r\ncd"]);
    expect(whole.closed).toBe("quit");
    for (let cut = 1; cut < conversation.length; cut++) expect(await run([cut]), `cut ${cut}`).toEqual(whole);
  });

  it("gives the same result fed one byte at a time", async () => {
    const whole = await run([]);
    expect(await run(Array.from({ length: conversation.length - 1 }, (_, i) => i + 1))).toEqual(whole);
  });

  it("writes all replies to one pipelined chunk with one write", async () => {
    const { session } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nRCPT TO:<w@y.z>\r\nDATA\r\n");
    const writes = session.actions.filter((a) => a.type === "write");
    expect(writes).toHaveLength(3);
  });
});

// ---- BDAT ----

describe("BDAT (RFC 3030)", () => {
  it("accepts chunks of exact size, BDAT 0 LAST, and delivers the concatenation", async () => {
    const { session, log } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
    expect(await session.send("BDAT 5\r\nhello")).toBe("250 2.0.0 5 octets received\r\n");
    expect(await session.send("BDAT 7\r\n", " world", "\n")).toBe("250 2.0.0 7 octets received\r\n");
    expect(await session.send("BDAT 0 LAST\r\n")).toBe("250 2.0.0 Ok: queued as id0002\r\n");
    expect(log.deliveries[0]?.raw.toString()).toBe("hello world\n");
    expect(log.deliveries[0]?.envelope.transport).toBe("BDAT");
    const summaries = log.entries.filter((e) => e.data);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ messageId: "id0002", data: { bytes: 12, bareLf: 1 } });
  });

  it("keeps the bytes as sent: no dot-unstuffing, CRLF.CRLF is content", async () => {
    const { session, log } = await greeted();
    const body = "a\r\n.\r\n..b\r\n";
    await session.send(`MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT ${body.length} LAST\r\n${body}`);
    expect(log.deliveries[0]?.raw.toString()).toBe(body);
  });

  it("DATA and MAIL between chunks are 503; RSET aborts", async () => {
    const { session, log } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nBDAT 1\r\nx");
    expect(await session.send("DATA\r\n")).toBe("503 5.5.1 DATA not allowed during a BDAT transfer\r\n");
    expect(await session.send("MAIL FROM:<a@b.c>\r\n")).toMatch(/^503 /);
    expect(await session.send("RSET\r\n")).toBe("250 2.0.0 OK\r\n");
    expect(await session.send("BDAT 2 LAST\r\nyz")).toBe("503 5.5.1 Need MAIL command\r\n");
    expect(await session.send("NOOP\r\n")).toBe("250 2.0.0 OK\r\n");
    expect(log.deliveries).toHaveLength(0);
  });

  it("a refused BDAT still consumes its octets (they are not read as commands)", async () => {
    const { session } = await greeted();
    expect(await session.send("BDAT 12\r\nQUIT\r\nQUIT\r\n")).toBe("503 5.5.1 Need MAIL command\r\n");
    expect(session.closedWith).toBeNull();
  });

  it("bad chunk sizes get 501", async () => {
    const { session } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
    expect(await session.send("BDAT\r\n")).toMatch(/^501 /);
    expect(await session.send("BDAT -1\r\n")).toMatch(/^501 /);
    expect(await session.send("BDAT 5 FIRST\r\n")).toMatch(/^501 /);
  });

  it("chunks beyond the size limit are discarded and answered 552", async () => {
    const { session, log } = await greeted({ maxMessageSize: 10 });
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\n");
    expect(await session.send("BDAT 8\r\n12345678")).toMatch(/^250 /);
    expect(await session.send("BDAT 8 LAST\r\n12345678")).toMatch(/^552 5\.3\.4 /);
    expect(log.deliveries).toHaveLength(0);
  });
});

// ---- simple verbs ----

describe("RSET, NOOP, QUIT, VRFY, EXPN, HELP, TURN, unknown verbs", () => {
  it("RSET 250 (501 with an argument), NOOP 250 (argument allowed)", async () => {
    const { session } = await greeted();
    expect(await session.send("RSET\r\n")).toBe("250 2.0.0 OK\r\n");
    expect(await session.send("RSET now\r\n")).toMatch(/^501 /);
    expect(await session.send("NOOP\r\nNOOP hello\r\n")).toBe("250 2.0.0 OK\r\n250 2.0.0 OK\r\n");
  });

  it("QUIT replies 221 and closes with outcome quit", async () => {
    const { session, log } = await greeted();
    expect(await session.send("QUIT\r\nNOOP\r\n")).toBe("221 2.0.0 mx.test Bye\r\n");
    expect(session.closedWith).toBe("quit");
    await session.end();
    expect(log.ended).toHaveLength(1);
    expect(log.ended[0]?.outcome).toBe("quit");
  });

  it("VRFY: 252 by default, 250 or 550 when configured, 501 without argument", async () => {
    expect(await (await greeted()).session.send("VRFY bob\r\n")).toMatch(/^252 2\.0\.0 /);
    expect(await (await greeted({ vrfy: "accept" })).session.send("VRFY bob\r\n")).toBe("250 2.1.5 bob\r\n");
    expect(await (await greeted({ vrfy: "reject" })).session.send("VRFY bob\r\n")).toMatch(/^550 5\.1\.1 /);
    expect(await (await greeted()).session.send("VRFY\r\n")).toMatch(/^501 /);
  });

  it("EXPN: 502 by default, 250 when configured", async () => {
    expect(await (await greeted()).session.send("EXPN staff\r\n")).toMatch(/^502 5\.5\.1 /);
    expect(await (await greeted({ expn: "accept" })).session.send("EXPN staff\r\n")).toBe(
      "250 2.1.5 staff\r\n",
    );
  });

  it("HELP lists the verbs; HELP <verb> gives its syntax; unknown topic 504", async () => {
    const { session } = setup();
    await session.start();
    expect(await session.send("HELP\r\n")).toMatch(
      /^214 2\.0\.0 Supported commands: HELO EHLO MAIL RCPT DATA BDAT/,
    );
    expect(await session.send("HELP mail\r\n")).toMatch(/^214 2\.0\.0 MAIL FROM:<reverse-path>/);
    expect(await session.send("HELP FOO\r\n")).toMatch(/^504 /);
  });

  it("TURN is 502 and recorded (RFC 2821 appendix F.1)", async () => {
    const { session, log } = await greeted();
    expect(await session.send("TURN\r\n")).toMatch(/^502 5\.5\.1 /);
    await session.end();
    expect(log.entries.some((e) => e.dir === "client" && e.text === "TURN")).toBe(true);
  });

  it("unknown verbs and empty lines are 500", async () => {
    const { session } = await greeted();
    expect(await session.send("FOO bar\r\n\r\n")).toBe(
      "500 5.5.2 Command not recognized\r\n500 5.5.2 Command not recognized\r\n",
    );
  });

  it("verbs are case-insensitive and bare LF ends a command line", async () => {
    const { session } = setup();
    await session.start();
    expect(await session.send("ehlo c\nnoop\n")).toMatch(/250 2\.0\.0 OK\r\n$/);
  });
});

// ---- hostile input ----

describe("hostile input", () => {
  it("a command line of 512 octets is accepted, 513 is 500 (RFC 5321 section 4.5.3.1.4)", async () => {
    const { session } = await greeted();
    expect(await session.send(`NOOP ${"x".repeat(512 - 7)}\r\n`)).toBe("250 2.0.0 OK\r\n");
    expect(await session.send(`NOOP ${"x".repeat(513 - 7)}\r\n`)).toBe("500 5.5.2 Line too long\r\n");
    expect(await session.send("NOOP\r\n")).toBe("250 2.0.0 OK\r\n");
  });

  it("10 MB without a newline is discarded as it arrives, answered once", async () => {
    const { session, log } = await greeted();
    const chunk = Buffer.alloc(65536, 0x41);
    for (let i = 0; i < 160; i++) expect(await session.send(chunk)).toBe("");
    expect(await session.send("\r\nNOOP\r\n")).toBe("500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n");
    await session.end();
    expect(log.entries.find((e) => e.text.includes("octets without end of line"))?.text).toContain(
      "(10485762 octets",
    );
  });

  it("NUL bytes and binary garbage get 500 and, repeated, 421 and close", async () => {
    const { session, log } = await greeted({ maxErrors: 3 });
    const out = await session.send(Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x00, 0x0a, 0x80, 0x0a, 0x0a]));
    expect(codes(out)).toEqual([500, 500, 500, 421]);
    expect(out).toContain("421 4.7.0 mx.test Too many errors");
    expect(session.closedWith).toBe("rejected");
    await session.end();
    expect(log.ended[0]).toMatchObject({ outcome: "rejected", errorCount: 4 });
  });

  it("input after the engine closed is dropped, not queued", async () => {
    const { session } = await greeted();
    await session.send("QUIT\r\n");
    for (let i = 0; i < 10; i++) expect(await session.send(Buffer.alloc(65536, 0x41))).toBe("");
    expect(session.engine.state).toBe("closed");
    // White-box: nothing is kept for a closed session.
    expect((session.engine as unknown as { queue: Buffer[] }).queue).toHaveLength(0);
    expect(session.actions.filter((a) => a.type === "close")).toHaveLength(1);
  });

  it("a successful command resets the error count", async () => {
    const { session } = await greeted({ maxErrors: 2 });
    expect(codes(await session.send("X\r\nNOOP\r\nX\r\nNOOP\r\n"))).toEqual([500, 250, 500, 250]);
    expect(session.closedWith).toBeNull();
  });

  it("input before the greeting is answered 421 and closed", async () => {
    const { session, log } = setup();
    expect(await session.send("EHLO early\r\n")).toMatch(/^421 4\.7\.0 mx\.test Input before greeting/);
    expect(session.closedWith).toBe("rejected");
    expect(session.actions[0]?.type).toBe("session.started");
    await session.end();
    expect(log.ended[0]?.warnings).toContain("input before greeting");
  });

  for (const line of [
    "GET / HTTP/1.1",
    "POST /api HTTP/1.0",
    "CONNECT example.com:443 HTTP/1.1",
    "Host: example.com",
  ]) {
    it(`an HTTP request line (${line}) is answered 421 and closed`, async () => {
      const { session } = setup();
      await session.start();
      expect(await session.send(`${line}\r\nHost: x\r\n\r\n`)).toMatch(/^421 4\.7\.0 .*HTTP/);
      expect(session.closedWith).toBe("rejected");
    });
  }

  it("a client vanishing mid-DATA ends the session without a delivery", async () => {
    const { session, log } = await greeted();
    await session.send("MAIL FROM:<a@b.c>\r\nRCPT TO:<x@y.z>\r\nDATA\r\nhalf a mess");
    await session.end();
    expect(log.deliveries).toHaveLength(0);
    expect(log.ended[0]?.outcome).toBe("client-closed");
    expect(log.entries.some((e) => e.text === "client closed the connection during message content")).toBe(
      true,
    );
  });

  it("a connection the server dropped itself is not recorded as closed by the client", () => {
    const events = (closedBy: "client" | "server") => {
      const engine = createSmtpEngine({ newId: sequentialIds() });
      engine.start();
      return engine
        .end({ outcome: "timeout", reason: "TLS handshake timed out", closedBy })
        .flatMap((a) => (a.type === "transcript" ? a.entries : []))
        .filter((e) => e.dir === "event")
        .map((e) => e.text);
    };
    expect(events("server")).toEqual(["connection closed (timeout): TLS handshake timed out"]);
    expect(events("client")).toEqual([
      "client closed the connection",
      "connection closed (timeout): TLS handshake timed out",
    ]);
  });

  it("an engine bug becomes 421 and a close with outcome error", async () => {
    let calls = 0;
    const { session, log } = setup({
      newId: () => {
        if (++calls > 1) throw new Error("boom");
        return "s1";
      },
    });
    await session.start();
    await session.send("EHLO c\r\n");
    const out = await session.send(TRANSACTION);
    expect(out).toMatch(/421 4\.3\.0 mx\.test Internal error/);
    expect(session.closedWith).toBe("error");
    expect(session.actions.some((a) => a.type === "log" && a.level === "error")).toBe(true);
    await session.end();
    expect(log.ended).toHaveLength(1);
    expect(log.ended[0]?.outcome).toBe("error");
  });
});

// ---- AUTH ----

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("AUTH (RFC 4954, 4616, 2195)", () => {
  it("PLAIN with an initial response; the user is recorded and the secret masked", async () => {
    const { session, log } = await greeted();
    expect(await session.send(`AUTH PLAIN ${b64("\0alice\0secret")}\r\n`)).toBe(
      "235 2.7.0 Authentication successful\r\n",
    );
    await session.end();
    expect(log.ended[0]).toMatchObject({ authMechanism: "PLAIN", authUser: "alice" });
    const authEntry = log.entries.find((e) => e.text.startsWith("AUTH"));
    expect(authEntry).toMatchObject({ text: "AUTH PLAIN ***", masked: true });
    expect(JSON.stringify(log.entries)).not.toContain(b64("\0alice\0secret"));
  });

  it("PLAIN with a 334 continuation; keepAuthSecrets keeps the text", async () => {
    const { session, log } = await greeted({ keepAuthSecrets: true });
    expect(await session.send("AUTH PLAIN\r\n")).toBe("334 \r\n");
    expect(await session.send(`${b64("\0bob\0pw")}\r\n`)).toMatch(/^235 /);
    await session.end();
    expect(log.entries.some((e) => e.text === b64("\0bob\0pw") && !e.masked)).toBe(true);
  });

  it("LOGIN asks for user and password; an initial response is the user name", async () => {
    const { session, log } = await greeted();
    expect(await session.send("AUTH LOGIN\r\n")).toBe("334 VXNlcm5hbWU6\r\n");
    expect(await session.send(`${b64("carol")}\r\n`)).toBe("334 UGFzc3dvcmQ6\r\n");
    expect(await session.send(`${b64("pw")}\r\n`)).toMatch(/^235 /);
    const second = await greeted();
    expect(await second.session.send(`AUTH LOGIN ${b64("dave")}\r\n`)).toBe("334 UGFzc3dvcmQ6\r\n");
    expect(await second.session.send(`${b64("pw")}\r\n`)).toMatch(/^235 /);
    await session.end();
    expect(log.ended[0]).toMatchObject({ authMechanism: "LOGIN", authUser: "carol" });
    expect(log.entries.filter((e) => e.masked)).toHaveLength(2);
  });

  it("CRAM-MD5: challenge, then the backend verifies the digest with the password", async () => {
    const checked: SmtpCredentials[] = [];
    const { session, log } = await greeted(
      {},
      {
        authenticate: (credentials) => {
          checked.push(credentials);
          return credentials.verifyCramMd5?.("tanstaaftanstaaf") ?? false;
        },
      },
    );
    const challengeReply = await session.send("AUTH CRAM-MD5\r\n");
    expect(challengeReply).toMatch(/^334 \S+\r\n$/);
    const challenge = Buffer.from(challengeReply.slice(4, -2), "base64").toString();
    expect(challenge).toMatch(/^<.+\.\d+@mx\.test>$/);
    const digest = createHmac("md5", "tanstaaftanstaaf").update(challenge).digest("hex");
    expect(await session.send(`${b64(`tim ${digest}`)}\r\n`)).toMatch(/^235 /);
    expect(checked[0]).toMatchObject({ mechanism: "CRAM-MD5", username: "tim" });
    await session.end();
    expect(log.ended[0]?.authUser).toBe("tim");
  });

  it("wrong credentials with a backend check get 535; a throwing check 454", async () => {
    const { session } = await greeted({}, { authenticate: ({ password }) => password === "right" });
    expect(await session.send(`AUTH PLAIN ${b64("\0u\0wrong")}\r\n`)).toBe(
      "535 5.7.8 Authentication credentials invalid\r\n",
    );
    expect(await session.send(`AUTH PLAIN ${b64("\0u\0right")}\r\n`)).toMatch(/^235 /);
    const failing = await greeted(
      {},
      {
        authenticate: () => {
          throw new Error("ldap down");
        },
      },
    );
    expect(await failing.session.send(`AUTH PLAIN ${b64("\0u\0p")}\r\n`)).toMatch(/^454 4\.7\.0 /);
  });

  it("* cancels with 501, bad base64 is 501, unknown mechanism 504", async () => {
    const { session } = await greeted();
    await session.send("AUTH LOGIN\r\n");
    expect(await session.send("*\r\n")).toBe("501 5.7.0 Authentication cancelled\r\n");
    expect(await session.send("AUTH PLAIN not-base64!\r\n")).toBe("501 5.5.2 Cannot decode response\r\n");
    await session.send("AUTH PLAIN\r\n");
    expect(await session.send("%%%\r\n")).toBe("501 5.5.2 Cannot decode response\r\n");
    expect(await session.send("AUTH GSSAPI\r\n")).toMatch(/^504 5\.5\.4 /);
    expect(await session.send(`AUTH PLAIN ${b64("no-nul")}\r\n`)).toMatch(/^501 /);
    expect(await session.send("NOOP\r\n")).toBe("250 2.0.0 OK\r\n");
  });

  it("only after EHLO, once per session, not inside a transaction (503)", async () => {
    const { session } = setup();
    await session.start();
    expect(await session.send(`AUTH PLAIN ${b64("\0u\0p")}\r\n`)).toMatch(/^503 /);
    await session.send("HELO c\r\n");
    expect(await session.send(`AUTH PLAIN ${b64("\0u\0p")}\r\n`)).toBe("503 5.5.1 Send EHLO first\r\n");
    await session.send("EHLO c\r\nMAIL FROM:<a@b.c>\r\n");
    expect(await session.send(`AUTH PLAIN ${b64("\0u\0p")}\r\n`)).toMatch(/^503 /);
    await session.send("RSET\r\n");
    expect(await session.send(`AUTH PLAIN ${b64("\0u\0p")}\r\n`)).toMatch(/^235 /);
    expect(await session.send(`AUTH PLAIN ${b64("\0u\0p")}\r\n`)).toBe("503 5.5.1 Already authenticated\r\n");
  });

  it("an over-long SASL response gets 500 and ends the exchange (RFC 4954 section 4)", async () => {
    const { session, log } = await greeted();
    await session.send("AUTH LOGIN\r\n");
    expect(await session.send(`${"A".repeat(13000)}\r\n`)).toBe("500 5.5.2 Line too long\r\n");
    expect(await session.send("NOOP\r\n")).toBe("250 2.0.0 OK\r\n");
    await session.send("AUTH PLAIN\r\n");
    for (let i = 0; i < 4; i++) expect(await session.send("B".repeat(4096))).toBe("");
    expect(await session.send("\r\nNOOP\r\n")).toBe("500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n");
    await session.end();
    expect(log.ended[0]?.authUser).toBeNull();
    expect(JSON.stringify(log.entries)).not.toContain("AAAA");
    expect(JSON.stringify(log.entries)).not.toContain("BBBB");
  });

  it("masks secrets however the AUTH line is spaced or however long it is", async () => {
    const secret = b64(`\0alice\0${"s".repeat(600)}`);
    const { session, log } = await greeted();
    await session.send(`AUTH  PLAIN  ${b64("\0u\0hidden-pw")}\r\n`);
    await session.send("RSET\r\n");
    const second = await greeted();
    await second.session.send(`auth plain ${secret}\r\n`);
    await session.end();
    await second.session.end();
    const all = JSON.stringify([...log.entries, ...second.log.entries]);
    expect(all).not.toContain(b64("\0u\0hidden-pw"));
    expect(all).not.toContain(secret.slice(0, 20));
    expect(log.entries.find((e) => e.masked)?.text).toBe("AUTH PLAIN ***");
  });

  it("authRequired: MAIL before AUTH is 530; the AUTH user goes into the envelope", async () => {
    const { session, log } = await greeted({ authRequired: true });
    expect(await session.send("MAIL FROM:<a@b.c>\r\n")).toBe("530 5.7.0 Authentication required\r\n");
    await session.send(`AUTH PLAIN ${b64("\0erin\0p")}\r\n`);
    expect(await session.send(TRANSACTION)).toContain("queued as");
    expect(log.deliveries[0]?.envelope.authUser).toBe("erin");
  });
});

// ---- STARTTLS ----

describe("STARTTLS (RFC 3207)", () => {
  it("502 when no certificate is configured", async () => {
    const { session } = await greeted();
    expect(await session.send("STARTTLS\r\n")).toMatch(/^502 5\.5\.1 /);
  });

  it("220, upgrade requested, pipelined plaintext discarded (CVE-2011-0411), session starts over", async () => {
    const { session, log } = await greeted({ tlsAvailable: true });
    expect(await session.send("STARTTLS\r\nMAIL FROM:<evil@x.y>\r\n")).toBe(
      "220 2.0.0 Ready to start TLS\r\n",
    );
    expect(session.tlsRequested).toBe(true);
    expect(await session.send("RCPT TO:<x@y.z>\r\n")).toBe("");
    await session.completeTls();
    expect(await session.send("MAIL FROM:<a@b.c>\r\n")).toBe("503 5.5.1 Send HELO/EHLO first\r\n");
    const ehlo = await session.send("EHLO c\r\n");
    expect(ehlo).not.toContain("STARTTLS");
    expect(await session.send("STARTTLS\r\n")).toBe("503 5.5.1 TLS already active\r\n");
    expect(await session.send(TRANSACTION)).toContain("queued as");
    await session.end();
    expect(log.deliveries[0]?.envelope.tls).toBe(true);
    expect(log.ended[0]?.tls).toEqual({
      protocol: "TLSv1.3",
      cipher: "TLS_AES_128_GCM_SHA256",
      mode: "starttls",
    });
    expect(log.ended[0]?.warnings).toContain(
      "plaintext pipelined after STARTTLS was discarded (CVE-2011-0411)",
    );
    expect(log.entries.some((e) => e.dir === "event" && e.text.startsWith("TLS started: TLSv1.3"))).toBe(
      true,
    );
  });

  it("takes no argument and needs EHLO first", async () => {
    const { session } = setup({ tlsAvailable: true });
    await session.start();
    expect(await session.send("STARTTLS\r\n")).toBe("503 5.5.1 Send EHLO first\r\n");
    await session.send("EHLO c\r\n");
    expect(await session.send("STARTTLS now\r\n")).toMatch(/^501 /);
  });
});

// ---- transcript and lifecycle ----

describe("transcript and session lifecycle", () => {
  it("records every command and reply in order with offsets from the injected clock", async () => {
    const { session, log, advance } = setup();
    await session.start();
    advance(5);
    await session.send("EHLO c\r\n");
    advance(7);
    await session.send(TRANSACTION);
    advance(3);
    await session.send("QUIT\r\n");
    await session.end();
    expect(log.entries.map((e) => e.seq)).toEqual(log.entries.map((_, i) => i));
    expect(log.entries.map((e) => [e.dir, e.atMs, e.text.split("\n")[0]])).toEqual([
      ["server", 0, "220 mx.test ESMTP Mailpen"],
      ["client", 5, "EHLO c"],
      ["server", 5, "250-mx.test Hello c"],
      ["client", 12, "MAIL FROM:<a@example.com>"],
      ["server", 12, "250 2.1.0 Sender OK"],
      ["client", 12, "RCPT TO:<b@example.com>"],
      ["server", 12, "250 2.1.5 Recipient OK"],
      ["client", 12, "DATA"],
      ["server", 12, "354 End data with <CR><LF>.<CR><LF>"],
      ["client", 12, "<DATA content: 24 octets>"],
      ["server", 12, "250 2.0.0 Ok: queued as id0002"],
      ["client", 15, "QUIT"],
      ["server", 15, "221 2.0.0 mx.test Bye"],
      ["event", 15, "connection closed (quit)"],
    ]);
    expect(log.entries[9]).toMatchObject({
      messageId: "id0002",
      data: { bytes: 24, lines: 3, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 },
    });
  });

  it("calls the backend in protocol order: started, transcript before deliver, ended last and once", async () => {
    const { session, log } = await greeted();
    await session.send(TRANSACTION);
    await session.end();
    await session.end();
    expect(log.calls[0]).toBe("sessionStarted");
    expect(log.calls.at(-1)).toBe("sessionEnded");
    expect(log.calls.filter((c) => c === "sessionEnded")).toHaveLength(1);
    const deliverAt = log.calls.indexOf("deliver");
    expect(log.calls[deliverAt - 1]).toBe("transcriptAppended");
    expect(log.ended[0]).toMatchObject({
      id: "id0001",
      outcome: "client-closed",
      heloName: "client.test",
      messageCount: 1,
    });
  });

  it("hands the session state with each transcript batch", () => {
    const engine = createSmtpEngine({ newId: sequentialIds() });
    engine.start();
    const actions = engine.feed(Buffer.from("EHLO client\r\n"));
    const batch = actions.find((a) => a.type === "transcript");
    expect(batch?.type === "transcript" && batch.state.heloName).toBe("client");
    expect(batch?.type === "transcript" && batch.entries.map((e) => e.dir)).toEqual(["client", "server"]);
  });

  it("too many connections: 421 at the greeting, outcome rejected", async () => {
    const { session, log } = setup();
    expect(await session.start({ reject: true })).toBe(
      "421 4.7.0 mx.test Too many connections, try again later\r\n",
    );
    expect(session.closedWith).toBe("rejected");
    await session.end();
    expect(log.ended[0]?.outcome).toBe("rejected");
  });

  it("timeout: 421 and outcome timeout; shutdown: 421 and outcome shutdown", async () => {
    const a = await greeted();
    const timeout = a.session.engine.timeout("idle");
    expect(timeout.find((x) => x.type === "write")?.type === "write").toBe(true);
    expect(timeout.some((x) => x.type === "close" && x.outcome === "timeout")).toBe(true);
    const ended = a.session.engine.end();
    expect(ended.some((x) => x.type === "session.ended" && x.session.outcome === "timeout")).toBe(true);

    const b = await greeted();
    const shutdown = b.session.engine.shutdown();
    const written = shutdown.find((x) => x.type === "write");
    expect(written?.type === "write" && written.data.toString()).toBe(
      "421 4.3.2 mx.test Server shutting down, closing connection\r\n",
    );
    expect(
      b.session.engine.end().some((x) => x.type === "session.ended" && x.session.outcome === "shutdown"),
    ).toBe(true);
  });

  it("reports transactions in progress (for graceful shutdown)", async () => {
    const { session } = await greeted();
    expect(session.engine.inTransaction).toBe(false);
    await session.send("MAIL FROM:<a@b.c>\r\n");
    expect(session.engine.inTransaction).toBe(true);
    await session.send("RSET\r\n");
    expect(session.engine.inTransaction).toBe(false);
  });

  it("an implicit-TLS session starts with its TLS description and no STARTTLS offer", async () => {
    const tls = { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", mode: "implicit" as const };
    const { session, log } = setup({ tls, tlsAvailable: true });
    await session.start();
    expect(await session.send("EHLO c\r\n")).not.toContain("STARTTLS");
    expect(log.started[0]?.tls).toEqual(tls);
  });
});
