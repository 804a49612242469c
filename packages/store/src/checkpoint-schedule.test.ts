import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import {
  CHECKPOINT_STEP_BYTES as STEP,
  CheckpointSchedule,
  setWalBound,
  WAL_BOUND_ALONE_BYTES,
  WAL_BOUND_BYTES,
} from "./checkpoint-schedule.ts";
import { createMessageParser, type MessageParser } from "./message-parser.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-checkpoint-schedule-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = { warn: () => {}, error: () => {} };

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe("CheckpointSchedule", () => {
  it("bounds the WAL at the smaller size while no worker checkpoints, and at the larger once one does", async () => {
    const file = path.join(dir, "bound.sqlite");
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t (x)");
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    const boundPages = () => db.pragma("wal_autocheckpoint", { simple: true }) as number;
    setWalBound(db, WAL_BOUND_BYTES);

    // A parser whose worker is gone for good (closed: none starts again) answers every
    // checkpoint with null; a live one checkpoints the file in its worker.
    const gone = createMessageParser({ worker: true, logger: silent });
    await gone.close();
    const live = createMessageParser({ worker: true, logger: silent });
    let parser: MessageParser = gone;
    let asked = 0;
    const schedule = new CheckpointSchedule({
      db,
      checkpointInWorker: () => {
        asked++;
        return parser.checkpointWal(file);
      },
      msSinceWrite: () => 0, // a burst: no quiet-spell checkpoint meanwhile
      withoutWorker: false,
      logger: silent,
    });
    try {
      expect(boundPages()).toBe(Math.ceil(WAL_BOUND_BYTES / pageSize));
      // Below a step nothing is asked of the worker.
      schedule.noteCommitted(STEP - 1);
      expect(asked).toBe(0);
      schedule.noteCommitted(1);
      expect(asked).toBe(1);
      // No worker: the main connection's own checkpoint bounds the WAL, at the smaller size.
      await until(() => boundPages() !== Math.ceil(WAL_BOUND_BYTES / pageSize));
      expect(boundPages()).toBe(Math.ceil(WAL_BOUND_ALONE_BYTES / pageSize));

      // A worker again: its next checkpoint answers, and the bound goes back up.
      parser = live;
      db.prepare("INSERT INTO t VALUES (?)").run(1);
      schedule.noteCommitted(STEP);
      expect(asked).toBe(2);
      await until(() => boundPages() !== Math.ceil(WAL_BOUND_ALONE_BYTES / pageSize));
      expect(boundPages()).toBe(Math.ceil(WAL_BOUND_BYTES / pageSize));
    } finally {
      schedule.stop();
      await live.close();
      db.close();
    }
  }, 15_000);
});
