import { describe, expect, it } from "vitest";
import { seededRandom } from "../test/seeded-random.ts";
import { findBodyStart, parseAddressList, scanHeaders, toSnippet } from "./header-scan.ts";

describe("parseAddressList (RFC 5322 section 3.4)", () => {
  it("reads display names, quoted names with commas, bare addresses and comments", () => {
    expect(
      parseAddressList('"Doe, Jane" <jane@example.test>, bob@example.test, carl@example.test (Carl C)'),
    ).toEqual([
      { name: "Doe, Jane", address: "jane@example.test" },
      { name: "", address: "bob@example.test" },
      { name: "Carl C", address: "carl@example.test" },
    ]);
  });

  it("flattens groups and ignores empty ones", () => {
    expect(parseAddressList("undisclosed-recipients:;")).toEqual([]);
    expect(parseAddressList("Team: a@example.test, B <b@example.test>; c@example.test")).toEqual([
      { name: "", address: "a@example.test" },
      { name: "B", address: "b@example.test" },
      { name: "", address: "c@example.test" },
    ]);
  });

  it("decodes encoded-word names and keeps SMTPUTF8 addresses (RFC 6532)", () => {
    expect(parseAddressList("=?ISO-8859-1?Q?M=FCller?= <m@example.test>")).toEqual([
      { name: "Müller", address: "m@example.test" },
    ]);
    expect(parseAddressList('"Jöhn Doe" <jdöe@mächine.example>')).toEqual([
      { name: "Jöhn Doe", address: "jdöe@mächine.example" },
    ]);
  });
});

describe("scanHeaders", () => {
  it("unfolds, decodes and guesses a snippet for a quoted-printable text message", () => {
    const raw = Buffer.from(
      [
        "Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=",
        "  aus Berlin",
        "From: Anna <anna@example.test>",
        "To: a@example.test,",
        "\tb@example.test",
        "Cc: c@example.test",
        "Date: Tue, 01 Jul 2025 10:00:00 +0200 (CEST)",
        "Message-ID: <x@y>",
        "Content-Type: text/plain; charset=iso-8859-1",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Sch=F6ne   Gr=FC=DFe=",
        "!",
      ].join("\r\n"),
      "latin1",
    );
    const scan = scanHeaders(raw);
    expect(scan.subject).toBe("Grüße  aus Berlin");
    expect(scan.from).toEqual({ name: "Anna", address: "anna@example.test" });
    expect(scan.to.map((a) => a.address)).toEqual(["a@example.test", "b@example.test"]);
    expect(scan.cc.map((a) => a.address)).toEqual(["c@example.test"]);
    expect(scan.dateMs).toBe(Date.UTC(2025, 6, 1, 8));
    expect(scan.messageIdHeader).toBe("<x@y>");
    expect(scan.hasText).toBe(true);
    expect(scan.snippet).toBe("Schöne Grüße!");
    expect(scan.headers.map((h) => h.name)).toEqual([
      "Subject",
      "From",
      "To",
      "Cc",
      "Date",
      "Message-ID",
      "Content-Type",
      "Content-Transfer-Encoding",
    ]);
  });

  it("never throws on a message without headers or body", () => {
    expect(scanHeaders(Buffer.alloc(0)).subject).toBe("");
    expect(scanHeaders(Buffer.from("\r\nbody only")).from).toBeNull();
    expect(scanHeaders(Buffer.from("garbage without colon")).headers).toEqual([]);
  });
});

describe("toSnippet", () => {
  const reference = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 200);

  it("collapses every kind of whitespace run to one space and trims", () => {
    expect(toSnippet("  Hello,\r\n\r\n\tworld\u00a0\u2003!  ")).toBe("Hello, world !");
    expect(toSnippet("\n\n")).toBe("");
  });

  it("matches a whitespace-collapsing regular expression, cut at 200 characters", () => {
    const alphabet = ["a", "é", "字", " ", "\t", "\r\n", "\u00a0", "\u3000", "\ufeff", "😀", "x"];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let run = 0; run < 300; run++) {
      let text = "";
      const length = Math.floor(next() * 700);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      expect(toSnippet(text), JSON.stringify(text)).toBe(reference(text));
    }
  });
});

describe("findBodyStart", () => {
  const at = (text: string) => findBodyStart(Buffer.from(text, "latin1"));

  it("ends the header block at the first blank line, CRLF or bare LF", () => {
    expect(at("A: 1\r\nB: 2\r\n\r\nbody\n\nmore")).toEqual({ headEnd: 12, bodyStart: 14 });
    expect(at("A: 1\nB: 2\n\nbody\r\n\r\n")).toEqual({ headEnd: 10, bodyStart: 11 });
    expect(at("A: 1\r\n\nbody\r\n\r\n")).toEqual({ headEnd: 6, bodyStart: 7 });
    expect(at("A: 1\n\n\r\n\r\n")).toEqual({ headEnd: 5, bodyStart: 6 });
    expect(at("\r\nbody")).toEqual({ headEnd: 0, bodyStart: 2 });
    expect(at("\nbody")).toEqual({ headEnd: 0, bodyStart: 1 });
    expect(at("A: 1\r\nB: 2")).toEqual({ headEnd: 10, bodyStart: 10 });
  });

  it("finds what the first of either blank line gives, for any mix of line ends", () => {
    // The definition, searched through the whole message: the earlier of "\n\n" and "\r\n\r\n".
    const reference = (raw: Buffer) => {
      const crlf = raw.indexOf("\r\n\r\n");
      const lf = raw.indexOf("\n\n");
      if (raw[0] === 0x0a) return { headEnd: 0, bodyStart: 1 };
      if (raw[0] === 0x0d && raw[1] === 0x0a) return { headEnd: 0, bodyStart: 2 };
      if (crlf === -1 && lf === -1) return { headEnd: raw.length, bodyStart: raw.length };
      if (lf !== -1 && (crlf === -1 || lf < crlf)) return { headEnd: lf + 1, bodyStart: lf + 2 };
      return { headEnd: crlf + 2, bodyStart: crlf + 4 };
    };
    const random = seededRandom(1);
    const next = (n: number): number => Math.floor(random() * n);
    for (let i = 0; i < 50_000; i++) {
      const raw = Buffer.from(Array.from({ length: next(20) }, () => "\r\na:"[next(4)]).join(""), "latin1");
      expect(findBodyStart(raw), JSON.stringify(raw.toString("latin1"))).toEqual(reference(raw));
    }
  });
});
