/**
 * API list latency while ingesting at full speed (issue 5): Mailpen fresh, 10 reused SMTP
 * connections sending 1 KB messages for the whole window while one HTTP client lists the first page
 * (GET /api/messages?limit=50) back to back. The load generator and the HTTP client share the bench
 * process, as a browser and an app under test would share a machine.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closeHttpClient, getJson } from "../http-client.ts";
import { runLoad } from "../load-generator.ts";
import { buildPayload, payloadSizeFor } from "../message-bodies.ts";
import { startMailpenProcess } from "../servers/mailpen-full.ts";
import type { RunningServer } from "../servers/child-process.ts";
import { summarizeLatencies, type LatencySummary } from "../stats.ts";

export interface ListUnderLoadResult {
  error?: string;
  durationMs: number;
  ingestPerSecond: number | null;
  listRequests: number;
  list: LatencySummary | null;
}

export async function runListUnderLoad(
  durationMs: number,
  log: (line: string) => void,
): Promise<ListUnderLoadResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mailpen-bench-listload-"));
  let server: RunningServer | null = null;
  try {
    server = await startMailpenProcess(path.join(dir, "mailpen.sqlite"));
    const httpPort = server.httpPort!;
    let loading = true;
    const load = runLoad({
      port: server.smtpPort,
      payload: buildPayload(payloadSizeFor(1024)),
      connections: 10,
      mode: "reused",
      pipelining: true,
      maxMessages: 1_000_000,
      maxDurationMs: durationMs,
      runId: "bench-list-under-load",
    }).finally(() => {
      loading = false;
    });
    const latencies: number[] = [];
    while (loading) {
      const response = await getJson(httpPort, "/api/messages?limit=50");
      if (response.status !== 200) throw new Error(`list answered ${response.status}`);
      latencies.push(response.ms);
    }
    const ingest = await load;
    const list = summarizeLatencies(latencies);
    log(
      `  list under load: ${Math.round(ingest.messagesPerSecond)} msg/s ingested, list p99 ` +
        `${list.p99?.toFixed(2) ?? "-"} ms over ${latencies.length} requests`,
    );
    return { durationMs, ingestPerSecond: ingest.messagesPerSecond, listRequests: latencies.length, list };
  } catch (error) {
    log(`  list under load: ERROR ${(error as Error).message.split("\n")[0]}`);
    return {
      error: (error as Error).message,
      durationMs,
      ingestPerSecond: null,
      listRequests: 0,
      list: null,
    };
  } finally {
    await server?.stop();
    closeHttpClient();
    await rm(dir, { recursive: true, force: true });
  }
}
