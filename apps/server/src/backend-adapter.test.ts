import { createHmac } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { createIdGenerator } from "@mailpen/store";
import { openTestStore, testEnvelope } from "../test/helper.ts";
import { parseUserTable } from "./auth-file.ts";
import { createStoreBackend } from "./backend-adapter.ts";

const state = {
  heloName: "client.example",
  tls: null,
  authMechanism: null,
  authUser: null,
  messageCount: 1,
  errorCount: 0,
  warnings: [],
};

describe("createStoreBackend", () => {
  it("records a session, its transcript and its message in the store", async () => {
    const store = openTestStore();
    const backend = createStoreBackend(store);
    const newId = createIdGenerator();
    const sessionId = newId();
    const messageId = newId();
    backend.sessionStarted({
      id: sessionId,
      startedAt: new Date(0),
      remoteAddress: "127.0.0.1",
      remotePort: 4000,
      localAddress: "127.0.0.1",
      localPort: 25,
      tls: null,
    });
    backend.transcriptAppended(sessionId, [{ seq: 1, atMs: 0, dir: "client", text: "EHLO x" }], state);
    // One bare LF, described by the engine's counts: the store takes the flags from them.
    const raw = Buffer.from("Subject: x\r\n\r\nbare\nlf\r\n");
    await backend.deliver({
      id: messageId,
      sessionId,
      receivedAt: new Date(5),
      envelope: testEnvelope,
      raw,
      summary: { bytes: raw.length, lines: 3, bareLf: 1, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 },
    });
    backend.sessionEnded({ id: sessionId, endedAt: new Date(9), outcome: "quit", ...state });
    expect(store.getRaw(messageId)?.equals(raw)).toBe(true);
    expect(store.getMessageSummary(messageId)).toMatchObject({
      sessionId,
      subject: "x",
      receivedAt: new Date(5).toISOString(),
      envelope: testEnvelope,
      flags: expect.arrayContaining(["bare-lf"]),
    });
    expect(store.getSession(sessionId)).toMatchObject({
      heloName: "client.example",
      outcome: "quit",
      endedAt: new Date(9).toISOString(),
      messageIds: [messageId],
    });
    expect(store.getSession(sessionId)?.transcript).toEqual([
      { seq: 1, atMs: 0, dir: "client", text: "EHLO x" },
    ]);
  });

  it("frees a large delivered message's memory once it is stored, and stores it intact", async () => {
    const store = openTestStore();
    const backend = createStoreBackend(store);
    const messageId = createIdGenerator()();
    const body = "line of a large message\r\n".repeat(40_000); // 1 MB
    const raw = Buffer.from(`Subject: large\r\n\r\n${body}`);
    const copy = Buffer.from(raw);
    const summary = {
      bytes: raw.length,
      lines: 40_001,
      bareLf: 0,
      bareCr: 0,
      eightBit: 0,
      longLines: 0,
      nul: 0,
    };
    await backend.deliver({
      id: messageId,
      sessionId: "no-such-session",
      receivedAt: new Date(5),
      envelope: testEnvelope,
      raw,
      summary,
    });
    // The engine never uses a delivered raw again: the adapter releases it (detached, length 0).
    expect(raw.length).toBe(0);
    expect(store.getRaw(messageId)?.equals(copy)).toBe(true);
    expect((await store.getMessage(messageId))?.text).toBe(body.replace(/\r\n/g, "\n"));
  });

  it("streams content into the store as it arrives: byte-exact in any pieces, nothing kept on abort", async () => {
    const store = openTestStore();
    const backend = createStoreBackend(store);
    const newId = createIdGenerator();
    const body = "a line of a message streamed in pieces\r\n".repeat(30_000); // 1.2 MB: spooled
    const raw = Buffer.from(`Subject: streamed\r\n\r\n${body}`);
    const summary = {
      bytes: raw.length,
      lines: 30_001,
      bareLf: 0,
      bareCr: 0,
      eightBit: 0,
      longLines: 0,
      nul: 0,
    };
    const info = (id: string, size?: number) => ({
      id,
      sessionId: "s",
      receivedAt: new Date(5),
      envelope: size === undefined ? testEnvelope : { ...testEnvelope, mailParams: { SIZE: String(size) } },
    });
    const stream = async (id: string, piece: number, size?: number) => {
      const sink = backend.openContent?.(info(id, size));
      if (!sink) throw new Error("the store backend streams content");
      // The engine hands out views of its read buffer, reused for the next read.
      const scratch = Buffer.alloc(piece);
      for (let at = 0; at < raw.length; at += piece) {
        const n = raw.copy(scratch, 0, at, at + piece);
        await sink.write(scratch.subarray(0, n));
        scratch.fill(0);
      }
      return sink;
    };
    const big = newId();
    await (await stream(big, 65_536)).end(summary);
    const hinted = newId();
    await (await stream(hinted, 1_000, raw.length)).end(summary);
    for (const id of [big, hinted]) {
      expect(store.getRaw(id)?.equals(raw)).toBe(true);
      expect(store.getMessageSummary(id)).toMatchObject({ subject: "streamed", size: raw.length });
    }
    (await stream(newId(), 65_536)).abort("client gone");
    expect(store.stats().total).toBe(2);
    expect((await store.getMessage(big))?.text).toBe(body.replace(/\r\n/g, "\n"));
  });

  it("logs instead of throwing when a transcript write fails", async () => {
    // The store throws on every write once closed (a session still open while Mailpen stops).
    const store = openTestStore();
    await store.close();
    expect(() => store.appendTranscript("s", [], state)).toThrow("mail store is closed");
    const logger = { error: vi.fn() };
    const backend = createStoreBackend(store, { logger });
    expect(() => backend.transcriptAppended("s", [], state)).not.toThrow();
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it("accepts any credential without a users file, and checks them with one", async () => {
    const store = openTestStore();
    expect(createStoreBackend(store).authenticate).toBeUndefined();
    const backend = createStoreBackend(store, { users: parseUserTable("ann:pw\n") });
    expect(await backend.authenticate?.({ mechanism: "PLAIN", username: "ann", password: "pw" })).toBe(true);
    expect(await backend.authenticate?.({ mechanism: "LOGIN", username: "ann", password: "no" })).toBe(false);
    expect(await backend.authenticate?.({ mechanism: "PLAIN", username: "bob", password: "pw" })).toBe(false);
    const challenge = "<1.2@mailpen>";
    const digest = createHmac("md5", "pw").update(challenge).digest("hex");
    const verifyCramMd5 = (password: string) =>
      createHmac("md5", password).update(challenge).digest("hex") === digest;
    expect(await backend.authenticate?.({ mechanism: "CRAM-MD5", username: "ann", verifyCramMd5 })).toBe(
      true,
    );
  });
});
