import type { MessageSummary } from "@mailpen/shared";
import type { MailStore } from "@mailpen/store";

/**
 * The long-poll behind GET /api/wait. Invariants:
 * - it subscribes to store events before it looks at the store, so no message can slip between the
 *   first look and the subscription;
 * - it re-reads the store only when a message event arrives (coalesced per tick): no polling loop;
 * - every timer and the subscription are released on every way out (match, timeout, abort).
 */

/** Where "after" starts: a message id (exclusive), a time (inclusive), or the moment of the call. */
export type WaitSince = { kind: "id"; id: string } | { kind: "time"; ms: number } | { kind: "now" };

export interface WaitOptions {
  query?: string;
  since: WaitSince;
  /** How many matching messages to wait for (1 or more). */
  count: number;
  timeoutMs: number;
  /** Aborting rejects the wait with the signal's reason (client gone, server closing). */
  signal?: AbortSignal;
}

export interface WaitResult {
  /** Matching messages, oldest first; at most `count`. */
  messages: MessageSummary[];
  timedOut: boolean;
}

const LOOK_LIMIT = 1000;

/**
 * Parse the `since` parameter: digits are epoch milliseconds, a date-like string is an ISO 8601
 * time, anything else is a message id. Returns undefined for a date-like string that is no date.
 */
export function parseWaitSince(text: string | undefined): WaitSince | undefined {
  if (text === undefined || text === "") return { kind: "now" };
  if (/^\d+$/.test(text)) return { kind: "time", ms: Number(text) };
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : { kind: "time", ms };
  }
  return { kind: "id", id: text };
}

/** Resolve once `count` messages match, or with `timedOut: true` and the matches so far. */
export function waitForMessages(store: MailStore, options: WaitOptions): Promise<WaitResult> {
  return new Promise<WaitResult>((resolve, reject) => {
    let pending: NodeJS.Immediate | undefined;
    let latest: MessageSummary[] = [];
    const unsubscribe = store.subscribe((event) => {
      if ((event.type === "message.created" || event.type === "message.updated") && !pending) {
        pending = setImmediate(lookSafely);
      }
    });

    // "now" becomes "after the newest message present at the call" (taken after subscribing).
    const since: WaitSince =
      options.since.kind === "now"
        ? (() => {
            const newest = store.listMessages({ limit: 1 }).messages[0];
            return newest ? { kind: "id", id: newest.id } : { kind: "time", ms: 0 };
          })()
        : options.since;

    const timer = setTimeout(() => finish({ messages: latest, timedOut: true }), options.timeoutMs);
    const onAbort = () => finish(options.signal?.reason ?? new Error("aborted"));
    options.signal?.addEventListener("abort", onAbort, { once: true });

    function finish(outcome: WaitResult | Error): void {
      clearTimeout(timer);
      if (pending) clearImmediate(pending);
      pending = undefined;
      unsubscribe();
      options.signal?.removeEventListener("abort", onAbort);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }

    function look(): void {
      pending = undefined;
      const page = store.listMessages({
        query: options.query,
        afterId: since.kind === "id" ? since.id : undefined,
        limit: LOOK_LIMIT,
      });
      const matches = page.messages
        .filter((m) => since.kind !== "time" || Date.parse(m.receivedAt) >= since.ms)
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      latest = matches.slice(0, options.count);
      if (matches.length >= options.count) finish({ messages: latest, timedOut: false });
    }

    // A failing read (the store closing under us) rejects the wait; it must never throw from a timer.
    function lookSafely(): void {
      try {
        look();
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    }

    if (options.signal?.aborted) return onAbort();
    lookSafely();
  });
}
