import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { StoreEvent } from "@mailpen/shared";
import { openStore } from "../src/index.ts";
import type { SessionStart, SessionState } from "@mailpen/shared";
import { newMessage, textMessage } from "./message-builder.ts";

const dir = mkdtempSync(path.join(tmpdir(), "mailpen-retention-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const dbPath = () => path.join(dir, `r${n++}.sqlite`);

const session = (id: string, startedAt = new Date()): SessionStart => ({
  id,
  startedAt,
  remoteAddress: "127.0.0.1",
  remotePort: 1,
  localAddress: "127.0.0.1",
  localPort: 25,
  tls: null,
});
const state: SessionState = {
  heloName: null,
  tls: null,
  authMechanism: null,
  authUser: null,
  messageCount: 1,
  errorCount: 0,
  warnings: [],
};

describe("retention", () => {
  it("keeps at most maxMessages, pruning the oldest first with events", async () => {
    const store = openStore({ path: dbPath(), maxMessages: 3, parseInWorker: false });
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await store.addMessage(newMessage(textMessage({ subject: `m${i}` })))).id);
    expect(store.listMessages().messages.map((m) => m.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(store.stats().total).toBe(3);
    const deleted = events.flatMap((e) => (e.type === "message.deleted" ? e.ids : []));
    expect(deleted).toEqual([ids[0], ids[1]]);
    // The deletion of m0 comes after the creation of the message that pushed it out.
    const order = events.map((e) => (e.type === "message.created" ? `c:${e.message.subject}` : e.type));
    expect(order.indexOf("message.deleted")).toBeGreaterThan(order.indexOf("c:m3"));
    await store.close();
  });

  it("keeps everything with maxMessages 0", async () => {
    const store = openStore({ path: ":memory:", maxMessages: 0, parseInWorker: false });
    for (let i = 0; i < 12; i++) await store.addMessage(newMessage(textMessage()));
    expect(store.stats().total).toBe(12);
    await store.close();
  });

  it("prunes ended sessions with their messages but never a session in progress", async () => {
    const store = openStore({ path: dbPath(), maxMessages: 2, parseInWorker: false });
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    store.startSession(session("ended"));
    store.startSession(session("running"));
    await store.addMessage(newMessage(textMessage(), { sessionId: "ended" }));
    await store.addMessage(newMessage(textMessage(), { sessionId: "running" }));
    store.endSession("ended", { ...state, endedAt: new Date(), outcome: "quit" });
    await store.addMessage(newMessage(textMessage()));
    await store.addMessage(newMessage(textMessage()));
    expect(store.getSession("ended")).toBeUndefined();
    expect(store.getSession("running")).toBeDefined();
    expect(events).toContainEqual({ type: "session.deleted", ids: ["ended"] });
    await store.close();
  });

  it("prunes messages and ended sessions older than maxAgeMs", async () => {
    let now = Date.UTC(2025, 6, 1);
    const store = openStore({ path: dbPath(), maxAgeMs: 60_000, clock: () => now, parseInWorker: false });
    store.startSession(session("old", new Date(now)));
    store.endSession("old", { ...state, messageCount: 0, endedAt: new Date(now), outcome: "quit" });
    const old = await store.addMessage(newMessage(textMessage(), { receivedAt: new Date(now) }));
    now += 120_000;
    const fresh = await store.addMessage(newMessage(textMessage(), { receivedAt: new Date(now) }));
    expect(store.getMessageSummary(old.id)).toBeUndefined();
    expect(store.getMessageSummary(fresh.id)).toBeDefined();
    expect(store.getSession("old")).toBeUndefined();
    await store.close();
  });

  it("prunes a session whose messages were all pruned while it was in progress, once it ends", async () => {
    const store = openStore({ path: dbPath(), maxMessages: 1, parseInWorker: false });
    const deleted: string[] = [];
    store.subscribe((e) => (e.type === "session.deleted" ? deleted.push(...e.ids) : undefined));
    store.startSession(session("busy"));
    await store.addMessage(newMessage(textMessage(), { sessionId: "busy" }));
    await store.addMessage(newMessage(textMessage()));
    expect(store.getSession("busy")).toBeDefined(); // in progress: kept
    store.endSession("busy", { ...state, endedAt: new Date(), outcome: "quit" });
    expect(store.getSession("busy")).toBeUndefined();
    expect(deleted).toEqual(["busy"]);
    await store.close();
  });

  it("caps sessions that delivered nothing at maxMessages, oldest first", async () => {
    const store = openStore({ path: ":memory:", maxMessages: 2, parseInWorker: false });
    for (const id of ["a", "b", "c"]) {
      store.startSession(session(id));
      store.endSession(id, { ...state, messageCount: 0, endedAt: new Date(), outcome: "rejected" });
    }
    expect(store.listSessions().sessions.map((s) => s.id)).toEqual(["c", "b"]);
    await store.addMessage(newMessage(textMessage()));
    expect(store.stats().sessions).toBe(2);
    await store.close();
  });
});

describe("persistence", () => {
  it("reopens a database with its messages, sessions and counters", async () => {
    const file = dbPath();
    const first = openStore({ path: file, parseInWorker: false });
    first.startSession(session("s"));
    const a = await first.addMessage(newMessage(textMessage({ subject: "persisted" }), { sessionId: "s" }));
    first.updateMessage(a.id, { read: true, tags: ["x"] });
    await first.close();
    const second = openStore({ path: file, parseInWorker: false });
    expect(second.getMessageSummary(a.id)).toMatchObject({ subject: "persisted", read: true, tags: ["x"] });
    expect(second.stats()).toEqual({ total: 1, unread: 0, bytes: a.size, sessions: 1 });
    expect(second.getSession("s")?.messageIds).toEqual([a.id]);
    expect((await second.getMessage(a.id))?.parseState).toBe("parsed");
    await second.close();
  });

  it("finishes at the next open the parses a closed store left pending", async () => {
    const file = dbPath();
    const first = openStore({ path: file, closeTimeoutMs: 0, parseInWorker: false });
    const added = await Promise.all(
      Array.from({ length: 30 }, () => first.addMessage(newMessage(textMessage({ subject: "later" })))),
    );
    await first.close();
    const second = openStore({ path: file, parseInWorker: false });
    for (const s of added) expect((await second.getMessage(s.id))?.parseState).toBe("parsed");
    await second.close();
  });
});
