/**
 * Parses transcript scenario files (test/scenarios/*.txt, STYLE.md item 6: inbucket's scripted
 * sessions). This file performs no I/O besides reading the file; running is in scenario-runner.ts.
 *
 * Format, one item per line:
 *   # text                 a comment; the first one is the scenario's title (name it after the RFC rule)
 *   @options {json}        SmtpServerOptions for this scenario (merged over the test defaults)
 *   @users {json}          the backend checks AUTH against these user/password pairs
 *   @socket-only           run only over a real socket (for example early talkers)
 *   @known-bug socket|engine  a confirmed implementation bug listed in test/FINDINGS.md: that run is
 *                          expected to fail (it.fails) until the bug is fixed
 *   @closed                the server closes the connection after the replies above
 *   C: text                sent as text + CRLF; consecutive C:/R: lines are one pipelined write
 *   R: text                sent raw, with escapes \r \n \t \\ \xHH and no CRLF added
 *   K: user password       sends the CRAM-MD5 response (RFC 2195) to the challenge in the last reply
 *   S: text                the next line of the expected reply; `*` matches any run of characters.
 *                          A line "ddd text" (code, space) ends a reply, "ddd-text" continues it;
 *                          "ddd-..." stands for any number (zero or more) of "ddd-" lines.
 *   S~ ddd text            within the current multi-line reply, the lines after the ordered S: lines
 *                          are exactly these, in any order (the separator after the code is ignored)
 *   E: {json}              the next delivered message's envelope contains this (partial match)
 *   M: text                a line of that message's raw content (each line gets CRLF)
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { SmtpServerOptions } from "../../src/options.ts";

/** One expected reply: ordered line patterns, then unordered ones. */
export interface ExpectedReply {
  ordered: string[];
  unordered: string[];
  /** Line in the file where it starts, for messages. */
  line: number;
}

export type ScenarioStep =
  | { kind: "send"; bytes: Buffer; line: number }
  | { kind: "cram-md5"; user: string; password: string; line: number }
  | { kind: "expect"; replies: ExpectedReply[]; line: number }
  | { kind: "closed"; line: number };

export interface ExpectedDelivery {
  envelope: Record<string, unknown>;
  /** Null when the scenario gave no M: lines (content not checked). */
  raw: Buffer | null;
}

export interface Scenario {
  name: string;
  title: string;
  file: string;
  options: SmtpServerOptions;
  users: Record<string, string> | undefined;
  socketOnly: boolean;
  /** Runs expected to fail because of a bug listed in FINDINGS.md. */
  knownBug: Set<"socket" | "engine">;
  steps: ScenarioStep[];
  deliveries: ExpectedDelivery[];
}

