import { useLive } from "./live-provider.tsx";

const labels = { connecting: "Connecting", live: "Live", reconnecting: "Reconnecting" } as const;

/** A dot and a word: whether pushes are arriving right now. */
export function ConnectionIndicator() {
  const { status } = useLive();
  return (
    <span
      className={`connection connection--${status}`}
      role="status"
      aria-live="polite"
      title="Live updates"
    >
      <span className="connection__dot" aria-hidden="true" />
      {labels[status]}
    </span>
  );
}
