/**
 * The pure engine through its public API (createSmtpEngine, createIdGenerator): what only the engine
 * can show deterministically, with an injected clock and ids. No sockets, no timers.
 */
import { describe, expect, it } from "vitest";
import { createIdGenerator, createSmtpEngine, SmtpReplyError, type SmtpAction } from "../src/index.ts";
import { openEngineHarness, runEngineSession } from "./support/engine-harness.ts";
import { createRecordingBackend } from "./support/recording-backend.ts";
import { EXPECTED_REPLY } from "./support/expected-replies.ts";

const written = (actions: SmtpAction[]): string =>
  actions.flatMap((a) => (a.type === "write" ? [a.data.toString("utf8")] : [])).join("");
const kinds = (actions: SmtpAction[]): string[] => actions.map((a) => a.type);

describe("engine lifecycle", () => {
  it("RFC 5321 section 4.3.1: input before the greeting gets 421 and a close (outcome rejected)", () => {
    const engine = createSmtpEngine({ hostname: "mailpen.test" });
    const actions = engine.feed(Buffer.from("EHLO early.example\r\n"));
    expect(written(actions)).toMatch(EXPECTED_REPLY.serviceClosing);
    expect(actions.find((a) => a.type === "close")).toMatchObject({ outcome: "rejected" });
    expect(kinds(actions)[0]).toBe("session.started");
    const end = engine.end();
    expect(end.find((a) => a.type === "session.ended")).toMatchObject({ session: { outcome: "rejected" } });
    // Nothing more, ever.
    expect(engine.feed(Buffer.from("NOOP\r\n")).filter((a) => a.type === "write")).toEqual([]);
    expect(engine.end().filter((a) => a.type === "session.ended")).toEqual([]);
  });

  it("start({ reject: true }) answers 421 at greeting (too many connections)", () => {
    const engine = createSmtpEngine({ hostname: "mailpen.test" });
    const actions = engine.start({ reject: true });
    expect(written(actions)).toMatch(/^421 4\.\d\.\d mailpen\.test /);
    expect(actions.find((a) => a.type === "close")).toMatchObject({ outcome: "rejected" });
  });

  it("session.started comes first and session.ended exactly once, last", () => {
    const engine = createSmtpEngine();
    const all = [
      ...engine.start(),
      ...engine.feed(Buffer.from("EHLO a\r\nQUIT\r\n")),
      ...engine.end(),
      ...engine.end(),
    ];
    expect(all[0]!.type).toBe("session.started");
    expect(all.filter((a) => a.type === "session.ended")).toHaveLength(1);
    expect(all[all.length - 1]!.type).toBe("session.ended");
    expect(all.find((a) => a.type === "session.ended")).toMatchObject({ session: { outcome: "quit" } });
  });

  it("timeout('idle') and shutdown() reply 421 and close with their outcomes", () => {
    const idle = createSmtpEngine({ hostname: "h" });
    idle.start();
    const a = idle.timeout("idle");
    expect(written(a)).toMatch(EXPECTED_REPLY.idleTimeout);
    expect(a.find((x) => x.type === "close")).toMatchObject({ outcome: "timeout" });
    const down = createSmtpEngine({ hostname: "h" });
    down.start();
    const b = down.shutdown();
    expect(written(b)).toMatch(EXPECTED_REPLY.serviceClosing);
    expect(b.find((x) => x.type === "close")).toMatchObject({ outcome: "shutdown" });
  });

  it("a chunk fed while a delivery is pending is queued and answered after it, in order", async () => {
    const engine = createSmtpEngine({ hostname: "h", newId: () => "m1" });
    engine.start();
    const first = engine.feed(
      Buffer.from("EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\r\n.\r\nNOOP\r\n"),
    );
    expect(first.filter((a) => a.type === "deliver")).toHaveLength(1);
    expect(written(first)).not.toMatch(/^250 2\.0\.0 OK/m);
    const queued = engine.feed(Buffer.from("RSET\r\n"));
    expect(written(queued)).toBe("");
    const after = written(engine.resolveDelivery({ ok: true }));
    expect(
      after
        .split("\r\n")
        .filter(Boolean)
        .map((l) => l.slice(0, 9)),
    ).toEqual(["250 2.0.0", "250 2.0.0", "250 2.0.0"]);
    expect(after).toContain("m1");
  });
});

