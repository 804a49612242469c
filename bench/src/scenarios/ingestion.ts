/**
 * SMTP ingestion: the same load against every server, rounds interleaved (Mailpen, peer, engine,
 * peer, ...), figures reported as the median over rounds. Each server is started fresh for the
 * scenario and kept for its rounds (messages up to 100 KB: rates), or started fresh for each run
 * (5 MB and 50 MB: memory, where one run's heap must not carry into the next).
 *
 * Per run: msgs/s, end-of-DATA -> 250 p50/p99, end-of-DATA -> websocket `message.created` p50/p99
 * (servers that push), server CPU ms per message (utime+stime delta over the load, from /proc), the
 * bench process's own CPU per message over the same window (the client's share of the cores), the
 * share of the machine's cores busy and stolen by the hypervisor meanwhile (/proc/stat), and the
 * server's peak RSS (VmHWM, the process's whole life: over the rounds so far when kept).
 *
 * Mailpen parses each message after it acknowledged it (deferred, at idle priority), so the load's
 * figures alone would leave the parse out. For Mailpen the run then waits (bounded) until every
 * accepted message was announced parsed (`message.updated`, parseState no longer "pending") and
 * reads CPU and peak RSS again: the "with parse" figures, those of storing, parsing and pushing
 * every message. The 5 MB RSS target is checked against them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runLoad, type ConnectionMode } from "../load-generator.ts";
import { buildPayload, formatSize, payloadSizeFor } from "../message-bodies.ts";
import { machineShare, readMachineCpu } from "../process-usage.ts";
import type { RunningServer } from "../servers/child-process.ts";
import type { ServerId, ServerUnderTest } from "../servers/server-under-test.ts";
import { median, summarizeLatencies, type LatencySummary } from "../stats.ts";
import { openWsClient, type WsConnection } from "../ws-client.ts";

export interface IngestionScenario {
  id: string;
  size: number;
  connections: number;
  mode: ConnectionMode;
  pipelining: boolean;
  maxMessages: number;
  maxDurationMs: number;
  /**
   * Each server is started once for all the rounds (true), or afresh for each run (false). Kept, a
   * Node server's later rounds run with its hot paths compiled, as a server that has been up a while
   * does; its first round is the one that pays for V8's warm-up. Its peak RSS is then that of the
   * rounds so far.
   */
  serverPerScenario: boolean;
  /** Only these servers (default: all). */
  servers?: ServerId[];
}

export interface IngestionRun {
  server: ServerId;
  round: number;
  error?: string;
  accepted: number;
  failed: number;
  errors: string[];
  messagesPerSecond: number;
  megabytesPerSecond: number;
  pipelined: boolean;
  latencyMs: LatencySummary;
  wsLatencyMs: LatencySummary | null;
  cpuMsPerMessage: number | null;
  /**
   * CPU of the bench process itself (the load generator, and for Mailpen the websocket client) per
   * message, over the same window as the server's: the client's share of the machine.
   */
  clientCpuMsPerMessage: number | null;
  /**
   * Share of that window the server's main thread was running: near 1, the server is bound by its
   * event loop, whatever the machine's other cores could do.
   */
  serverMainBusy: number | null;
  /** Share of all the machine's cores busy over that window, and the share stolen by the hypervisor. */
  machineBusy: number | null;
  machineSteal: number | null;
  /** RSS once ready, before the load: the process's own floor (Node + modules, or a C binary). */
  idleRssBytes: number | null;
  peakRssBytes: number | null;
  /** Mailpen: from the end of the load until every accepted message was parsed (null: not all). */
  parseDrainMs: number | null;
  /** Mailpen: CPU per message and peak RSS once every message was also parsed. */
  cpuMsPerMessageWithParse: number | null;
  peakRssWithParseBytes: number | null;
}

