import { describe, expect, it } from "vitest";
import { createIdGenerator } from "./id-generator.ts";

describe("createIdGenerator", () => {
  it("makes 26-character Crockford base32 ids", () => {
    const id = createIdGenerator(() => 1_700_000_000_000)();
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("is strictly increasing within one millisecond and when the clock steps back", () => {
    let now = 1_700_000_000_000;
    const newId = createIdGenerator(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(newId());
    now -= 5000;
    for (let i = 0; i < 10; i++) ids.push(newId());
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("sorts by time across milliseconds", () => {
    let now = 1000;
    const newId = createIdGenerator(() => now);
    const a = newId();
    now = 2000;
    const b = newId();
    expect(a < b).toBe(true);
    expect(a.slice(0, 10)).toBe("00000000Z8");
  });
});
