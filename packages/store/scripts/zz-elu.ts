import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "../src/index.ts";
import { newMessage } from "../test/message-builder.ts";
const dir = mkdtempSync(path.join(tmpdir(), "elu-"));
const store = openStore({ path: path.join(dir, "x.sqlite"), maxMessages: 0 });
const N = 10000;
let updated = 0;
store.subscribe((e) => {
  if (e.type === "message.updated") updated++;
});
let next = 0;
await Promise.all(
  Array.from({ length: 200 }, async () => {
    while (next < N) {
      const i = next++;
      await store.addMessage(
        newMessage(
          Buffer.from(
            `From: S <s${i % 100}@example.test>\r\nTo: r${i % 50}@example.test\r\nSubject: report ${i}\r\nContent-Type: text/plain\r\n\r\n${"hello world line of text here\r\n".repeat(22)}\r\n`,
          ),
        ),
      );
    }
  }),
);
const e0 = performance.eventLoopUtilization();
const t0 = performance.now();
const u0 = updated;
while (updated < N) await new Promise((r) => setTimeout(r, 50));
const elu = performance.eventLoopUtilization(e0);
console.log(
  `parse phase ${(((N - u0) / (performance.now() - t0)) * 1000).toFixed(0)} msg/s, main ELU ${elu.utilization.toFixed(2)}`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
