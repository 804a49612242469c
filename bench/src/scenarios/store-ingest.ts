/**
 * Store-alone ingestion (issue 4): messages per second through `addMessage` for 1 KB and 100 KB
 * messages, parsing included, in a child process with a fresh SQLite file. `addMessage` resolves
 * after commit, so the rate is "committed and listable"; the parse rate is reported beside it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { StoreFillConfig, StoreFillResult } from "../children/store-fill.ts";
import { formatSize } from "../message-bodies.ts";
import { runNodeChildJson } from "../servers/child-process.ts";

export interface StoreIngestResult {
  size: number;
  label: string;
  concurrency: number;
  error?: string;
  fill: StoreFillResult | null;
}

export const STORE_FILL_CHILD = new URL("../children/store-fill.ts", import.meta.url);

export async function fillStore(config: StoreFillConfig, timeoutMs = 15 * 60_000): Promise<StoreFillResult> {
  return runNodeChildJson<StoreFillResult>(STORE_FILL_CHILD, [JSON.stringify(config)], timeoutMs);
}

export async function runStoreIngest(
  size: number,
  count: number,
  concurrency: number,
  log: (line: string) => void,
): Promise<StoreIngestResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mailpen-bench-store-"));
  const label = `${formatSize(size)} x ${count}`;
  try {
    const fill = await fillStore({ db: path.join(dir, "store.sqlite"), count, size, concurrency });
    log(`  store ingest ${label}: ${Math.round(fill.ingestPerSecond)} msg/s committed`);
    return { size, label, concurrency, fill };
  } catch (error) {
    log(`  store ingest ${label}: ERROR ${(error as Error).message.split("\n")[0]}`);
    return { size, label, concurrency, error: (error as Error).message, fill: null };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
