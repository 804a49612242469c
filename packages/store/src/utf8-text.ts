/**
 * Text bodies as bytes, without building the whole text as a JavaScript string: for a 5 MB text part
 * the string path (decode, replace CRLF, encode again) made two 5 MB strings that stay in the parse
 * worker's heap until a full collection. Pure, no I/O.
 */
import { isUtf8 } from "node:buffer";

const CR = 0x0d;
const LF = 0x0a;
/** Charsets whose text is the bytes decoded as UTF-8 (as rfc2047.ts decodeCharset has them). */
const UTF8_CHARSETS = new Set(["utf-8", "utf8", "us-ascii", "ascii", ""]);

/**
 * The text of `bytes` in `charset` with CRLF line ends made LF, as UTF-8 bytes in new memory (never
 * a view of `bytes`): exactly `Buffer.from(decodeCharset(bytes, charset).replace(/\r\n/g, "\n"))`.
 * "bare-cr" when the text has a CR not followed by LF; null when the bytes are not valid UTF-8 or
 * the charset is another one (decoding would change them: take the string path).
 */
export function toLfUtf8(bytes: Buffer, charset: string): Buffer | "bare-cr" | null {
  if (!UTF8_CHARSETS.has(charset.trim().toLowerCase()) || !isUtf8(bytes)) return null;
  // CR and LF never occur inside a multi-byte UTF-8 sequence: the line ends can be handled as bytes.
  let crlf = 0;
  for (let cr = bytes.indexOf(CR); cr !== -1; cr = bytes.indexOf(CR, cr + 1)) {
    if (bytes[cr + 1] !== LF) return "bare-cr";
    crlf++;
  }
  // From Node's pool under 4 KiB, as Buffer.from(string) had it; above, memory of its own (which a
  // worker can hand over by transfer). Every octet is written below.
  const out = Buffer.allocUnsafe(bytes.length - crlf);
  let at = 0;
  let from = 0;
  for (let cr = crlf === 0 ? -1 : bytes.indexOf(CR); cr !== -1; cr = bytes.indexOf(CR, cr + 2)) {
    at += bytes.copy(out, at, from, cr);
    from = cr + 1; // the LF after it is copied with the next run
  }
  bytes.copy(out, at, from);
  return out;
}

/**
 * The first `units` UTF-16 code units of the UTF-8 text in `bytes` (`text.slice(0, units)`), decoding
 * only a prefix: at most 3 bytes per code unit (a 4-byte sequence is 2 units), so 4 bytes per unit
 * always cover them and a sequence cut at the end of the prefix lies past them.
 */
export function utf8Prefix(bytes: Buffer, units: number): string {
  return bytes.toString("utf8", 0, Math.min(bytes.length, units * 4)).slice(0, units);
}
