import { describe, expect, it } from "vitest";
import { decodeEncodedWords, decodeUtf7 } from "./rfc2047.ts";

describe("decodeEncodedWords (RFC 2047)", () => {
  it.each([
    ["=?iso-8859-1?Q?=A1Hola,_se=F1or!?=", "¡Hola, señor!"],
    ["=?ISO-8859-1?B?TfxsbGVyIE38em5lcg==?=", "Müller Müzner"],
    ["=?UTF-8?B?0JrQsNC6INGC0Ysg0L/QvtC20LjQstCw0LXRiNGMPw==?=", "Как ты поживаешь?"],
    ["=?Windows-1252?Q?Andreas=20M=FCzner?=", "Andreas Müzner"],
    ["=?utf-7?Q?Andreas=20M+APw-zner?=", "Andreas Müzner"],
    ["=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語"],
    ["=?shift_jis?B?g2WDWINn?=", "テスト"],
    ["=?gb2312?Q?=D7=B0=D3=B2?=", "装硬"],
    ["=?koi8-r?B?8NLJ18XU?=", "Привет"],
  ])("decodes %s", (input, expected) => {
    expect(decodeEncodedWords(input)).toBe(expected);
  });

  it("drops whitespace between adjacent encoded words and joins split multi-byte characters", () => {
    expect(decodeEncodedWords("=?utf-8?Q?ge=C3=A4n?= =?utf-8?Q?dert?= Text")).toBe("geändert Text");
    // "é" (C3 A9) split across two B-encoded words
    expect(decodeEncodedWords("=?utf-8?B?Y2Fmww==?=  =?utf-8?B?qQ==?=")).toBe("café");
  });

  it("keeps plain text around encoded words and survives unknown charsets", () => {
    expect(decodeEncodedWords("RE: =?utf-8?Q?caf=C3=A9?= now")).toBe("RE: café now");
    expect(decodeEncodedWords("=?x-unknown?Q?caf=E9?=")).toBe("café");
    expect(decodeEncodedWords("no encoding here")).toBe("no encoding here");
  });

  it("decodes UTF-7 (RFC 2152)", () => {
    expect(decodeUtf7("Hi Mom -+Jjo--!")).toBe("Hi Mom -☺-!");
    expect(decodeUtf7("1 +- 1")).toBe("1 + 1");
  });
});
