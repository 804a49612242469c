import { describe, expect, it } from "vitest";
import { createParseQueue } from "./parse-queue.ts";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("createParseQueue", () => {
  it("runs jobs in order, one at a time, and ignores duplicates", async () => {
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const queue = createParseQueue(
      async (key) => {
        active++;
        maxActive = Math.max(maxActive, active);
        log.push(key);
        await tick();
        active--;
      },
      () => {},
    );
    for (const key of ["a", "b", "a", "c"]) queue.push(key);
    expect(queue.size()).toBe(3);
    await queue.stop(5000); // drains the queue
    expect(log).toEqual(["a", "b", "c"]);
    expect(maxActive).toBe(1);
  });

  it("lets a reader jump the queue and reports job errors without stopping", async () => {
    const log: string[] = [];
    const errors: unknown[] = [];
    const queue = createParseQueue(
      async (key) => {
        log.push(key);
        if (key === "bad") throw new Error("boom");
      },
      (e) => errors.push(e),
    );
    queue.push("bad");
    queue.push("x");
    queue.push("y");
    await queue.waitFor("y"); // started at once, ahead of the others
    expect(log[0]).toBe("y");
    expect(await queue.waitFor("unknown")).toBeUndefined();
    await queue.stop(5000);
    expect(log.sort()).toEqual(["bad", "x", "y"]);
    expect(errors).toHaveLength(1);
  });

  it("stop waits for running jobs, then leaves the rest unstarted", async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const queue = createParseQueue(
      async (key) => {
        log.push(key);
        if (key === "slow") await gate;
      },
      () => {},
    );
    queue.push("slow");
    await tick();
    await tick();
    queue.push("later");
    const stopped = queue.stop(50);
    await stopped; // timed out while "slow" still runs
    release();
    await tick();
    expect(log).toEqual(["slow"]);
  });

  it("holds jobs back while the delay gate is closed, except the one a reader waits for", async () => {
    const log: string[] = [];
    let gate = 60_000;
    const queue = createParseQueue(
      async (key) => {
        log.push(key);
      },
      () => {},
      4,
      { delay: () => gate },
    );
    for (const key of ["a", "b", "c"]) queue.push(key);
    await tick();
    await tick();
    expect(log).toEqual([]);
    await queue.waitFor("b");
    expect(log).toEqual(["b"]);
    queue.push("d");
    gate = 0;
    await queue.stop(5000); // asks the gate again, then drains
    expect(queue.size()).toBe(0);
    expect(log).toEqual(["b", "a", "c", "d"]);
  });

  it("asks the gate about the next job to start, skipping one a reader already started", async () => {
    const asked: string[] = [];
    const ran: string[] = [];
    let open = false;
    const queue = createParseQueue(
      async (key) => void ran.push(key),
      () => {},
      1,
      {
        delay: (next) => {
          asked.push(next);
          return open ? 0 : 5;
        },
      },
    );
    for (const key of ["a", "b", "c"]) queue.push(key);
    await tick();
    await queue.waitFor("a"); // a reader takes "a" past the gate
    open = true;
    await queue.stop(5000);
    expect(ran).toEqual(["a", "b", "c"]);
    // Asked about "a" while it waited, never again once the reader had started it; then "b", "c".
    expect(asked[0]).toBe("a");
    expect(asked.lastIndexOf("a")).toBeLessThan(asked.indexOf("b"));
    expect(asked.indexOf("b")).toBeLessThan(asked.indexOf("c"));
  });
});
