import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES_DIR, listFixtures } from "../test/golden-summary.ts";
import { parseMessageContent, type ParsedContent } from "./message-parse.ts";
import { parseSimpleMessage } from "./simple-message-parse.ts";

/** Both parses of `raw`: ours (null when it declines) and mailparser's. */
async function both(raw: Buffer) {
  const full = await parseMessageContent(raw);
  if (!full.ok) throw new Error(full.error);
  const fast = parseSimpleMessage(raw);
  return { fast: fast && comparable(fast), full: comparable(full.content) };
}

/** The bodies as latin1 strings (byte for byte): toEqual walks a 5 MB Buffer byte by byte for seconds. */
function comparable(content: ParsedContent) {
  return { ...content, text: content.text?.toString("latin1"), html: content.html?.toString("latin1") };
}

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join("\r\n"), "latin1");

/** The body lines of one part of boundary "b": a text part without fields, an HTML part. */
const TEXT_PART = ["--b", "", "t"];
const HTML_PART = ["--b", "Content-Type: text/html", "", "<p>h</p>"];

/** A multipart/alternative message whose body lines follow the given header lines (CRLF-ended). */
const alternative = (boundaryParam: string, body: string[], extra: string[] = []): Buffer =>
  crlf([
    "Subject: alt",
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary=${boundaryParam}`,
    ...extra,
    "",
    ...body,
  ]);

/** Messages the fast path should take, each with something mailparser might treat differently. */
const accepted: Record<string, Buffer> = {
  "no content type": crlf([
    "Subject: hi",
    "From: A <a@x.test>",
    "To: b@x.test",
    "",
    "line one",
    "line two",
    "",
  ]),
  "names quoted and not": crlf([
    "Subject: Your order #1234 has shipped",
    'From: "Shop, Inc" <shop@x.test>',
    'To: "Ann Lee" <ann@x.test>, bob@x.test, Carl <carl@x.test>',
    "Cc: dora@x.test",
    "Bcc: eve@x.test",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Caf\u00c3\u00a9 \u00e2\u0082\u00ac", // UTF-8 bytes of "Café €", written as latin1 code units
    "",
  ]),
  "quoted-printable UTF-8": crlf([
    "Subject: qp",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "caf=C3=A9 soft=",
    "break and a long line=3D",
    "",
  ]),
  base64: crlf([
    "Subject: b64",
    'Content-Type: text/plain; charset="utf-8"',
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("Hello\r\nbase64 world\r\n").toString("base64"),
    "",
  ]),
  "blank lines kept at the end": crlf(["Subject: tail", "", "body", "", "", ""]),
  "empty body": crlf(["Subject: nothing", "", ""]),
  "no subject, leading spaces": crlf(["From: a@x.test", "", "   indented", "\ttabbed", ""]),
  "folded Received field": crlf(["Received: from a", "\tby b; Tue, 01 Jul 2025", "Subject: r", "", "x", ""]),
  "MIME-Version and Date": crlf([
    "Date: Tue, 01 Jul 2025 10:00:00 +0000",
    "MIME-Version: 1.0",
    "Message-ID: <1@x.test>",
    "Subject: dated",
    "",
    "body",
    "",
  ]),
  "bare LF line ends": Buffer.from("Subject: lf\n\nline one\nline two\n"),
  "HTML alone (nodemailer's html only)": crlf([
    "Subject: Reset your password",
    "From: App <no-reply@app.test>",
    "To: ann@x.test",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    '<html><head><style>p{color:red}</style></head><body><p style=3D"x">Hello Ann,</p>',
    '<p>Click <a href=3D"https://app.test/reset?t=3Dabc">here</a> &amp; go=',
    "on.&nbsp;Caf=C3=A9</p><!-- hidden --></body></html>",
    "",
  ]),
  "HTML, 7bit, no charset": crlf(["Subject: h", "Content-Type: text/html", "", "<p>x</p>", "<p>y</p>", ""]),
  "HTML, empty body": crlf(["Subject: h", "Content-Type: text/html; charset=utf-8", "", ""]),
  "text and HTML as nodemailer writes them": alternative('"--_NmP-abc-Part_1"', [
    "----_NmP-abc-Part_1",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 7bit",
    "",
    "Hello Ann,",
    "",
    "your code is 1234.",
    "----_NmP-abc-Part_1",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    '<p style=3D"x">Hello Ann,</p><p>your code is <b>1234</b>.</p>',
    "----_NmP-abc-Part_1--",
    "",
  ]),
  "text and HTML, preamble, epilogue, a part without fields": alternative("b", [
    "This is a multi-part message in MIME format.",
    "--b",
    "",
    "plain default",
    "",
    "--b",
    "Content-Type: text/html",
    "",
    "<p>x</p>",
    "",
    "--b--",
    "epilogue",
    "",
  ]),
  "HTML first, then text": alternative('"b"', [
    "--b",
    "Content-Type: text/html; charset=utf-8",
    "",
    "<p>first</p>",
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    Buffer.from("second\r\n").toString("base64"),
    "--b--",
    "",
  ]),
  "8-bit body declared us-ascii": crlf([
    "Subject: e",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "caf\u00e9",
    "",
  ]),
  "8-bit body, no charset": crlf(["Subject: e", "", "caf\u00e9 \u00ff", ""]),
  "invalid UTF-8": crlf(["Subject: u", "Content-Type: text/plain; charset=utf-8", "", "a\u00ff\u00feb", ""]),
  // Any size: the worker runs this parse first for messages too large to parse on the main thread.
  "5 MB of plain text": Buffer.concat([
    Buffer.from("Subject: big\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"),
    Buffer.alloc(5 * 1024 * 1024, "line of text\r\n"),
  ]),
  "300 KB alternative, base64 text and quoted-printable HTML": alternative('"b"', [
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    ...(Buffer.alloc(110_000, "caf\u00e9 text\r\n")
      .toString("base64")
      .match(/.{1,76}/g) ?? []),
    "--b",
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    ...Array.from({ length: 2_000 }, (_, i) => `<p>caf=C3=A9 line ${i} with a soft break=`),
    "</p>",
    "--b--",
    "",
  ]),
};

/** Messages mailparser must parse: the fast path declines them. */
const declined: Record<string, Buffer> = {
  "encoded-word subject": crlf(["Subject: =?utf-8?B?w6lsw6k=?=", "", "x", ""]),
  "8-bit header": Buffer.concat([
    Buffer.from("Subject: caf"),
    Buffer.from([0xe9]),
    Buffer.from("\r\n\r\nx\r\n"),
  ]),
  "format=flowed": crlf([
    "Subject: f",
    "Content-Type: text/plain; format=flowed; delsp=yes",
    "",
    "zebr ",
    "acorn",
    "",
  ]),
  "alternative part with fields but no blank line after them": alternative("b", [
    "--b",
    "Content-Type: text/plain",
    "",
    ...HTML_PART,
    "--b--",
  ]),
  "alternative of three parts": alternative("b", [...TEXT_PART, ...HTML_PART, ...TEXT_PART, "--b--"]),
  "alternative of two text parts": alternative("b", [...TEXT_PART, ...TEXT_PART, "--b--"]),
  "alternative with a nested multipart": alternative("b", [
    ...TEXT_PART,
    "--b",
    'Content-Type: multipart/related; boundary="r"',
    "",
    "--r",
    "Content-Type: text/html",
    "",
    "<p>h</p>",
    "--r--",
    "--b--",
  ]),
  "alternative part with a disposition": alternative("b", [
    ...TEXT_PART,
    "--b",
    "Content-Type: text/html",
    "Content-Disposition: inline",
    "",
    "<p>h</p>",
    "--b--",
  ]),
  "alternative with transport padding": alternative("b", ["--b ", "", "t", ...HTML_PART, "--b--"]),
  "alternative without its close delimiter": alternative("b", [...TEXT_PART, ...HTML_PART]),
  "alternative with a transfer encoding": alternative(
    "b",
    [...TEXT_PART, ...HTML_PART, "--b--"],
    ["Content-Transfer-Encoding: 7bit"],
  ),
  "alternative with bare LF": Buffer.from(
    "Subject: a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\n\nt\n--b\nContent-Type: text/html\n\n<p>h</p>\n--b--\n",
  ),
  multipart: crlf(['Content-Type: multipart/mixed; boundary="b"', "", "--b", "", "x", "--b--", ""]),
  "attachment disposition": crlf([
    "Subject: a",
    "Content-Disposition: attachment; filename=a.txt",
    "",
    "x",
    "",
  ]),
  "named part": crlf(["Subject: a", "Content-Type: text/plain; name=a.txt", "", "x", ""]),
  "group address": crlf(["Subject: g", "To: undisclosed-recipients:;", "", "x", ""]),
  "address comment": crlf(["Subject: c", "From: a@x.test (Ann)", "", "x", ""]),
  "folded subject": crlf(["Subject: a subject", " folded over", "  two lines", "", "x", ""]),
  "two subjects": crlf(["Subject: one", "Subject: two", "", "x", ""]),
  "windows-1252 (Node's decoder differs from mailparser's)": crlf([
    "Subject: w",
    "Content-Type: text/plain; charset=windows-1252",
    "",
    "\u0080 \u0093q\u0094",
    "",
  ]),
  "iso-8859-1 (C1 bytes decode differently)": crlf([
    "Subject: w",
    "Content-Type: text/plain; charset=iso-8859-1",
    "",
    "\u0080 \u0093q\u0094",
    "",
  ]),
  "unusual charset": crlf(["Subject: k", "Content-Type: text/plain; charset=koi8-r", "", "x", ""]),
  "bare CR": Buffer.from("Subject: cr\r\n\r\none\rtwo\r\n"),
  "binary encoding": crlf(["Subject: b", "Content-Transfer-Encoding: binary", "", "x", ""]),
  // mailparser fails a header block of over 1 MiB (short lines counted as 64 octets).
  "a header block of 1.2 MB": crlf(["Subject: h", `X-Big: ${"a".repeat(1_200_000)}`, "", "x", ""]),
  "a header block of 96 KB in 24,000 short lines": crlf([
    "Subject: h",
    ...Array(24_000).fill("X:"),
    "",
    "x",
    "",
  ]),
};

describe("parseSimpleMessage", () => {
  it.each(Object.entries(accepted))("takes %s, with mailparser's result", async (_name, raw) => {
    const { fast, full } = await both(raw);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(full);
  });

  it.each(Object.entries(declined))("declines %s", (_name, raw) => {
    expect(parseSimpleMessage(raw)).toBeNull();
  });

  it("agrees with mailparser on every real-world fixture it takes", async () => {
    let taken = 0;
    for (const file of listFixtures()) {
      const { fast, full } = await both(readFileSync(path.join(FIXTURES_DIR, file)));
      if (fast === null) continue;
      taken++;
      expect({ file, content: fast }).toEqual({ file, content: full });
    }
    expect(taken).toBeGreaterThan(0);
  });
});
