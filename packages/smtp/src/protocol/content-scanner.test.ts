import { describe, expect, it } from "vitest";
import type { DataSummary } from "@mailpen/shared";
import { createContentScanner } from "./content-scanner.ts";

function summarise(input: Buffer, cuts: number[] = []): DataSummary {
  const scanner = createContentScanner();
  let previous = 0;
  for (const bound of [...cuts, input.length]) {
    scanner.scan(input.subarray(previous, bound));
    previous = bound;
  }
  return scanner.finish();
}

const base = { bytes: 0, lines: 0, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 };

const CASES: Array<[string, Buffer, Partial<DataSummary>]> = [
  ["empty", Buffer.alloc(0), {}],
  ["CRLF lines", Buffer.from("a\r\nb\r\n"), { bytes: 6, lines: 2 }],
  ["bare LF", Buffer.from("a\nb\r\n"), { bytes: 5, lines: 2, bareLf: 1 }],
  ["bare CR in the middle and at the end", Buffer.from("a\rb\r\nc\r"), { bytes: 7, lines: 2, bareCr: 2 }],
  ["CR CR LF", Buffer.from("a\r\r\n"), { bytes: 4, lines: 1, bareCr: 1 }],
  ["NUL", Buffer.from([0x61, 0, 0, 0x0d, 0x0a]), { bytes: 5, lines: 1, nul: 2 }],
  ["8-bit octets", Buffer.from("caf\u00e9 \u00fc\r\n", "utf8"), { bytes: 10, lines: 1, eightBit: 4 }],
  ["unterminated last line", Buffer.from("a\r\nbc"), { bytes: 5, lines: 2 }],
  // RFC 5322 section 2.1.1: 998 octets is fine, 999 is a long line.
  ["998-octet line", Buffer.from(`${"x".repeat(998)}\r\n`), { bytes: 1000, lines: 1 }],
  ["999-octet line", Buffer.from(`${"x".repeat(999)}\r\n`), { bytes: 1001, lines: 1, longLines: 1 }],
  [
    "999-octet line with bare LF",
    Buffer.from(`${"x".repeat(999)}\n`),
    { bytes: 1000, lines: 1, longLines: 1, bareLf: 1 },
  ],
];

describe("content scanner (DataSummary)", () => {
  for (const [name, input, expected] of CASES) {
    it(`${name}: same summary at every split offset`, () => {
      const want = { ...base, ...expected };
      expect(summarise(input)).toEqual(want);
      for (let cut = 0; cut <= input.length; cut++)
        expect(summarise(input, [cut]), `cut ${cut}`).toEqual(want);
    });
  }

  it("counts a long line split over many segments", () => {
    const input = Buffer.from(`${"y".repeat(3000)}\r\nshort\r\n`);
    const cuts = Array.from({ length: 30 }, (_, i) => i * 100 + 1);
    expect(summarise(input, cuts)).toMatchObject({ lines: 2, longLines: 1, bytes: 3009 });
  });
});
