import { describe, expect, it } from "vitest";
import { parseRoute, paths } from "./router.tsx";

describe("parseRoute", () => {
  it("names every view by its URL, and round-trips the builders", () => {
    expect(parseRoute("/")).toEqual({ name: "inbox" });
    expect(parseRoute(paths.message("01J/x"))).toEqual({ name: "message", id: "01J/x", tab: null });
    expect(parseRoute(paths.message("abc", "raw"))).toEqual({ name: "message", id: "abc", tab: "raw" });
    expect(parseRoute("/sessions")).toEqual({ name: "sessions" });
    expect(parseRoute("/sessions/")).toEqual({ name: "sessions" });
    expect(parseRoute(paths.session("s1"))).toEqual({ name: "session", id: "s1" });
  });

  it("reports anything else as not found", () => {
    expect(parseRoute("/messages")).toEqual({ name: "not-found", path: "/messages" });
    expect(parseRoute("/sessions/a/b")).toEqual({ name: "not-found", path: "/sessions/a/b" });
    expect(parseRoute("/nope")).toEqual({ name: "not-found", path: "/nope" });
  });
});
