/** Every SMTP session, newest first and live: a started session appears, then updates in place. */
import { useCallback, useEffect, useState } from "react";
import type { SessionListResponse, SessionSummary } from "@mailpen/shared";
import { Link, paths } from "../../../app/router.tsx";
import {
  formatClockTime,
  formatDateTime,
  formatDuration,
  formatRelativeTime,
} from "../../../lib/format-time.ts";
import { useNow } from "../../../lib/use-now.ts";
import { useLive, useLiveEvents } from "../../live/components/live-provider.tsx";
import { getSessions } from "../api/get-sessions.ts";
import { OutcomeBadge, formatTls } from "./session-labels.tsx";

interface SessionsState {
  sessions: SessionSummary[];
  total: number;
  nextCursor: string | null;
  loaded: boolean;
}

function upsert(state: SessionsState, session: SessionSummary): SessionsState {
  const index = state.sessions.findIndex((s) => s.id === session.id);
  if (index !== -1) {
    const sessions = [...state.sessions];
    sessions[index] = session;
    return { ...state, sessions };
  }
  return { ...state, sessions: [session, ...state.sessions], total: state.total + 1 };
}

export function SessionsPage() {
  const { epoch } = useLive();
  const now = useNow();
  const [state, setState] = useState<SessionsState>({
    sessions: [],
    total: 0,
    nextCursor: null,
    loaded: false,
  });
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    getSessions(null, controller.signal).then(
      (page: SessionListResponse) => {
        setState({ sessions: page.sessions, total: page.total, nextCursor: page.nextCursor, loaded: true });
        setError(null);
      },
      (reason: unknown) => {
        if (!controller.signal.aborted) setError(reason instanceof Error ? reason.message : String(reason));
      },
    );
    return () => controller.abort();
  }, [epoch]);

  useLiveEvents((event) => {
    if (
      event.type === "session.started" ||
      event.type === "session.updated" ||
      event.type === "session.closed"
    ) {
      setState((previous) => upsert(previous, event.session));
    } else if (event.type === "session.deleted") {
      const gone = new Set(event.ids);
      setState((previous) => ({ ...previous, sessions: previous.sessions.filter((s) => !gone.has(s.id)) }));
    }
  });

  const loadMore = useCallback(() => {
    if (!state.nextCursor) return;
    setLoadingMore(true);
    getSessions(state.nextCursor)
      .then(
        (page) =>
          setState((previous) => {
            const known = new Set(previous.sessions.map((s) => s.id));
            return {
              ...previous,
              sessions: [...previous.sessions, ...page.sessions.filter((s) => !known.has(s.id))],
              nextCursor: page.nextCursor,
              total: page.total,
            };
          }),
        (reason: unknown) => setError(reason instanceof Error ? reason.message : String(reason)),
      )
      .finally(() => setLoadingMore(false));
  }, [state.nextCursor]);

  return (
    <section className="page sessions-page" aria-labelledby="sessions-title">
      <header className="page__head">
        <h1 id="sessions-title">Sessions</h1>
        <span className="muted">{state.total.toLocaleString()} SMTP connections, newest first</span>
      </header>
      {error && (
        <p className="banner banner--error" role="alert">
          {error}
        </p>
      )}
      {state.loaded && state.sessions.length === 0 ? (
        <div className="empty-state">
          <p className="empty-state__title">No SMTP sessions yet</p>
          <p>Every connection appears here, also those that delivered nothing.</p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="sessions-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Client</th>
                <th scope="col">HELO</th>
                <th scope="col">TLS</th>
                <th scope="col">AUTH</th>
                <th scope="col" className="num">
                  Messages
                </th>
                <th scope="col" className="num">
                  Duration
                </th>
                <th scope="col">Outcome</th>
                <th scope="col">Warnings</th>
              </tr>
            </thead>
            <tbody>
              {state.sessions.map((session) => {
                const failed = session.outcome === "rejected" || session.outcome === "error";
                return (
                  <tr
                    key={session.id}
                    className={failed ? "row--failed" : session.errorCount ? "row--errors" : ""}
                  >
                    <td>
                      <Link href={paths.session(session.id)} title={formatDateTime(session.startedAt)}>
                        {formatClockTime(session.startedAt)}
                      </Link>
                      <span className="muted"> · {formatRelativeTime(session.startedAt, now)}</span>
                    </td>
                    <td>
                      <code>
                        {session.remoteAddress}:{session.remotePort}
                      </code>
                    </td>
                    <td>{session.heloName ?? <span className="muted">–</span>}</td>
                    <td>{formatTls(session)}</td>
                    <td>{session.authUser ?? <span className="muted">–</span>}</td>
                    <td className="num">{session.messageCount}</td>
                    <td className="num">
                      {session.endedAt
                        ? formatDuration(Date.parse(session.endedAt) - Date.parse(session.startedAt))
                        : "…"}
                    </td>
                    <td>
                      <OutcomeBadge session={session} />
                      {session.errorCount > 0 && (
                        <span className="badge badge--soft" title="Error replies (4xx/5xx) the server sent">
                          {session.errorCount} errors
                        </span>
                      )}
                    </td>
                    <td>
                      {session.warnings.map((warning) => (
                        <span key={warning} className="badge badge--warn">
                          {warning}
                        </span>
                      ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {state.nextCursor && (
            <button type="button" className="button load-more" disabled={loadingMore} onClick={loadMore}>
              {loadingMore ? "Loading…" : "Load older sessions"}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
