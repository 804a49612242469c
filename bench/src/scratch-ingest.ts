import { openStore } from "@mailpen/store";
import { rmSync } from "node:fs";
const size = Number(process.argv[2] ?? 100_000);
const n = Number(process.argv[3] ?? 2000);
rmSync("/tmp/probe/s.db", { force: true }); rmSync("/tmp/probe/s.db-wal", { force: true });
const store = openStore({ path: "/tmp/probe/s.db", maxMessages: 0 });
const body = Buffer.alloc(size, "hello world this is a line of text\r\n");
const t = performance.now();
const cpu0 = process.cpuUsage();
let inflight: Promise<unknown>[] = [];
for (let i = 0; i < n; i++) {
  inflight.push(store.addMessage({ sessionId: null, receivedAt: new Date(), envelope: { mailFrom: "a@b", mailParams: {}, rcptTo: [{ address: "c@d", params: {} }], heloName: "x", authUser: null, transport: "DATA" } as never, raw: Buffer.concat([Buffer.from(`Subject: m${i}\r\n\r\n`), body]) }));
  if (inflight.length >= 10) { await Promise.all(inflight); inflight = []; }
}
await Promise.all(inflight);
const ms = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
console.log(`${n} x ${size}: ${(n / ms * 1000).toFixed(0)}/s, cpu ${( (cpu.user + cpu.system) / 1000 / n).toFixed(3)} ms/msg (user ${(cpu.user/1000/n).toFixed(3)} sys ${(cpu.system/1000/n).toFixed(3)})`);
await store.close();
