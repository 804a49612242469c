/**
 * The run's output: one JSON document with everything measured (every round of every server), and a
 * Markdown rendering of the medians. Peers' cells carry the ratio Mailpen / peer beside the figure,
 * for figures where higher is better (msgs/s) and where lower is better (latency, CPU, RSS) alike:
 * read "0.5x" on msgs/s as "Mailpen does half the peer's rate", and "0.5x" on p99 as "Mailpen's p99
 * is half the peer's".
 */
import type { MachineInfo } from "./machine.ts";
import type { IngestionFigures, IngestionResult } from "./scenarios/ingestion.ts";
import type { ListUnderLoadResult } from "./scenarios/list-under-load.ts";
import type { PeerVolumeResult } from "./scenarios/maildev-volume.ts";
import type { StoreIngestResult } from "./scenarios/store-ingest.ts";
import type { VolumeResult } from "./scenarios/stored-volume.ts";
import type { WebOpenResult } from "./scenarios/web-open-message.ts";
import type { LatencySummary } from "./stats.ts";
import { ratio } from "./stats.ts";
import type { TargetCheck } from "./targets.ts";

export interface BenchReport {
  /** The commit measured (short hash), and whether the working tree had changes. */
  commit: string;
  command: string;
  profile: string;
  rounds: number;
  startedAt: string;
  durationS: number;
  machine: MachineInfo;
  notes: string[];
  ingestion: IngestionResult[];
  storeIngest: StoreIngestResult[];
  volumes: VolumeResult[];
  peerVolumes: PeerVolumeResult[];
  listUnderLoad: ListUnderLoadResult | null;
  /** Issue 6: opening a message in the web app on a large inbox (null when not selected). */
  webOpen: WebOpenResult | null;
  targets: TargetCheck[];
  crashed: string[];
}

const num = (n: number | null | undefined, digits = 0): string =>
  typeof n === "number" && Number.isFinite(n) ? n.toFixed(digits) : "–";
const mb = (bytes: number | null | undefined): string =>
  typeof bytes === "number" ? num(bytes / 2 ** 20) : "–";
const pct = (share: number | null | undefined): string =>
  typeof share === "number" ? num(share * 100) : "–";
const ms = (n: number | null | undefined): string => num(n, n !== null && n !== undefined && n < 10 ? 2 : 1);

function withRatio(
  text: string,
  subject: number | null | undefined,
  peer: number | null | undefined,
): string {
  const r = ratio(subject, peer);
  return r === null || text === "–" ? text : `${text} (${r.toFixed(2)}x)`;
}

