import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import { killTestMessage } from "./kill-message.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "mailpen-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("durability", () => {
  it("finds every acknowledged message byte for byte after SIGKILL", async () => {
    const file = path.join(dir, "kill.sqlite");
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "kill-child.ts"), file], {
      cwd: path.resolve(here, ".."),
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acknowledged = new Map<number, string>();
    let buffered = "";
    let killed = false;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("close", (_code, signal) => resolve(signal)),
    );
    const timeout = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        const [index, id] = line.split(" ");
        acknowledged.set(Number(index), id ?? "");
      }
      if (!killed && acknowledged.size >= 300) {
        killed = true;
        child.kill("SIGKILL"); // right after an acknowledgement, mid-stream
      }
    });
    const signal = await exited;
    clearTimeout(timeout);
    expect(signal).toBe("SIGKILL");
    expect(acknowledged.size).toBeGreaterThanOrEqual(300);

    const store = openStore({ path: file, maxMessages: 0 });
    try {
      for (const [index, id] of acknowledged) {
        const raw = store.getRaw(id);
        expect(raw, `message ${index} (${id})`).toBeDefined();
        expect(raw?.equals(killTestMessage(index))).toBe(true);
      }
      expect(store.stats().total).toBeGreaterThanOrEqual(acknowledged.size);
      // Searchable at once, also those killed before their full-text rows or their parse were written.
      for (const [index, id] of [...acknowledged].slice(-20)) {
        const found = store.listMessages({ query: `subject:"kill ${index}"` }).messages.map((m) => m.id);
        expect(found, `search for message ${index}`).toContain(id);
      }
    } finally {
      await store.close();
    }
  });
});
