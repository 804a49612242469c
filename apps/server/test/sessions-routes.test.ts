import { describe, expect, it } from "vitest";
import type { SessionDetail, SessionListResponse } from "@mailpen/shared";
import { createIdGenerator, type MailStore } from "@mailpen/store";
import { addTestMessage, buildTestApp } from "./helper.ts";

const newId = createIdGenerator();

/** Records a session the way the SMTP backend does, with one message; returns their ids. */
async function recordSession(store: MailStore): Promise<{ id: string; messageId: string }> {
  const id = newId();
  store.startSession({
    id,
    startedAt: new Date("2026-01-01T00:00:00Z"),
    remoteAddress: "127.0.0.1",
    remotePort: 50000,
    localAddress: "127.0.0.1",
    localPort: 1025,
    tls: null,
  });
  const messageId = newId();
  store.appendTranscript(id, [
    { seq: 1, atMs: 0, dir: "server", text: "220 mailpen ESMTP" },
    { seq: 2, atMs: 3, dir: "client", text: "EHLO client.example" },
    { seq: 3, atMs: 4, dir: "server", text: "250-mailpen\n250 SIZE 1000" },
    {
      seq: 4,
      atMs: 9,
      dir: "event",
      text: "DATA 12 bytes",
      data: { bytes: 12, lines: 1, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 },
      messageId,
    },
    { seq: 5, atMs: 12, dir: "client", text: "AUTH PLAIN ****", masked: true },
  ]);
  await addTestMessage(store, Buffer.from("Subject: s\r\n\r\nhello\r\n"), { id: messageId, sessionId: id });
  return { id, messageId };
}

describe("/api/sessions", () => {
  it("lists sessions and pages with a cursor", async () => {
    const { app, store } = await buildTestApp();
    const s1 = await recordSession(store);
    const s2 = await recordSession(store);
    store.endSession(s1.id, {
      endedAt: new Date("2026-01-01T00:00:01Z"),
      outcome: "quit",
      heloName: "client.example",
      tls: null,
      authMechanism: "PLAIN",
      authUser: "ann",
      messageCount: 1,
      errorCount: 0,
      warnings: [],
    });
    const res = await app.inject("/api/sessions?limit=1");
    expect(res.statusCode).toBe(200);
    const page = res.json<SessionListResponse>();
    expect(page).toMatchObject({ total: 2, nextCursor: expect.any(String) });
    expect(page.sessions).toHaveLength(1);
    expect(page.sessions[0]).toMatchObject({
      id: s2.id,
      remotePort: 50000,
      outcome: null,
      endedAt: null,
      entryCount: 5,
    });
    const second = await app.inject(`/api/sessions?limit=1&cursor=${page.nextCursor}`);
    expect(second.json<SessionListResponse>()).toMatchObject({
      sessions: [
        {
          id: s1.id,
          outcome: "quit",
          endedAt: "2026-01-01T00:00:01.000Z",
          authUser: "ann",
          messageCount: 1,
        },
      ],
      nextCursor: null,
    });
    const limit = await app.inject("/api/sessions?limit=1001");
    expect(limit.statusCode).toBe(400);
    expect(limit.json()).toEqual({
      error: { code: "bad_request", message: "querystring/limit must be <= 1000" },
    });
  });

  it("returns one session with every transcript field, and 404 for an unknown id", async () => {
    const { app, store } = await buildTestApp();
    const { id, messageId } = await recordSession(store);
    const res = await app.inject(`/api/sessions/${id}`);
    expect(res.statusCode).toBe(200);
    const detail = res.json<SessionDetail>();
    expect(detail).toMatchObject({ id, messageIds: [messageId], entryCount: 5 });
    expect(detail.transcript).toHaveLength(5);
    expect(detail.transcript[3]).toMatchObject({ data: { bytes: 12 }, messageId });
    expect(detail.transcript[4]).toMatchObject({ masked: true });
    const missing = await app.inject("/api/sessions/zz");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: "not_found", message: 'session "zz" not found' } });
  });

  it("formats the transcript as C:/S:/*: lines with offsets", async () => {
    const { app, store } = await buildTestApp();
    const { id } = await recordSession(store);
    const res = await app.inject(`/api/sessions/${id}/transcript`);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    const lines = res.body.split("\n").filter((l) => !l.startsWith("#") && l !== "");
    expect(lines).toEqual([
      "     +0ms S: 220 mailpen ESMTP",
      "     +3ms C: EHLO client.example",
      "     +4ms S: 250-mailpen",
      "     +4ms S: 250 SIZE 1000",
      "     +9ms *: DATA 12 bytes",
      "    +12ms C: AUTH PLAIN ****",
    ]);
    expect((await app.inject("/api/sessions/zz/transcript")).statusCode).toBe(404);
  });

  it("deletes a session, then 404s it", async () => {
    const { app, store } = await buildTestApp();
    const { id, messageId } = await recordSession(store);
    expect((await app.inject({ method: "DELETE", url: `/api/sessions/${id}` })).statusCode).toBe(204);
    expect((await app.inject(`/api/sessions/${id}`)).statusCode).toBe(404);
    expect((await app.inject({ method: "DELETE", url: `/api/sessions/${id}` })).statusCode).toBe(404);
    expect(store.stats().sessions).toBe(0);
    // The session's message stays.
    expect((await app.inject(`/api/messages/${messageId}`)).statusCode).toBe(200);
  });
});
