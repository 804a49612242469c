/**
 * Runs a parsed scenario over a transport (the engine in memory, or a real socket) and checks the
 * replies, the close, the deliveries and the session's end. Invariant: the transport is always
 * finished (socket destroyed, engine told the client left), even when an expectation fails.
 */
import { createHmac } from "node:crypto";
import type { TranscriptEntry } from "@mailpen/shared";
import { expect } from "vitest";
import type { RecordingBackend } from "./recording-backend.ts";
import { alignReplies, type Scenario } from "./scenario-file.ts";

/** What a scenario needs from a connection: bytes out, whole replies in, and whether it closed. */
export interface ScenarioTransport {
  send(bytes: Buffer): Promise<void>;
  /** Reads `count` complete replies, each as its lines. */
  readReplies(count: number): Promise<string[][]>;
  /** Waits for the server's close; returns replies that arrived and were not read. */
  waitClosed(): Promise<string[][]>;
  /** Ends the client side (closes the socket / tells the engine the client left). */
  finish(): Promise<void>;
}

/** The CRAM-MD5 response (RFC 2195 section 2): base64("user " + hex HMAC-MD5(password, challenge)). */
export function cramMd5Response(challengeReplyLine: string, user: string, password: string): string {
  const challenge = Buffer.from(challengeReplyLine.slice(4).trim(), "base64").toString("latin1");
  const digest = createHmac("md5", password).update(challenge, "latin1").digest("hex");
  return Buffer.from(`${user} ${digest}`, "utf8").toString("base64");
}

/**
 * RFC 2034 section 4 and RFC 3463 section 2: every 2xx, 4xx and 5xx reply line carries an enhanced
 * status code whose class is the reply's first digit. Exempt, as RFC 5321's grammar puts the domain
 * first there: the greeting, the replies to HELO and EHLO. 3xx replies (334, 354) carry none.
 * Checked on the transcript, where each server reply follows the client line it answers.
 */
export function expectEnhancedStatusCodes(entries: TranscriptEntry[], where: string): void {
  let lastCommand = "";
  let greeted = false;
  for (const entry of entries) {
    if (entry.dir === "client") {
      lastCommand = entry.text.split(" ")[0]!.toUpperCase();
      continue;
    }
    if (entry.dir !== "server") continue;
    const first = entry.text.slice(0, 3);
    const isGreeting = !greeted && first === "220";
    greeted = true;
    if (isGreeting || first.startsWith("3")) continue;
    if ((lastCommand === "HELO" || lastCommand === "EHLO") && first === "250") continue;
    for (const line of entry.text.split("\n")) {
      expect(line, `${where}: enhanced status code in reply line`).toMatch(
        new RegExp(`^${first}[ -]${first[0]}\\.\\d{1,3}\\.\\d{1,3}( |$)`),
      );
    }
  }
}

/** Runs every step; `where` names the transport in failure messages. */
export async function runScenario(
  scenario: Scenario,
  transport: ScenarioTransport,
  backend: RecordingBackend,
  where: string,
): Promise<void> {
  let last: string[] = [];
  let closed = false;
  try {
    for (const step of scenario.steps) {
      const at = `${scenario.file}:${step.line} (${where})`;
      if (step.kind === "send") {
        await transport.send(step.bytes);
      } else if (step.kind === "cram-md5") {
        const line = last[last.length - 1] ?? "";
        expect(line, `${at}: K: needs a 334 challenge before it`).toMatch(/^334 /);
        await transport.send(Buffer.from(`${cramMd5Response(line, step.user, step.password)}\r\n`));
      } else if (step.kind === "expect") {
        let actual: string[][];
        try {
          actual = await transport.readReplies(step.replies.length);
        } catch (err) {
          throw new Error(`${at}: expected ${step.replies.length} repl(ies): ${(err as Error).message}`, {
            cause: err,
          });
        }
        last = actual[actual.length - 1] ?? [];
        const aligned = alignReplies(step.replies, actual);
        expect(aligned.actual, `${at}: replies`).toEqual(aligned.expected);
      } else {
        const leftover = await transport.waitClosed();
        closed = true;
        expect(leftover, `${at}: replies after the last expected one, before the close`).toEqual([]);
      }
    }
  } finally {
    if (!closed) await transport.finish();
  }

  const [ended] = await backend.waitForEnded(1);
  expect(ended!.ends, `${where}: sessionEnded exactly once`).toHaveLength(1);
  expect(backend.violations, `${where}: backend call order`).toEqual([]);
  expectEnhancedStatusCodes(ended!.entries, where);
  expect(backend.deliveries, `${where}: number of delivered messages`).toHaveLength(
    scenario.deliveries.length,
  );
  scenario.deliveries.forEach((want, i) => {
    const got = backend.deliveries[i]!;
    expect(got.envelope, `${where}: envelope of message ${i + 1}`).toMatchObject(want.envelope);
    if (want.raw) {
      expect(got.raw.toString("utf8"), `${where}: content of message ${i + 1}`).toBe(
        want.raw.toString("utf8"),
      );
      expect(Buffer.compare(got.raw, want.raw), `${where}: content bytes of message ${i + 1}`).toBe(0);
    }
  });
}
