import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-migration-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const schema001 = readFileSync(new URL("../src/migrations/001-initial.sql", import.meta.url), "utf8");

/** A database as schema version 1 left it: a session in progress with one entry row per entry. */
function version1Database(file: string): void {
  const db = new Database(file);
  db.exec(schema001);
  db.pragma("user_version = 1");
  db.prepare(
    `INSERT INTO sessions (seq, id, started_at, remote_address, remote_port, local_address, local_port, entry_count)
     VALUES (1, 'old', 0, '127.0.0.1', 1, '127.0.0.1', 2, 2)`,
  ).run();
  const entry = db.prepare(
    `INSERT INTO transcript_entries (session_seq, seq, at_ms, dir, text, masked, data_json, message_id)
     VALUES (1, ?, ?, ?, ?, ?, NULL, NULL)`,
  );
  entry.run(0, 0, "server", "220 hi", 0);
  entry.run(1, 3, "client", "AUTH PLAIN ****", 1);
  db.close();
}

describe("migration 002: transcript chunks", () => {
  it("keeps the entries stored one per row, continues after them and deletes both", async () => {
    const file = path.join(dir, "v1.sqlite");
    version1Database(file);
    const store = openStore({ path: file, parseInWorker: false });
    try {
      expect(store.getSession("old")?.transcript).toEqual([
        { seq: 0, atMs: 0, dir: "server", text: "220 hi" },
        { seq: 1, atMs: 3, dir: "client", text: "AUTH PLAIN ****", masked: true },
      ]);
      store.appendTranscript("old", [
        { seq: 1, atMs: 3, dir: "client", text: "a replay of entry 1" },
        { seq: 2, atMs: 4, dir: "server", text: "235 ok" },
      ]);
      const session = store.getSession("old");
      expect(session?.transcript.map((e) => e.text)).toEqual(["220 hi", "AUTH PLAIN ****", "235 ok"]);
      expect(session?.entryCount).toBe(3);
      expect(store.deleteSession("old")).toBe(true);
      expect(store.getSession("old")).toBeUndefined();
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(4); // and 003, 004 after it
    expect(db.prepare("SELECT count(*) AS n FROM transcript_entries").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT count(*) AS n FROM transcript_chunks").get()).toEqual({ n: 0 });
    db.close();
  });

  it("continues a chunked transcript after a reopen, ignoring replays of stored entries", async () => {
    const file = path.join(dir, "v2.sqlite");
    const session = {
      id: "s",
      startedAt: new Date(0),
      remoteAddress: "127.0.0.1",
      remotePort: 1,
      localAddress: "127.0.0.1",
      localPort: 2,
      tls: null,
    };
    const entry = (seq: number) => ({ seq, atMs: seq, dir: "client" as const, text: `c${seq}` });
    const first = openStore({ path: file, parseInWorker: false });
    first.startSession(session);
    first.appendTranscript("s", [0, 1, 2].map(entry));
    await first.close();
    const second = openStore({ path: file, parseInWorker: false });
    try {
      second.appendTranscript("s", [2, 3].map(entry));
      expect(second.getSession("s")?.transcript.map((e) => e.text)).toEqual(["c0", "c1", "c2", "c3"]);
      expect(second.getSession("s")?.entryCount).toBe(4);
    } finally {
      await second.close();
    }
  });
});

describe("migration 003: no index on size alone", () => {
  it("drops messages_size; size searches and their counts still answer", async () => {
    const file = path.join(dir, "v1-sizes.sqlite");
    version1Database(file);
    const indexes = (): string[] => {
      const db = new Database(file, { readonly: true });
      const names = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'")
        .all()
        .map((r) => (r as { name: string }).name);
      db.close();
      return names;
    };
    expect(indexes()).toContain("messages_size");
    const store = openStore({ path: file, parseInWorker: false });
    try {
      const envelope = {
        mailFrom: "a@example.test",
        mailParams: {},
        rcptTo: [{ address: "b@example.test", params: {} }],
        heloName: null,
        authUser: null,
        tls: false,
        transport: "DATA" as const,
      };
      const message = (bytes: number) => ({
        sessionId: null,
        receivedAt: new Date(),
        envelope,
        raw: Buffer.from(`Subject: s\r\n\r\n${"x".repeat(bytes)}\r\n`),
      });
      const small = await store.addMessage(message(100));
      const large = await store.addMessage(message(5_000));
      expect(store.listMessages({ query: "larger:1k" })).toMatchObject({
        total: 1,
        messages: [{ id: large.id }],
      });
      expect(store.listMessages({ query: "smaller:1k" })).toMatchObject({
        total: 1,
        messages: [{ id: small.id }],
      });
      expect(store.stats()).toMatchObject({ total: 2, unread: 2 });
    } finally {
      await store.close();
    }
    expect(indexes()).not.toContain("messages_size");
    expect(indexes()).toContain("messages_read_size");
  });
});
