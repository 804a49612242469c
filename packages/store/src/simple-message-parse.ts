/**
 * The full parse of the simplest and most common messages applications send, without mailparser:
 * a single text/plain or text/html part, or a multipart/alternative of one of each, with plain ASCII
 * headers (what nodemailer sends for `text`, `html`, or both). Pure, no I/O; for anything else it
 * returns null and the caller runs mailparser (message-parse.ts).
 *
 * Invariant: for every message it accepts, the result equals mailparser's through
 * parseMessageContent (simple-message-parse.test.ts checks it over every fixture and a table of
 * generated messages). So it declines whatever mailparser decodes in its own way: encoded words,
 * 8-bit header bytes, folded fields, parameters other than charset (format=flowed, name=), a
 * Content-Disposition, repeated fields, address headers with groups, comments or escapes, unusual
 * charsets, bare CR, a header block over 16 KiB (mailparser's header size limit); in a multipart:
 * bare line ends, padded or nested boundaries, part fields other than Content-Type and
 * Content-Transfer-Encoding, any part but one text and one HTML.
 */
import { isAscii } from "node:buffer";
import type { Address } from "@mailpen/shared";
import {
  decodeTransferEncoding,
  findBodyStart,
  parseAddressList,
  parseHeaderBlock,
  toSnippet,
} from "./header-scan.ts";

import { SEARCH_TEXT_LIMIT, htmlToPlainText } from "./message-parse.ts";
import type { ParsedContent } from "./message-parse.ts";
import { decodeCharset } from "./rfc2047.ts";
import { toLfUtf8, utf8Prefix } from "./utf8-text.ts";

/**
 * mailparser fails a header block whose cost passes 1 MiB, each line counted at least 64 octets
 * (mailsplit's maxHeadSize): a block of at most 16 KiB can never reach it, larger ones are left to it.
 */
const MAX_HEADER_BYTES = 16 * 1024;
const ENCODINGS = new Set(["7bit", "8bit", "quoted-printable", "base64"]);
/** Others decode differently in places (Node's latin1 is ISO-8859-1, mailparser's windows-1252). */
const CHARSETS = new Set(["utf-8", "us-ascii"]);
const ADDRESS_FIELDS = ["from", "to", "cc", "bcc"] as const;
/** One of the fields read here, continued on a folded line. */
const FOLDED_FIELD =
  /(?:^|\n)(?:subject|from|to|cc|bcc|content-type|content-transfer-encoding)[ \t]*:[^\n]*\n[ \t]/i;
/** Fields mailparser reads for the content; each may appear at most once. */
const SINGLE_FIELDS = ["subject", "content-type", "content-transfer-encoding", ...ADDRESS_FIELDS];

/** The parse of a simple text, HTML or text-and-HTML message, or null when mailparser must do it. */
export function parseSimpleMessage(raw: Buffer): ParsedContent | null {
  const { headEnd, bodyStart } = findBodyStart(raw);
  if (headEnd > MAX_HEADER_BYTES) return null;
  const head = raw.subarray(0, headEnd);
  if (!isAscii(head) || head.includes("=?") || head.includes("\\")) return null;
  // mailparser unfolds a field into single spaces where the header scan keeps the fold's blanks.
  if (FOLDED_FIELD.test(head.toString("latin1"))) return null;
  const headers = parseHeaderBlock(head);
  const fields = new Map<string, string>();
  for (const h of headers) {
    const name = h.name.toLowerCase();
    if (name === "content-disposition") return null;
    if (!SINGLE_FIELDS.includes(name)) continue;
    if (fields.has(name)) return null;
    fields.set(name, h.value.trim());
  }
  const addresses = new Map<string, Address[]>();
  for (const field of ADDRESS_FIELDS) {
    const value = fields.get(field);
    if (value === undefined) continue;
    if (value === "" || /[():;]/.test(value)) return null;
    addresses.set(field, parseAddressList(value));
  }
  const bodies = readBodies(fields, raw.subarray(bodyStart));
  if (bodies === null) return null;
  const { text, html } = bodies;
  // As message-parse.ts: the HTML reduced to text is what is indexed when there is no text part.
  const searchText =
    text !== null
      ? utf8Prefix(text, SEARCH_TEXT_LIMIT)
      : html === null
        ? ""
        : htmlToPlainText(utf8Prefix(html, SEARCH_TEXT_LIMIT * 4)).slice(0, SEARCH_TEXT_LIMIT);
  return {
    subject: fields.get("subject") ?? null,
    from: addresses.get("from")?.[0] ?? null,
    to: addresses.get("to") ?? null,
    cc: addresses.get("cc") ?? null,
    bcc: addresses.get("bcc") ?? [],
    text,
    html,
    searchText,
    snippet: toSnippet(searchText),
    parts: [],
    attachmentCount: 0,
  };
}

/**
 * The text and HTML of a single text part, or of a multipart/alternative of exactly one text/plain
 * and one text/html part (what nodemailer sends for `text` and `html`); null for anything else.
 */
