/**
 * Summarises message content for the transcript (`DataSummary`): octets, lines, bare LF, bare CR,
 * 8-bit octets, lines over 998 octets (RFC 5322 section 2.1.1) and NUL octets.
 *
 * Invariants: state between segments is a few numbers; work is done with Buffer.indexOf per line
 * and a native ASCII check, so there is no per-byte JavaScript loop unless the content has 8-bit
 * octets. No I/O.
 */
import { isAscii } from "node:buffer";
import type { DataSummary } from "@mailpen/shared";

const CR = 0x0d;
const LF = 0x0a;
/** RFC 5322 section 2.1.1: lines MUST be no more than 998 characters excluding the CRLF. */
const MAX_LINE = 998;

/** Accumulates a `DataSummary` over content segments handed over in order. */
export interface ContentScanner {
  scan(segment: Buffer): void;
  /** The summary of everything scanned; counts a final unterminated line and a trailing bare CR. */
  finish(): DataSummary;
}

/** Create a scanner for one message's content. */
export function createContentScanner(): ContentScanner {
  const s: DataSummary = { bytes: 0, lines: 0, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 };
  /** Octets of the current line so far, including a trailing CR if the last segment ended with one. */
  let lineLen = 0;
  let pendingCr = false;

  return {
    scan(seg) {
      const n = seg.length;
      if (n === 0) return;
      s.bytes += n;

      for (let k = seg.indexOf(0); k !== -1; k = seg.indexOf(0, k + 1)) s.nul++;

      if (!isAscii(seg)) {
        let count = 0;
        for (let k = 0; k < n; k++) if ((seg[k] as number) >= 0x80) count++;
        s.eightBit += count;
      }

      if (pendingCr && seg[0] !== LF) s.bareCr++;
      for (let k = seg.indexOf(CR); k !== -1; k = seg.indexOf(CR, k + 1)) {
        if (k + 1 < n && seg[k + 1] !== LF) s.bareCr++;
      }

      let pos = 0;
      for (let lf = seg.indexOf(LF); lf !== -1; lf = seg.indexOf(LF, lf + 1)) {
        const crBefore = lf > 0 ? seg[lf - 1] === CR : pendingCr;
        const length = lineLen + (lf - pos) - (crBefore ? 1 : 0);
        s.lines++;
        if (!crBefore) s.bareLf++;
        if (length > MAX_LINE) s.longLines++;
        lineLen = 0;
        pos = lf + 1;
      }
      lineLen += n - pos;
      pendingCr = seg[n - 1] === CR;
    },
    finish() {
      const out = { ...s };
      if (pendingCr) out.bareCr++;
      if (lineLen > 0) {
        out.lines++;
        if (lineLen > MAX_LINE) out.longLines++;
      }
      return out;
    },
  };
}
