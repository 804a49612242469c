import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import { newMessage } from "./message-builder.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-large-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a 25 MB attachment", () => {
  it("is stored byte-exact, parsed, and served by part id with its checksum", async () => {
    const content = randomBytes(25 * 1024 * 1024);
    const base64 = content.toString("base64").replace(/.{76}/g, "$&\r\n");
    const raw = Buffer.from(
      [
        "From: big@example.test",
        "To: you@example.test",
        "Subject: big one",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "See attached.",
        "--b",
        "Content-Type: application/octet-stream",
        "Content-Transfer-Encoding: base64",
        'Content-Disposition: attachment; filename="big.bin"',
        "",
        base64,
        "--b--",
        "",
      ].join("\r\n"),
    );
    const store = openStore({ path: path.join(dir, "large.sqlite") });
    try {
      const summary = await store.addMessage(newMessage(raw));
      expect(summary.size).toBe(raw.length);
      const detail = await store.getMessage(summary.id);
      expect(detail?.parseState).toBe("parsed");
      expect(detail?.attachments).toHaveLength(1);
      const part = detail?.attachments[0];
      expect(part).toMatchObject({ filename: "big.bin", size: content.length });
      expect(part?.checksum).toBe(createHash("sha256").update(content).digest("hex"));
      const served = await store.getPart(summary.id, part?.partId ?? "");
      expect(served?.content.equals(content)).toBe(true);
      expect(store.getRaw(summary.id)?.equals(raw)).toBe(true);
      expect(store.listMessages({ query: "has:attachment larger:25M" }).total).toBe(1);
    } finally {
      await store.close();
    }
  });
});