function readBodies(
  fields: Map<string, string>,
  body: Buffer,
): { text: Buffer | null; html: Buffer | null } | null {
  const boundary = alternativeBoundary(fields.get("content-type"));
  if (boundary === null) {
    const part = decodePart(fields.get("content-type"), fields.get("content-transfer-encoding"), body);
    if (part === null) return null;
    return part.html ? { text: null, html: part.content } : { text: part.content, html: null };
  }
  const latin1 = body.toString("latin1");
  if (fields.has("content-transfer-encoding") || /\r(?!\n)|(?<!\r)\n/.test(latin1)) return null;
  const parts = splitParts(latin1, boundary);
  if (parts === null || parts.length !== 2) return null;
  const decoded = parts.map((part) => {
    // A part without header fields starts with its blank line (and is text/plain, US-ASCII).
    const end = part.startsWith("\r\n") ? 0 : part.indexOf("\r\n\r\n");
    if (end === -1 || end > MAX_HEADER_BYTES) return null;
    const partFields = new Map<string, string>();
    for (const line of end === 0 ? [] : part.slice(0, end).split("\r\n")) {
      const m = /^(content-type|content-transfer-encoding)[ \t]*:[ \t]*(.*)$/i.exec(line);
      const name = m?.[1]?.toLowerCase();
      if (!m || name === undefined || partFields.has(name)) return null; // other fields, folds, repeats
      partFields.set(name, (m[2] ?? "").trim());
    }
    const content = Buffer.from(part.slice(end === 0 ? 2 : end + 4), "latin1");
    return decodePart(partFields.get("content-type"), partFields.get("content-transfer-encoding"), content);
  });
  const [first, second] = decoded;
  if (!first || !second || first.html === second.html) return null; // one text and one HTML part
  const [text, html] = first.html ? [second, first] : [first, second];
  return { text: text.content, html: html.content };
}

/**
 * One text part's content, decoded, with LF line ends, as UTF-8 bytes of its own ("" is null, as
 * mailparser has it).
 */
function decodePart(
  contentType: string | undefined,
  transferEncoding: string | undefined,
  body: Buffer,
): { html: boolean; content: Buffer | null } | null {
  const type = textType(contentType);
  if (type === null) return null;
  const encoding = (transferEncoding ?? "7bit").toLowerCase();
  if (!ENCODINGS.has(encoding)) return null;
  const bytes = decodeTransferEncoding(body, encoding);
  const lf = toLfUtf8(bytes, type.charset);
  if (lf === "bare-cr") return null;
  if (lf !== null) return { html: type.html, content: lf.length === 0 ? null : lf };
  // Not valid UTF-8: decoding replaces the bad sequences, so the text goes through a string.
  const decoded = decodeCharset(bytes, type.charset);
  if (/\r(?!\n)/.test(decoded)) return null;
  const content = decoded.replace(/\r\n/g, "\n");
  return { html: type.html, content: content === "" ? null : Buffer.from(content, "utf8") };
}

/** The boundary of a `multipart/alternative; boundary=...` (no other parameter), else null. */
function alternativeBoundary(value: string | undefined): string | null {
  const m =
    /^multipart\/alternative[ \t]*;[ \t]*boundary[ \t]*=[ \t]*(?:"([A-Za-z0-9'()+_,./:=?-]{1,70})"|([A-Za-z0-9'+_.=-]{1,70}))$/i.exec(
      value ?? "",
    );
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/**
 * The parts of a multipart body (RFC 2046 section 5.1.1), each without the CRLF that belongs to the
 * next delimiter; null unless every delimiter line is exact and the close delimiter ends it.
 */
function splitParts(body: string, boundary: string): string[] | null {
  const delimiter = `--${boundary}`;
  const lines = body.split("\r\n");
  const starts: number[] = [];
  let closed = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (!line.startsWith(delimiter)) continue;
    if (line === delimiter) starts.push(i);
    else if (line === `${delimiter}--`) {
      closed = i;
      break;
    } else return null; // transport padding or a longer boundary: leave it to mailparser
  }
  if (closed === -1 || starts.length === 0) return null;
  const parts: string[] = [];
  for (let k = 0; k < starts.length; k++) {
    const from = (starts[k] ?? 0) + 1;
    const to = starts[k + 1] ?? closed;
    parts.push(lines.slice(from, to).join("\r\n"));
  }
  return parts;
}

/** A text/plain or text/html Content-Type without parameters but charset; null for anything else. */
function textType(value: string | undefined): { charset: string; html: boolean } | null {
  if (value === undefined) return { charset: "us-ascii", html: false };
  const [type = "", ...params] = value.split(";").map((p) => p.trim());
  const html = type.toLowerCase() === "text/html";
  if (!html && type.toLowerCase() !== "text/plain") return null;
  let charset = "us-ascii";
  for (const param of params) {
    if (param === "") continue;
    const m = /^charset\s*=\s*"?([A-Za-z0-9_-]+)"?$/i.exec(param);
    if (!m) return null;
    charset = (m[1] ?? "").toLowerCase();
  }
  return CHARSETS.has(charset) ? { charset, html } : null;
}
