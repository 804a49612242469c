import Database from "better-sqlite3";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ResourceLimits } from "node:worker_threads";
import { createMessageParser } from "./message-parser.ts";
import type { MessageParser } from "./message-parser.ts";

const raw = Buffer.from(
  'Subject: hi\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n' +
    "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC/w==\r\n--b--\r\n",
);

/** A worker-backed parser whose warnings the test reads; `workerLimits` tiny to see workers die. */
function parserWithWarnings(workerLimits?: ResourceLimits): { parser: MessageParser; warnings: string[] } {
  const warnings: string[] = [];
  const logger = { warn: (w: unknown) => warnings.push(String(w)), error: () => {} };
  return {
    parser: createMessageParser({ worker: true, logger, ...(workerLimits ? { workerLimits } : {}) }),
    warnings,
  };
}

/** A message builder: `subject`, then `bytes` octets repeating `line`; a new Buffer on each call. */
const messageOf = (subject: string, line: string, bytes: number) => (): Buffer =>
  Buffer.concat([Buffer.from(`Subject: ${subject}\r\n\r\n`), Buffer.alloc(bytes, line)]);

/** Limits no worker survives a parse in. */
const TINY_HEAP: ResourceLimits = { maxOldGenerationSizeMb: 2, maxYoungGenerationSizeMb: 1 };

