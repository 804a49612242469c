import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailpen, type RunningMailpen } from "../src/index.ts";
import { delay, runConnections, type Random } from "./fuzz-support.ts";

/**
 * A seeded fuzz of the whole path over real sockets: many short connections, each either a run of
 * random commands (valid, malformed, out of sequence, binary, over-long, HTTP, abrupt closes) or one
 * transaction by DATA or BDAT whose content mixes bare CR, bare LF, NUL, 8-bit octets, long lines
 * and the SMTP-smuggling sequences. What must hold whatever the input: the process keeps serving,
 * every connection ends, every connection leaves a session that ended, and every message
 * acknowledged with 250 is stored byte-exact. The seeds are fixed, so a failure replays.
 */

const CONNECTIONS = 200;
const CONCURRENCY = 10;

const COMMANDS: readonly ((r: Random) => string | Buffer)[] = [
  () => "EHLO fuzz.example\r\n",
  () => "HELO fuzz\r\n",
  () => "MAIL FROM:<a@example.com>\r\n",
  () => "MAIL FROM:<>\r\n",
  (r) => `MAIL FROM:<a@example.com> SIZE=${r.int(1e9)}\r\n`,
  () => "MAIL FROM:<a@example.com> BODY=8BITMIME SMTPUTF8\r\n",
  () => 'MAIL FROM:<"quoted local"@example.com> UNKNOWN=1\r\n',
  () => "RCPT TO:<b@example.com>\r\n",
  () => "RCPT TO:<@relay.example:b@example.com> NOTIFY=NEVER\r\n",
  () => "RCPT TO:<δοκιμή@παράδειγμα.example>\r\n",
  () => "DATA\r\n",
  () => "Subject: in the middle\r\n\r\nbody\r\n.\r\n",
  () => ".\r\n",
  () => "RSET\r\n",
  () => "NOOP\r\n",
  () => "VRFY someone\r\n",
  () => "EXPN list\r\n",
  () => "HELP MAIL\r\n",
  () => "TURN\r\n",
  () => "AUTH PLAIN\r\n",
  () => "AUTH PLAIN AHVzZXIAcGFzcw==\r\n",
  () => "AUTH LOGIN\r\n",
  () => "*\r\n",
  () => "AUTH CRAM-MD5\r\n",
  () => "AUTH PLAIN !!not-base64\r\n",
  () => "STARTTLS\r\n",
  (r) => `BDAT ${r.int(20)}\r\n`,
  () => "BDAT 0 LAST\r\n",
  () => "BDAT 5 LAST\r\nhello",
  () => "BDAT many\r\n",
  () => "GET / HTTP/1.1\r\nHost: mailpen\r\n\r\n",
  () => `${"x".repeat(600)}\r\n`,
  () => "\0\0\0\r\n",
  () => "MAIL FROM:<a@example.com>\n",
  () => "\r\n.\n",
  (r) => r.bytes(1 + r.int(200)),
  () => "A".repeat(70_000),
  () => "QUIT\r\n",
];

const CONTENT_PIECES = [
  "a line\r\n",
  "\n",
  "\r",
  "\0",
  "\r\n..stuffed\r\n",
  "\n.\n",
  "\r.\r",
  "\n.\r\n",
  "\r\n.\n",
  "caf\xe9 \xff\r\n",
  "y".repeat(1200),
  "\r\n",
];

/** What DATA stores (RFC 5321 section 4.5.2): a line that starts with "." after CRLF loses that dot. */
function unstuff(content: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = content[0] === 0x2e ? 1 : 0;
  for (;;) {
    const at = content.indexOf("\r\n.", from);
    if (at === -1) break;
    parts.push(content.subarray(from, at + 2));
    from = at + 3;
  }
  parts.push(content.subarray(from));
  return Buffer.concat(parts);
}

interface Outcome {
  ended: boolean;
  /** Message ids from "250 ... queued as <id>", with the bytes the store must hold (null: not modelled). */
  acknowledged: { id: string; expected: Buffer | null }[];
}

/**
 * One connection: a random command run or a hostile transaction, then QUIT, a close or a reset.
 * `login` is the AUTH PLAIN line a transaction sends after EHLO, when the server requires AUTH.
 */
