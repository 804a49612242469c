/**
 * A session's transcript as a timeline: client (C:) and server (S:) lines told apart by marker and
 * colour, millisecond offsets from the session's start, reply codes coloured by class (2xx, 3xx, 4xx,
 * 5xx), message content summarised with a link to the message it became, and masked AUTH secrets
 * marked as such.
 */
import type { DataSummary, TranscriptEntry } from "@mailpen/shared";
import { Link, paths } from "../../../app/router.tsx";
import { formatSize } from "../../../lib/format-size.ts";
import { formatOffset } from "../../../lib/format-time.ts";

const markers = { client: "C:", server: "S:", event: "··" } as const;
const directionLabels = { client: "client", server: "server", event: "event" } as const;

/** "1.2 KB, 20 lines, 1 bare LF": the notable numbers of message content. */
export function formatDataSummary(data: DataSummary): string {
  const parts = [
    formatSize(data.bytes),
    `${data.lines.toLocaleString()} ${data.lines === 1 ? "line" : "lines"}`,
  ];
  if (data.bareLf) parts.push(`${data.bareLf} bare LF`);
  if (data.bareCr) parts.push(`${data.bareCr} bare CR`);
  if (data.eightBit) parts.push(`${data.eightBit} 8-bit octets`);
  if (data.longLines) parts.push(`${data.longLines} long lines`);
  if (data.nul) parts.push(`${data.nul} NUL`);
  return parts.join(", ");
}

function ReplyLine({ line }: { line: string }) {
  const match = /^([2-5])(\d\d)([ -]?)(.*)$/s.exec(line);
  if (!match) return <>{line}</>;
  const [, klass, rest, separator, text] = match;
  return (
    <>
      <span className={`reply-code reply-code--${klass}xx`}>
        {klass}
        {rest}
      </span>
      {separator}
      {text}
    </>
  );
}

function EntryText({ entry }: { entry: TranscriptEntry }) {
  const lines = entry.text.split("\n");
  return (
    <>
      {lines.map((line, index) => (
        <span key={index} className="entry__line">
          {entry.dir === "server" ? <ReplyLine line={line} /> : line}
        </span>
      ))}
    </>
  );
}

export function TranscriptTimeline({ entries }: { entries: readonly TranscriptEntry[] }) {
  if (entries.length === 0) return <p className="muted">No transcript entries yet.</p>;
  return (
    <ol className="transcript" aria-label="SMTP transcript">
      {entries.map((entry) => (
        <li key={entry.seq} className={`entry entry--${entry.dir}${entry.data ? " entry--data" : ""}`}>
          <span className="entry__offset">{formatOffset(entry.atMs)}</span>
          <span className="entry__marker" title={directionLabels[entry.dir]}>
            <span aria-hidden="true">{markers[entry.dir]}</span>
            <span className="visually-hidden">{directionLabels[entry.dir]}</span>
          </span>
          <span className="entry__text">
            <EntryText entry={entry} />
            {entry.masked && (
              <span className="badge badge--masked" title="The secret was replaced before it was stored">
                masked
              </span>
            )}
            {entry.data && (
              <span className="entry__data">
                <span className="badge">content</span> {formatDataSummary(entry.data)}
                {entry.messageId && (
                  <>
                    {" "}
                    <Link href={paths.message(entry.messageId)} className="entry__message-link">
                      Open the message →
                    </Link>
                  </>
                )}
              </span>
            )}
          </span>
        </li>
      ))}
    </ol>
  );
}
