/**
 * `pnpm bench [--quick | --smoke] [--only <id,...>] [--rounds N] [--profile]`
 *
 * Runs the plan of the chosen profile (plan.ts), prints progress, and writes
 * bench/results/<timestamp>-<profile>.{json,md} plus latest.md. Exit code: non-zero only when
 * something crashed (a server that would not start, a scenario that threw), never for a figure.
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readMachineInfo } from "./machine.ts";
import { buildPlan, type Profile } from "./plan.ts";
import { formatMarkdown, formatReadmeBlock, type BenchReport } from "./report.ts";
import { runIngestionScenario, type IngestionResult } from "./scenarios/ingestion.ts";
import { runListUnderLoad } from "./scenarios/list-under-load.ts";
import { runMaildevVolume, type PeerVolumeResult } from "./scenarios/maildev-volume.ts";
import { runStoreIngest, type StoreIngestResult } from "./scenarios/store-ingest.ts";
import { runStoredVolume, type VolumeResult } from "./scenarios/stored-volume.ts";
import { runWebOpenMessage, type WebOpenResult } from "./scenarios/web-open-message.ts";
import { childNodeFlags, killLiveChildren } from "./servers/child-process.ts";
import { SERVERS } from "./servers/registry.ts";
import { checkTargets } from "./targets.ts";

interface Cli {
  profile: Profile;
  only: string[];
  rounds: number | null;
  cpuProfile: boolean;
  servers: string[];
  /** Every ingestion run on a server started for it (no server kept across rounds). */
  cold: boolean;
}

