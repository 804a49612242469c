import type { SessionSummary } from "@mailpen/shared";

const outcomeLabels = {
  quit: "QUIT",
  "client-closed": "client closed",
  timeout: "timed out",
  rejected: "rejected",
  error: "error",
  shutdown: "shutdown",
} as const;

/** The outcome as a badge; failures stand out, a session still running says so. */
export function OutcomeBadge({ session }: { session: SessionSummary }) {
  if (session.outcome === null) return <span className="badge badge--running">in progress</span>;
  const bad = session.outcome === "rejected" || session.outcome === "error" || session.outcome === "timeout";
  const soft = session.outcome === "client-closed" || session.outcome === "shutdown";
  return (
    <span className={`badge badge--outcome${bad ? " badge--bad" : soft ? " badge--soft" : " badge--ok"}`}>
      {outcomeLabels[session.outcome]}
    </span>
  );
}

/** "TLS 1.3" / "implicit TLS" / "-" */
export function formatTls(session: SessionSummary): string {
  if (!session.tls) return "no";
  const protocol = session.tls.protocol?.replace("TLSv", "TLS ") ?? "TLS";
  return session.tls.mode === "implicit" ? `${protocol} (implicit)` : `${protocol} (STARTTLS)`;
}
