import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore, type MailStore } from "../src/index.ts";
import { newMessage, textMessage } from "./message-builder.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-wal-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` messages of 256 KiB of `letter` lines, one after the other; the database file's size before. */
async function addLargeMessages(store: MailStore, file: string, count: number, letter: string) {
  const emptySize = statSync(file).size;
  const body = `${letter.repeat(998)}\r\n`.repeat(262);
  for (let i = 0; i < count; i++)
    await store.addMessage(newMessage(textMessage({ subject: `${letter} ${i}`, body })));
  return emptySize;
}

describe("WAL checkpoints", () => {
  it("are done by the worker while writes go on, and never fail a write of the main connection", async () => {
    const file = path.join(dir, "burst.sqlite");
    const store = openStore({ path: file, maxMessages: 0 });
    try {
      // 80 messages of 256 KiB: about 21 MB by the store's estimate, past its 16 MB step. A write every
      // 20 ms keeps the quiet-spell checkpoint (after 250 ms without a write) from running, and the
      // main connection's own checkpoint waits for 512 MB: only the worker copies pages meanwhile.
      const emptySize = await addLargeMessages(store, file, 80, "x");
      let grown = false;
      for (let i = 0; i < 200 && !grown; i++) {
        await store.addMessage(newMessage(textMessage({ subject: `small ${i}` })));
        grown = statSync(file).size - emptySize > 8 * 1024 * 1024;
        if (!grown) await sleep(20);
      }
      expect(grown).toBe(true);
      expect(store.stats().total).toBeGreaterThan(80);
      // Once ingest is quiet the worker copies the rest, beside the deferred parse's writes, none of
      // which may fail (a RESTART or TRUNCATE checkpoint would make them fail: see wal-checkpoint.ts).
      const pending = () =>
        store.listMessages({ limit: 1000 }).messages.filter((m) => m.parseState === "pending").length;
      for (let i = 0; i < 500 && pending() > 0; i++) await sleep(20);
      expect(pending()).toBe(0);
      // The next write is read back.
      await store.addMessage(newMessage(textMessage({ subject: "after the quiet spell" })));
      expect(store.listMessages({ limit: 1 }).messages[0]?.subject).toBe("after the quiet spell");
    } finally {
      await store.close();
    }
    // Closed: the WAL went into the database file and the WAL and its index were removed.
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}-shm`)).toBe(false);
    const reopened = openStore({ path: file, maxMessages: 0, parseInWorker: false });
    expect(reopened.stats().total).toBeGreaterThan(80);
    await reopened.close();
  }, 30_000);

  it("copy what the deferred parse wrote too, so the next write starts the WAL over", async () => {
    const file = path.join(dir, "after-parse.sqlite");
    const store = openStore({ path: file, maxMessages: 0 });
    // A second connection, to read how many frames the WAL holds.
    const other = new Database(file);
    try {
      // 40 messages of 256 KiB, then their parsed text: about 20 MB of WAL after the burst.
      await addLargeMessages(store, file, 40, "z");
      const pending = () =>
        store.listMessages({ limit: 100 }).messages.filter((m) => m.parseState === "pending").length;
      for (let i = 0; i < 500 && pending() > 0; i++) await sleep(20);
      expect(pending()).toBe(0);
      // Quiet: a checkpoint follows the parse's last write (250 ms after it) and copies all of it.
      await sleep(1_000);
      await store.addMessage(newMessage(textMessage({ subject: "after the parse" })));
      // Everything was copied, so that write started the WAL over: it holds that one commit. A WAL
      // left with frames to copy goes on growing instead, up to the 512 MB bound, where the main
      // connection's own checkpoint held every reply for half a second (100 KB messages over 50
      // connections, third burst in a row).
      const [row] = other.pragma("wal_checkpoint(PASSIVE)") as { log: number }[];
      expect(row?.log).toBeLessThan(100);
    } finally {
      other.close();
      await store.close();
    }
  }, 30_000);

  it("fall back to the main connection without a worker", async () => {
    const file = path.join(dir, "no-worker.sqlite");
    const store = openStore({ path: file, maxMessages: 0, parseInWorker: false });
    try {
      const emptySize = await addLargeMessages(store, file, 10, "y");
      // The quiet spell's checkpoint, on the main connection.
      let grown = false;
      for (let i = 0; i < 100 && !grown; i++) {
        await sleep(20);
        grown = statSync(file).size - emptySize > 2 * 1024 * 1024;
      }
      expect(grown).toBe(true);
    } finally {
      await store.close();
    }
  }, 30_000);
});
