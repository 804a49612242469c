/**
 * A small decoder of RFC 2047 encoded words (`=?charset?B|Q?text?=`) for header values, used at
 * ingest so that summaries are readable before the full MIME parse. Pure, no I/O. Charsets are
 * decoded with the runtime's TextDecoder (full ICU: ISO-8859-*, windows-*, KOI8-R, Shift_JIS,
 * ISO-2022-JP, GB2312/GBK, Big5, EUC-KR, ...) plus UTF-7, which TextDecoder lacks. An unknown
 * charset falls back to latin1 so decoding never throws.
 */

import { TextDecoder } from "node:util";

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

/** Decodes every encoded word in `value`; whitespace between adjacent encoded words is dropped (RFC 2047 section 6.2). */
export function decodeEncodedWords(value: string): string {
  if (!value.includes("=?")) return value;
  // Adjacent encoded words in the same charset are joined before decoding so that a multi-byte
  // character split across two words (common with B encoding) decodes correctly.
  let out = "";
  let last = 0;
  let pending: { charset: string; chunks: Buffer[] } | null = null;
  const flush = (): void => {
    if (pending) out += decodeCharset(Buffer.concat(pending.chunks), pending.charset);
    pending = null;
  };
  for (const match of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, match.index);
    const charset = (match[1] ?? "").replace(/\*.*$/, "").toLowerCase(); // RFC 2231 language suffix
    const bytes = decodeWordBytes(match[2] ?? "b", match[3] ?? "");
    const adjacent = pending !== null && /^\s*$/.test(between);
    if (adjacent && pending !== null && pending.charset === charset) {
      pending.chunks.push(bytes);
    } else {
      flush();
      if (!adjacent) out += between;
      pending = { charset, chunks: [bytes] };
    }
    last = (match.index ?? 0) + match[0].length;
  }
  flush();
  return out + value.slice(last);
}

function decodeWordBytes(encoding: string, text: string): Buffer {
  if (encoding === "b" || encoding === "B") return Buffer.from(text, "base64");
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "_") bytes.push(0x20);
    else if (c === "=" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

const decoders = new Map<string, TextDecoder | null>();

/** Decodes `bytes` in `charset`; unknown charsets decode as latin1, never throwing. */
export function decodeCharset(bytes: Buffer, charset: string): string {
  const name = charset.trim().toLowerCase();
  if (name === "utf-7" || name === "utf7" || name === "unicode-1-1-utf-7")
    return decodeUtf7(bytes.toString("latin1"));
  if (name === "utf-8" || name === "utf8" || name === "us-ascii" || name === "ascii" || name === "") {
    return bytes.toString("utf8");
  }
  let decoder = decoders.get(name);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(name);
    } catch {
      decoder = null;
    }
    decoders.set(name, decoder);
  }
  return decoder ? decoder.decode(bytes) : bytes.toString("latin1");
}

/** UTF-7 (RFC 2152): `+` starts modified base64 of UTF-16BE, `-` or a non-base64 char ends it. */
export function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)-?/g, (_all, b64: string) => {
    if (b64 === "") return "+";
    const bytes = Buffer.from(b64, "base64");
    let out = "";
    for (let i = 0; i + 1 < bytes.length; i += 2)
      out += String.fromCharCode(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
    return out;
  });
}
