import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import type { MailStore } from "../src/index.ts";
import { FIXTURES_DIR, GOLDEN_DIR, listFixtures, toGolden } from "./golden-summary.ts";
import { newMessage } from "./message-builder.ts";

describe("MIME parsing of real-world fixtures against reviewed golden files", () => {
  let store: MailStore;
  const warnings: unknown[] = [];
  beforeAll(() => {
    // Parsed in the worker thread (the default): a silent fallback to the main thread fails the test.
    store = openStore({
      path: ":memory:",
      maxMessages: 0,
      logger: {
        warn: (...args: unknown[]) => warnings.push(args),
        error: (...args: unknown[]) => warnings.push(args),
      },
    });
  });
  afterAll(async () => {
    await store.close();
    expect(warnings).toEqual([]);
  });

  const fixtures = listFixtures();
  it("finds all 43 fixtures", () => {
    expect(fixtures.length).toBe(43);
  });

  it.each(fixtures)("%s is stored byte-exact and matches its golden summary", async (file) => {
    const raw = readFileSync(path.join(FIXTURES_DIR, file));
    const summary = await store.addMessage(newMessage(raw));
    expect(store.getRaw(summary.id)?.equals(raw)).toBe(true);
    const detail = await store.getMessage(summary.id);
    expect(detail).toBeDefined();
    if (!detail) return;
    expect(["parsed", "failed"]).toContain(detail.parseState);
    if (detail.parseState === "failed") expect(detail.parseError).toBeTruthy();
    const golden = JSON.parse(
      readFileSync(path.join(GOLDEN_DIR, file.replace(/\.eml$/, ".json")), "utf8"),
    ) as unknown;
    expect(toGolden(raw, detail)).toEqual(golden);
  });
});
