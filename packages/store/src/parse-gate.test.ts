import { describe, expect, it } from "vitest";
import { createParseGate } from "./parse-gate.ts";

const options = { quietMs: 150, trickleMs: 100, trickleBytes: 64 * 1024, backlogMax: 1000 };

/** A gate on a fake clock; `burst(to)` writes every 10 ms until `to`, calling `check` after each. */
function gateWithClock() {
  let t = 0;
  const gate = createParseGate({ ...options, now: () => t });
  const burst = (to: number, check?: (now: number) => void) => {
    while (t < to) {
      t += 10;
      gate.noteWrite();
      check?.(t);
    }
  };
  return { gate, burst, at: (ms: number) => (t = ms) };
}

describe("createParseGate", () => {
  it("holds parses back until no write came for quietMs, then lets them all through", () => {
    const { gate, at } = gateWithClock();
    at(0);
    gate.noteWrite();
    at(50);
    expect(gate.delay(5_000_000, 1)).toBeGreaterThan(0);
    at(150);
    expect(gate.delay(5_000_000, 1)).toBe(0);
    expect(gate.delay(5_000_000, 1)).toBe(0);
    expect(gate.msSinceWrite()).toBe(150);
  });

  it("during a burst lets one 1 KB message through per trickle interval", () => {
    const { gate, burst } = gateWithClock();
    const started: number[] = [];
    burst(1000, (now) => {
      if (gate.delay(1024, 50) === 0) started.push(now);
    });
    expect(started.length).toBeGreaterThanOrEqual(9);
    expect(started.length).toBeLessThanOrEqual(10);
    for (let i = 1; i < started.length; i++)
      expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(100);
  });

  it("during a burst parses a 5 MB message only once the burst has earned its bytes (about 7.6 s)", () => {
    const { gate, burst } = gateWithClock();
    let firstAt: number | null = null;
    burst(10_000, (now) => {
      if (firstAt === null && gate.delay(5_000_000, 1) === 0) firstAt = now;
    });
    expect(firstAt).not.toBeNull();
    expect(firstAt!).toBeGreaterThanOrEqual(7_600);
    expect(firstAt!).toBeLessThan(7_800);
  });

  it("runs at full speed once more than backlogMax wait, burst or not", () => {
    const { gate, burst } = gateWithClock();
    burst(100);
    expect(gate.delay(5_000_000, 1001)).toBe(0);
    expect(gate.delay(5_000_000, 1000)).toBeGreaterThan(0);
  });

  it("starts each burst with an empty budget", () => {
    const { gate, burst, at } = gateWithClock();
    burst(9_000);
    expect(gate.delay(5_000_000, 1)).toBe(0); // earned during the first burst
    at(9_500); // quiet
    gate.noteWrite(); // a new burst
    at(9_510);
    expect(gate.delay(5_000_000, 1)).toBeGreaterThan(0);
  });
});
