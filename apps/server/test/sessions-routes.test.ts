import { describe, expect, it } from "vitest";
import type { SessionDetail, SessionListResponse } from "@mailpen/shared";
import { buildTestApp } from "./helper.ts";
import type { MemoryStore } from "./memory-store.ts";

function recordSession(store: MemoryStore, id: string): void {
  store.startSession({
    id,
    startedAt: new Date("2026-01-01T00:00:00Z"),
    remoteAddress: "127.0.0.1",
    remotePort: 50000,
    localAddress: "127.0.0.1",
    localPort: 1025,
    tls: null,
  });
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
      messageId: "m1",
    },
    { seq: 5, atMs: 12, dir: "client", text: "AUTH PLAIN ****", masked: true },
  ]);
}

describe("/api/sessions", () => {
  it("lists sessions and pages with a cursor", async () => {
    const { app, store } = await buildTestApp();
    recordSession(store, "s1");
    recordSession(store, "s2");
    const res = await app.inject("/api/sessions?limit=1");
    expect(res.statusCode).toBe(200);
    const page = res.json<SessionListResponse>();
    expect(page).toMatchObject({ total: 2, nextCursor: "s2" });
    expect(page.sessions[0]).toMatchObject({ id: "s2", remotePort: 50000, outcome: null, entryCount: 5 });
    expect((await app.inject("/api/sessions?limit=1001")).statusCode).toBe(400);
  });

  it("returns one session with every transcript field, and 404 for an unknown id", async () => {
    const { app, store } = await buildTestApp();
    recordSession(store, "s1");
    const detail = (await app.inject("/api/sessions/s1")).json<SessionDetail>();
    expect(detail.transcript).toHaveLength(5);
    expect(detail.transcript[3]).toMatchObject({ data: { bytes: 12 }, messageId: "m1" });
    expect(detail.transcript[4]).toMatchObject({ masked: true });
    const missing = await app.inject("/api/sessions/zz");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: "not_found", message: 'session "zz" not found' } });
  });

  it("formats the transcript as C:/S:/*: lines with offsets", async () => {
    const { app, store } = await buildTestApp();
    recordSession(store, "s1");
    const res = await app.inject("/api/sessions/s1/transcript");
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
    recordSession(store, "s1");
    expect((await app.inject({ method: "DELETE", url: "/api/sessions/s1" })).statusCode).toBe(204);
    expect((await app.inject({ method: "DELETE", url: "/api/sessions/s1" })).statusCode).toBe(404);
  });
});
