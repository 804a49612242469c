/** The shell: top bar (brand, navigation, counts, connection) and the view the URL names. */
import { ConnectionIndicator } from "../features/live/components/connection-indicator.tsx";
import { LiveProvider, useLive } from "../features/live/components/live-provider.tsx";
import { MailboxPage } from "../features/messages/components/mailbox-page.tsx";
import { SessionView } from "../features/sessions/components/session-view.tsx";
import { SessionsPage } from "../features/sessions/components/sessions-page.tsx";
import { Link, paths, useRoute } from "./router.tsx";

export function App({ connect = true }: { connect?: boolean }) {
  return (
    <LiveProvider connect={connect}>
      <Shell />
    </LiveProvider>
  );
}

function Shell() {
  const route = useRoute();
  const { stats } = useLive();
  const inMail = route.name === "inbox" || route.name === "message";
  const inSessions = route.name === "sessions" || route.name === "session";
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link href={paths.inbox()} className="brand" aria-label="Mailpen inbox">
          <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <path d="M7 10h18v12H7z M7 10l9 7 9-7" fill="none" stroke="var(--bg)" strokeWidth="2" />
          </svg>
          <span>Mailpen</span>
        </Link>
        <nav className="nav" aria-label="Main">
          <Link href={paths.inbox()} className="nav__item" aria-current={inMail ? "page" : undefined}>
            Inbox
            {stats && stats.unread > 0 && (
              <span className="nav__count" title={`${stats.unread} unread`}>
                {stats.unread.toLocaleString()}
              </span>
            )}
          </Link>
          <Link href={paths.sessions()} className="nav__item" aria-current={inSessions ? "page" : undefined}>
            Sessions
          </Link>
        </nav>
        <span className="topbar__spacer" />
        {stats && (
          <span className="topbar__stats muted">
            {stats.total.toLocaleString()} messages · {stats.sessions.toLocaleString()} sessions
          </span>
        )}
        <ConnectionIndicator />
      </header>
      <main id="main" className="main">
        {inMail && (
          <MailboxPage
            openId={route.name === "message" ? route.id : null}
            tab={route.name === "message" ? route.tab : null}
          />
        )}
        {route.name === "sessions" && <SessionsPage />}
        {route.name === "session" && <SessionView key={route.id} id={route.id} />}
        {route.name === "not-found" && (
          <div className="page">
            <h1>Not found</h1>
            <p>
              Nothing lives at <code>{route.path}</code>. <Link href={paths.inbox()}>Go to the inbox</Link>.
            </p>
          </div>
        )}
      </main>
    </div>
  );
}
