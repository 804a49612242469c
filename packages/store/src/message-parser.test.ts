import { describe, expect, it } from "vitest";
import { createMessageParser } from "./message-parser.ts";

const raw = Buffer.from(
  'Subject: hi\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n' +
    "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC/w==\r\n--b--\r\n",
);

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
      expect(first.ok && first.content.text).toBe("body");
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

  it("parses a message too large for the worker's heap limit on the main thread", async () => {
    const parser = createMessageParser({ worker: true, logger: console });
    try {
      const big = Buffer.concat([
        Buffer.from("Subject: big\r\n\r\n"),
        Buffer.alloc(9 * 1024 * 1024, "a\r\n"),
      ]);
      const result = await parser.parse(big);
      expect(result.ok && result.content.subject).toBe("big");
      expect(parser.workerRunning()).toBe(false);
    } finally {
      await parser.close();
    }
  });
});
