/**
 * Flags observed in a message's raw bytes and its envelope (see MessageFlag in @mailpen/shared).
 * Pure. Native scans only (Buffer.indexOf per line end, isAscii for 8-bit octets): this runs on the
 * ingest path for every message, where a JavaScript loop over each byte cost as much as the commit.
 */
import { isAscii } from "node:buffer";
import type { DataSummary, Envelope, MessageFlag } from "@mailpen/shared";

const MAX_LINE = 998; // RFC 5322 section 2.1.1, octets without CRLF
const CR = 0x0d;
const LF = 0x0a;

/**
 * Computes the byte-level flags of a raw message (`parse-error` is added by the parser, not here).
 * With `counted` (the SMTP engine's DataSummary of these bytes) the bytes are not scanned again.
 */
export function computeRawFlags(raw: Buffer, envelope: Envelope, counted?: DataSummary): MessageFlag[] {
  const { bareLf, bareCr, longLine, nul, eightBit } = counted
    ? {
        bareLf: counted.bareLf > 0,
        bareCr: counted.bareCr > 0,
        longLine: counted.longLines > 0,
        nul: counted.nul > 0,
        eightBit: counted.eightBit > 0,
      }
    : scanRaw(raw);
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

/** The byte-level facts of `raw`, scanned natively (an indexOf per line end, isAscii). */
function scanRaw(raw: Buffer): {
  bareLf: boolean;
  bareCr: boolean;
  longLine: boolean;
  nul: boolean;
  eightBit: boolean;
} {
  let bareLf = false;
  let bareCr = false;
  let longLine = false;
  let lineStart = 0;
  for (let lf = raw.indexOf(LF); lf !== -1; lf = raw.indexOf(LF, lf + 1)) {
    const crBefore = lf > 0 && raw[lf - 1] === CR;
    if (!crBefore) bareLf = true;
    if (lf - (crBefore ? 1 : 0) - lineStart > MAX_LINE) longLine = true;
    lineStart = lf + 1;
  }
  if (raw.length - lineStart > MAX_LINE) longLine = true;
  for (let cr = raw.indexOf(CR); cr !== -1 && !bareCr; cr = raw.indexOf(CR, cr + 1)) {
    if (raw[cr + 1] !== LF) bareCr = true;
  }
  return { bareLf, bareCr, longLine, nul: raw.indexOf(0) !== -1, eightBit: !isAscii(raw) };
}
