import { describe, expect, it } from "vitest";
import { MESSAGE_FLAGS, SESSION_OUTCOMES, STORE_EVENT_TYPES } from "./index.ts";

describe("constant tables", () => {
  it("lists every message flag once", () => {
    expect(new Set(MESSAGE_FLAGS).size).toBe(MESSAGE_FLAGS.length);
    expect(MESSAGE_FLAGS).toContain("bare-lf");
    expect(MESSAGE_FLAGS).toContain("parse-error");
  });
  it("lists the session outcomes and event types", () => {
    expect(SESSION_OUTCOMES).toEqual(["quit", "client-closed", "timeout", "rejected", "error", "shutdown"]);
    expect(STORE_EVENT_TYPES).toContain("message.created");
    expect(STORE_EVENT_TYPES.every((t) => /^[a-z]+(\.[a-z]+)?$/.test(t))).toBe(true);
  });
});
