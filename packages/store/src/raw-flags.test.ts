import { describe, expect, it } from "vitest";
import type { Envelope } from "@mailpen/shared";
import { computeRawFlags } from "./raw-flags.ts";

const envelope = (mailParams: Envelope["mailParams"] = {}): Envelope => ({
  mailFrom: "a@example.test",
  rcptTo: [{ address: "b@example.test", params: {} }],
  mailParams,
  heloName: null,
  authUser: null,
  tls: false,
  transport: "DATA",
});

const flags = (raw: string | Buffer, params?: Envelope["mailParams"]) =>
  computeRawFlags(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, "latin1"), envelope(params));

describe("computeRawFlags", () => {
  it("finds nothing in a clean CRLF message", () => {
    expect(flags("Subject: x\r\n\r\nhello\r\n")).toEqual([]);
  });

  it("finds bare LF, bare CR (also as the last octet), NUL and 8-bit octets", () => {
    expect(flags("a\nb\r\n")).toEqual(["bare-lf"]);
    expect(flags("\nb")).toEqual(["bare-lf"]);
    expect(flags("a\rb\r\n")).toEqual(["bare-cr"]);
    expect(flags("ab\r")).toEqual(["bare-cr"]);
    expect(flags("a\u0000b\r\n")).toEqual(["nul"]);
    expect(flags("caf\u00e9\r\n")).toEqual(["8bit-without-8bitmime"]);
    expect(flags("caf\u00e9\r\n", { BODY: "8bitmime" })).toEqual([]);
    expect(flags("caf\u00e9\r\n", { SMTPUTF8: true })).toEqual(["smtputf8"]);
  });

  it("flags a line over 998 octets, CRLF excluded, also when it is the last line", () => {
    const line = (n: number) => "x".repeat(n);
    expect(flags(`${line(998)}\r\n${line(998)}`)).toEqual([]);
    expect(flags(`${line(999)}\r\nshort\r\n`)).toEqual(["long-line"]);
    expect(flags(`a\r\n${line(999)}`)).toEqual(["long-line"]);
    expect(flags(`${line(998)}\n`)).toEqual(["bare-lf"]);
    expect(flags(`${line(999)}\n`)).toEqual(["bare-lf", "long-line"]);
  });

  it("takes counts made while the bytes arrived instead of scanning them", () => {
    const none = { bytes: 4, lines: 1, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 };
    const raw = Buffer.from("a\nb\r\n");
    expect(computeRawFlags(raw, envelope({}), none)).toEqual([]); // trusted: not scanned
    expect(
      computeRawFlags(Buffer.from("ab"), envelope({}), {
        ...none,
        bareLf: 1,
        bareCr: 2,
        nul: 1,
        longLines: 1,
      }),
    ).toEqual(["bare-lf", "bare-cr", "nul", "long-line"]);
    expect(computeRawFlags(Buffer.from("ab"), envelope({}), { ...none, eightBit: 3 })).toEqual([
      "8bit-without-8bitmime",
    ]);
    expect(
      computeRawFlags(Buffer.from("ab"), envelope({ BODY: "8BITMIME" }), { ...none, eightBit: 3 }),
    ).toEqual([]);
  });
});
