/**
 * The peer's side of the stored-volume comparison: MailDev keeps every parsed message in memory, so
 * its RSS grows with the inbox (issue 7 quotes about 300 MB at 10,000). Filled over SMTP with our load
 * generator (MailDev has no store to fill directly): 1 KB messages, 10 reused connections.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runLoad } from "../load-generator.ts";
import { buildPayload, payloadSizeFor } from "../message-bodies.ts";
import type { RunningServer } from "../servers/child-process.ts";
import { maildev } from "../servers/maildev.ts";

export interface PeerVolumeResult {
  server: string;
  count: number;
  error?: string;
  accepted: number;
  fillPerSecond: number | null;
  rssBytes: number | null;
  peakRssBytes: number | null;
}

export async function runMaildevVolume(
  count: number,
  log: (line: string) => void,
): Promise<PeerVolumeResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mailpen-bench-maildev-"));
  let server: RunningServer | null = null;
  try {
    server = await maildev.start(dir);
    const load = await runLoad({
      port: server.smtpPort,
      payload: buildPayload(payloadSizeFor(1024)),
      connections: 10,
      mode: "reused",
      pipelining: true,
      maxMessages: count,
      maxDurationMs: 120_000,
      runId: "bench-maildev-volume",
    });
    // Let MailDev finish parsing what it acknowledged before reading its memory.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const usage = server.usage();
    log(
      `  maildev volume ${count}: ${Math.round(load.messagesPerSecond)} msg/s, RSS ` +
        `${((usage?.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB`,
    );
    return {
      server: maildev.label,
      count,
      accepted: load.accepted,
      fillPerSecond: load.messagesPerSecond,
      rssBytes: usage?.rssBytes ?? null,
      peakRssBytes: usage?.peakRssBytes ?? null,
    };
  } catch (error) {
    log(`  maildev volume ${count}: ERROR ${(error as Error).message.split("\n")[0]}`);
    return {
      server: maildev.label,
      count,
      error: (error as Error).message,
      accepted: 0,
      fillPerSecond: null,
      rssBytes: null,
      peakRssBytes: null,
    };
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
