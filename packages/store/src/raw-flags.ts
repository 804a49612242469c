/**
 * Flags observed in a message's raw bytes and its envelope (see MessageFlag in @mailpen/shared).
 * Pure, one pass over the bytes.
 */
import type { Envelope, MessageFlag } from "@mailpen/shared";

const MAX_LINE = 998; // RFC 5322 section 2.1.1, octets without CRLF

/** Computes the byte-level flags of a raw message (`parse-error` is added by the parser, not here). */
export function computeRawFlags(raw: Buffer, envelope: Envelope): MessageFlag[] {
  let bareLf = false;
  let bareCr = false;
  let nul = false;
  let eightBit = false;
  let longLine = false;
  let lineStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === 0x0a) {
      if (i === 0 || raw[i - 1] !== 0x0d) bareLf = true;
      const end = i > 0 && raw[i - 1] === 0x0d ? i - 1 : i;
      if (end - lineStart > MAX_LINE) longLine = true;
      lineStart = i + 1;
    } else if (b === 0x0d) {
      if (raw[i + 1] !== 0x0a) bareCr = true;
    } else if (b === 0) nul = true;
    else if (b >= 0x80) eightBit = true;
  }
  if (raw.length - lineStart > MAX_LINE) longLine = true;
  const body = String(envelope.mailParams["BODY"] ?? "").toUpperCase();
  const smtputf8 = envelope.mailParams["SMTPUTF8"] !== undefined;
  const flags: MessageFlag[] = [];
  if (bareLf) flags.push("bare-lf");
  if (bareCr) flags.push("bare-cr");
  if (eightBit && body !== "8BITMIME" && body !== "BINARYMIME" && !smtputf8)
    flags.push("8bit-without-8bitmime");
  if (nul) flags.push("nul");
  if (longLine) flags.push("long-line");
  if (smtputf8) flags.push("smtputf8");
  return flags;
}
