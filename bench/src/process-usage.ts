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
  /** The same for the main thread alone (its event loop, for a Node server). */
  mainThreadCpuMs: number;
  /** VmRSS: resident set now. */
  rssBytes: number;
  /** VmHWM: peak resident set since the process started. */
  peakRssBytes: number;
}

export function readProcessUsage(pid: number): ProcessUsage | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return {
      cpuMs: readCpuMs(`/proc/${pid}/stat`),
      // The main thread's task id is the process id.
      mainThreadCpuMs: readCpuMs(`/proc/${pid}/task/${pid}/stat`),
      rssBytes: readStatusKiB(status, "VmRSS") * 1024,
      peakRssBytes: readStatusKiB(status, "VmHWM") * 1024,
    };
  } catch {
    return null;
  }
}

/** utime + stime of a /proc stat file (a process's or one of its threads'), milliseconds. */
function readCpuMs(file: string): number {
  const stat = readFileSync(file, "utf8");
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function readStatusKiB(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
  return match ? Number(match[1]) : 0;
}

/** Time all the machine's cores spent, from the first line of /proc/stat (milliseconds). */
export interface MachineCpu {
  /** user, nice, system, irq and softirq (guest time is already inside user). */
  busyMs: number;
  /** idle and iowait. */
  idleMs: number;
  /** Time the hypervisor gave to other guests while this one had work (a VM's noisy neighbours). */
  stealMs: number;
}

/** Shares of all cores over a window: busy, and stolen by the hypervisor. */
export interface MachineShare {
  busy: number;
  steal: number;
}

export function readMachineCpu(): MachineCpu | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const [label, ...rest] = line.trim().split(/\s+/);
    const t = rest.map(Number);
    if (label !== "cpu" || t.length < 8 || t.slice(0, 8).some((n) => !Number.isFinite(n))) return null;
    // Checked above: the eight counters are there (the defaults only satisfy the type checker).
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = t;
    const toMs = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
    return {
      busyMs: toMs(user + nice + system + irq + softirq),
      idleMs: toMs(idle + iowait),
      stealMs: toMs(steal),
    };
  } catch {
    return null;
  }
}

/** The shares of the window between two readings; null when either is missing or no time passed. */
export function machineShare(before: MachineCpu | null, after: MachineCpu | null): MachineShare | null {
  if (before === null || after === null) return null;
  const busy = after.busyMs - before.busyMs;
  const steal = after.stealMs - before.stealMs;
  const total = busy + steal + (after.idleMs - before.idleMs);
  return total > 0 ? { busy: busy / total, steal: steal / total } : null;
}