describe("STYLE.md item 4: backend errors through the engine", () => {
  it("SmtpReplyError from deliver becomes exactly that reply", async () => {
    const backend = createRecordingBackend();
    backend.behaviour = { kind: "throw", error: new SmtpReplyError(550, "5.7.1", "No thanks") };
    const run = await runEngineSession(
      [Buffer.from("EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\r\n.\r\n")],
      {},
      backend,
    );
    expect(run.output.toString()).toContain("\r\n550 5.7.1 No thanks\r\n");
    expect(run.backend.sessions[0]!.ends[0]!.messageCount).toBe(0);
  });

  it("a plain Error from deliver becomes 451 4.3.0 and a log action", async () => {
    const backend = createRecordingBackend();
    backend.behaviour = { kind: "throw", error: new Error("boom") };
    const harness = await openEngineHarness(backend, { hostname: "h" });
    await harness.feed(Buffer.from("EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nx\r\n.\r\n"));
    expect(harness.output().toString()).toMatch(/\r\n451 4\.3\.0 [^\r]*\r\n$/);
    expect(harness.output().toString()).not.toContain("boom");
    expect(harness.logs.filter((l) => l.level === "error")).toHaveLength(1);
    await harness.clientClosed();
  });

  it("an authenticate() that throws becomes a 454 4.7.0 temporary failure", async () => {
    const backend = createRecordingBackend({ users: {} });
    backend.authenticate = () => {
      throw new Error("directory down");
    };
    const run = await runEngineSession(
      [Buffer.from("EHLO a\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nNOOP\r\n")],
      {},
      backend,
    );
    expect(run.output.toString()).toMatch(/\r\n454 4\.7\.0 [^\r]*\r\n250 2\.0\.0 /);
  });
});

describe("RFC 4616 and draft-murchison-sasl-login: what is recorded as the AUTH user", () => {
  const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");
  it.each([
    [
      "PLAIN with an authzid records the authcid",
      `AUTH PLAIN ${b64("admin\0alice\0pw")}\r\n`,
      "PLAIN",
      "alice",
    ],
    ["LOGIN with a UTF-8 user name", `AUTH LOGIN ${b64("jørgen")}\r\n${b64("pw")}\r\n`, "LOGIN", "jørgen"],
    ["PLAIN with a UTF-8 password", `AUTH PLAIN ${b64("\0bob\0pässwörd")}\r\n`, "PLAIN", "bob"],
  ])("%s", async (_name, input, mechanism, user) => {
    const backend = createRecordingBackend();
    const run = await runEngineSession([Buffer.from(`EHLO a\r\n${input}QUIT\r\n`)], {}, backend);
    expect(run.output.toString()).toMatch(/\r\n235 2\.7\.0 /);
    expect(run.backend.sessions[0]!.ends[0]).toMatchObject({ authMechanism: mechanism, authUser: user });
    expect(backend.credentials[0]).toMatchObject({ mechanism, username: user });
  });

  it("the password reaches authenticate() decoded as UTF-8", async () => {
    const backend = createRecordingBackend({ users: { bob: "pässwörd" } });
    const run = await runEngineSession(
      [Buffer.from(`EHLO a\r\nAUTH PLAIN ${b64("\0bob\0pässwörd")}\r\n`)],
      {},
      backend,
    );
    expect(run.output.toString()).toMatch(/\r\n235 2\.7\.0 /);
  });
});