function fuzzConnection(port: number, r: Random, login?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const outcome: Outcome = { ended: false, acknowledged: [] };
    let expected: Buffer | null = null;
    let input = "";
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    // A connection the server never ends is the failure this bound reports (ended stays false).
    const timer = setTimeout(finish, 15_000);
    // Called once the transaction's content got its final reply (250 queued, or an error).
    let contentAnswered: (() => void) | null = null;
    socket.on("data", (chunk: Buffer) => {
      input += chunk.toString("latin1");
      for (const match of input.matchAll(/^250 2\.0\.0 .*queued as (\S+)\r$/gm))
        outcome.acknowledged.push({ id: match[1]!, expected });
      if (/^(250 2\.0\.0 |[45]\d\d )/m.test(input)) contentAnswered?.();
      input = input.slice(input.lastIndexOf("\n") + 1);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      outcome.ended = true;
      finish();
    });
    const greeting = new Promise((done) => socket.once("data", done));
    socket.on("connect", async () => {
      // Mostly after the greeting; sometimes before it (answered 421, by design).
      if (r.next() < 0.9) await Promise.race([greeting, delay(2000)]);
      if (r.next() < 0.6) {
        const pieces = Array.from({ length: 1 + r.int(6) }, () =>
          r.next() < 0.2 ? r.bytes(50) : Buffer.from(r.pick(CONTENT_PIECES), "latin1"),
        );
        const content = Buffer.concat([Buffer.from("Subject: fuzz\r\n\r\n"), ...pieces]);
        const bdat = r.next() < 0.3;
        for (const line of [
          "EHLO fuzz.example\r\n",
          ...(login ? [login] : []),
          "MAIL FROM:<a@example.com>\r\n",
          "RCPT TO:<b@example.com>\r\n",
        ]) {
          socket.write(line);
          await delay(1);
        }
        // Content that holds CRLF "." CRLF ends there, as it must: its stored bytes are not modelled.
        const endsEarly = Buffer.concat([Buffer.from("\r\n"), content, Buffer.from("\r\n")]).includes(
          "\r\n.\r\n",
        );
        expected = bdat ? content : endsEarly ? null : unstuff(Buffer.concat([content, Buffer.from("\r\n")]));
        const answered = new Promise<void>((resolve) => (contentAnswered = resolve));
        if (bdat) socket.write(Buffer.concat([Buffer.from(`BDAT ${content.length} LAST\r\n`), content]));
        else {
          socket.write("DATA\r\n");
          await delay(2);
          socket.write(Buffer.concat([content, Buffer.from("\r\n.\r\n")]));
        }
        // However slow the machine, the reply is read before the connection ends.
        await Promise.race([answered, delay(5000)]);
      } else {
        for (let i = 1 + r.int(25); i > 0; i--) {
          socket.write(r.pick(COMMANDS)(r));
          if (r.next() < 0.5) await delay(r.int(4));
        }
      }
      const end = r.next();
      if (end < 0.3) socket.destroy();
      else if (end < 0.65) socket.end("QUIT\r\n");
      else setTimeout(() => socket.end(), 100);
    });
  });
}

const USER = { name: "app", password: "s3cret" };

describe.each([
  { config: "defaults", options: () => ({}) },
  // STARTTLS announced: the fuzz's STARTTLS gets 220, and what follows is no TLS handshake.
  { config: "STARTTLS with a self-signed certificate", options: () => ({ tlsSelfSigned: true }) },
  // AUTH checked and required: the random runs' credentials are wrong (535) or missing (530).
  {
    config: "AUTH required, against a users file",
    options: (dir: string) => {
      const smtpAuthFile = path.join(dir, "users");
      writeFileSync(smtpAuthFile, `${USER.name}:${USER.password}\n`);
      return { smtpAuthFile, smtpAuthRequired: true };
    },
    login: `AUTH PLAIN ${Buffer.from(`\0${USER.name}\0${USER.password}`).toString("base64")}\r\n`,
  },
])("SMTP fuzz over real sockets, through to the store ($config)", ({ options, login }) => {
  let mailpen: RunningMailpen;
  const dir = mkdtempSync(path.join(tmpdir(), "mailpen-fuzz-"));

  beforeAll(async () => {
    const db = path.join(dir, "fuzz.sqlite");
    mailpen = await startMailpen({ smtpPort: 0, httpPort: 0, db, logLevel: "silent", ...options(dir) });
  });
  afterAll(async () => {
    await mailpen?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([1, 2])(
    "seed %i: every connection ends and leaves a session, every 250 is stored byte-exact",
    async (seed) => {
      const sessionsBefore = mailpen.store.stats().sessions;
      const outcomes = await runConnections(CONNECTIONS, CONCURRENCY, seed * 1_000_003, (r) =>
        fuzzConnection(mailpen.smtpPort, r, login),
      );

      expect(outcomes.filter((o) => !o.ended)).toHaveLength(0);
      expect((await fetch(`${mailpen.url}api/health`)).status).toBe(200);

      const acknowledged = outcomes.flatMap((o) => o.acknowledged);
      // The fuzz must reach the store, or the byte checks below would pass on nothing.
      expect(acknowledged.length).toBeGreaterThan(CONNECTIONS / 4);
      let modelled = 0;
      for (const { id, expected } of acknowledged) {
        const res = await fetch(`${mailpen.url}api/messages/${id}/raw`);
        expect(res.status, id).toBe(200);
        // With AUTH required, only the fuzz's own login can have delivered.
        if (login) expect(mailpen.store.getMessageSummary(id)?.envelope.authUser, id).toBe(USER.name);
        const stored = Buffer.from(await res.arrayBuffer());
        if (expected === null) continue;
        modelled++;
        expect(stored.equals(expected), `${id}: ${JSON.stringify(expected.toString("latin1"))}`).toBe(true);
      }
      expect(modelled).toBeGreaterThan(acknowledged.length / 2);

      // Failed sessions too: one session per connection, each ended with an outcome.
      await expect
        .poll(() => mailpen.store.stats().sessions - sessionsBefore, { timeout: 5000 })
        .toBe(CONNECTIONS);
      const sessions = mailpen.store.listSessions({ limit: CONNECTIONS }).sessions;
      expect(sessions).toHaveLength(CONNECTIONS);
      await expect
        .poll(
          () =>
            mailpen.store.listSessions({ limit: CONNECTIONS }).sessions.filter((s) => s.endedAt === null)
              .length,
          {
            timeout: 5000,
          },
        )
        .toBe(0);
      for (const session of mailpen.store.listSessions({ limit: CONNECTIONS }).sessions)
        expect(session.outcome).not.toBeNull();
    },
    60_000,
  );
});
