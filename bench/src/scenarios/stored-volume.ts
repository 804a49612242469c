/**
 * Stored volume (issues 4 and 7): fill a SQLite file to N messages through the store directly
 * (`addMessage`, 64 in flight; SMTP would only re-measure the listener and take minutes), then start
 * Mailpen on it and time, over the HTTP API with a keep-alive connection:
 * - start-up: spawn of the process to GET /api/health answering ok (beside the same on an empty DB,
 *   which is the floor of Node + tsx + module loading), after an untimed warm-up start;
 * - list first page, a deep page (cursor of the middle of the inbox), searches, message detail,
 *   timed from a child process of their own (children/latency-sampler.ts), whose garbage collection
 *   is not the bench process's;
 * - database bytes per message (file + WAL after the fill closed) and the server's RSS afterwards.
 */
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closeHttpClient, getJson, waitForHealth } from "../http-client.ts";
import { RARE_WORD } from "../message-bodies.ts";
import { findFreePort, runNodeChildJson, type RunningServer } from "../servers/child-process.ts";
import { startMailpenProcess } from "../servers/mailpen-full.ts";
import { summarizeLatencies, type LatencySummary } from "../stats.ts";
import type { SamplerConfig, SamplerResult } from "../children/latency-sampler.ts";
import type { StoreFillResult } from "../children/store-fill.ts";
import { fillStore } from "./store-ingest.ts";

export interface VolumeResult {
  count: number;
  error?: string;
  fill: StoreFillResult | null;
  dbBytesPerMessage: number | null;
  startupMs: number | null;
  emptyStartupMs: number | null;
  listFirstPage: LatencySummary | null;
  listDeepPage: LatencySummary | null;
  /** Depth of the deep page, in messages from the newest. */
  deepPageOffset: number;
  search: { query: string; total: number | null; latency: LatencySummary }[];
  detail: LatencySummary | null;
  rssBytes: number | null;
  peakRssBytes: number | null;
  /** RSS of Mailpen started on an empty database: the floor the stored volume adds to. */
  emptyRssBytes: number | null;
  /** Whether the first page came back in arrival order (newest first by id), whatever the Date header. */
  ordersByArrival: boolean | null;
}

interface ListBody {
  messages: { id: string; messageIdHeader: string | null }[];
  total: number;
  nextCursor: string | null;
}

export const SEARCH_QUERIES = [RARE_WORD, "invoice", "from:alice", 'subject:"weekly report"'];

async function timeStartup(db: string): Promise<{ server: RunningServer; ms: number }> {
  const ports = { smtpPort: await findFreePort(), httpPort: await findFreePort() };
  const starting = startMailpenProcess(db, ports);
  starting.catch(() => undefined);
  const ms = await waitForHealth(() => ports.httpPort, 60_000);
  return { server: await starting, ms };
}

const SAMPLER_CHILD = new URL("../children/latency-sampler.ts", import.meta.url);

/** Times each series in a child of its own (see children/latency-sampler.ts), in order. */
async function sampleSeries(port: number, series: SamplerConfig["series"]): Promise<number[][]> {
  const config: SamplerConfig = { port, series };
  const timeoutMs = 60_000 + series.reduce((n, s) => n + s.times, 0) * 1_000;
  return (await runNodeChildJson<SamplerResult>(SAMPLER_CHILD, [JSON.stringify(config)], timeoutMs))
    .latencies;
}