function parseCli(argv: string[]): Cli {
  const cli: Cli = { profile: "full", only: [], rounds: null, cpuProfile: false, servers: [], cold: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--")
      continue; // `pnpm bench -- --only x` passes the separator through
    else if (arg === "--quick") cli.profile = "quick";
    else if (arg === "--smoke") cli.profile = "smoke";
    else if (arg === "--full") cli.profile = "full";
    else if (arg === "--profile") cli.cpuProfile = true;
    else if (arg === "--cold") cli.cold = true;
    else if (arg === "--only") cli.only.push(...(argv[++i] ?? "").split(",").filter(Boolean));
    else if (arg === "--rounds") cli.rounds = Number(argv[++i]);
    else if (arg === "--servers") cli.servers.push(...(argv[++i] ?? "").split(",").filter(Boolean));
    else if (arg === "--help" || arg === "-h") {
      console.log(
        "pnpm bench [--quick | --smoke] [--only <scenario,...>] [--servers <id,...>] [--rounds N] [--cold] [--profile]",
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  return cli;
}

/** The commit measured: `git rev-parse` here, or MAILPEN_COMMIT for a copy without .git. */
function describeCommit(): string {
  try {
    const run = (args: string[]): string =>
      execFileSync("git", args, { cwd: benchDir, encoding: "utf8" }).trim();
    const dirty =
      run(["status", "--porcelain", "--", ".", ":!results"]).length > 0 ||
      run(["status", "--porcelain", "--", "../packages", "../apps"]).length > 0;
    return `${run(["rev-parse", "--short", "HEAD"])}${dirty ? " with uncommitted changes" : ""}`;
  } catch {
    return process.env.MAILPEN_COMMIT ?? "unknown";
  }
}

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const resultsDir = path.join(benchDir, "results");

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  const plan = buildPlan(cli.profile, { cold: cli.cold });
  const rounds = cli.rounds ?? plan.rounds;
  const selected = (id: string): boolean => cli.only.length === 0 || cli.only.some((o) => id.includes(o));
  if (cli.cpuProfile) {
    const dir = path.join(resultsDir, "profiles");
    await mkdir(dir, { recursive: true });
    childNodeFlags.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
  }
  const started = performance.now();
  const log = (line: string): void => console.log(line);
  const crashed: string[] = [];
  const machine = readMachineInfo();
  log(
    `mailpen bench (${plan.profile}, ${rounds} round(s)) on ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`,
  );

  const notes = [
    "Load generator: our own over raw sockets (src/load-generator.ts), fixed-seed bodies, 127.0.0.1, in the bench process; each server is a separate child process, so CPU and RSS are the server's alone. Client and server share the machine's cores.",
    "Servers are started fresh for each scenario of messages up to 100 KB and kept for its rounds: the first round of a Node server runs while V8 compiles its hot paths, the later two with them compiled, as in a server that has been up a while (the median is of all three). Peak RSS there is over the rounds so far. 5 MB and 50 MB runs each get a server started for them. `pnpm bench -- --cold` starts one for every run, as the figures published before (up to the run of commit 3578315) were measured.",
    "CPU ms per message: utime + stime of the whole server process (all its threads, parse workers included) over the load, divided by the messages accepted.",
    "client CPU ms/msg: the same for the bench process, which runs the load generator (and, for Mailpen, the websocket client) on the same cores. server main thread %: the share of the load's wall time the server's main thread ran (near 100: bound by its event loop, whatever the other core could do). cores busy %: the share of all the machine's cores busy over the load (/proc/stat); steal %: the share the hypervisor gave to other guests meanwhile (near 100 % busy, every process's rate is bounded by its CPU per message).",
    'Mailpen parses every message after its 250, at idle priority (a burst is parsed once it is over, beside it only a trickle). The "with parse" columns are read once every accepted message was announced parsed on the websocket: the CPU and the peak RSS of storing, parsing and pushing every message. The 5 MB peak RSS target is checked against them.',
    "end-of-DATA -> 250: from handing the final `.` to the socket (after the body was flushed, above 64 KiB) to the 250 reply. For 5 MB messages it includes the server draining the kernel socket buffers.",
    "nodemailer smtp-server runs with its defaults, as users run it: it waits 100 ms before its greeting, which caps its new-connection rate at about 10 msgs/s per connection.",
    "Mailpen runs with a temporary SQLite file and maxMessages 0 (no retention). The stored-volume fills go through the store's addMessage (64 in flight), not SMTP.",
  ];
  const servers = SERVERS.filter((s) => cli.servers.length === 0 || cli.servers.includes(s.id));
  for (const server of servers) {
    const reason = server.unavailableReason();
    if (reason) {
      notes.push(`${server.label}: ${reason}.`);
      log(`  ${server.label}: ${reason}`);
    }
  }

  const ingestion: IngestionResult[] = [];
  for (const scenario of plan.ingestion.filter((s) => selected(s.id))) {
    log(`ingestion ${scenario.id}`);
    const result = await runIngestionScenario(scenario, servers, rounds, log);
    for (const run of result.runs) if (run.error) crashed.push(`${scenario.id} ${run.server}: ${run.error}`);
    ingestion.push(result);
  }

  const storeIngest: StoreIngestResult[] = [];
  if (selected("store-ingest")) {
    log("store-ingest");
    for (const [size, count] of plan.storeIngest) {
      const result = await runStoreIngest(size, count, 64, log);
      if (result.error) crashed.push(`store-ingest ${result.label}: ${result.error}`);
      storeIngest.push(result);
    }
  }

  const volumes: VolumeResult[] = [];
  for (const count of plan.volumes) {
    if (!selected(`volume-${count}`)) continue;
    log(`volume-${count}`);
    const result = await runStoredVolume(count, plan.volumeSamples, log);
    if (result.error) crashed.push(`volume-${count}: ${result.error}`);
    volumes.push(result);
  }

  const peerVolumes: PeerVolumeResult[] = [];
  for (const count of plan.peerVolumes) {
    if (!selected(`maildev-volume-${count}`)) continue;
    log(`maildev-volume-${count}`);
    const result = await runMaildevVolume(count, log);
    if (result.error) crashed.push(`maildev-volume-${count}: ${result.error}`);
    peerVolumes.push(result);
  }

  let listUnderLoad = null;
  if (selected("list-under-load")) {
    log("list-under-load");
    listUnderLoad = await runListUnderLoad(plan.listUnderLoadMs, log);
    if (listUnderLoad.error) crashed.push(`list-under-load: ${listUnderLoad.error}`);
  }

  let webOpen: WebOpenResult | null = null;
  if (selected("web-open-message")) {
    log("web-open-message");
    webOpen = await runWebOpenMessage(plan.webOpen.count, plan.webOpen.samples, log);
    if (webOpen.error) crashed.push(`web-open-message: ${webOpen.error}`);
    if (webOpen.skipped) notes.push(`web-open-message: skipped, ${webOpen.skipped}.`);
  }

  const report: BenchReport = {
    commit: describeCommit(),
    command: `pnpm bench${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(" ")}` : ""}`,
    profile: plan.profile,
    rounds,
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    durationS: (performance.now() - started) / 1000,
    machine,
    notes,
    ingestion,
    storeIngest,
    volumes,
    peerVolumes,
    listUnderLoad,
    webOpen,
    targets: checkTargets({ ingestion, storeIngest, volumes, listUnderLoad, webOpen }),
    crashed,
  };
  const markdown = formatMarkdown(report);
  await mkdir(resultsDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  await writeFile(
    path.join(resultsDir, `${stamp}-${plan.profile}.json`),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  await writeFile(path.join(resultsDir, `${stamp}-${plan.profile}.md`), `${markdown}\n`);
  // latest.md is the committed figure: only a real (non-smoke, unfiltered) run replaces it.
  if (plan.profile !== "smoke" && cli.only.length === 0) {
    await writeFile(path.join(resultsDir, "latest.md"), `${markdown}\n`);
    await updateReadme(formatReadmeBlock(report));
  }
  console.log(
    `\n${markdown}\n\nwritten to ${path.relative(process.cwd(), resultsDir)}/${stamp}-${plan.profile}.{json,md}`,
  );
  if (crashed.length > 0) {
    console.error(
      `\n${crashed.length} crash(es):\n${crashed.map((c) => `- ${c.split("\n")[0]}`).join("\n")}`,
    );
    return 1;
  }
  return 0;
}

const README_START = "<!-- latest-figures:start -->";
const README_END = "<!-- latest-figures:end -->";

/** Replaces the block between the README's markers, so the README carries the latest figures. */
async function updateReadme(block: string): Promise<void> {
  const readmePath = path.join(benchDir, "README.md");
  const readme = await readFile(readmePath, "utf8").catch(() => null);
  if (readme === null) return;
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start) return;
  const updated = `${readme.slice(0, start + README_START.length)}\n${block}\n${readme.slice(end)}`;
  await writeFile(readmePath, updated);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers under test`);
    killLiveChildren();
    process.exit(130);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
