/**
 * The cheap header scan of the ingest path: finds the header block, unfolds it, decodes the few
 * fields a list needs (RFC 2047 via our own decoder) and guesses text/HTML and a snippet for
 * single-part messages. Pure, no I/O, never throws: whatever a client sent, a summary comes out.
 * The full MIME parse (mailparser) runs later and overwrites these guesses.
 */
import type { Address } from "@mailpen/shared";
import { decodeCharset, decodeEncodedWords } from "./rfc2047.ts";

/** One header field in original order: `name` as written, `value` unfolded but not decoded. */
export interface RawHeader {
  name: string;
  value: string;
}

/** What the ingest path knows about a message before the full parse. */
export interface HeaderScan {
  headers: RawHeader[];
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  /** Epoch milliseconds of the Date header, null when missing or unparseable. */
  dateMs: number | null;
  messageIdHeader: string | null;
  hasText: boolean;
  hasHtml: boolean;
  snippet: string;
}

const SNIPPET_LENGTH = 200;

/** Offset where the body starts (after the blank line), or raw.length for a headers-only message. */
export function findBodyStart(raw: Buffer): { headEnd: number; bodyStart: number } {
  const crlf = raw.indexOf("\r\n\r\n");
  // A bare-LF blank line counts only before the CRLF one: searched up to there, not through a body
  // that usually has none (a whole 5 MB message, twice per message, before).
  const lf = (crlf === -1 ? raw : raw.subarray(0, crlf + 1)).indexOf("\n\n");
  if (raw[0] === 0x0a) return { headEnd: 0, bodyStart: 1 };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headEnd: 0, bodyStart: 2 };
  if (crlf === -1 && lf === -1) return { headEnd: raw.length, bodyStart: raw.length };
  if (lf !== -1 && (crlf === -1 || lf < crlf)) return { headEnd: lf + 1, bodyStart: lf + 2 };
  return { headEnd: crlf + 2, bodyStart: crlf + 4 };
}

/** Splits and unfolds the header block (RFC 5322 section 2.2.3) in original order. */
export function parseHeaderBlock(head: Buffer): RawHeader[] {
  let text = head.toString("utf8");
  // 8-bit headers that are not UTF-8 (legacy clients): keep every byte readable as latin1.
  if (text.includes("\uFFFD")) text = head.toString("latin1");
  const headers: RawHeader[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === "") continue;
    const last = headers[headers.length - 1];
    if ((line[0] === " " || line[0] === "\t") && last) {
      last.value += line;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // not a header field (for example an mbox "From " line)
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/^[ \t]+/, "") });
  }
  return headers;
}

/** Scans a raw message for its list summary. */
export function scanHeaders(raw: Buffer): HeaderScan {
  const { headEnd, bodyStart } = findBodyStart(raw);
  const headers = parseHeaderBlock(raw.subarray(0, headEnd));
  const first = (name: string): string | undefined =>
    headers.find((h) => h.name.toLowerCase() === name)?.value;
  const all = (name: string): string[] =>
    headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);

  const dateValue = first("date");
  const parsedDate = dateValue === undefined ? NaN : Date.parse(dateValue.replace(/\([^)]*\)/g, "").trim());
  const contentType = parseContentType(first("content-type") ?? "text/plain");
  const encoding = (first("content-transfer-encoding") ?? "7bit").trim().toLowerCase();
  const isText = contentType.type === "text/plain";
  const isHtml = contentType.type === "text/html";
  let snippet = "";
  if (isText && ["7bit", "8bit", "binary", "quoted-printable", "base64"].includes(encoding)) {
    const body = raw.subarray(bodyStart, bodyStart + 4096);
    snippet = toSnippet(
      decodeCharset(decodeTransferEncoding(body, encoding), contentType.charset ?? "utf-8"),
    );
  }
  return {
    headers,
    subject: decodeEncodedWords(first("subject") ?? "").trim(),
    from: parseAddressList(first("from") ?? "")[0] ?? null,
    to: all("to").flatMap((v) => parseAddressList(v)),
    cc: all("cc").flatMap((v) => parseAddressList(v)),
    dateMs: Number.isFinite(parsedDate) ? parsedDate : null,
    messageIdHeader: first("message-id")?.trim() || null,
    hasText: isText,
    hasHtml: isHtml,
    snippet,
  };
}

