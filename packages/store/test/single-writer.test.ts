import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import { newMessage, textMessage } from "./message-builder.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-single-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dbPath = () => path.join(dir, "m.sqlite");

describe("one process per database", () => {
  it("refuses a second store on a file another store has open, and opens once it is closed", async () => {
    const file = dbPath();
    const first = openStore({ path: file, parseInWorker: false });
    await first.addMessage(newMessage(textMessage()));
    expect(() => openStore({ path: file, parseInWorker: false })).toThrow(/in use by another process/);
    await first.close();
    const second = openStore({ path: file, parseInWorker: false });
    expect(second.stats().total).toBe(1);
    await second.close();
  });

  it("refuses a second store that reaches the same file through a symbolic link", async () => {
    const file = path.join(dir, "real.sqlite");
    const first = openStore({ path: file, parseInWorker: false });
    const link = path.join(dir, "link.sqlite");
    symlinkSync(file, link);
    expect(() => openStore({ path: link, parseInWorker: false })).toThrow(/in use by another process/);
    await first.close();
    const viaLink = openStore({ path: link, parseInWorker: false });
    expect(() => openStore({ path: file, parseInWorker: false })).toThrow(/in use by another process/);
    await viaLink.close();
  });
});
