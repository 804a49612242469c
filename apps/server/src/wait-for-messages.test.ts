import { describe, expect, it } from "vitest";
import { addTestMessage, openTestStore } from "../test/helper.ts";
import { parseWaitSince, waitForMessages } from "./wait-for-messages.ts";

describe("parseWaitSince", () => {
  it("tells epoch milliseconds, ISO times and message ids apart", () => {
    expect(parseWaitSince(undefined)).toEqual({ kind: "now" });
    expect(parseWaitSince("1700000000000")).toEqual({ kind: "time", ms: 1_700_000_000_000 });
    expect(parseWaitSince("2026-01-02T03:04:05Z")).toEqual({
      kind: "time",
      ms: Date.parse("2026-01-02T03:04:05Z"),
    });
    expect(parseWaitSince("2026-99-99")).toBeUndefined();
    expect(parseWaitSince("01M8GY606R8QDPVHGN5F8REVDM")).toEqual({
      kind: "id",
      id: "01M8GY606R8QDPVHGN5F8REVDM",
    });
  });
});

describe("waitForMessages", () => {
  it("rejects instead of throwing from a timer when the store fails while waiting", async () => {
    // close() commits the message waiting for its group commit (emitting message.created), then
    // refuses reads: the wait's look after that event fails on a closed store.
    const store = openTestStore();
    const waiting = waitForMessages(store, { since: { kind: "now" }, count: 1, timeoutMs: 5000 });
    const added = addTestMessage(store);
    const closed = store.close();
    await expect(waiting).rejects.toThrow("mail store is closed");
    await expect(added).resolves.toMatchObject({ parseState: "pending" });
    await closed;
  });

  it("releases its subscription on abort", async () => {
    const store = openTestStore();
    let listeners = 0;
    const subscribe = store.subscribe.bind(store);
    store.subscribe = (listener) => {
      listeners++;
      const off = subscribe(listener);
      return () => {
        listeners--;
        off();
      };
    };
    const controller = new AbortController();
    const waiting = waitForMessages(store, {
      since: { kind: "now" },
      count: 1,
      timeoutMs: 5000,
      signal: controller.signal,
    });
    expect(listeners).toBe(1);
    controller.abort(new Error("gone"));
    await expect(waiting).rejects.toThrow("gone");
    expect(listeners).toBe(0);
  });
});
