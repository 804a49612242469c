/**
 * Child: fills a store through `addMessage` directly (no SMTP), for the store-alone ingestion figure
 * and for the stored-volume scenarios (SMTP would take minutes for 100,000 messages and measure the
 * listener again). Argument: one JSON object, see `StoreFillConfig`. Prints one JSON result line.
 *
 * Ingestion rate: until every `addMessage` resolved (committed and listable). Parse rate: until every
 * message reached a final parse state (created parsed, or updated after a deferred parse).
 */
import { openStore } from "@mailpen/store";
import type { StoreEvent } from "@mailpen/shared";
import {
  BENCH_SEED,
  buildHeader,
  buildPayload,
  buildVolumeMessage,
  createRandom,
  payloadSizeFor,
} from "../message-bodies.ts";

export interface StoreFillConfig {
  db: string;
  count: number;
  /** Octets per message, or "varied" for the stored-volume messages. */
  size: number | "varied";
  /** addMessage calls in flight at once (like concurrent SMTP sessions). */
  concurrency: number;
}

export interface StoreFillResult {
  count: number;
  ingestMs: number;
  ingestPerSecond: number;
  /** null when parses did not all finish within the wait. */
  parsedMs: number | null;
  parsedPerSecond: number | null;
  closeMs: number;
  /** Opening the filled database again and listing the first page (no re-parsing at start-up). */
  reopenMs: number;
  peakRssBytes: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as StoreFillConfig;
const store = await openStore({ path: config.db, maxMessages: 0 });
let parsed = 0;
let parsedAt: number | null = null;
let allParsed: (() => void) | null = null;
store.subscribe((event: StoreEvent) => {
  if (
    (event.type === "message.created" || event.type === "message.updated") &&
    event.message.parseState !== "pending"
  ) {
    parsed += 1;
    if (parsed >= config.count && parsedAt === null) {
      parsedAt = performance.now();
      allParsed?.();
    }
  }
});

const random = createRandom(BENCH_SEED);
const payload = typeof config.size === "number" ? buildPayload(payloadSizeFor(config.size)) : null;
const envelope = {
  mailFrom: "sender@bench.test",
  mailParams: {},
  rcptTo: [{ address: "inbox@mailpen.test", params: {} }],
  heloName: "bench.test",
  authUser: null,
  tls: false,
  transport: "DATA" as const,
};

const start = performance.now();
let next = 0;
const worker = async (): Promise<void> => {
  while (next < config.count) {
    const index = next++;
    const raw = payload
      ? Buffer.concat([buildHeader(`store-${index}`), payload])
      : buildVolumeMessage(index, random);
    await store.addMessage({ sessionId: null, receivedAt: new Date(), envelope, raw });
    if (index > 0 && index % 20_000 === 0) process.stderr.write(`  stored ${index}\n`);
  }
};
await Promise.all(Array.from({ length: config.concurrency }, worker));
const ingestMs = performance.now() - start;
if (parsedAt === null) {
  // A ref'd timer: the store's deferred parse waits on unref'd timers (it never keeps a process
  // alive by itself), so this wait is what keeps the child running until the parses are done.
  await new Promise<void>((resolve) => {
    const limit = setTimeout(resolve, 120_000);
    allParsed = () => {
      clearTimeout(limit);
      resolve();
    };
  });
}
const parsedMs = parsedAt === null ? null : (parsedAt as number) - start;
const closeStart = performance.now();
await store.close();
const closeMs = performance.now() - closeStart;
const reopenStart = performance.now();
const reopened = await openStore({ path: config.db, maxMessages: 0 });
reopened.listMessages({ limit: 50 });
const reopenMs = performance.now() - reopenStart;
await reopened.close();
const result: StoreFillResult = {
  count: config.count,
  ingestMs,
  ingestPerSecond: (config.count * 1000) / ingestMs,
  parsedMs,
  parsedPerSecond: parsedMs === null ? null : (config.count * 1000) / parsedMs,
  closeMs,
  reopenMs,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
