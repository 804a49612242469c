/**
 * SMTP ingestion: the same load against every server, each started fresh per run, rounds
 * interleaved (Mailpen, peer, engine, peer, ...), figures reported as the median over rounds.
 *
 * Per run: msgs/s, end-of-DATA -> 250 p50/p99, end-of-DATA -> websocket `message.created` p50/p99
 * (servers that push), server CPU ms per message (utime+stime delta over the load, from /proc) and
 * the server's peak RSS (VmHWM, whole process life).
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
  for (let round = 1; round <= rounds; round++) {
    for (const server of included) {
      if (server.unavailableReason()) continue;
      const run = await runOnce(scenario, server, round, payload);
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
    idleRssBytes: pick((r) => r.idleRssBytes),
    peakRssBytes: pick((r) => r.peakRssBytes),
    parseDrainMs: pick((r) => r.parseDrainMs),
    cpuMsPerMessageWithParse: pick((r) => r.cpuMsPerMessageWithParse),
    peakRssWithParseBytes: pick((r) => r.peakRssWithParseBytes),
    failed: failedRuns.reduce((sum, run) => sum + run.failed, 0),
    errors: [...new Set(failedRuns.flatMap((run) => run.errors))].slice(0, 3),
  };
}

async function runOnce(
  scenario: IngestionScenario,
  server: ServerUnderTest,
  round: number,
  payload: Buffer,
): Promise<IngestionRun> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), `mailpen-bench-${server.id}-`));
  const empty: IngestionRun = {
    server: server.id,
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
    idleRssBytes: null,
    peakRssBytes: null,
    parseDrainMs: null,
    cpuMsPerMessageWithParse: null,
    peakRssWithParseBytes: null,
  };
  let running: RunningServer | null = null;
  let ws: WsConnection | null = null;
  try {
    running = await server.start(workDir);
    const pending = new Map<string, bigint>();
    const wsLatencies: number[] = [];
    let allMatched: (() => void) | null = null;
    const parsed = new Set<string>();
    let onParsed: (() => void) | null = null;
    if (server.pushesEvents && running.httpPort !== null) {
      ws = await openWsClient(running.httpPort, "/api/ws", (text) => {
        const at = process.hrtime.bigint();
        // Only message events matter here: skip the others unparsed, so the client's share of the
        // two cores goes to the load, not to reading session events (the type is the first key).
        if (!text.startsWith('{"type":"message.')) return;
        const event = JSON.parse(text) as {
          type: string;
          message?: { subject?: string; parseState?: string };
        };
        if (event.type === "message.updated" && event.message?.subject) {
          if (event.message.parseState !== "pending") parsed.add(event.message.subject);
          onParsed?.();
          return;
        }
        if (event.type !== "message.created" || !event.message?.subject) return;
        const start = pending.get(event.message.subject);
        if (start === undefined) return;
        pending.delete(event.message.subject);
        wsLatencies.push(Number(at - start) / 1e6);
        if (pending.size === 0) allMatched?.();
      });
    }
    const before = running.usage();
    const result = await runLoad({
      port: running.smtpPort,
      payload,
      connections: scenario.connections,
      mode: scenario.mode,
      pipelining: scenario.pipelining,
      maxMessages: scenario.maxMessages,
      maxDurationMs: scenario.maxDurationMs,
      runId: `bench-${scenario.id}-r${round}`,
      onEndOfData: ws ? (key, at) => pending.set(key, at) : undefined,
    });
    if (ws && pending.size > 0) {
      // Events of the last messages may trail their 250; wait for them, boundedly.
      await new Promise<void>((resolve) => {
        allMatched = resolve;
        setTimeout(resolve, 3_000).unref();
      });
    }
    const after = running.usage();
    const cpuMs = before && after ? after.cpuMs - before.cpuMs : null;
    // Then the deferred parse of what was accepted (bounded: a few seconds per 5 MB message at most).
    let parseDrainMs: number | null = null;
    let withParse: typeof after = null;
    if (ws && result.accepted > 0) {
      const drainStart = performance.now();
      const limitMs = 30_000 + (result.bytesSent / 2 ** 20) * 200;
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (parsed.size >= result.accepted) resolve();
        };
        onParsed = check;
        check();
        setTimeout(resolve, limitMs).unref();
      });
      onParsed = null;
      if (parsed.size >= result.accepted) parseDrainMs = performance.now() - drainStart;
      withParse = running.usage();
    }
    return {
      ...empty,
      accepted: result.accepted,
      failed: result.failed,
      errors: result.errors,
      messagesPerSecond: result.messagesPerSecond,
      megabytesPerSecond:
        result.durationMs > 0 ? result.bytesSent / (1024 * 1024) / (result.durationMs / 1000) : 0,
      pipelined: result.pipelined,
      latencyMs: summarizeLatencies(result.latenciesMs),
      wsLatencyMs: ws ? summarizeLatencies(wsLatencies) : null,
      cpuMsPerMessage: cpuMs !== null && result.accepted > 0 ? cpuMs / result.accepted : null,
      idleRssBytes: before?.rssBytes ?? null,
      peakRssBytes: after?.peakRssBytes ?? null,
      parseDrainMs,
      cpuMsPerMessageWithParse:
        withParse && before && parseDrainMs !== null
          ? (withParse.cpuMs - before.cpuMs) / result.accepted
          : null,
      peakRssWithParseBytes: parseDrainMs !== null ? (withParse?.peakRssBytes ?? null) : null,
    };
  } catch (error) {
    return { ...empty, error: (error as Error).message };
  } finally {
    ws?.close();
    await running?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}