/** Median figures of one server over the rounds. */
export interface IngestionFigures {
  server: ServerId;
  label: string;
  skipped: string | null;
  rounds: number;
  messagesPerSecond: number | null;
  megabytesPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  wsP50Ms: number | null;
  wsP99Ms: number | null;
  cpuMsPerMessage: number | null;
  clientCpuMsPerMessage: number | null;
  serverMainBusy: number | null;
  machineBusy: number | null;
  machineSteal: number | null;
  idleRssBytes: number | null;
  peakRssBytes: number | null;
  parseDrainMs: number | null;
  cpuMsPerMessageWithParse: number | null;
  peakRssWithParseBytes: number | null;
  failed: number;
  errors: string[];
}

export interface IngestionResult {
  scenario: IngestionScenario;
  title: string;
  figures: IngestionFigures[];
  runs: IngestionRun[];
}

export function describeScenario(s: IngestionScenario): string {
  const mode = s.mode === "new-connection" ? "new connection per message" : "reused connections";
  return `${formatSize(s.size)}, ${s.connections} connection${s.connections > 1 ? "s" : ""}, ${mode}${
    s.pipelining ? "" : ", no pipelining"
  }`;
}

const payloads = new Map<number, Buffer>();
function payloadFor(size: number): Buffer {
  let payload = payloads.get(size);
  if (!payload) {
    payload = buildPayload(payloadSizeFor(size));
    payloads.set(size, payload);
  }
  return payload;
}

export async function runIngestionScenario(
  scenario: IngestionScenario,
  servers: readonly ServerUnderTest[],
  rounds: number,
  log: (line: string) => void,
): Promise<IngestionResult> {
  const title = describeScenario(scenario);
  const payload = payloadFor(scenario.size);
  const runs: IngestionRun[] = [];
  const included = servers.filter((server) => !scenario.servers || scenario.servers.includes(server.id));
  // Servers kept from one round to the next (serverPerScenario), stopped after the last.
  const kept = new Map<ServerId, Instance>();
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const server of included) {
        if (server.unavailableReason()) continue;
        let instance = kept.get(server.id) ?? null;
        let run: IngestionRun;
        try {
          instance ??= await startInstance(server);
          run = await measure(scenario, instance, round, payload);
        } catch (error) {
          run = { ...emptyRun(server.id, round), error: (error as Error).message };
        }
        // A failed run's server is not measured again: the next round starts one afresh.
        if (instance && (!scenario.serverPerScenario || run.error)) {
          kept.delete(server.id);
          await stopInstance(instance);
        } else if (instance) kept.set(server.id, instance);
        runs.push(run);
        const head = `  ${scenario.id} r${round} ${server.id}: `;
        if (run.error) log(`${head}ERROR ${run.error.split("\n")[0]}`);
        else
          log(
            `${head}${Math.round(run.messagesPerSecond)} msg/s, p99 ${run.latencyMs.p99?.toFixed(2) ?? "-"} ms` +
              (run.wsLatencyMs ? `, ws p99 ${run.wsLatencyMs.p99?.toFixed(2) ?? "-"} ms` : "") +
              (run.failed ? `, ${run.failed} failed (${run.errors[0] ?? ""})` : ""),
          );
      }
    }
  } finally {
    for (const instance of kept.values()) await stopInstance(instance);
  }
  const figures = included.map((server) => summarize(server, runs));
  return { scenario, title, figures, runs };
}

