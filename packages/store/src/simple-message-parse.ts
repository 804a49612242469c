/**
 * The full parse of the simplest and most common messages applications send, without mailparser:
 * a single text/plain or text/html part with plain ASCII headers (what nodemailer sends for `text`
 * or for `html` alone). Pure, no I/O; for anything else it returns null and the caller runs
 * mailparser (message-parse.ts).
 *
 * Invariant: for every message it accepts, the result equals mailparser's through
 * parseMessageContent (plain-text-parse.test.ts checks it over every fixture and a table of
 * generated messages). So it declines whatever mailparser decodes in its own way: encoded words,
 * 8-bit header bytes, folded fields, parameters other than charset (format=flowed, name=), a
 * Content-Disposition, repeated fields, address headers with groups, comments or escapes, unusual
 * charsets, bare CR.
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

/** Larger messages go to the worker: this runs on the main thread. */
const MAX_BYTES = 64 * 1024;
const ENCODINGS = new Set(["7bit", "8bit", "quoted-printable", "base64"]);
/** Others decode differently in places (Node's latin1 is ISO-8859-1, mailparser's windows-1252). */
const CHARSETS = new Set(["utf-8", "us-ascii"]);
const ADDRESS_FIELDS = ["from", "to", "cc", "bcc"] as const;
/** One of the fields read here, continued on a folded line. */
const FOLDED_FIELD =
  /(?:^|\n)(?:subject|from|to|cc|bcc|content-type|content-transfer-encoding)[ \t]*:[^\n]*\n[ \t]/i;
/** Fields mailparser reads for the content; each may appear at most once. */
const SINGLE_FIELDS = ["subject", "content-type", "content-transfer-encoding", ...ADDRESS_FIELDS];

/** The parse of a single-part text/plain or text/html message, or null when mailparser must do it. */
export function parseSimpleMessage(raw: Buffer): ParsedContent | null {
  if (raw.length > MAX_BYTES) return null;
  const { headEnd, bodyStart } = findBodyStart(raw);
  const head = raw.subarray(0, headEnd);
  if (!isAscii(head) || head.includes("=?") || head.includes("\\")) return null;
  // mailparser unfolds a field into single spaces where the header scan keeps the fold's blanks.
  if (FOLDED_FIELD.test(head.toString("latin1"))) return null;
  const headers = parseHeaderBlock(head);
  const fields = new Map<string, string>();
  for (const h of headers) {
    const name = h.name.toLowerCase();
    if (name === "content-disposition" || name === "mime-version") {
      if (name === "content-disposition") return null;
      continue;
    }
    if (!SINGLE_FIELDS.includes(name)) continue;
    if (fields.has(name)) return null;
    fields.set(name, h.value.trim());
  }
  const type = textType(fields.get("content-type"));
  if (type === null) return null;
  const { charset, html: isHtml } = type;
  const encoding = (fields.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (!ENCODINGS.has(encoding)) return null;
  const addresses = new Map<string, Address[]>();
  for (const field of ADDRESS_FIELDS) {
    const value = fields.get(field);
    if (value === undefined) continue;
    if (value === "" || /[():;]/.test(value)) return null;
    addresses.set(field, parseAddressList(value));
  }
  const decoded = decodeCharset(decodeTransferEncoding(raw.subarray(bodyStart), encoding), charset);
  if (/\r(?!\n)/.test(decoded)) return null;
  const content = decoded.replace(/\r\n/g, "\n");
  const body = content === "" ? null : Buffer.from(content, "utf8");
  // As message-parse.ts: the HTML reduced to text is what is indexed when there is no text part.
  const searchText = (isHtml ? htmlToPlainText(content.slice(0, SEARCH_TEXT_LIMIT * 4)) : content).slice(
    0,
    SEARCH_TEXT_LIMIT,
  );
  return {
    subject: fields.get("subject") ?? null,
    from: addresses.get("from")?.[0] ?? null,
    to: addresses.get("to") ?? null,
    cc: addresses.get("cc") ?? null,
    bcc: addresses.get("bcc") ?? [],
    text: isHtml ? null : body,
    html: isHtml ? body : null,
    searchText,
    snippet: toSnippet(searchText),
    parts: [],
    attachmentCount: 0,
  };
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