function ingestionTable(result: IngestionResult): string[] {
  const mailpen = result.figures.find((f) => f.server === "mailpen");
  const large = result.scenario.size >= 1024 * 1024;
  const header = [
    "server",
    "msgs/s",
    ...(large ? ["MB/s"] : []),
    "250 p50 ms",
    "250 p99 ms",
    "ws p50 ms",
    "ws p99 ms",
    "CPU ms/msg",
    "client CPU ms/msg",
    "server main thread %",
    "cores busy %",
    "steal %",
    "idle RSS MB",
    "peak RSS MB",
    "parsed all after s",
    "CPU ms/msg with parse",
    "peak RSS MB with parse",
  ];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => " --- ").join("|")}|`];
  for (const f of result.figures) {
    if (f.skipped) {
      lines.push(
        `| ${f.label} | not run: ${f.skipped.replaceAll("|", "/")} |${header
          .slice(2)
          .map(() => " |")
          .join("")}`,
      );
      continue;
    }
    const cell = (text: string, pick: (x: IngestionFigures) => number | null): string =>
      f.server === "mailpen" || !mailpen ? text : withRatio(text, pick(mailpen), pick(f));
    const row = [
      f.server === "mailpen" ? `**${f.label}**` : f.label,
      cell(num(f.messagesPerSecond), (x) => x.messagesPerSecond),
      ...(large ? [cell(num(f.megabytesPerSecond), (x) => x.megabytesPerSecond)] : []),
      cell(ms(f.p50Ms), (x) => x.p50Ms),
      cell(ms(f.p99Ms), (x) => x.p99Ms),
      ms(f.wsP50Ms),
      ms(f.wsP99Ms),
      cell(num(f.cpuMsPerMessage, 3), (x) => x.cpuMsPerMessage),
      num(f.clientCpuMsPerMessage, 3),
      pct(f.serverMainBusy),
      pct(f.machineBusy),
      pct(f.machineSteal),
      mb(f.idleRssBytes),
      cell(mb(f.peakRssBytes), (x) => x.peakRssBytes),
      f.parseDrainMs === null ? "–" : (f.parseDrainMs / 1000).toFixed(1),
      f.cpuMsPerMessageWithParse === null ? "–" : num(f.cpuMsPerMessageWithParse, 3),
      mb(f.peakRssWithParseBytes),
    ];
    if (f.failed > 0) row[0] += ` (${f.failed} failed: ${f.errors[0]?.replaceAll("|", "/") ?? ""})`;
    lines.push(`| ${row.join(" | ")} |`);
  }
  return lines;
}

/** One row per ingestion scenario, msgs/s of every server (peers with Mailpen / peer). */
export function formatSummaryTable(report: BenchReport): string[] {
  const servers = report.ingestion[0]?.figures ?? [];
  const labels = [
    ...new Map(report.ingestion.flatMap((r) => r.figures.map((f) => [f.server, f.label]))).values(),
  ];
  if (servers.length === 0) return [];
  const lines = [
    `| msgs/s (Mailpen / peer) | ${labels.join(" | ")} | Mailpen 250 p99 ms | Mailpen ws p99 ms |`,
    `|${[0, ...labels, 0, 0].map(() => " --- ").join("|")}|`,
  ];
  for (const result of report.ingestion) {
    const mailpen = result.figures.find((f) => f.server === "mailpen");
    const cells = labels.map((label) => {
      const f = result.figures.find((x) => x.label === label);
      if (!f || f.skipped) return "–";
      const text = num(f.messagesPerSecond);
      return f.server === "mailpen"
        ? `**${text}**`
        : withRatio(text, mailpen?.messagesPerSecond, f.messagesPerSecond);
    });
    lines.push(
      `| \`${result.scenario.id}\` | ${cells.join(" | ")} | ${ms(mailpen?.p99Ms)} | ${ms(mailpen?.wsP99Ms)} |`,
    );
  }
  return lines;
}

/** The Markdown block README.md carries between its markers: machine, command, targets, summary. */
export function formatReadmeBlock(report: BenchReport): string {
  const m = report.machine;
  return [
    `Last run: \`${report.command}\` at ${report.startedAt} (commit ${report.commit}) on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (load average at start ${m.loadAverage.join(" ")}). Full tables: [results/latest.md](results/latest.md).`,
    "",
    ...formatSummaryTable(report),
    "",
    ...formatTargets(report),
  ].join("\n");
}

function formatTargets(report: BenchReport): string[] {
  if (report.targets.length === 0) return [];
  const out = ["| issue | target | measured | |", "| --- | --- | --- | --- |"];
  for (const t of report.targets) {
    const verdict = t.pass === null ? "not measured" : t.pass ? "met" : "**missed**";
    out.push(`| #${t.issue} | ${t.target} | ${t.measured} | ${verdict} |`);
  }
  return out;
}

const latencyCells = (l: LatencySummary | null | undefined): string => `${ms(l?.p50)} / ${ms(l?.p99)}`;