describe("createMessageParser", () => {
  it("parses in a worker thread, hands back Buffers, and stops the worker when idle", async () => {
    const warnings: unknown[] = [];
    const parser = createMessageParser({
      worker: true,
      idleMs: 20,
      logger: { warn: (w) => warnings.push(w), error: () => {} },
    });
    try {
      const first = await parser.parse(raw);
      expect(parser.workerRunning()).toBe(true);
      expect(first.ok && first.content.text?.toString()).toBe("body");
      expect(Buffer.isBuffer(first.ok ? first.content.text : null)).toBe(true);
      const part = first.ok ? first.content.parts[0] : undefined;
      expect(Buffer.isBuffer(part?.content)).toBe(true);
      expect(part?.content.equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
      for (let i = 0; i < 100 && parser.workerRunning(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(parser.workerRunning()).toBe(false);
      const again = await parser.parse(raw); // starts a new worker
      expect(again.ok).toBe(true);
      expect(warnings).toEqual([]);
    } finally {
      await parser.close();
    }
  });

  it("parses on the main thread when asked to", async () => {
    const parser = createMessageParser({ worker: false, logger: console });
    const result = await parser.parse(raw);
    expect(result.ok && result.content.subject).toBe("hi");
    expect(parser.workerRunning()).toBe(false);
    await parser.close();
  });

  it("parses a message too large for the shared worker in a worker of its own, stopped after", async () => {
    const { parser, warnings } = parserWithWarnings();
    try {
      // 9 MiB of 78-octet lines (a base64 attachment's shape).
      const build = messageOf("big", `${"x".repeat(76)}\r\n`, 78 * 121_000);
      const big = build();
      const result = await parser.parse(big, build);
      expect(result.ok && result.content.subject).toBe("big");
      expect(result.ok && result.content.text?.length).toBe(77 * 121_000); // LF line ends
      expect(big.length).toBe(0); // it moved to that worker
      expect(parser.workerRunning()).toBe(false); // the shared worker was never started
      expect(warnings).toEqual([]);
    } finally {
      await parser.close();
    }
  });

  it("parses a large message on the main thread when its worker dies", async () => {
    const { parser, warnings } = parserWithWarnings(TINY_HEAP);
    try {
      const build = messageOf("big", "a\r\n", 9 * 1024 * 1024);
      const result = await parser.parse(build(), build);
      expect(result.ok && result.content.subject).toBe("big");
      expect(warnings.join("\n")).toMatch(/worker of a large message stopped/);
    } finally {
      await parser.close();
    }
  }, 60_000);
});

describe("the parse worker's transfer of the raw", () => {
  it("moves an owned raw to the worker and reads it again when the worker dies", async () => {
    // A worker heap far too small for a 1 MB body: the worker dies out of memory mid-parse.
    const { parser, warnings } = parserWithWarnings(TINY_HEAP);
    try {
      const build = messageOf("many", "abc def\r\n", 1024 * 1024);
      const raw = Buffer.from(build()); // owns its memory
      let rereads = 0;
      const result = await parser.parse(raw, () => {
        rereads++;
        return build();
      });
      expect(raw.length).toBe(0); // detached: it moved to the worker
      expect(rereads).toBe(1);
      expect(warnings.join("\n")).toMatch(/parse worker stopped/);
      expect(result.ok && result.content.subject).toBe("many");
    } finally {
      await parser.close();
    }
  }, 60_000);

  it("copies a raw that is a view of a larger buffer, or when it cannot be read again", async () => {
    const parser = createMessageParser({ worker: true, logger: console });
    try {
      // A Content-Disposition makes the fast parse decline, so these go to the worker.
      const backing = Buffer.from("xxSubject: view\r\nContent-Disposition: inline\r\n\r\nbody\r\n");
      const view = backing.subarray(2);
      const viewed = await parser.parse(view, () => undefined);
      expect(viewed.ok && viewed.content.subject).toBe("view");
      expect(view.length).toBe(backing.length - 2);
      const owned = Buffer.from("Subject: kept\r\nContent-Disposition: inline\r\n\r\nbody\r\n");
      const copy = Buffer.from(owned);
      const kept = await parser.parse(owned);
      expect(kept.ok && kept.content.subject).toBe("kept");
      expect(owned.equals(copy)).toBe(true);
    } finally {
      await parser.close();
    }
  });
});

/**
 * A database in WAL mode with one table, its writer (no automatic checkpoint: only the worker may
 * copy the WAL) and a worker-backed parser; all closed and removed afterwards.
 */
async function withWalWriter(
  table: string,
  run: (ctx: { file: string; writer: Database.Database; parser: MessageParser }) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "mailpen-checkpoint-"));
  const file = path.join(dir, "c.sqlite");
  const writer = new Database(file);
  const parser = createMessageParser({ worker: true, logger: console });
  try {
    writer.pragma("journal_mode = WAL");
    writer.pragma("wal_autocheckpoint = 0");
    writer.exec(`CREATE TABLE t (${table})`);
    await run({ file, writer, parser });
  } finally {
    if (writer.inTransaction) writer.exec("ROLLBACK");
    await parser.close();
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rowCount = (writer: Database.Database): number =>
  (writer.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;

describe("the worker's WAL checkpoint", () => {
  it("copies the WAL into the database file on a connection of its own, beside an open writer", () =>
    withWalWriter("b BLOB", async ({ file, writer, parser }) => {
      const insert = writer.prepare("INSERT INTO t (b) VALUES (?)");
      for (let i = 0; i < 16; i++) insert.run(Buffer.alloc(128 * 1024, i));
      const before = statSync(file).size;
      const result = await parser.checkpointWal(file);
      expect(result).not.toBeNull();
      expect(result?.busy).toBe(false);
      expect(result?.logFrames).toBeGreaterThan(16 * 32); // 2 MB of 4 KiB pages, at least
      expect(result?.checkpointedFrames).toBe(result?.logFrames);
      expect(statSync(file).size - before).toBeGreaterThan(2 * 1024 * 1024);
      // The writer goes on, and reads the copied rows from the database file.
      insert.run(Buffer.alloc(10));
      expect(rowCount(writer)).toBe(17);
    }));

  it("never fails a writer's transaction that read before the checkpoint and writes after it", () =>
    withWalWriter("n INTEGER", async ({ file, writer, parser }) => {
      writer.prepare("INSERT INTO t (n) VALUES (1)").run();
      // Every frame copied, the WAL not reset: the next reader reads the database file alone.
      writer.pragma("wal_checkpoint(PASSIVE)");
      writer.exec("BEGIN");
      expect(rowCount(writer)).toBe(1);
      await parser.checkpointWal(file);
      // A checkpoint that reset the WAL (RESTART, TRUNCATE) makes this fail with SQLITE_BUSY_SNAPSHOT.
      writer.prepare("INSERT INTO t (n) VALUES (2)").run();
      writer.exec("COMMIT");
      expect(rowCount(writer)).toBe(2);
    }));

  it("answers null without a worker, so the caller checkpoints on its own connection", async () => {
    const parser = createMessageParser({ worker: false, logger: console });
    expect(await parser.checkpointWal("/nonexistent.sqlite")).toBeNull();
    await parser.close();
  });

  it("reports a failed checkpoint as null with a warning, and keeps parsing", async () => {
    const { parser, warnings } = parserWithWarnings();
    try {
      expect(await parser.checkpointWal(path.join(tmpdir(), "mailpen-no-such-dir", "x.sqlite"))).toBeNull();
      expect(warnings.join("\n")).toMatch(/WAL checkpoint failed/);
      const parsed = await parser.parse(raw);
      expect(parsed.ok).toBe(true);
    } finally {
      await parser.close();
    }
  });
});
