import { describe, expect, it } from "vitest";
import { seededRandom } from "../test/seeded-random.ts";
import { decodeCharset } from "./rfc2047.ts";
import { toLfUtf8, utf8Prefix } from "./utf8-text.ts";

/** The string path it replaces. */
function viaString(bytes: Buffer, charset: string): Buffer | "bare-cr" {
  const decoded = decodeCharset(bytes, charset);
  if (/\r(?!\n)/.test(decoded)) return "bare-cr";
  return Buffer.from(decoded.replace(/\r\n/g, "\n"), "utf8");
}

// Pieces that matter: line ends, multi-byte characters (2, 3 and 4 bytes), and invalid sequences.
const PIECES = ["a", "text ", "\r\n", "\n", "\r", "é", "€", "😀", "\u2028"].map((p) =>
  Buffer.from(p, "utf8"),
);
const INVALID = [Buffer.from([0xc3]), Buffer.from([0xff]), Buffer.from([0xe2, 0x82])];

describe("toLfUtf8", () => {
  it("equals the string path (decode, CRLF to LF, encode) for random texts, or declines", () => {
    const next = seededRandom(3);
    let taken = 0;
    for (let n = 0; n < 20_000; n++) {
      const pieces: Buffer[] = [];
      const count = Math.floor(next() * 12);
      for (let i = 0; i < count; i++) {
        const pool = next() < 0.05 ? INVALID : PIECES;
        pieces.push(pool[Math.floor(next() * pool.length)]!);
      }
      const bytes = Buffer.concat(pieces);
      const charset = next() < 0.5 ? "utf-8" : "us-ascii";
      const result = toLfUtf8(bytes, charset);
      if (result === null) {
        expect(bytes.toString("utf8")).toContain("\ufffd"); // declined only for invalid UTF-8
        continue;
      }
      taken++;
      expect(result).toEqual(viaString(bytes, charset));
    }
    expect(taken).toBeGreaterThan(15_000);
  });

  it("gives bytes in new memory, never a view of the input; a large text owns its memory", () => {
    for (const input of [Buffer.from("no line ends at all"), Buffer.alloc(64 * 1024, 0x61)]) {
      const out = toLfUtf8(input, "utf-8");
      if (!Buffer.isBuffer(out)) throw new Error("expected bytes");
      expect(out.equals(input)).toBe(true);
      const before = Buffer.from(input);
      out.fill(0x7a); // not the input's memory: writing it leaves the input as it was
      expect(input.equals(before)).toBe(true);
      if (input.length > 4096) expect(out.buffer.byteLength).toBe(out.length); // transferable
    }
  });

  it("leaves other charsets to the string path", () => {
    expect(toLfUtf8(Buffer.from("abc"), "iso-8859-1")).toBeNull();
  });
});

describe("utf8Prefix", () => {
  it("equals slicing the whole decoded text, whatever the characters' widths", () => {
    const next = seededRandom(5);
    for (let n = 0; n < 2_000; n++) {
      const chars: string[] = [];
      const count = Math.floor(next() * 60);
      for (let i = 0; i < count; i++) chars.push(["a", "é", "€", "😀"][Math.floor(next() * 4)]!);
      const text = chars.join("");
      const units = Math.floor(next() * 40);
      expect(utf8Prefix(Buffer.from(text, "utf8"), units)).toBe(text.slice(0, units));
    }
  });
});