/** Collapses whitespace and cuts to the snippet length. */
export function toSnippet(text: string): string {
  // One pass that stops at the snippet's length: a regex replace over the first 1,600 characters
  // was the largest single cost of ingesting a 1 KB message.
  let out = "";
  let space = false;
  for (let i = 0; i < text.length && out.length < SNIPPET_LENGTH; i++) {
    const c = text.charCodeAt(i);
    if (isWhitespace(c)) {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += " ";
      space = false;
      if (out.length === SNIPPET_LENGTH) break;
    }
    out += text[i];
  }
  return out;
}

/** What `\s` matches in a regular expression, without running one per character. */
function isWhitespace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return /\s/.test(String.fromCharCode(c));
}

function parseContentType(value: string): { type: string; charset: string | null } {
  const type = (value.split(";")[0] ?? "").trim().toLowerCase() || "text/plain";
  const charset = /charset\s*=\s*"?([^";\s]+)"?/i.exec(value)?.[1] ?? null;
  return { type, charset };
}

/** Undoes a Content-Transfer-Encoding (base64, quoted-printable; anything else as is). */
export function decodeTransferEncoding(body: Buffer, encoding: string): Buffer {
  if (encoding === "base64")
    return Buffer.from(body.toString("latin1").replace(/[^A-Za-z0-9+/]/g, ""), "base64");
  if (encoding !== "quoted-printable") return body;
  const text = body.toString("latin1").replace(/=\r?\n/g, "");
  // Into one buffer of the text's length (the output is never longer): a number per octet would
  // cost a 5 MB part about 40 MB of heap. Zeroed: the tail past the output is never uninitialized
  // memory, whoever later reads the whole ArrayBuffer (a structured clone copies all of it).
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const high = code === 0x3d ? hexValue(text.charCodeAt(i + 1)) : -1;
    const low = high === -1 ? -1 : hexValue(text.charCodeAt(i + 2));
    if (low !== -1) {
      out[n++] = (high << 4) | low;
      i += 2;
    } else out[n++] = code & 0xff;
  }
  return out.subarray(0, n);
}

/** The value of one hexadecimal digit's char code, or -1 (NaN, past the end, is not one). */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Parses an address list (RFC 5322 section 3.4) leniently: display names (quoted or not, RFC 2047
 * decoded), angle addresses, comments, and groups (`undisclosed-recipients:;`). Never throws.
 */
export function parseAddressList(value: string): Address[] {
  const result: Address[] = [];
  for (const piece of splitTopLevel(value)) {
    let item = piece.trim();
    // A group's display name ("Team: a@x, b@y;") precedes a colon outside quotes and angles.
    const groupColon = findTopLevel(item, ":");
    if (groupColon !== -1 && (findTopLevel(item, "<") === -1 || groupColon < findTopLevel(item, "<"))) {
      item = item.slice(groupColon + 1).trim();
    }
    item = item.replace(/;\s*$/, "").trim();
    if (item === "") continue;
    const open = item.lastIndexOf("<");
    const close = item.lastIndexOf(">");
    if (open !== -1 && close > open) {
      const address = item.slice(open + 1, close).trim();
      const name = unquote(stripComments(item.slice(0, open)).trim());
      if (address !== "" || name !== "") result.push({ name: decodeEncodedWords(name), address });
    } else {
      const comment = /\(([^)]*)\)/.exec(item)?.[1] ?? "";
      const address = stripComments(item).trim();
      if (address !== "") result.push({ name: decodeEncodedWords(comment.trim()), address });
    }
  }
  return result;
}

function splitTopLevel(value: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let angle = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"' && depth === 0) quoted = !quoted;
    else if (quoted) continue;
    else if (c === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth > 0) continue;
    else if (c === "<") angle = true;
    else if (c === ">") angle = false;
    else if ((c === "," || c === ";") && !angle) {
      parts.push(value.slice(start, i + (c === ";" ? 1 : 0)));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

function findTopLevel(value: string, char: string): number {
  let quoted = false;
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\" && quoted) i++;
    else if (c === '"' && depth === 0) quoted = !quoted;
    else if (quoted) continue;
    else if (c === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth === 0 && c === char) return i;
  }
  return -1;
}

function stripComments(value: string): string {
  return value.replace(/\((?:[^()\\]|\\.)*\)/g, "");
}

function unquote(value: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  return m ? (m[1] ?? "").replace(/\\(.)/g, "$1") : value;
}