describe("the transcript, with an injected clock (issue 3: structured entries, millisecond offsets)", () => {
  it("records every command and reply in order, masks AUTH, and summarises DATA with the message id", async () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const harness = await openEngineHarness(undefined, {
      hostname: "mailpen.test",
      clock,
      newId: createIds(),
    });
    const step = async (ms: number, input: string): Promise<void> => {
      now += ms;
      await harness.feed(Buffer.from(input, "latin1"));
    };
    await step(5, "EHLO client.example\r\n");
    await step(10, "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
    await step(10, "MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\n");
    await step(10, "DATA\r\n");
    await step(10, "Subject: t\r\n\r\nhello\r\n\0\x80\r\n.\r\n");
    await step(10, "QUIT\r\n");
    const entries = harness.backend.sessions[0]!.entries;
    const view = entries.map((e) => `${e.atMs} ${e.dir} ${e.text.split("\n")[0]}`);
    expect(view.filter((v) => !v.includes(" event "))).toEqual([
      "0 server 220 mailpen.test ESMTP Mailpen",
      "5 client EHLO client.example",
      "5 server 250-mailpen.test Hello client.example",
      expect.stringMatching(/^15 client AUTH PLAIN (?!AGFsaWNlAHNlY3JldA==)/),
      "15 server 235 2.7.0 Authentication successful",
      "25 client MAIL FROM:<alice@example.com>",
      "25 server 250 2.1.0 Sender OK",
      "25 client RCPT TO:<bob@example.com>",
      "25 server 250 2.1.5 Recipient OK",
      "35 client DATA",
      "35 server 354 End data with <CR><LF>.<CR><LF>",
      expect.stringMatching(/^45 client /),
      expect.stringMatching(/^45 server 250 2\.0\.0 .*msg-2/),
      "55 client QUIT",
      "55 server 221 2.0.0 mailpen.test Bye",
    ]);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i));
    const auth = entries.find((e) => e.text.startsWith("AUTH"))!;
    expect(auth.masked).toBe(true);
    const summary = entries.find((e) => e.data)!;
    expect(summary.messageId).toBe("msg-2");
    expect(summary.data).toEqual({
      bytes: 25,
      lines: 4,
      bareLf: 0,
      bareCr: 0,
      eightBit: 1,
      longLines: 0,
      nul: 1,
    });
    expect(harness.backend.deliveries[0]!.id).toBe("msg-2");
    expect(harness.backend.sessions[0]!.start.id).toBe("msg-1");
    // The state handed with the last batch matches the end.
    expect(harness.backend.sessions[0]!.lastState).toMatchObject({
      authMechanism: "PLAIN",
      authUser: "alice",
      messageCount: 1,
    });
  });

  it.each([
    ["without BODY=", "", true],
    ["with BODY=8BITMIME", " BODY=8BITMIME", false],
  ])("RFC 6152: 8-bit content %s is flagged accordingly", async (_name, param, flagged) => {
    const run = await runEngineSession([
      Buffer.from(`EHLO a\r\nMAIL FROM:<a@b>${param}\r\nRCPT TO:<c@d>\r\nDATA\r\ncaf\xe9\r\n.\r\n`, "latin1"),
    ]);
    expect(run.backend.sessions[0]!.entries.find((e) => e.data)?.data?.eightBit).toBe(1);
    const warnings = run.backend.sessions[0]!.ends[0]!.warnings;
    expect(warnings.some((w) => /8-?bit/i.test(w))).toBe(flagged);
  });

  it("RFC 3030: BDAT chunks are summarised as ONE entry with the message id; each BDAT command is recorded", async () => {
    const run = await runEngineSession([
      Buffer.from(
        "EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 5\r\nab\ncdBDAT 4\r\nef\r\nBDAT 0 LAST\r\nQUIT\r\n",
      ),
    ]);
    const entries = run.backend.sessions[0]!.entries;
    const summaries = entries.filter((e) => e.data);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.messageId).toBe(run.backend.deliveries[0]!.id);
    expect(summaries[0]!.data).toMatchObject({ bytes: 9, bareLf: 1 });
    expect(entries.filter((e) => e.dir === "client" && /^BDAT /.test(e.text)).map((e) => e.text)).toEqual([
      "BDAT 5",
      "BDAT 4",
      "BDAT 0 LAST",
    ]);
    // Chunk octets are content, never commands: nothing like "ab" or "ef" appears as a client line.
    expect(entries.some((e) => e.dir === "client" && /^(ab|cd|ef)/.test(e.text))).toBe(false);
  });

  it.each([
    ["without SMTPUTF8", "", true],
    ["with SMTPUTF8", " SMTPUTF8", false],
  ])(
    "RFC 6531 section 3.4: a UTF-8 address %s is accepted; only without it is it noted",
    async (_n, param, noted) => {
      const run = await runEngineSession([
        Buffer.from(
          `EHLO a\r\nMAIL FROM:<jørgen@exämple.dk>${param}\r\nRCPT TO:<用户@例子.广告>\r\nDATA\r\nx\r\n.\r\n`,
        ),
      ]);
      expect(run.backend.deliveries.map((d) => d.envelope.rcptTo[0]!.address)).toEqual(["用户@例子.广告"]);
      const warnings = run.backend.sessions[0]!.ends[0]!.warnings;
      expect(warnings.some((w) => /UTF-?8/i.test(w))).toBe(noted);
    },
  );

  it("a line over 998 octets is counted as a long line (RFC 5322 section 2.1.1)", async () => {
    const run = await runEngineSession([
      Buffer.from(
        `EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n${"x".repeat(998)}\r\n${"y".repeat(999)}\r\n.\r\n`,
      ),
    ]);
    expect(run.backend.sessions[0]!.entries.find((e) => e.data)?.data?.longLines).toBe(1);
  });
});

