import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "@mailpen/store";
import type { MessageDetail, MessageListResponse, SessionDetail } from "@mailpen/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.ts";
import { testEnvelope } from "./message-builder.ts";

/**
 * The routes over the real SQLite store with every real-world fixture: the response schemas must
 * serialize whatever the store returns (a mismatch would be a 500), and bodies, parts and raw bytes
 * must come back for every message.
 */
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const fixtureDir = path.resolve(repoRoot, "fixtures/eml");
const fixtures = readdirSync(fixtureDir).filter((name) => name.endsWith(".eml"));

const store = openStore({ path: ":memory:", logger: { warn: () => undefined, error: () => undefined } });
let app: FastifyInstance;
const ids = new Map<string, string>();

beforeAll(async () => {
  app = await buildApp({ store, config: { webRoot: "/nonexistent" } });
  store.startSession({
    id: "S1",
    startedAt: new Date(),
    remoteAddress: "127.0.0.1",
    remotePort: 40000,
    localAddress: "127.0.0.1",
    localPort: 1025,
    tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", mode: "starttls" },
  });
  for (const name of fixtures) {
    const raw = readFileSync(path.join(fixtureDir, name));
    const summary = await store.addMessage({
      sessionId: "S1",
      receivedAt: new Date(),
      envelope: testEnvelope,
      raw,
    });
    ids.set(name, summary.id);
  }
});
afterAll(async () => {
  await app?.close();
  await store.close();
});

describe("routes over the real store", () => {
  it("lists every fixture", async () => {
    const res = await app.inject("/api/messages?limit=1000");
    expect(res.statusCode).toBe(200);
    expect(res.json<MessageListResponse>().total).toBe(fixtures.length);
  });

  it.each(fixtures)("serves %s: detail, raw bytes, bodies and parts", async (name) => {
    const id = ids.get(name)!;
    const detail = await app.inject(`/api/messages/${id}`);
    expect(detail.statusCode).toBe(200);
    const message = detail.json<MessageDetail>();
    const raw = await app.inject(`/api/messages/${id}/raw`);
    expect(raw.rawPayload.equals(readFileSync(path.join(fixtureDir, name)))).toBe(true);
    expect((await app.inject(`/api/messages/${id}/html`)).statusCode).toBe(message.html === null ? 404 : 200);
    expect((await app.inject(`/api/messages/${id}/text`)).statusCode).toBe(message.text === null ? 404 : 200);
    for (const part of message.attachments) {
      const res = await app.inject(`/api/messages/${id}/parts/${encodeURIComponent(part.partId)}`);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.length).toBe(part.size);
    }
  });

  it("serves the session with its TLS details", async () => {
    const res = await app.inject("/api/sessions/S1");
    expect(res.statusCode).toBe(200);
    expect(res.json<SessionDetail>()).toMatchObject({
      tls: { mode: "starttls" },
      messageIds: expect.any(Array),
    });
  });

  it("rejects a query the real search syntax refuses, naming the field", async () => {
    const res = await app.inject(`/api/messages?query=${encodeURIComponent('subject:"unclosed')}`);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/^querystring\/query: /);
  });
});
