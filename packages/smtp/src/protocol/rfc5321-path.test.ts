import { describe, expect, it } from "vitest";
import { parseParams, parsePathArgument } from "./rfc5321-path.ts";

describe("parsePathArgument (RFC 5321 section 4.1.2)", () => {
  const ok: Array<[string, "FROM" | "TO", string, Record<string, string | true>]> = [
    ["FROM:<a@example.com>", "FROM", "a@example.com", {}],
    ["FROM:<>", "FROM", "", {}],
    ["from: <a@example.com> SIZE=10 smtputf8", "FROM", "a@example.com", { SIZE: "10", SMTPUTF8: true }],
    ['FROM:<"john \\"q\\" doe"@example.com>', "FROM", '"john \\"q\\" doe"@example.com', {}],
    ["TO:<@a.example,@b.example:c@d.example>", "TO", "c@d.example", {}],
    ["TO:<postmaster>", "TO", "postmaster", {}],
    ['TO:<"postmaster">', "TO", '"postmaster"', {}],
    ["TO:<ü@bücher.example>", "TO", "ü@bücher.example", {}],
    ["TO:<a@[IPv6:2001:db8::1]>", "TO", "a@[IPv6:2001:db8::1]", {}],
    ["TO:<a+tag@example.com> NOTIFY=NEVER", "TO", "a+tag@example.com", { NOTIFY: "NEVER" }],
  ];
  for (const [arg, keyword, address, params] of ok) {
    it(`parses ${arg}`, () => {
      expect(parsePathArgument(arg, keyword, keyword === "FROM")).toEqual({ address, params });
    });
  }

  const bad: Array<[string, "FROM" | "TO", "path" | "params"]> = [
    ["TO:<>", "TO", "path"],
    ["FROM:a@example.com", "FROM", "path"],
    ["FROM:<a@example.com", "FROM", "path"],
    ["FROM:<a@>", "FROM", "path"],
    ["FROM:<@example.com>", "FROM", "path"],
    ["FROM:<a..b@example.com>", "FROM", "path"],
    ["FROM:<a@example..com>", "FROM", "path"],
    ["FROM:<a@ex ample.com>", "FROM", "path"],
    ['FROM:<"unterminated@example.com>', "FROM", "path"],
    ["FROM:<a@example.com>SIZE=1", "FROM", "path"],
    ["TO:<nobody>", "TO", "path"],
    ["FROM:<a@example.com> =x", "FROM", "params"],
    ["FROM:<a@example.com> SIZE=", "FROM", "params"],
    ["FROM:<a@example.com> A=1 a=2", "FROM", "params"],
  ];
  for (const [arg, keyword, error] of bad) {
    it(`refuses ${arg} (${error})`, () => {
      expect(parsePathArgument(arg, keyword, keyword === "FROM")).toMatchObject({ error });
    });
  }

  it("upper-cases parameter keywords and keeps values as sent", () => {
    expect(parseParams(" body=8bitmime  Envid=AbC")).toEqual({ params: { BODY: "8bitmime", ENVID: "AbC" } });
  });
});
