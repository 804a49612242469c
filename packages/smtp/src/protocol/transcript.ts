/**
 * Records the transcript of one session as structured entries, timestamped with the injected clock
 * relative to the session's start, numbered in order. Entries are handed out in batches (`take`) so
 * the engine can pass them to the backend per input chunk. No I/O.
 */
import type { DataSummary, TranscriptDirection, TranscriptEntry } from "@mailpen/shared";

export interface TranscriptRecorder {
  /** Append one entry; `atMs` defaults to now. */
  add(
    dir: TranscriptDirection,
    text: string,
    extra?: { masked?: boolean; data?: DataSummary; messageId?: string; atMs?: number },
  ): void;
  /** Offset of now from the session start, in ms. */
  now(): number;
  /** The entries added since the last call. */
  take(): TranscriptEntry[];
  readonly pending: number;
}

export function createTranscriptRecorder(clock: () => number, startedAtMs: number): TranscriptRecorder {
  let seq = 0;
  let batch: TranscriptEntry[] = [];
  const now = () => Math.max(0, clock() - startedAtMs);
  return {
    now,
    add(dir, text, extra) {
      const entry: TranscriptEntry = { seq: seq++, atMs: extra?.atMs ?? now(), dir, text };
      if (extra?.masked) entry.masked = true;
      if (extra?.data) entry.data = extra.data;
      if (extra?.messageId !== undefined) entry.messageId = extra.messageId;
      batch.push(entry);
    },
    take() {
      const out = batch;
      batch = [];
      return out;
    },
    get pending() {
      return batch.length;
    },
  };
}