export async function runStoredVolume(
  count: number,
  samples: number,
  log: (line: string) => void,
): Promise<VolumeResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mailpen-bench-volume-"));
  const db = path.join(dir, "volume.sqlite");
  const result: VolumeResult = {
    count,
    fill: null,
    dbBytesPerMessage: null,
    startupMs: null,
    emptyStartupMs: null,
    listFirstPage: null,
    listDeepPage: null,
    deepPageOffset: 0,
    search: [],
    detail: null,
    rssBytes: null,
    peakRssBytes: null,
    emptyRssBytes: null,
    ordersByArrival: null,
  };
  let server: RunningServer | null = null;
  try {
    // A first start warms the tsx transform cache and the page cache; only the second is timed.
    const warmUp = await timeStartup(path.join(dir, "warm-up.sqlite"));
    await warmUp.server.stop();
    const empty = await timeStartup(path.join(dir, "empty.sqlite"));
    result.emptyStartupMs = empty.ms;
    result.emptyRssBytes = empty.server.usage()?.rssBytes ?? null;
    await empty.server.stop();

    log(`  volume ${count}: filling through the store...`);
    result.fill = await fillStore({ db, count, size: "varied", concurrency: 64 });
    log(`  volume ${count}: filled at ${Math.round(result.fill.ingestPerSecond)} msg/s`);
    let bytes = 0;
    for (const file of [db, `${db}-wal`])
      bytes += await stat(file).then(
        (s) => s.size,
        () => 0,
      );
    result.dbBytesPerMessage = bytes / count;

    const started = await timeStartup(db);
    server = started.server;
    result.startupMs = started.ms;
    const port = server.httpPort!;

    const first = await getJson<ListBody>(port, "/api/messages?limit=50");
    const ids = first.body.messages.map((m) => m.id);
    // The fill adds messages in index order (volume-<index> in the Message-ID) with shuffled Date
    // headers: newest first by arrival means strictly decreasing indexes.
    const indexes = first.body.messages.map((m) =>
      Number(/volume-(\d+)@/.exec(m.messageIdHeader ?? "")?.[1]),
    );
    result.ordersByArrival =
      indexes.length > 0 &&
      indexes.every((index, i) => Number.isFinite(index) && (i === 0 || indexes[i - 1]! > index));
    // Walk to the middle of the inbox with big pages, then time the 50-message page there.
    let cursor = first.body.nextCursor;
    let offset = 50;
    while (cursor && offset + 1000 <= count / 2) {
      const page = await getJson<ListBody>(
        port,
        `/api/messages?limit=1000&cursor=${encodeURIComponent(cursor)}`,
      );
      cursor = page.body.nextCursor;
      offset += page.body.messages.length;
    }
    result.deepPageOffset = offset;
    const deepUrl = `/api/messages?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const deep = await getJson<ListBody>(port, deepUrl);

    const searches: { query: string; url: string; total: number | null }[] = [];
    for (const query of SEARCH_QUERIES) {
      const url = `/api/messages?limit=50&query=${encodeURIComponent(query)}`;
      const probe = await getJson<ListBody>(port, url);
      searches.push({ query, url, total: probe.body.total ?? null });
    }
    const detailIds = [...ids, ...deep.body.messages.map((m) => m.id)];
    const detailPaths = Array.from(
      { length: detailIds.length > 0 ? samples : 0 },
      (_, i) => `/api/messages/${encodeURIComponent(detailIds[i % detailIds.length]!)}`,
    );

    const timed = await sampleSeries(port, [
      { path: "/api/messages?limit=50", times: samples },
      { path: deepUrl, times: samples },
      ...searches.map((s) => ({ path: s.url, times: Math.max(3, Math.floor(samples / 2)) })),
      ...detailPaths.map((path) => ({ path, times: 1 })),
    ]);
    result.listFirstPage = summarizeLatencies(timed[0]!);
    result.listDeepPage = summarizeLatencies(timed[1]!);
    searches.forEach((s, i) =>
      result.search.push({ query: s.query, total: s.total, latency: summarizeLatencies(timed[2 + i]!) }),
    );
    result.detail = summarizeLatencies(timed.slice(2 + searches.length).flat());

    const usage = server.usage();
    result.rssBytes = usage?.rssBytes ?? null;
    result.peakRssBytes = usage?.peakRssBytes ?? null;
    log(
      `  volume ${count}: start-up ${result.startupMs.toFixed(0)} ms, list p99 ` +
        `${result.listFirstPage.p99?.toFixed(2)} ms, RSS ${((result.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB`,
    );
  } catch (error) {
    result.error = (error as Error).message;
    log(`  volume ${count}: ERROR ${result.error.split("\n")[0]}`);
  } finally {
    await server?.stop();
    closeHttpClient();
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}
