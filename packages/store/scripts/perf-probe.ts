/**
 * A quick local probe of the store's performance targets (the real benchmark lives in bench/):
 * `node --import tsx packages/store/scripts/perf-probe.ts [count]`. Writes to a temp dir.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openStore } from "../src/index.ts";
import { newMessage } from "../test/message-builder.ts";

const count = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(path.join(tmpdir(), "mailpen-perf-"));
const file = path.join(dir, "perf.sqlite");
const words =
  "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa".split(
    " ",
  );

function message(i: number): Buffer {
  const w = (k: number) => words[(i * 7 + k * 13) % words.length];
  const body = Array.from(
    { length: 14 },
    (_, k) => `${w(k)} ${w(k + 1)} line ${k} of message ${i} ${w(k + 2)}`,
  ).join("\r\n");
  return Buffer.from(
    `From: Sender ${i % 100} <s${i % 100}@example.test>\r\nTo: r${i % 50}@example.test\r\nSubject: ${w(1)} report ${i}\r\n` +
      `Date: Tue, 01 Jul 2025 10:00:00 +0000\r\nMessage-ID: <${i}@example.test>\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`,
  );
}

const pct = (xs: number[], p: number) =>
  xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0;

async function main(): Promise<void> {
  const store = openStore({ path: file, maxMessages: 0 });
  let updated = 0;
  store.subscribe((e) => {
    if (e.type === "message.updated") updated++;
  });
  console.log("message size", message(1).length);
  const t0 = performance.now();
  const inflight = 200;
  let next = 0;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < count) {
        const i = next++;
        await store.addMessage(
          newMessage(message(i), { receivedAt: new Date(Date.UTC(2025, 0, 1) + i * 1000) }),
        );
      }
    }),
  );
  const ingestMs = performance.now() - t0;
  console.log(
    `ingest ${count} in ${ingestMs.toFixed(0)} ms = ${((count / ingestMs) * 1000).toFixed(0)} msg/s (parsed so far ${updated})`,
  );
  while (updated < count) await new Promise((r) => setTimeout(r, 100));
  const parseMs = performance.now() - t0;
  console.log(
    `all parsed after ${parseMs.toFixed(0)} ms = ${((count / parseMs) * 1000).toFixed(0)} msg/s overall`,
  );
  await store.close();

  const o0 = performance.now();
  const reopened = openStore({ path: file, maxMessages: 0 });
  console.log(`open ${(performance.now() - o0).toFixed(1)} ms`);
  const time = (f: () => unknown, n = 200) => {
    const xs: number[] = [];
    for (let k = 0; k < n; k++) {
      const s = performance.now();
      f();
      xs.push(performance.now() - s);
    }
    return `p50 ${pct(xs, 0.5).toFixed(2)} ms p99 ${pct(xs, 0.99).toFixed(2)} ms`;
  };
  console.log(
    "list first page",
    time(() => reopened.listMessages({ limit: 50 })),
  );
  const mid = reopened.listMessages({ limit: 1000 });
  let cursor = mid.nextCursor ?? undefined;
  for (let k = 0; k < 40 && cursor; k++)
    cursor = reopened.listMessages({ limit: 1000, cursor }).nextCursor ?? undefined;
  console.log(
    "list deep page",
    time(() => reopened.listMessages({ limit: 50, cursor: cursor ?? "" })),
  );
  const queries = [
    "bravo",
    "brav*",
    "report 4242",
    "from:s7@example.test",
    "to:r3",
    '"alpha bravo"',
    "is:unread",
    "larger:500 delta",
    "-alpha golf",
    "after:2025-01-05 kilo",
    "nomatchword",
  ];
  for (const q of queries)
    console.log(
      `search ${q.padEnd(24)}`,
      time(() => reopened.listMessages({ query: q }), 50),
      "total",
      reopened.listMessages({ query: q }).total,
    );
  const some = reopened.listMessages({ limit: 1 }).messages[0];
  const g0 = performance.now();
  for (let k = 0; k < 100; k++) await reopened.getMessage(some?.id ?? "");
  console.log(`get detail ${((performance.now() - g0) / 100).toFixed(2)} ms`);
  await reopened.close();
  const bytes = statSync(file).size + (statSync(file + "-wal", { throwIfNoEntry: false })?.size ?? 0);
  console.log(
    `db bytes/message ${(bytes / count).toFixed(0)}; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
}

await main();
