/**
 * One SMTP session: its metadata, the messages it delivered, and the transcript timeline, which grows
 * live from session.updated events while the session is in progress.
 */
import type { SessionDetail, TranscriptEntry } from "@mailpen/shared";
import { Link, paths } from "../../../app/router.tsx";
import { formatClockTime, formatDateTime, formatDuration } from "../../../lib/format-time.ts";
import { useLive, useLiveEvents } from "../../live/components/live-provider.tsx";
import { useSession } from "../api/get-session.ts";
import { toSessionTranscriptUrl } from "../api/get-session-transcript.ts";
import { OutcomeBadge, formatTls } from "./session-labels.tsx";
import { TranscriptTimeline } from "./transcript-timeline.tsx";

/** Merges new entries by sequence number (a re-sent entry replaces the old one). */
export function mergeEntries(
  entries: readonly TranscriptEntry[],
  added: readonly TranscriptEntry[],
): TranscriptEntry[] {
  const bySeq = new Map(entries.map((entry) => [entry.seq, entry]));
  for (const entry of added) bySeq.set(entry.seq, entry);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export function SessionView({ id }: { id: string }) {
  const { epoch } = useLive();
  const { data: session, error, setData } = useSession(id, epoch);

  useLiveEvents((event) => {
    if ((event.type === "session.updated" || event.type === "session.closed") && event.session.id === id) {
      setData((previous) =>
        previous
          ? {
              ...previous,
              ...event.session,
              transcript:
                event.type === "session.updated"
                  ? mergeEntries(previous.transcript, event.entries)
                  : previous.transcript,
            }
          : previous,
      );
    } else if (event.type === "message.created" && event.message.sessionId === id) {
      setData((previous) =>
        previous && !previous.messageIds.includes(event.message.id)
          ? { ...previous, messageIds: [...previous.messageIds, event.message.id] }
          : previous,
      );
    }
  });

  if (error) {
    return (
      <section className="page">
        <Link href={paths.sessions()} className="back-link">
          ← Sessions
        </Link>
        <p className="banner banner--error" role="alert">
          {"status" in error && error.status === 404
            ? "This session does not exist (any more)."
            : error.message}
        </p>
      </section>
    );
  }
  if (!session) return <p className="page muted">Loading session…</p>;
  return <SessionDetailView session={session} />;
}

function SessionDetailView({ session }: { session: SessionDetail }) {
  return (
    <section className="page session-view" aria-labelledby="session-title">
      <Link href={paths.sessions()} className="back-link">
        ← Sessions
      </Link>
      <header className="page__head">
        <h1 id="session-title">
          Session from <code>{session.remoteAddress}</code>
        </h1>
        <OutcomeBadge session={session} />
        <a
          className="button page__action"
          href={toSessionTranscriptUrl(session.id)}
          download={`session-${session.id}.txt`}
        >
          Download transcript
        </a>
      </header>
      <dl className="facts">
        <div>
          <dt>Started</dt>
          <dd title={formatDateTime(session.startedAt)}>{formatClockTime(session.startedAt)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd title={session.endedAt ? `Ended ${formatDateTime(session.endedAt)}` : undefined}>
            {session.endedAt
              ? formatDuration(Date.parse(session.endedAt) - Date.parse(session.startedAt))
              : "in progress"}
          </dd>
        </div>
        <div>
          <dt>Client</dt>
          <dd>
            <code>
              {session.remoteAddress}:{session.remotePort}
            </code>
          </dd>
        </div>
        <div>
          <dt>Server</dt>
          <dd>
            <code>
              {session.localAddress}:{session.localPort}
            </code>
          </dd>
        </div>
        <div>
          <dt>HELO</dt>
          <dd>{session.heloName ?? "–"}</dd>
        </div>
        <div>
          <dt>TLS</dt>
          <dd>{formatTls(session)}</dd>
        </div>
        <div>
          <dt>AUTH</dt>
          <dd>{session.authUser ? `${session.authUser} (${session.authMechanism ?? "?"})` : "–"}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd>{session.errorCount}</dd>
        </div>
      </dl>
      {session.warnings.length > 0 && (
        <p>
          {session.warnings.map((warning) => (
            <span key={warning} className="badge badge--warn">
              {warning}
            </span>
          ))}
        </p>
      )}
      {session.messageIds.length > 0 && (
        <nav aria-label="Messages of this session" className="session-messages">
          <span className="muted">Delivered: </span>
          {session.messageIds.map((messageId, index) => (
            <Link key={messageId} href={paths.message(messageId)} className="chip">
              Message {index + 1}
            </Link>
          ))}
        </nav>
      )}
      <h2 className="section-title">Transcript</h2>
      <TranscriptTimeline entries={session.transcript} />
    </section>
  );
}
