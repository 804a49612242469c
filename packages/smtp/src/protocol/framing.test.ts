import { describe, expect, it } from "vitest";
import { createDotDecoder } from "./framing.ts";

/** The obvious (whole-buffer) definition of RFC 5321 section 4.5.2 end-of-data and dot-unstuffing. */
function reference(input: Buffer): { content: string; end: number } | null {
  const s = `\r\n${input.toString("latin1")}`;
  const idx = s.indexOf("\r\n.\r\n");
  if (idx === -1) return null;
  const content = input.toString("latin1", 0, idx);
  return { content: `\r\n${content}`.replaceAll("\r\n.", "\r\n").slice(2), end: idx + 3 };
}

/** Decode `input` split into the given pieces; returns the content and the end offset in `input`. */
function decodeSplit(input: Buffer, cuts: number[]): { content: string; end: number } | null {
  const decoder = createDotDecoder();
  const parts: Buffer[] = [];
  let offset = 0;
  const bounds = [...cuts, input.length];
  let previous = 0;
  for (const bound of bounds) {
    const chunk = input.subarray(previous, bound);
    const end = decoder.decode(chunk, 0, (segment) => parts.push(Buffer.from(segment)));
    if (end !== -1) return { content: Buffer.concat(parts).toString("latin1"), end: offset + end };
    offset += chunk.length;
    previous = bound;
  }
  return null;
}

const CASES: Array<[string, string]> = [
  ["simple message", "Subject: x\r\n\r\nbody\r\n.\r\n"],
  ["empty message", ".\r\n"],
  ["dot-stuffed lines", "..leading\r\n...two\r\n.\r\n"],
  ["dot line at start", "..\r\n.\r\n"],
  ["pipelined command after the end", "a\r\n.\r\nQUIT\r\n"],
  ["dot CR without LF is stuffing plus bare CR", "a\r\n.\rb\r\n.\r\n"],
  ["dot CR CR LF", "a\r\n.\r\r\n.\r\n"],
  ["CR CR LF dot", "a\r\r\n.\r\n"],
  ["only CRLF lines", "\r\n\r\n\r\n.\r\n"],
  ["no end yet", "abc\r\n.x\r\nmore"],
  ["ends with CR", "abc\r"],
  ["ends with CRLF dot", "abc\r\n."],
  ["ends with CRLF dot CR", "abc\r\n.\r"],
  // The SMTP smuggling variants: a bare LF or bare CR next to the dot never ends the data.
  ["smuggling LF.LF", "a\n.\nMAIL FROM:<x@y>\r\n.\r\n"],
  ["smuggling LF.CRLF", "a\n.\r\nMAIL FROM:<x@y>\r\n.\r\n"],
  ["smuggling CR.CR", "a\r.\rMAIL FROM:<x@y>\r\n.\r\n"],
  ["smuggling CR.CRLF", "a\r.\r\nMAIL FROM:<x@y>\r\n.\r\n"],
  ["smuggling CRLF.LF", "a\r\n.\nMAIL FROM:<x@y>\r\n.\r\n"],
  ["smuggling CRLF.CR", "a\r\n.\rMAIL FROM:<x@y>\r\n.\r\n"],
  ["NUL and 8-bit bytes", "a\u0000b\u00ff\r\n.\r\n"],
];

describe("DATA framing (RFC 5321 section 4.5.2)", () => {
  for (const [name, text] of CASES) {
    const input = Buffer.from(text, "latin1");
    it(`${name}: same result at every split offset`, () => {
      const expected = reference(input);
      for (let cut = 0; cut <= input.length; cut++) {
        expect(decodeSplit(input, [cut]), `split at ${cut}`).toEqual(expected);
      }
    });
    it(`${name}: same result fed one byte at a time`, () => {
      const cuts = Array.from({ length: input.length }, (_, i) => i);
      expect(decodeSplit(input, cuts)).toEqual(reference(input));
    });
  }

  it("same result at every pair of split offsets", () => {
    const input = Buffer.from("x\r\n..y\r\n.\rz\n.\r\n\r\n.\r\n", "latin1");
    const expected = reference(input);
    for (let a = 0; a <= input.length; a++) {
      for (let b = a; b <= input.length; b++) expect(decodeSplit(input, [a, b])).toEqual(expected);
    }
  });

  it("ends only at CRLF.CRLF: the smuggled terminators stay in the content", () => {
    const result = decodeSplit(Buffer.from("a\n.\nb\r.\r\nc\r\n.\nd\r\n.\r\n", "latin1"), []);
    expect(result?.content).toBe("a\n.\nb\r.\r\nc\r\n\nd\r\n");
  });

  it("hands out views of the input, not copies", () => {
    const decoder = createDotDecoder();
    const input = Buffer.from("hello world\r\n.\r\n");
    const segments: Buffer[] = [];
    decoder.decode(input, 0, (segment) => segments.push(segment));
    expect(segments).toHaveLength(1);
    expect(segments[0]?.buffer).toBe(input.buffer);
  });

  it("starts at the given offset and can be reset for the next message", () => {
    const decoder = createDotDecoder();
    const input = Buffer.from("DATA\r\nabc\r\n.\r\n");
    const parts: string[] = [];
    expect(decoder.decode(input, 6, (s) => parts.push(s.toString()))).toBe(input.length);
    expect(parts.join("")).toBe("abc\r\n");
    decoder.decode(Buffer.from("x\r\n"), 0, () => {});
    decoder.reset();
    expect(decoder.decode(Buffer.from(".\r\n"), 0, () => {})).toBe(3);
  });

  it("handles a large body with few lines without quadratic work", () => {
    const decoder = createDotDecoder();
    const body = Buffer.alloc(4 * 1024 * 1024, 0x61);
    let bytes = 0;
    for (let i = 0; i < body.length; i += 65536) {
      expect(decoder.decode(body.subarray(i, i + 65536), 0, (s) => (bytes += s.length))).toBe(-1);
    }
    expect(decoder.decode(Buffer.from("\r\n.\r\n"), 0, (s) => (bytes += s.length))).toBe(5);
    expect(bytes).toBe(body.length + 2);
  });
});