/** Decodes the escapes of an R: line. */
export function decodeRawEscapes(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch !== "\\") {
      out.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const next = text[++i];
    if (next === "r") out.push(0x0d);
    else if (next === "n") out.push(0x0a);
    else if (next === "t") out.push(0x09);
    else if (next === "\\") out.push(0x5c);
    else if (next === "x") {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad \\x escape in ${JSON.stringify(text)}`);
      out.push(parseInt(hex, 16));
      i += 2;
    } else throw new Error(`unknown escape \\${next ?? ""} in ${JSON.stringify(text)}`);
  }
  return Buffer.from(out);
}

/** A pattern ends its reply unless it is written as a continuation line, "ddd-...". */
const CONTINUATION = /^\d{3}-/;

/** Parses one scenario file's text. */
export function parseScenario(text: string, file: string): Scenario {
  const scenario: Scenario = {
    name: path.basename(file, ".txt"),
    title: "",
    file,
    options: {},
    users: undefined,
    socketOnly: false,
    knownBug: new Set(),
    steps: [],
    deliveries: [],
  };
  let expect: Extract<ScenarioStep, { kind: "expect" }> | null = null;
  let reply: ExpectedReply | null = null;
  let send: Extract<ScenarioStep, { kind: "send" }> | null = null;
  let delivery: ExpectedDelivery | null = null;
  const closeReply = (): void => {
    reply = null;
  };
  const fail = (n: number, why: string): never => {
    throw new Error(`${file}:${n}: ${why}`);
  };

  text.split(/\r?\n/).forEach((raw, index) => {
    const n = index + 1;
    if (raw.trim() === "") return;
    if (raw.startsWith("#")) {
      if (!scenario.title) scenario.title = raw.replace(/^#\s*/, "");
      return;
    }
    const prefix = raw.slice(0, 3);
    const body = raw.slice(3);
    if (prefix !== "S~ ") {
      // Anything but an unordered line closes a reply that was collecting unordered lines.
      if (reply && reply.unordered.length > 0) closeReply();
    }
    if (raw.startsWith("@")) {
      const [directive, ...rest] = raw.split(" ");
      const arg = rest.join(" ");
      send = null;
      if (directive !== "@closed") {
        expect = null;
        closeReply();
      }
      if (directive === "@options") scenario.options = JSON.parse(arg) as SmtpServerOptions;
      else if (directive === "@users") scenario.users = JSON.parse(arg) as Record<string, string>;
      else if (directive === "@socket-only") scenario.socketOnly = true;
      else if (directive === "@known-bug") {
        if (arg !== "socket" && arg !== "engine") fail(n, "@known-bug needs socket or engine");
        scenario.knownBug.add(arg as "socket" | "engine");
      } else if (directive === "@closed") {
        if (reply) fail(n, "@closed inside an unfinished reply");
        expect = null;
        scenario.steps.push({ kind: "closed", line: n });
      } else fail(n, `unknown directive ${directive}`);
      return;
    }
    if (prefix === "C: " || prefix === "R: " || raw === "C:") {
      if (reply) fail(n, "client line inside an unfinished reply");
      expect = null;
      const bytes =
        prefix === "R: " ? decodeRawEscapes(body) : Buffer.from(`${raw === "C:" ? "" : body}\r\n`, "utf8");
      if (send) send.bytes = Buffer.concat([send.bytes, bytes]);
      else {
        send = { kind: "send", bytes, line: n };
        scenario.steps.push(send);
      }
      return;
    }
    send = null;
    if (prefix === "K: ") {
      if (reply) fail(n, "client line inside an unfinished reply");
      expect = null;
      const [user, password] = body.split(" ");
      if (!user || password === undefined) fail(n, "K: needs `user password`");
      scenario.steps.push({ kind: "cram-md5", user: user!, password: password!, line: n });
      return;
    }
    if (prefix === "S: " || prefix === "S~ ") {
      if (!expect) {
        expect = { kind: "expect", replies: [], line: n };
        scenario.steps.push(expect);
      }
      if (!reply) {
        reply = { ordered: [], unordered: [], line: n };
        expect.replies.push(reply);
      }
      if (prefix === "S~ ") {
        if (!/^\d{3} /.test(body)) fail(n, "S~ needs `ddd text`");
        reply.unordered.push(body);
      } else {
        if (reply.unordered.length > 0) fail(n, "S: after S~ in the same reply");
        reply.ordered.push(body);
        if (!CONTINUATION.test(body)) closeReply();
      }
      return;
    }
    expect = null;
    closeReply();
    if (prefix === "E: ") {
      delivery = { envelope: JSON.parse(body) as Record<string, unknown>, raw: null };
      scenario.deliveries.push(delivery);
      return;
    }
    if (prefix === "M: " || raw === "M:") {
      if (!delivery) fail(n, "M: before any E:");
      const line = Buffer.from(`${raw === "M:" ? "" : body}\r\n`, "utf8");
      delivery!.raw = delivery!.raw ? Buffer.concat([delivery!.raw, line]) : line;
      return;
    }
    fail(n, `cannot parse line ${JSON.stringify(raw)}`);
  });
  if (reply && (reply as ExpectedReply).unordered.length === 0) fail(0, "the file ends inside a reply");
  return scenario;
}

/** Reads and parses a scenario file. */
export function loadScenario(file: string): Scenario {
  return parseScenario(readFileSync(file, "utf8"), file);
}

/** Glob match where `*` is any run of characters (possibly empty); everything else is literal. */
export function globMatch(pattern: string, actual: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "s");
  return re.test(actual);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Compares actual reply lines with expected ones and returns both as comparable arrays: where a
 * pattern matches, the actual line is replaced by the pattern, so `expect(actual).toEqual(expected)`
 * shows a readable diff only where they differ.
 */
export function alignReplies(
  expected: ExpectedReply[],
  actual: string[][],
): { expected: string[]; actual: string[] } {
  const exp: string[] = [];
  const act: string[] = [];
  const count = Math.max(expected.length, actual.length);
  for (let i = 0; i < count; i++) {
    const e = expected[i];
    const a = actual[i] ?? [];
    if (!e) {
      act.push(...a);
      continue;
    }
    let j = 0;
    for (const p of e.ordered) {
      exp.push(p);
      if (/^\d{3}-\.\.\.$/.test(p)) {
        // Any number of continuation lines of this code.
        while (a[j] !== undefined && a[j]!.startsWith(p.slice(0, 4)) && a[j + 1] !== undefined) j++;
        act.push(p);
        continue;
      }
      const line = a[j++];
      act.push(line !== undefined && globMatch(p, line) ? p : (line ?? "<no line>"));
    }
    const rest = a.slice(j);
    if (e.unordered.length > 0) {
      // Ignore the separator: "250 SIZE *" matches "250-SIZE 100" and "250 SIZE 100".
      const normal = (l: string): string => (l.length > 3 ? `${l.slice(0, 3)} ${l.slice(4)}` : l);
      const remaining = rest.map(normal);
      const matched: string[] = [];
      for (const p of [...e.unordered].sort()) {
        exp.push(p);
        const k = remaining.findIndex((l) => globMatch(p, l));
        if (k >= 0) {
          remaining.splice(k, 1);
          matched.push(p);
        }
      }
      act.push(...matched);
      // Extra lines, and patterns that matched nothing, both show up in the diff.
      act.push(...remaining.map((l) => `<unexpected> ${l}`));
      const missing = e.unordered.length - matched.length;
      for (let m = 0; m < missing; m++) act.push("<missing>");
    } else {
      act.push(...rest.map((l) => `<unexpected> ${l}`));
    }
  }
  return { expected: exp, actual: act };
}
