import { describe, expect, it } from "vitest";
import type { WaitResponse } from "@mailpen/shared";
import { addTestMessage, buildTestApp, nextSubscription } from "./helper.ts";

describe("GET /api/wait", () => {
  it("returns a message that arrives after the call, not one from before", async () => {
    const { app, store } = await buildTestApp();
    await addTestMessage(store, { subject: "old" });
    const subscribed = nextSubscription(store);
    const pending = app.inject("/api/wait?timeout=10");
    await subscribed;
    const added = await addTestMessage(store, { subject: "new" });
    const res = await pending;
    expect(res.statusCode).toBe(200);
    const body = res.json<WaitResponse>();
    expect(body).toMatchObject({ timedOut: false, messages: [{ id: added.id, subject: "new" }] });
    expect(body.messages).toHaveLength(1);
  });

  it("waits for count matches of the query", async () => {
    const { app, store } = await buildTestApp();
    const subscribed = nextSubscription(store);
    const pending = app.inject("/api/wait?timeout=10&count=2&query=reset");
    await subscribed;
    const m1 = await addTestMessage(store, { subject: "password reset" });
    await addTestMessage(store, { subject: "newsletter", body: "no match here" });
    const m3 = await addTestMessage(store, { subject: "again", body: "reset in the body" });
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(res.json<WaitResponse>().messages.map((m) => m.id)).toEqual([m1.id, m3.id]);
  });

  it("answers 408 with the matches so far when the timeout passes", async () => {
    const { app, store } = await buildTestApp();
    const subscribed = nextSubscription(store);
    const pending = app.inject("/api/wait?timeout=0.3&count=2");
    await subscribed;
    const { id } = await addTestMessage(store);
    const res = await pending;
    expect(res.statusCode).toBe(408);
    expect(res.json<WaitResponse>()).toMatchObject({ timedOut: true, messages: [{ id }] });
  });

  it("counts messages already stored after `since` (a message id or a time)", async () => {
    const { app, store } = await buildTestApp();
    const m1 = await addTestMessage(store, {}, { receivedAt: new Date("2026-01-01T00:00:00Z") });
    const m2 = await addTestMessage(store, {}, { receivedAt: new Date("2026-01-01T00:00:01Z") });
    const byId = await app.inject(`/api/wait?since=${m1.id}&timeout=1`);
    expect(byId.statusCode).toBe(200);
    expect(byId.json<WaitResponse>().messages.map((m) => m.id)).toEqual([m2.id]);
    const byTime = await app.inject(`/api/wait?since=${encodeURIComponent(m2.receivedAt)}&timeout=1`);
    expect(byTime.json<WaitResponse>().messages.map((m) => m.id)).toEqual([m2.id]);
    const byEpoch = await app.inject(`/api/wait?since=${Date.parse(m2.receivedAt)}&timeout=1`);
    expect(byEpoch.json<WaitResponse>().messages.map((m) => m.id)).toEqual([m2.id]);
    const both = await app.inject(`/api/wait?since=${Date.parse(m1.receivedAt)}&count=2&timeout=1`);
    expect(both.json<WaitResponse>().messages.map((m) => m.id)).toEqual([m1.id, m2.id]);
  });

  it.each([
    ["timeout=301", "querystring/timeout must be <= 300"],
    ["timeout=0", "querystring/timeout must be > 0"],
    ["count=0", "querystring/count must be >= 1"],
    ["since=2026-13-45", "querystring/since: not a message id, ISO 8601 time or epoch milliseconds"],
    ["since=nope", 'querystring/since: no message with id "nope"'],
    ["since=01M8GY606R8QDPVHGN5F8REVD", 'querystring/since: no message with id "01M8GY606R8QDPVHGN5F8REVD"'],
    ["query=%22", "querystring/query: invalid search: unterminated quote at position 1"],
  ])("rejects %s with 400 naming the field", async (qs, message) => {
    const { app } = await buildTestApp();
    const res = await app.inject(`/api/wait?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: "bad_request", message } });
  });

  it("accepts the id of a message that no longer exists as a point in time", async () => {
    const { app, store } = await buildTestApp();
    await addTestMessage(store, {}, { id: "01M8GY606R8QDPVHGN5F8REVDA" });
    await addTestMessage(store, {}, { id: "01M8GY606R8QDPVHGN5F8REVDB" });
    expect(store.deleteMessage("01M8GY606R8QDPVHGN5F8REVDA")).toBe(true);
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
