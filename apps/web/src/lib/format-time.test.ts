import { describe, expect, it } from "vitest";
import { formatDuration, formatOffset, formatRelativeTime } from "./format-time.ts";
import { formatSize } from "./format-size.ts";

describe("formatRelativeTime", () => {
  const now = Date.parse("2026-11-28T12:00:00Z");
  it("says just now, minutes and hours for recent times", () => {
    expect(formatRelativeTime("2026-11-28T11:59:30Z", now)).toBe("just now");
    expect(formatRelativeTime("2026-11-28T11:55:00Z", now)).toBe("5 min ago");
    expect(formatRelativeTime("2026-11-28T09:00:00Z", now)).toBe("3 h ago");
    expect(formatRelativeTime("not a date", now)).toBe("");
  });
});

describe("formatOffset and formatDuration", () => {
  it("uses ms below a second, seconds below a minute, then minutes", () => {
    expect(formatOffset(0)).toBe("+0 ms");
    expect(formatOffset(1204)).toBe("+1.204 s");
    expect(formatOffset(125_000)).toBe("+2 min 5 s");
    expect(formatDuration(840)).toBe("840 ms");
    expect(formatDuration(-1)).toBe("");
  });
});

describe("formatSize", () => {
  it("uses binary units", () => {
    expect(formatSize(512)).toBe("512 B");
    expect(formatSize(1536)).toBe("1.5 KB");
    expect(formatSize(50 * 1024 * 1024)).toBe("50 MB");
  });
});
