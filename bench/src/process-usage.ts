/**
 * CPU time and memory of a server process, read from Linux /proc. Read before the process is
 * stopped: /proc/<pid> disappears with it. Returns `null` where /proc is unavailable (not Linux), so
 * the benchmark still runs and reports the columns as missing.
 */
import { readFileSync } from "node:fs";

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessUsage {
  /** utime + stime, milliseconds (10 ms resolution). */
  cpuMs: number;
  /** VmRSS: resident set now. */
  rssBytes: number;
  /** VmHWM: peak resident set since the process started. */
  peakRssBytes: number;
}

export function readProcessUsage(pid: number): ProcessUsage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return {
      cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND,
      rssBytes: readStatusKiB(status, "VmRSS") * 1024,
      peakRssBytes: readStatusKiB(status, "VmHWM") * 1024,
    };
  } catch {
    return null;
  }
}

function readStatusKiB(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}
