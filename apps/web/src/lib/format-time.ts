/** Pure time formatting for lists and details; `now` is passed in so results are testable. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday 14:02", or a date for anything older. */
export function formatRelativeTime(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  const delta = now - at;
  if (delta < 45_000) return "just now";
  if (delta < HOUR) return `${Math.max(1, Math.round(delta / MINUTE))} min ago`;
  if (delta < 12 * HOUR) return `${Math.round(delta / HOUR)} h ago`;
  const date = new Date(at);
  const today = new Date(now);
  const time = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === today.toDateString()) return time;
  if (delta < 2 * DAY && new Date(now - DAY).toDateString() === date.toDateString())
    return `yesterday ${time}`;
  return date.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    ...(date.getFullYear() === today.getFullYear() ? {} : { year: "numeric" }),
  });
}

/** A full local date and time for titles and detail views. */
export function formatDateTime(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return new Date(at).toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** A transcript offset: +0 ms, +12 ms, +1.204 s, +2 min 3 s. */
export function formatOffset(ms: number): string {
  if (ms < 1000) return `+${Math.round(ms)} ms`;
  if (ms < MINUTE) return `+${(ms / 1000).toFixed(3)} s`;
  const minutes = Math.floor(ms / MINUTE);
  return `+${minutes} min ${Math.round((ms - minutes * MINUTE) / 1000)} s`;
}

/** The local time of day with seconds: 14:02:09. */
export function formatClockTime(iso: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  return new Date(at).toLocaleTimeString(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** A duration: 840 ms, 2.4 s, 3 min 5 s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  return formatOffset(ms).slice(1);
}
