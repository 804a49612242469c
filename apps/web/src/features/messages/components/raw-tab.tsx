/**
 * The exact bytes of the message, fetched as an ArrayBuffer (never decoded by fetch), with line
 * numbers and a toggle that makes CR, LF, tab, NUL, control and non-ASCII octets visible. Lines are
 * virtualised, so a 25 MB message opens as fast as a small one.
 */
import { useMemo, useRef, useState } from "react";
import { formatSize } from "../../../lib/format-size.ts";
import { useVirtualRows } from "../../../lib/use-virtual-rows.ts";
import { useMessageRaw } from "../api/get-message-raw.ts";
import { formatRawLineInvisibles, formatRawLineText, splitRawLines } from "../format-invisibles.ts";
import type { RawLineRange, RawSegmentKind } from "../format-invisibles.ts";

const LINE_HEIGHT = 20;

/**
 * What a mark shows on screen. The DOM text stays the Unicode control picture (␍, ␊, ␀), which copies
 * well, but few fonts draw those, so CSS shows this short label instead.
 */
function toMarkLabel(kind: RawSegmentKind, text: string): string | undefined {
  switch (kind) {
    case "crlf-cr":
    case "bare-cr":
      return "CR";
    case "crlf-lf":
    case "bare-lf":
      return "LF";
    case "nul":
      return "NUL";
    case "control": {
      const code = (text.codePointAt(0) ?? 0x2400) - 0x2400;
      return code === 0x21 ? "DEL" : `^${String.fromCharCode(code + 0x40)}`;
    }
    default:
      return undefined;
  }
}

const segmentTitles: Partial<Record<string, string>> = {
  "bare-lf": "bare LF: a line feed without a carriage return",
  "bare-cr": "bare CR: a carriage return without a line feed",
  "crlf-cr": "CR",
  "crlf-lf": "LF",
  tab: "tab",
  nul: "NUL octet",
  bytes: "octets >= 0x80, in hex",
  "trailing-space": "trailing space",
  "trailing-tab": "trailing tab",
  control: "control character",
};

export function RawTab({ id }: { id: string }) {
  const { data: bytes, error } = useMessageRaw(id);
  const [invisibles, setInvisibles] = useState(false);
  const lines = useMemo(() => (bytes ? splitRawLines(bytes) : []), [bytes]);
  const bareLf = useMemo(() => {
    if (!bytes) return 0;
    let count = 0;
    for (let i = 0; i < bytes.length; i++)
      if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) count++;
    return count;
  }, [bytes]);

  return (
    <div className="raw-tab">
      <div className="raw-tab__bar">
        <label className="toggle">
          <input
            type="checkbox"
            checked={invisibles}
            onChange={(event) => setInvisibles(event.target.checked)}
          />
          Show invisibles{" "}
          <span className="muted">
            (<span className="inv-key">CR</span> <span className="inv-key">LF</span>{" "}
            <span className="inv-key inv-key--bad">LF</span> bare, → tab, · trailing space, hex for 8-bit)
          </span>
        </label>
        {bytes && (
          <span className="muted">
            {formatSize(bytes.length)} · {lines.length.toLocaleString()} lines
            {bareLf > 0 && (
              <>
                {" · "}
                <span className="badge badge--flag badge--bare-lf">{bareLf} bare LF</span>
              </>
            )}
          </span>
        )}
      </div>
      {error && (
        <p className="banner banner--error" role="alert">
          {error.message}
        </p>
      )}
      {!bytes && !error && <p className="muted">Loading raw source…</p>}
      {bytes && <RawLines bytes={bytes} lines={lines} invisibles={invisibles} />}
    </div>
  );
}

function RawLines({
  bytes,
  lines,
  invisibles,
}: {
  bytes: Uint8Array;
  lines: RawLineRange[];
  invisibles: boolean;
}) {
  const containerRef = useRef<HTMLDivElement>(null);
  const { start, end, onScroll } = useVirtualRows(containerRef, lines.length, LINE_HEIGHT, 20);
  const digits = String(lines.length).length;
  const rows = [];
  for (let index = start; index < end; index++) {
    const range = lines[index] as RawLineRange;
    rows.push(
      <div
        key={range.number}
        className="raw-line"
        style={{ transform: `translateY(${index * LINE_HEIGHT}px)`, height: LINE_HEIGHT }}
      >
        <span className="raw-line__number" style={{ width: `${digits + 2}ch` }} aria-hidden="true">
          {range.number}
        </span>
        <span className="raw-line__text">
          {invisibles
            ? formatRawLineInvisibles(bytes, range).map((segment, i) =>
                segment.kind === "text" ? (
                  segment.text
                ) : (
                  <span
                    key={i}
                    className={`inv inv--${segment.kind}`}
                    title={segmentTitles[segment.kind]}
                    data-label={toMarkLabel(segment.kind, segment.text)}
                  >
                    {segment.text}
                  </span>
                ),
              )
            : formatRawLineText(bytes, range)}
        </span>
      </div>,
    );
  }
  return (
    <div
      className="raw-lines"
      ref={containerRef}
      onScroll={onScroll}
      role="region"
      aria-label="Raw message source"
      tabIndex={0}
    >
      <div className="raw-lines__spacer" style={{ height: lines.length * LINE_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
