import { describe, expect, it } from "vitest";
import type { WaitResponse } from "@mailpen/shared";
import { buildTestApp, nextSubscription } from "./helper.ts";

describe("GET /api/wait", () => {
  it("returns a message that arrives after the call, not one from before", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1", subject: "old" });
    const subscribed = nextSubscription(store);
    const pending = app.inject("/api/wait?timeout=10");
    await subscribed;
    store.addDetail({ id: "m2", subject: "new" });
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(res.json<WaitResponse>()).toMatchObject({ timedOut: false, messages: [{ id: "m2" }] });
  });

  it("waits for count matches of the query", async () => {
    const { app, store } = await buildTestApp();
    const subscribed = nextSubscription(store);
    const pending = app.inject("/api/wait?timeout=10&count=2&query=reset");
    await subscribed;
    store.addDetail({ id: "m1", subject: "password reset" });
    store.addDetail({ id: "m2", subject: "newsletter" });
    store.addDetail({ id: "m3", subject: "reset again" });
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(res.json<WaitResponse>().messages.map((m) => m.id)).toEqual(["m1", "m3"]);
  });

  it("answers 408 with the matches so far when the timeout passes", async () => {
    const { app, store } = await buildTestApp();
    const subscribed = nextSubscription(store);
    const pending = app.inject("/api/wait?timeout=0.3&count=2");
    await subscribed;
    store.addDetail({ id: "m1" });
    const res = await pending;
    expect(res.statusCode).toBe(408);
    expect(res.json<WaitResponse>()).toMatchObject({ timedOut: true, messages: [{ id: "m1" }] });
  });

  it("counts messages already stored after `since` (a message id or a time)", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1" });
    const m2 = store.addDetail({ id: "m2" });
    const byId = await app.inject("/api/wait?since=m1&timeout=1");
    expect(byId.json<WaitResponse>().messages.map((m) => m.id)).toEqual(["m2"]);
    const byTime = await app.inject(`/api/wait?since=${encodeURIComponent(m2.receivedAt)}&timeout=1`);
    expect(byTime.json<WaitResponse>().messages.map((m) => m.id)).toEqual(["m2"]);
    const byEpoch = await app.inject(`/api/wait?since=${Date.parse(m2.receivedAt)}&timeout=1`);
    expect(byEpoch.json<WaitResponse>().messages.map((m) => m.id)).toEqual(["m2"]);
  });

  it.each([
    ["timeout=301", "querystring/timeout must be <= 300"],
    ["timeout=0", "querystring/timeout must be > 0"],
    ["count=0", "querystring/count must be >= 1"],
    ["since=2026-13-45", "querystring/since: not a message id, ISO 8601 time or epoch milliseconds"],
    ["since=nope", 'querystring/since: no message with id "nope"'],
    ["since=01M8GY606R8QDPVHGN5F8REVD", 'querystring/since: no message with id "01M8GY606R8QDPVHGN5F8REVD"'],
    ["query=%22", "querystring/query: unbalanced quote"],
  ])("rejects %s with 400 naming the field", async (qs, message) => {
    const { app } = await buildTestApp();
    const res = await app.inject(`/api/wait?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: "bad_request", message } });
  });

  it("accepts the id of a message that no longer exists as a point in time", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "01M8GY606R8QDPVHGN5F8REVDB" });
    const res = await app.inject("/api/wait?since=01M8GY606R8QDPVHGN5F8REVDA&timeout=1");
    expect(res.statusCode).toBe(200);
    expect(res.json<WaitResponse>().messages.map((m) => m.id)).toEqual(["01M8GY606R8QDPVHGN5F8REVDB"]);
  });

  it("answers a pending wait with 503 when the app closes, releasing its subscription", async () => {
    const { app, store } = await buildTestApp();
    let subscribers = 0;
    const subscribe = store.subscribe.bind(store);
    store.subscribe = (listener) => {
      subscribers++;
      const off = subscribe(listener);
      return () => {
        subscribers--;
        off();
      };
    };
    const before = subscribers;
    const subscribed = nextSubscription(store);
    const pending = app.inject("/api/wait?timeout=300");
    await subscribed;
    expect(subscribers).toBe(before + 1);
    await app.close();
    const res = await pending;
    expect(res.statusCode).toBe(503);
    expect(subscribers).toBe(before);
  });
});