export function formatMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [
    `# Mailpen benchmark (${report.profile})`,
    "",
    `- command: \`${report.command}\`; ${report.rounds} round(s) per server, medians shown; ${report.durationS.toFixed(0)} s in all`,
    `- machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform} ${m.kernel}, load average at start ${m.loadAverage.join(" ")}`,
    `- run at ${report.startedAt}, commit ${report.commit}`,
    "",
    "Ratios in parentheses are Mailpen / that server for the same figure (msgs/s: higher is better for Mailpen; latency, CPU and RSS: lower is better).",
    "",
    ...report.notes.map((note) => `- ${note}`),
    "",
  ];
  if (report.crashed.length > 0) {
    out.push("## Crashed", "", ...report.crashed.map((c) => `- ${c.split("\n")[0]}`), "");
  }
  if (report.targets.length > 0) out.push("## Targets", "", ...formatTargets(report), "");
  if (report.ingestion.length > 0) out.push("## Summary", "", ...formatSummaryTable(report), "");
  if (report.ingestion.length > 0) out.push("## SMTP ingestion", "");
  for (const result of report.ingestion) {
    out.push(
      `### ${result.title} (\`${result.scenario.id}\`)`,
      "",
      `Up to ${result.scenario.maxMessages} messages or ${result.scenario.maxDurationMs / 1000} s per run, ` +
        (result.scenario.serverPerScenario
          ? "each server started once for all the rounds."
          : "each run on a server started for it."),
      "",
      ...ingestionTable(result),
      "",
    );
  }
  if (report.storeIngest.length > 0) {
    out.push(
      "## Store alone (addMessage, parsing included)",
      "",
      "| messages | in flight | committed msgs/s | all parsed msgs/s | close ms | peak RSS MB |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    for (const s of report.storeIngest) {
      out.push(
        s.fill
          ? `| ${s.label} | ${s.concurrency} | ${num(s.fill.ingestPerSecond)} | ${num(s.fill.parsedPerSecond)} | ${num(s.fill.closeMs)} | ${mb(s.fill.peakRssBytes)} |`
          : `| ${s.label} | ${s.concurrency} | error: ${s.error?.split("\n")[0]} | | | |`,
      );
    }
    out.push("");
  }
  if (report.volumes.length > 0) {
    out.push(
      "## Stored volume (filled through the store, then queried over HTTP)",
      "",
      "p50 / p99 in ms. Start-up is spawn to GET /api/health ok; the empty-database start-up beside it is the floor (Node, tsx, modules).",
      "",
      "| stored | fill msgs/s | DB bytes/msg | openStore ms | start-up ms (empty) | list first page | deep page (offset) | detail | RSS MB (peak; empty DB) | arrival order |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    );
    for (const v of report.volumes) {
      if (v.error)
        out.push(`| ${v.count} | error: ${v.error.split("\n")[0]?.replaceAll("|", "/")} | | | | | | | |`);
      else
        out.push(
          `| ${v.count} | ${num(v.fill?.ingestPerSecond)} | ${num(v.dbBytesPerMessage)} | ${num(v.fill?.reopenMs)} | ${num(v.startupMs)} (${num(v.emptyStartupMs)}) | ${latencyCells(v.listFirstPage)} | ${latencyCells(v.listDeepPage)} (${v.deepPageOffset}) | ${latencyCells(v.detail)} | ${mb(v.rssBytes)} (${mb(v.peakRssBytes)}; ${mb(v.emptyRssBytes)}) | ${v.ordersByArrival} |`,
        );
    }
    out.push("", "| stored | search | matches | p50 / p99 ms |", "| --- | --- | --- | --- |");
    for (const v of report.volumes) {
      for (const s of v.search)
        out.push(`| ${v.count} | \`${s.query}\` | ${s.total ?? "–"} | ${latencyCells(s.latency)} |`);
    }
    out.push("");
  }
  if (report.peerVolumes.length > 0) {
    out.push(
      "## Peer memory with messages held (filled over SMTP: 1 KB, 10 reused connections)",
      "",
      "| server | messages | fill msgs/s | RSS MB (peak) | Mailpen RSS MB at the same count (ratio) |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const p of report.peerVolumes) {
      const ours = report.volumes.find((v) => v.count === p.count)?.rssBytes;
      out.push(
        p.error
          ? `| ${p.server} | ${p.count} | error: ${p.error.split("\n")[0]} | | |`
          : `| ${p.server} | ${p.accepted} | ${num(p.fillPerSecond)} | ${mb(p.rssBytes)} (${mb(p.peakRssBytes)}) | ${withRatio(mb(ours), ours, p.rssBytes)} |`,
      );
    }
    out.push("");
  }
  if (report.listUnderLoad) {
    const l = report.listUnderLoad;
    out.push(
      "## API list while ingesting at full speed",
      "",
      l.error
        ? `error: ${l.error.split("\n")[0]}`
        : `1 KB messages over 10 reused connections for ${l.durationMs / 1000} s: ${num(l.ingestPerSecond)} msgs/s ingested; ` +
            `GET /api/messages?limit=50 back to back: ${l.listRequests} requests, p50 / p99 ${latencyCells(l.list)} ms.`,
      "",
    );
  }
  return out.join("\n");
}
