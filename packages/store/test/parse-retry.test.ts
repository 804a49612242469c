import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import { newMessage, textMessage } from "./message-builder.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-parse-retry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a parse result that cannot be written", () => {
  it("is parsed and written again later, not left pending", async () => {
    const file = path.join(dir, "retry.sqlite");
    const errors: string[] = [];
    const store = openStore({
      path: file,
      maxMessages: 0,
      parseInWorker: false,
      logger: { warn: () => {}, error: (message: unknown) => errors.push(String(message)) },
    });
    const other = new Database(file);
    try {
      const { id } = await store.addMessage(newMessage(textMessage({ subject: "parsed at last" })));
      // Another program holds the write lock when the deferred parse (after 150 ms of quiet) writes
      // its result. That transaction read first, so SQLite does not wait for the lock (waiting could
      // deadlock): it fails at once. The lock goes right after.
      other.exec("BEGIN IMMEDIATE");
      setTimeout(() => other.exec("ROLLBACK"), 50);
      // The list does not ask for the parse (opening the message would parse it at once).
      const state = () => store.listMessages({ limit: 10 }).messages.find((m) => m.id === id)?.parseState;
      for (let i = 0; i < 600 && state() === "pending"; i++) await sleep(25);
      expect(errors.join("\n")).toMatch(/storing parse results failed/);
      expect(state()).toBe("parsed");
      expect((await store.getMessage(id))?.text).toContain("Hello Bob");
    } finally {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
      await store.close();
    }
  }, 30_000);
});
