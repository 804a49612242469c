import { describe, expect, it } from "vitest";
import { ContentBuffer } from "./content-buffer.ts";

/** Deterministic bytes and segment sizes (mulberry32). */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Append `content` in random segments from one reused input buffer, overwritten after each call. */
function appendBorrowed(buffer: ContentBuffer, content: Buffer, next: () => number, maxSegment: number) {
  const input = Buffer.alloc(maxSegment);
  for (let at = 0; at < content.length;) {
    const length = Math.min(content.length - at, 1 + Math.floor(next() * maxSegment));
    content.copy(input, 0, at, at + length);
    buffer.append(input.subarray(0, length));
    input.fill(0x23);
    at += length;
  }
}

describe("ContentBuffer", () => {
  it("gives back exactly what was appended, across page boundaries, for any segmentation", () => {
    const next = random(7);
    const buffer = new ContentBuffer();
    for (const size of [0, 1, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 100_000, 3_500_000]) {
      const content = Buffer.from(Array.from({ length: size }, () => Math.floor(next() * 256)));
      buffer.start(0);
      appendBorrowed(buffer, content, next, size > 100_000 ? 70_000 : 5_000);
      expect(buffer.byteLength).toBe(size);
      const raw = buffer.take();
      expect(raw.equals(content)).toBe(true);
      // Its own memory, exactly its size: never a view of a page or of Node's shared pool.
      expect(raw.buffer.byteLength).toBe(size);
      expect(buffer.byteLength).toBe(0);
    }
  });

  it("reuses its first page without carrying one message into the next", () => {
    const buffer = new ContentBuffer();
    buffer.start(0);
    buffer.append(Buffer.from("a long first message"));
    expect(buffer.take().toString()).toBe("a long first message");
    buffer.start(0);
    buffer.append(Buffer.from("short"));
    expect(buffer.take().toString()).toBe("short");
  });

  it("fills the buffer of a declared SIZE in place; less than declared is a view of zeroed memory", () => {
    const buffer = new ContentBuffer();
    buffer.start(10);
    buffer.append(Buffer.from("abc"));
    buffer.append(Buffer.from("def"));
    const raw = buffer.take();
    expect(raw.toString()).toBe("abcdef");
    expect(raw.buffer.byteLength).toBe(10);
    expect(Buffer.from(raw.buffer).subarray(6).equals(Buffer.alloc(4))).toBe(true);
  });

  it("continues in pages past a declared SIZE, in order", () => {
    const next = random(11);
    const content = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i % 251));
    const buffer = new ContentBuffer();
    buffer.start(20_000);
    appendBorrowed(buffer, content, next, 3_000);
    const raw = buffer.take();
    expect(raw.equals(content)).toBe(true);
    expect(raw.buffer.byteLength).toBe(content.length);
  });

  it("holds a large message once after take: its pages are freed, not left for the collector", async () => {
    const MB = 1024 * 1024;
    const segment = Buffer.alloc(64 * 1024, 0x61);
    const before = process.memoryUsage().arrayBuffers;
    const buffer = new ContentBuffer();
    buffer.start(0);
    for (let i = 0; i < 128; i++) buffer.append(segment); // 8 MB in pages
    const raw = buffer.take();
    expect(raw.length).toBe(8 * MB);
    for (let i = 0; i < 50 && process.memoryUsage().arrayBuffers - before > 9 * MB; i++)
      await new Promise((resolve) => setTimeout(resolve, 1));
    // The raw (8 MB) and the kept first page; without the release, the pages' 8 MB as well.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(9 * MB);
    expect(raw.every((octet) => octet === 0x61)).toBe(true);
  });

  it("clear drops what was appended", () => {
    const buffer = new ContentBuffer();
    buffer.start(0);
    buffer.append(Buffer.from("dropped"));
    buffer.clear();
    buffer.append(Buffer.from("kept"));
    expect(buffer.take().toString()).toBe("kept");
  });
});
