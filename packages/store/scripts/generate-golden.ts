/**
 * Regenerates test/golden/*.json from the real-world fixtures. Run by hand after a deliberate
 * parsing change (`node --import tsx packages/store/scripts/generate-golden.ts`), then review the
 * diff: the golden files are the reviewed expectation, not a snapshot to accept blindly.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openStore } from "../src/index.ts";
import { FIXTURES_DIR, GOLDEN_DIR, listFixtures, toGolden } from "../test/golden-summary.ts";
import { newMessage } from "../test/message-builder.ts";

async function main(): Promise<void> {
  const store = openStore({ path: ":memory:", maxMessages: 0 });
  mkdirSync(GOLDEN_DIR, { recursive: true });
  for (const file of listFixtures()) {
    const raw = readFileSync(path.join(FIXTURES_DIR, file));
    const summary = await store.addMessage(newMessage(raw));
    const detail = await store.getMessage(summary.id);
    if (!detail) throw new Error(`lost ${file}`);
    const out = path.join(GOLDEN_DIR, file.replace(/\.eml$/, ".json"));
    writeFileSync(out, JSON.stringify(toGolden(raw, detail), null, 2) + "\n");
    console.log(file, detail.parseState);
  }
  await store.close();
}

await main();
