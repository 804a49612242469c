import { createHmac } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { createMemoryStore, testEnvelope } from "../test/memory-store.ts";
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
    const store = createMemoryStore();
    const backend = createStoreBackend(store);
    backend.sessionStarted({
      id: "s1",
      startedAt: new Date(0),
      remoteAddress: "127.0.0.1",
      remotePort: 4000,
      localAddress: "127.0.0.1",
      localPort: 25,
      tls: null,
    });
    backend.transcriptAppended("s1", [{ seq: 1, atMs: 0, dir: "client", text: "EHLO x" }], state);
    await backend.deliver({
      id: "m1",
      sessionId: "s1",
      receivedAt: new Date(5),
      envelope: testEnvelope,
      raw: Buffer.from("x"),
      summary: { bytes: 1, lines: 1, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 },
    });
    backend.sessionEnded({ id: "s1", endedAt: new Date(9), outcome: "quit", ...state });
    expect(store.getRaw("m1")?.toString()).toBe("x");
    expect(store.getSession("s1")).toMatchObject({
      heloName: "client.example",
      outcome: "quit",
      messageIds: ["m1"],
    });
    expect(store.getSession("s1")?.transcript).toHaveLength(1);
  });

  it("logs instead of throwing when a transcript write fails", () => {
    const logger = { error: vi.fn() };
    const backend = createStoreBackend(createMemoryStore(), { logger });
    expect(() => backend.transcriptAppended("unknown", [], state)).not.toThrow();
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it("accepts any credential without a users file, and checks them with one", async () => {
    expect(createStoreBackend(createMemoryStore()).authenticate).toBeUndefined();
    const backend = createStoreBackend(createMemoryStore(), { users: parseUserTable("ann:pw\n") });
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
