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
  return new Recorder(clock, startedAtMs);
}

/** A class, not a closure object: one is created per connection, and methods live on the prototype. */
class Recorder implements TranscriptRecorder {
  private seq = 0;
  private batch: TranscriptEntry[] = [];

  constructor(
    private readonly clock: () => number,
    private readonly startedAtMs: number,
  ) {}

  now(): number {
    return Math.max(0, this.clock() - this.startedAtMs);
  }

  add(
    dir: TranscriptDirection,
    text: string,
    extra?: { masked?: boolean; data?: DataSummary; messageId?: string; atMs?: number },
  ): void {
    const entry: TranscriptEntry = { seq: this.seq++, atMs: extra?.atMs ?? this.now(), dir, text };
    if (extra?.masked) entry.masked = true;
    if (extra?.data) entry.data = extra.data;
    if (extra?.messageId !== undefined) entry.messageId = extra.messageId;
    this.batch.push(entry);
  }

  take(): TranscriptEntry[] {
    const out = this.batch;
    this.batch = [];
    return out;
  }

  get pending(): number {
    return this.batch.length;
  }
}