function summarize(server: ServerUnderTest, allRuns: IngestionRun[]): IngestionFigures {
  const runs = allRuns.filter((run) => run.server === server.id && !run.error);
  const pick = (f: (run: IngestionRun) => number | null | undefined): number | null => median(runs.map(f));
  const failedRuns = allRuns.filter((run) => run.server === server.id);
  return {
    server: server.id,
    label: server.label,
    skipped:
      server.unavailableReason() ??
      (runs.length === 0 ? (failedRuns[0]?.error?.split("\n")[0] ?? "no run") : null),
    rounds: runs.length,
    messagesPerSecond: pick((r) => r.messagesPerSecond),
    megabytesPerSecond: pick((r) => r.megabytesPerSecond),
    p50Ms: pick((r) => r.latencyMs.p50),
    p99Ms: pick((r) => r.latencyMs.p99),
    wsP50Ms: pick((r) => r.wsLatencyMs?.p50),
    wsP99Ms: pick((r) => r.wsLatencyMs?.p99),
    cpuMsPerMessage: pick((r) => r.cpuMsPerMessage),
    clientCpuMsPerMessage: pick((r) => r.clientCpuMsPerMessage),
    serverMainBusy: pick((r) => r.serverMainBusy),
    machineBusy: pick((r) => r.machineBusy),
    machineSteal: pick((r) => r.machineSteal),
    idleRssBytes: pick((r) => r.idleRssBytes),
    peakRssBytes: pick((r) => r.peakRssBytes),
    parseDrainMs: pick((r) => r.parseDrainMs),
    cpuMsPerMessageWithParse: pick((r) => r.cpuMsPerMessageWithParse),
    peakRssWithParseBytes: pick((r) => r.peakRssWithParseBytes),
    failed: failedRuns.reduce((sum, run) => sum + run.failed, 0),
    errors: [...new Set(failedRuns.flatMap((run) => run.errors))].slice(0, 3),
  };
}

function emptyRun(server: ServerId, round: number): IngestionRun {
  return {
    server,
    round,
    accepted: 0,
    failed: 0,
    errors: [],
    messagesPerSecond: 0,
    megabytesPerSecond: 0,
    pipelined: false,
    latencyMs: summarizeLatencies([]),
    wsLatencyMs: null,
    cpuMsPerMessage: null,
    clientCpuMsPerMessage: null,
    serverMainBusy: null,
    machineBusy: null,
    machineSteal: null,
    idleRssBytes: null,
    peakRssBytes: null,
    parseDrainMs: null,
    cpuMsPerMessageWithParse: null,
    peakRssWithParseBytes: null,
  };
}

/** Subjects of a run (`${prefix}n`) announced parsed, and of its messages the end-of-DATA times awaiting `message.created`. */
interface RunEvents {
  prefix: string;
  parsed: Set<string>;
  pending: Map<string, bigint>;
  wsLatencies: number[];
}

function runEvents(prefix: string): RunEvents {
  return { prefix, parsed: new Set(), pending: new Map(), wsLatencies: [] };
}

/** A started server, with its websocket client (servers that push) and what that client saw. */
interface Instance {
  server: ServerUnderTest;
  running: RunningServer;
  workDir: string;
  ws: WsConnection | null;
  /** RSS once ready, before any load. */
  idleRssBytes: number | null;
  run: RunEvents;
  /** Called after each message event the current run cares about. */
  onEvent: (() => void) | null;
}

async function startInstance(server: ServerUnderTest): Promise<Instance> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), `mailpen-bench-${server.id}-`));
  let running: RunningServer | null = null;
  try {
    running = await server.start(workDir);
    const instance: Instance = {
      server,
      running,
      workDir,
      ws: null,
      idleRssBytes: running.usage()?.rssBytes ?? null,
      run: runEvents(""),
      onEvent: null,
    };
    if (server.pushesEvents && running.httpPort !== null) {
      instance.ws = await openWsClient(running.httpPort, "/api/ws", (text) => {
        const at = process.hrtime.bigint();
        // Only message events matter here: skip the others unparsed, so the client's share of the
        // two cores goes to the load, not to reading session events (the type is the first key).
        if (!text.startsWith('{"type":"message.')) return;
        const event = JSON.parse(text) as {
          type: string;
          message?: { subject?: string; parseState?: string };
        };
        const subject = event.message?.subject;
        const run = instance.run;
        if (!subject?.startsWith(run.prefix)) return;
        if (event.type === "message.updated") {
          if (event.message?.parseState !== "pending") run.parsed.add(subject);
        } else if (event.type === "message.created") {
          const start = run.pending.get(subject);
          if (start === undefined) return;
          run.pending.delete(subject);
          run.wsLatencies.push(Number(at - start) / 1e6);
        }
        instance.onEvent?.();
      });
    }
    return instance;
  } catch (error) {
    await running?.stop();
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}

