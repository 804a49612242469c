import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import { newMessage, textMessage } from "./message-builder.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-page-size-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The page size recorded in a database file's header (offset 16, big-endian; 1 means 65,536). */
const pageSizeOf = (file: string): number => readFileSync(file).readUInt16BE(16);

describe("page size", () => {
  it("creates a new database with 16 KiB pages", async () => {
    const file = path.join(dir, "new.sqlite");
    const store = openStore({ path: file, parseInWorker: false });
    await store.addMessage(newMessage(textMessage()));
    await store.close();
    expect(pageSizeOf(file)).toBe(16_384);
  });

  it("keeps the page size of an existing database and stores into it", async () => {
    const file = path.join(dir, "old.sqlite");
    const old = new Database(file);
    old.pragma("page_size = 4096");
    old.exec("CREATE TABLE IF NOT EXISTS created_by_an_older_mailpen (x)");
    old.close();
    const store = openStore({ path: file, parseInWorker: false });
    const raw = Buffer.concat([
      Buffer.from("Subject: big\r\n\r\n"),
      Buffer.alloc(100_000, "line of text\r\n"),
    ]);
    const added = await store.addMessage(newMessage(raw));
    expect(store.getRaw(added.id)?.equals(raw)).toBe(true);
    await store.close();
    expect(pageSizeOf(file)).toBe(4096);
  });
});
