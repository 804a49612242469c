/**
 * Order statistics for latency samples and round medians. Pure functions, no I/O.
 * Percentiles use the nearest-rank method on a sorted copy, so p99 of 100 samples is the 99th value.
 */

/** Nearest-rank percentile (0..100) of `samples`; `null` when there are none. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? null;
}

/** Median of the non-null values; `null` when none is left (a server skipped in every round). */
export function median(values: readonly (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (present.length === 0) return null;
  present.sort((a, b) => a - b);
  const mid = Math.floor(present.length / 2);
  if (present.length % 2 === 1) return present[mid] ?? null;
  return ((present[mid - 1] ?? 0) + (present[mid] ?? 0)) / 2;
}

/** p50 and p99 of a sample set, in the samples' unit. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: percentile(samples, 100),
  };
}

/** `a / b`, or `null` when either is missing or `b` is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (typeof a !== "number" || typeof b !== "number" || b === 0) return null;
  return a / b;
}
