import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MessageSummary } from "@mailpen/shared";
import { openStore, type MailStore, type NewMessage, type StoreOptions } from "@mailpen/store";
import type { FastifyInstance } from "fastify";
import { onTestFinished } from "vitest";
import { buildApp, type AppConfig } from "../src/app.ts";
import { testEnvelope, textMessage, type TextMessageOptions } from "./message-builder.ts";

export { testEnvelope } from "./message-builder.ts";

/** A temp folder removed after the test. */
export function makeTempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mailpen-server-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fake built web app: index.html and one hashed asset. */
export function makeWebRoot(dir: string): string {
  const root = path.join(dir, "dist");
  mkdirSync(path.join(root, "assets"), { recursive: true });
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>Mailpen inbox</title>");
  writeFileSync(path.join(root, "assets", "index-abc123.js"), "console.log('app')");
  return root;
}

/** Store warnings and errors are expected in some tests; they go nowhere. */
export const silentLogger = { warn: () => undefined, error: () => undefined };

/**
 * The real SQLite store in memory, closed after the test. The deferred parse runs on the main
 * thread (the store's own `parseInWorker: false` path): a worker thread per test would cost a tsx
 * start each; the worker itself is covered by the end-to-end and bundle tests.
 */
export function openTestStore(options: Partial<StoreOptions> = {}): MailStore {
  const store = openMemoryStore(options);
  onTestFinished(() => store.close());
  return store;
}

function openMemoryStore(options: Partial<StoreOptions>): MailStore {
  return openStore({ path: ":memory:", logger: silentLogger, parseInWorker: false, ...options });
}

/** An app over a real in-memory store; the app, then the store, are closed after the test. */
export async function buildTestApp(
  config: Partial<AppConfig> = {},
  storeOptions: Partial<StoreOptions> = {},
): Promise<{ app: FastifyInstance; store: MailStore }> {
  const store = openMemoryStore(storeOptions);
  const app = await buildApp({ store, config: { webRoot: "/nonexistent-mailpen-web", ...config } });
  onTestFinished(async () => {
    await app.close();
    await store.close();
  });
  await app.ready();
  return { app, store };
}

/**
 * Stores a message the way SMTP delivery does (`addMessage` with raw bytes); resolves with the
 * store's summary once committed. `message` is the raw bytes, or the options of a text message.
 */
export function addTestMessage(
  store: MailStore,
  message: Buffer | TextMessageOptions = {},
  fields: Partial<NewMessage> = {},
): Promise<MessageSummary> {
  return store.addMessage({
    sessionId: null,
    receivedAt: new Date(),
    envelope: testEnvelope,
    raw: Buffer.isBuffer(message) ? message : textMessage(message),
    ...fields,
  });
}

/** Resolves at the next `store.subscribe` call: the moment a long-poll or websocket starts listening. */
export function nextSubscription(store: MailStore): Promise<void> {
  const original = store.subscribe;
  return new Promise<void>((resolve) => {
    store.subscribe = (listener) => {
      store.subscribe = original;
      resolve();
      return original.call(store, listener);
    };
  });
}
