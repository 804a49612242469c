import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@mailpen/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailpen, type RunningMailpen } from "../src/start-mailpen.ts";

/**
 * A message received over SMTP is flagged from the counts the SMTP engine made while it arrived
 * (the store does not scan the bytes again). Those flags must be exactly what the store finds by
 * scanning the stored bytes itself: every real-world fixture and a set of hostile messages are sent
 * over a real socket, and each one's flags are compared with a second store's scan of its raw.
 */
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const fixtureDir = path.resolve(repoRoot, "fixtures/eml");
const fixtures = readdirSync(fixtureDir).filter((name) => name.endsWith(".eml"));

const hostile: Record<string, Buffer> = {
  "bare LF": Buffer.from("Subject: lf\r\n\r\none\ntwo\r\n"),
  "bare CR": Buffer.from("Subject: cr\r\n\r\none\rtwo\r\n"),
  "NUL octet": Buffer.from("Subject: nul\r\n\r\none\0two\r\n"),
  "line of 999 octets": Buffer.from(`Subject: long\r\n\r\n${"x".repeat(999)}\r\n`),
  "line of 998 octets": Buffer.from(`Subject: fits\r\n\r\n${"x".repeat(998)}\r\n`),
  "8-bit without 8BITMIME": Buffer.concat([
    Buffer.from("Subject: 8bit\r\n\r\ncaf"),
    Buffer.from([0xe9]),
    Buffer.from("\r\n"),
  ]),
  "CR at a line end before CRLF": Buffer.from("Subject: crcr\r\n\r\none\r\r\ntwo\r\n"),
  // Over 256 KiB the store writes the message in chunks as it arrives and never holds it whole: the
  // flags of what only a later chunk holds must still be found.
  "bare LF and NUL past the first chunk of a 400 KB message": Buffer.from(
    `Subject: spooled\r\n\r\n${"a line of ordinary text\r\n".repeat(12_000)}bare\nlf\0nul\r\n`,
  ),
};

/** DATA content for `raw`: CRLF-terminated, dot-stuffed after each CRLF. */
function toData(raw: Buffer): Buffer {
  const ended =
    raw.subarray(-2).toString("latin1") === "\r\n" ? raw : Buffer.concat([raw, Buffer.from("\r\n")]);
  const text = ended.toString("latin1");
  const stuffed = (text.startsWith(".") ? "." : "") + text.replace(/\r\n\./g, "\r\n..");
  return Buffer.from(stuffed + ".\r\n", "latin1");
}

/** Sends each message in its own transaction over one connection; resolves with the 250 replies. */
async function send(port: number, messages: Buffer[]): Promise<string[]> {
  const socket = net.connect(port, "127.0.0.1");
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffered = "";
  socket.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("latin1");
    for (let end = buffered.indexOf("\r\n"); end !== -1; end = buffered.indexOf("\r\n")) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (line[3] === "-") continue;
      const next = waiting.shift();
      if (next) next(line);
      else lines.push(line);
    }
  });
  const reply = (): Promise<string> =>
    lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve));
  const accepted: string[] = [];
  try {
    await reply();
    socket.write("EHLO flags.test\r\n");
    await reply();
    for (const raw of messages) {
      socket.write("MAIL FROM:<a@flags.test>\r\nRCPT TO:<b@flags.test>\r\nDATA\r\n");
      for (let i = 0; i < 3; i++) await reply();
      socket.write(toData(raw));
      accepted.push(await reply());
    }
    socket.write("QUIT\r\n");
    await reply();
  } finally {
    socket.destroy();
  }
  return accepted;
}

let mailpen: RunningMailpen;
const sent = new Map<string, string>(); // name -> message id

beforeAll(async () => {
  mailpen = await startMailpen({
    db: ":memory:",
    smtpPort: 0,
    httpPort: 0,
    host: "127.0.0.1",
    logLevel: "silent",
  });
  const named = [
    ...fixtures.map((name) => [name, readFileSync(path.join(fixtureDir, name))] as const),
    ...Object.entries(hostile),
  ];
  const replies = await send(
    mailpen.smtpPort,
    named.map(([, raw]) => raw),
  );
  replies.forEach((line, i) => {
    expect(line).toMatch(/^250 /);
    const summary = mailpen.store.listMessages({ limit: 1000 }).messages.find((m) => line.includes(m.id));
    sent.set(named[i]![0], summary!.id);
  });
}, 30_000);
afterAll(async () => {
  await mailpen?.close();
});

describe("flags of messages received over SMTP", () => {
  it.each([...fixtures, ...Object.keys(hostile)])(
    "%s: the engine's counts flag it as a scan would",
    async (name) => {
      const id = sent.get(name)!;
      const stored = (await mailpen.store.getMessage(id))!;
      const scanner = openStore({ path: ":memory:", parseInWorker: false });
      try {
        const scanned = await scanner.addMessage({
          sessionId: null,
          receivedAt: new Date(),
          envelope: stored.envelope,
          raw: mailpen.store.getRaw(id)!,
        });
        const byteFlags = (flags: string[]): string[] => flags.filter((f) => f !== "parse-error").sort();
        expect(byteFlags(stored.flags)).toEqual(byteFlags(scanned.flags));
      } finally {
        await scanner.close();
      }
    },
  );

  it("flags each hostile message as expected", async () => {
    const flagsOf = async (name: string): Promise<string[]> =>
      (await mailpen.store.getMessage(sent.get(name)!))!.flags;
    expect(await flagsOf("bare LF")).toContain("bare-lf");
    expect(await flagsOf("bare CR")).toContain("bare-cr");
    expect(await flagsOf("NUL octet")).toContain("nul");
    expect(await flagsOf("line of 999 octets")).toContain("long-line");
    expect(await flagsOf("line of 998 octets")).not.toContain("long-line");
    expect(await flagsOf("8-bit without 8BITMIME")).toContain("8bit-without-8bitmime");
    expect(await flagsOf("CR at a line end before CRLF")).toContain("bare-cr");
    const spooled = "bare LF and NUL past the first chunk of a 400 KB message";
    expect(await flagsOf(spooled)).toEqual(expect.arrayContaining(["bare-lf", "nul"]));
    expect(mailpen.store.getRaw(sent.get(spooled)!)?.equals(hostile[spooled]!)).toBe(true);
  });
});
