/**
 * Pure rendering of raw message bytes for the Raw tab. No I/O and no DOM: bytes in, lines of typed
 * segments out, so every rule below is unit-tested.
 *
 * Rules (shown only when invisibles are on; off, a line is its bytes decoded as UTF-8):
 * - a line ends after LF; CR LF is shown as ␍␊, a bare LF (no CR before it) as a highlighted ␊, and a
 *   bare CR (no LF after it) as a highlighted ␍: RFC 5321 section 2.3.8 forbids both in DATA;
 * - tab → "→", NUL → "␀", other C0 controls and DEL → their Control Pictures (U+2400 block);
 * - octets >= 0x80 → their hex values, grouped per run ("C3 A9"), since they may be any charset;
 * - spaces and tabs at the end of a line are marked as trailing (a space shows as "·").
 */

export type RawSegmentKind =
  | "text"
  | "crlf-cr"
  | "crlf-lf"
  | "bare-lf"
  | "bare-cr"
  | "tab"
  | "nul"
  | "control"
  | "bytes"
  | "trailing-space"
  | "trailing-tab";

export interface RawSegment {
  kind: RawSegmentKind;
  text: string;
}

/** One line of the raw view: its 1-based number and the byte range [start, end) including its LF. */
export interface RawLineRange {
  number: number;
  start: number;
  end: number;
}

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const SPACE = 0x20;

/** Splits bytes into lines ending after each LF; a final line without LF counts if not empty. */
export function splitRawLines(bytes: Uint8Array): RawLineRange[] {
  const lines: RawLineRange[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === LF) {
      lines.push({ number: lines.length + 1, start, end: i + 1 });
      start = i + 1;
    }
  }
  if (start < bytes.length) lines.push({ number: lines.length + 1, start, end: bytes.length });
  return lines;
}

const decoder = new TextDecoder("utf-8");

/** A line as plain text (invisibles off): decoded as UTF-8 without its line ending. */
export function formatRawLineText(bytes: Uint8Array, range: RawLineRange): string {
  let end = range.end;
  if (end > range.start && bytes[end - 1] === LF) end -= 1;
  if (end > range.start && bytes[end - 1] === CR) end -= 1;
  return decoder.decode(bytes.subarray(range.start, end));
}

function toHex(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, "0");
}

/** A line as segments with every invisible octet made visible (the rules at the top of this file). */
export function formatRawLineInvisibles(bytes: Uint8Array, range: RawLineRange): RawSegment[] {
  const segments: RawSegment[] = [];
  const push = (kind: RawSegmentKind, text: string) => {
    const last = segments[segments.length - 1];
    if (last && last.kind === kind && (kind === "text" || kind === "trailing-space")) last.text += text;
    else if (last && last.kind === "bytes" && kind === "bytes") last.text += ` ${text}`;
    else segments.push({ kind, text });
  };

  // The content ends before the line ending; trailing blanks are those just before it.
  let contentEnd = range.end;
  if (contentEnd > range.start && bytes[contentEnd - 1] === LF) {
    contentEnd -= 1;
    if (contentEnd > range.start && bytes[contentEnd - 1] === CR) contentEnd -= 1;
  }
  let trailingFrom = contentEnd;
  while (
    trailingFrom > range.start &&
    (bytes[trailingFrom - 1] === SPACE || bytes[trailingFrom - 1] === TAB)
  ) {
    trailingFrom -= 1;
  }

  for (let i = range.start; i < range.end; i++) {
    const byte = bytes[i] as number;
    if (i >= contentEnd) {
      // The line ending itself: CR LF, or a bare LF.
      if (byte === CR) push("crlf-cr", "␍");
      else push(i > range.start && bytes[i - 1] === CR ? "crlf-lf" : "bare-lf", "␊");
    } else if (i >= trailingFrom) {
      push(byte === TAB ? "trailing-tab" : "trailing-space", byte === TAB ? "→" : "·");
    } else if (byte === TAB) {
      push("tab", "→");
    } else if (byte === CR) {
      push("bare-cr", "␍");
    } else if (byte === 0) {
      push("nul", "␀");
    } else if (byte < SPACE) {
      push("control", String.fromCharCode(0x2400 + byte));
    } else if (byte === 0x7f) {
      push("control", "␡");
    } else if (byte >= 0x80) {
      push("bytes", toHex(byte));
    } else {
      push("text", String.fromCharCode(byte));
    }
  }
  return segments;
}
