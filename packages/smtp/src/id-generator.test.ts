import { describe, expect, it } from "vitest";
import { createIdGenerator } from "./id-generator.ts";

describe("createIdGenerator", () => {
  it("makes 26-character Crockford base32 ids that start with the 48-bit time", () => {
    const id = createIdGenerator(() => 1_700_000_000_000)();
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // 1_700_000_000_000 in base32, 10 digits.
    expect(id.slice(0, 10)).toBe("01HF7YAT00");
  });

  it("is strictly increasing within one millisecond and across milliseconds", () => {
    let now = 5_000;
    const next = createIdGenerator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 2000; i++) {
      if (i % 500 === 0) now++;
      ids.push(next());
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("stays ordered when the clock goes backwards", () => {
    let now = 10_000;
    const next = createIdGenerator(() => now);
    const a = next();
    now = 9_000;
    const b = next();
    expect(b > a).toBe(true);
  });

  it("differs between generators in the same millisecond", () => {
    expect(createIdGenerator(() => 1)()).not.toBe(createIdGenerator(() => 1)());
  });
});
