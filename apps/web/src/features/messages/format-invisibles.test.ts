import { describe, expect, it } from "vitest";
import { formatRawLineInvisibles, formatRawLineText, splitRawLines } from "./format-invisibles.ts";

const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(
    parts.flatMap((part) => (typeof part === "string" ? [...part].map((c) => c.charCodeAt(0)) : part)),
  );

function render(input: Uint8Array) {
  return splitRawLines(input).map((range) => formatRawLineInvisibles(input, range));
}

describe("splitRawLines", () => {
  it("ends a line after each LF, CRLF and bare LF alike", () => {
    const input = bytes("a\r\nb\nc");
    expect(splitRawLines(input)).toEqual([
      { number: 1, start: 0, end: 3 },
      { number: 2, start: 3, end: 5 },
      { number: 3, start: 5, end: 6 },
    ]);
  });

  it("adds no empty line after a final LF, and none for empty input", () => {
    expect(splitRawLines(bytes("a\r\n"))).toHaveLength(1);
    expect(splitRawLines(new Uint8Array())).toEqual([]);
  });

  it("keeps a bare CR inside its line", () => {
    expect(splitRawLines(bytes("a\rb\r\n"))).toEqual([{ number: 1, start: 0, end: 5 }]);
  });
});

describe("formatRawLineInvisibles", () => {
  it("shows CRLF as ␍␊ and a bare LF as a distinct ␊", () => {
    const [crlf, bare] = render(bytes("Subject: x\r\n", "body\n"));
    expect(crlf).toEqual([
      { kind: "text", text: "Subject: x" },
      { kind: "crlf-cr", text: "␍" },
      { kind: "crlf-lf", text: "␊" },
    ]);
    expect(bare).toEqual([
      { kind: "text", text: "body" },
      { kind: "bare-lf", text: "␊" },
    ]);
  });

  it("marks a bare CR in the middle of a line (RFC 5321 section 2.3.8)", () => {
    const [line] = render(bytes("a\rb\r\n"));
    expect(line?.map((s) => s.kind)).toEqual(["text", "bare-cr", "text", "crlf-cr", "crlf-lf"]);
  });

  it("shows tab as →, NUL as ␀, other controls as control pictures", () => {
    const [line] = render(bytes("a\tb", [0], "c", [0x1b, 0x7f], "\r\n"));
    expect(line).toEqual([
      { kind: "text", text: "a" },
      { kind: "tab", text: "→" },
      { kind: "text", text: "b" },
      { kind: "nul", text: "␀" },
      { kind: "text", text: "c" },
      { kind: "control", text: "␛" },
      { kind: "control", text: "␡" },
      { kind: "crlf-cr", text: "␍" },
      { kind: "crlf-lf", text: "␊" },
    ]);
  });

  it("shows octets >= 0x80 as hex, one segment per run", () => {
    const [line] = render(bytes("caf", [0xc3, 0xa9], "!", [0xff], "\n"));
    expect(line).toEqual([
      { kind: "text", text: "caf" },
      { kind: "bytes", text: "C3 A9" },
      { kind: "text", text: "!" },
      { kind: "bytes", text: "FF" },
      { kind: "bare-lf", text: "␊" },
    ]);
  });

  it("makes trailing spaces and tabs visible, but not inner ones", () => {
    const [line] = render(bytes("a b  \t\r\n"));
    expect(line).toEqual([
      { kind: "text", text: "a b" },
      { kind: "trailing-space", text: "··" },
      { kind: "trailing-tab", text: "→" },
      { kind: "crlf-cr", text: "␍" },
      { kind: "crlf-lf", text: "␊" },
    ]);
  });

  it("handles a last line without a line ending and a line of blanks only", () => {
    const input = bytes("  \r\nend");
    expect(render(input)).toEqual([
      [
        { kind: "trailing-space", text: "··" },
        { kind: "crlf-cr", text: "␍" },
        { kind: "crlf-lf", text: "␊" },
      ],
      [{ kind: "text", text: "end" }],
    ]);
  });

  it("renders a blank CRLF line (the header/body separator) as ␍␊ only", () => {
    const [line] = render(bytes("\r\n"));
    expect(line).toEqual([
      { kind: "crlf-cr", text: "␍" },
      { kind: "crlf-lf", text: "␊" },
    ]);
  });
});

describe("formatRawLineText", () => {
  it("decodes UTF-8 and drops the line ending", () => {
    const input = bytes("caf", [0xc3, 0xa9], "\r\n", "x\n");
    const [first, second] = splitRawLines(input);
    expect(formatRawLineText(input, first!)).toBe("café");
    expect(formatRawLineText(input, second!)).toBe("x");
  });
});