function createIds(): () => string {
  let n = 0;
  return () => `msg-${++n}`;
}

describe("createIdGenerator", () => {
  it("ids are unique and sort in creation order, also within one millisecond", () => {
    let now = Date.UTC(2026, 0, 1);
    const next = createIdGenerator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++) {
      if (i % 1000 === 0) now += 1;
      ids.push(next());
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("a later clock gives a later id even from another generator", () => {
    const a = createIdGenerator(() => 1_000)();
    const b = createIdGenerator(() => 2_000)();
    expect(a < b).toBe(true);
  });
});

describe("issue 3: AUTH secrets are masked in the transcript by default", () => {
  const password = "Pa55-w0rd-that-must-not-leak";
  const plain = (pw: string): string => Buffer.from(`\0alice\0${pw}`).toString("base64");
  const b64 = (s: string): string => Buffer.from(s).toString("base64");
  /** Base64 text that encodes only password octets (the 9th octet on), as it would appear in a leak. */
  const leakOf = (response: string): string => response.slice(12, 36);
  const longPassword = "p".repeat(600);

  const masked: Array<[string, string, string[]]> = [
    ["PLAIN with an initial response", `AUTH PLAIN ${plain(password)}\r\n`, [plain(password)]],
    ["PLAIN after a 334", `AUTH PLAIN\r\n${plain(password)}\r\n`, [plain(password)]],
    ["LOGIN in two rounds", `AUTH LOGIN\r\n${b64("alice")}\r\n${b64(password)}\r\n`, [b64(password)]],
    [
      "LOGIN with the user as initial response",
      `AUTH LOGIN ${b64("alice")}\r\n${b64(password)}\r\n`,
      [b64(password)],
    ],
    ["lower-case verb", `auth plain ${plain(password)}\r\n`, [plain(password)]],
    [
      "rejected credentials (535)",
      `AUTH PLAIN ${plain("wrong-but-secret-password")}\r\n`,
      [plain("wrong-but-secret-password")],
    ],
  ];
  // Were FINDINGS.md #3 (fixed): these inputs reached the transcript unmasked.
  const formerlyLeaking: Array<[string, string, string[]]> = [
    ["two spaces between the words", `AUTH  PLAIN  ${plain(password)}\r\n`, [plain(password)]],
    ["an AUTH line over 512 octets (500)", `AUTH PLAIN ${plain(longPassword)}\r\n`, [plain(longPassword)]],
    [
      "a SASL response over the 12288-octet limit (500)",
      `AUTH PLAIN\r\n${plain("q".repeat(10_000))}\r\n*\r\n`,
      [plain("q".repeat(10_000))],
    ],
  ];

  const check = async (input: string, secrets: string[]): Promise<void> => {
    const backend = createRecordingBackend({ users: { alice: password } });
    const run = await runEngineSession([Buffer.from(`EHLO a\r\n${input}QUIT\r\n`)], {}, backend);
    const text = run.backend.sessions[0]!.entries.map((e) => e.text).join("\n");
    for (const secret of secrets) expect(text).not.toContain(leakOf(secret));
    expect(text).not.toContain(password);
  };

  it.each(masked)("%s", async (_name, input, secrets) => check(input, secrets));
  it.each(formerlyLeaking)("%s", async (_name, input, secrets) => check(input, secrets));

  it("a wrong-mechanism AUTH with an initial response is masked too", async () => {
    await check(`AUTH XOAUTH2 ${b64(`user=alice\x01auth=Bearer ${password}\x01\x01`)}\r\n`, [
      b64(`user=alice\x01auth=Bearer ${password}\x01\x01`),
    ]);
  });
});