async function stopInstance(instance: Instance): Promise<void> {
  instance.ws?.close();
  await instance.running.stop();
  await rm(instance.workDir, { recursive: true, force: true });
}

/** Resolves once `done()` holds (checked after each message event), or after `limitMs`. */
function until(instance: Instance, done: () => boolean, limitMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(finish, limitMs);
    function finish(): void {
      clearTimeout(timer);
      instance.onEvent = null;
      resolve();
    }
    instance.onEvent = () => {
      if (done()) finish();
    };
    instance.onEvent();
  });
}

/** One measured run of the scenario's load against a started server. */
async function measure(
  scenario: IngestionScenario,
  instance: Instance,
  round: number,
  payload: Buffer,
): Promise<IngestionRun> {
  const { running, ws } = instance;
  const runId = `bench-${scenario.id}-r${round}`;
  const run = runEvents(`${runId}-`);
  instance.run = run;
  const before = running.usage();
  const clientBefore = process.cpuUsage();
  const machineBefore = readMachineCpu();
  const windowStart = performance.now();
  const result = await runLoad({
    port: running.smtpPort,
    payload,
    connections: scenario.connections,
    mode: scenario.mode,
    pipelining: scenario.pipelining,
    maxMessages: scenario.maxMessages,
    maxDurationMs: scenario.maxDurationMs,
    runId,
    onEndOfData: ws ? (key, at) => run.pending.set(key, at) : undefined,
  });
  // Events of the last messages may trail their 250; wait for them, boundedly.
  if (ws) await until(instance, () => run.pending.size === 0, 3_000);
  const after = running.usage();
  const machine = machineShare(machineBefore, readMachineCpu());
  const client = process.cpuUsage(clientBefore);
  const windowMs = performance.now() - windowStart;
  const cpuMs = before && after ? after.cpuMs - before.cpuMs : null;
  // Then the deferred parse of what was accepted (bounded: a few seconds per 5 MB message at most).
  // The next run starts only once it is done, so no run pays for the parse of another.
  let parseDrainMs: number | null = null;
  let withParse: typeof after = null;
  if (ws && result.accepted > 0) {
    const drainStart = performance.now();
    const limitMs = 30_000 + (result.bytesSent / 2 ** 20) * 200;
    await until(instance, () => run.parsed.size >= result.accepted, limitMs);
    if (run.parsed.size >= result.accepted) parseDrainMs = performance.now() - drainStart;
    withParse = running.usage();
  }
  return {
    ...emptyRun(instance.server.id, round),
    accepted: result.accepted,
    failed: result.failed,
    errors: result.errors,
    messagesPerSecond: result.messagesPerSecond,
    megabytesPerSecond:
      result.durationMs > 0 ? result.bytesSent / (1024 * 1024) / (result.durationMs / 1000) : 0,
    pipelined: result.pipelined,
    latencyMs: summarizeLatencies(result.latenciesMs),
    wsLatencyMs: ws ? summarizeLatencies(run.wsLatencies) : null,
    cpuMsPerMessage: cpuMs !== null && result.accepted > 0 ? cpuMs / result.accepted : null,
    clientCpuMsPerMessage:
      result.accepted > 0 ? (client.user + client.system) / 1000 / result.accepted : null,
    serverMainBusy:
      before && after && windowMs > 0 ? (after.mainThreadCpuMs - before.mainThreadCpuMs) / windowMs : null,
    machineBusy: machine?.busy ?? null,
    machineSteal: machine?.steal ?? null,
    idleRssBytes: instance.idleRssBytes,
    peakRssBytes: after?.peakRssBytes ?? null,
    parseDrainMs,
    cpuMsPerMessageWithParse:
      withParse && before && parseDrainMs !== null
        ? (withParse.cpuMs - before.cpuMs) / result.accepted
        : null,
    peakRssWithParseBytes: parseDrainMs !== null ? (withParse?.peakRssBytes ?? null) : null,
  };
}
