/**
 * When the deferred parse may start its next message. The parse competes with ingest for the same
 * cores, so it runs at idle priority:
 * - once the SMTP side wrote nothing (no message, session or transcript write) for `quietMs`;
 * - while writes keep coming, as a trickle (the starvation guard, so a long burst shows parsed
 *   messages too): at most one parse per `trickleMs`, within a budget of `trickleBytes` of raw per
 *   `trickleMs` of the burst. A 1 KB message is parsed every 100 ms of a burst, a 5 MB one only after
 *   8 s of it: the parse of a 5 MB message holds about 45 MB while it runs, and running it beside the
 *   burst's own ingest added the two peaks;
 * - at full speed once more than `backlogMax` wait, so a long burst never piles up without bound.
 * Pure apart from its own state; the clock is injected. A reader that needs a message does not ask
 * the gate (ParseQueue.waitFor parses it at once).
 */

export interface ParseGateOptions {
  quietMs: number;
  trickleMs: number;
  trickleBytes: number;
  backlogMax: number;
  /** Milliseconds, monotonic; default performance.now. */
  now?: () => number;
}

export interface ParseGate {
  /** A write of the SMTP side (it starts a burst after a quiet spell). */
  noteWrite(): void;
  /** Milliseconds since the last write (the WAL checkpointer waits for a quiet spell too). */
  msSinceWrite(): number;
  /**
   * Milliseconds to wait before parsing a message of `size` octets with `queued` waiting in all;
   * 0 lets it start now (and, during a burst, counts it against the trickle).
   */
  delay(size: number, queued: number): number;
}

export function createParseGate(options: ParseGateOptions): ParseGate {
  const now = options.now ?? (() => performance.now());
  const { quietMs, trickleMs, trickleBytes, backlogMax } = options;
  let lastWriteAt = -Infinity;
  let burstStartAt = -Infinity;
  let trickledBytes = 0;
  let lastTrickleAt = -Infinity;
  return {
    noteWrite() {
      const at = now();
      if (at - lastWriteAt >= quietMs) {
        burstStartAt = at;
        trickledBytes = 0;
      }
      lastWriteAt = at;
    },
    msSinceWrite: () => now() - lastWriteAt,
    delay(size, queued) {
      if (queued > backlogMax) return 0;
      const at = now();
      const quiet = quietMs - (at - lastWriteAt);
      if (quiet <= 0) return 0;
      const budget = ((at - burstStartAt) / trickleMs) * trickleBytes;
      const trickle = Math.max(
        trickleMs - (at - lastTrickleAt),
        ((trickledBytes + size - budget) / trickleBytes) * trickleMs,
      );
      if (trickle > 0) return Math.min(quiet, trickle);
      lastTrickleAt = at;
      trickledBytes += size;
      return 0;
    },
  };
}
