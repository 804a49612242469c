import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { MailStore } from "@mailpen/store";
import type { FastifyInstance } from "fastify";
import { onTestFinished } from "vitest";
import { buildApp, type AppConfig } from "../src/app.ts";
import { createMemoryStore, type MemoryStore } from "./memory-store.ts";

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

/** An app over a memory store, closed after the test. */
export async function buildTestApp(
  config: Partial<AppConfig> = {},
  store: MemoryStore = createMemoryStore(),
): Promise<{ app: FastifyInstance; store: MemoryStore }> {
  const app = await buildApp({ store, config: { webRoot: "/nonexistent-mailpen-web", ...config } });
  onTestFinished(() => app.close());
  await app.ready();
  return { app, store };
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
