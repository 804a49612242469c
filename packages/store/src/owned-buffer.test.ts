import { describe, expect, it } from "vitest";
import { ownsMemory, releaseMemory } from "./owned-buffer.ts";

const MB = 1024 * 1024;

describe("releaseMemory", () => {
  it("frees a large buffer that owns its memory within a turn of the event loop, not at a collection", async () => {
    const before = process.memoryUsage().arrayBuffers;
    const large = Buffer.allocUnsafeSlow(8 * MB).fill(1);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(8 * MB);
    releaseMemory(large);
    expect(large.length).toBe(0); // detached: nothing may use it afterwards
    // The closed channel drops its unread message as the event loop closes its ports.
    for (let i = 0; i < 50 && process.memoryUsage().arrayBuffers - before >= MB; i++)
      await new Promise((resolve) => setTimeout(resolve, 1));
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 * MB);
  });

  it("leaves alone what it must not detach: small buffers, views of a larger buffer, pool slices", () => {
    const small = Buffer.allocUnsafeSlow(1024).fill(2);
    const backing = Buffer.allocUnsafeSlow(2 * MB).fill(3);
    const view = backing.subarray(1, MB);
    const pooled = Buffer.from("a pooled slice");
    for (const bytes of [small, view, pooled, null, undefined]) releaseMemory(bytes);
    expect(small.length).toBe(1024);
    expect(view.length).toBe(MB - 1);
    expect(backing.length).toBe(2 * MB);
    expect(pooled.toString()).toBe("a pooled slice");
    expect(ownsMemory(view)).toBe(false);
  });
});
