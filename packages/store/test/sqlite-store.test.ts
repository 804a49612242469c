import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe } from "vitest";
import { openStore } from "../src/index.ts";
import { runStoreConformance } from "./conformance.ts";

describe("SQLite store in a file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "mailpen-store-"));
  let n = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  runStoreConformance(() =>
    openStore({ path: path.join(dir, `store-${n++}.sqlite`), statsIntervalMs: 20, parseInWorker: false }),
  );
});

describe("SQLite store in memory", () => {
  runStoreConformance(() => openStore({ path: ":memory:", statsIntervalMs: 20, parseInWorker: false }));
});
