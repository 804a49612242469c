import { describe, expect, it } from "vitest";
import { openStore } from "@mailpen/store";
import { buildApp } from "../src/app.ts";
import { parseUserTable } from "../src/auth-file.ts";
import { addTestMessage, buildTestApp, makeTempDir, makeWebRoot } from "./helper.ts";

describe("status routes", () => {
  it("reports stats", async () => {
    const { app, store } = await buildTestApp();
    const raw = Buffer.from("Subject: counted\r\n\r\nbody\r\n");
    await addTestMessage(store, raw);
    const read = await addTestMessage(store, { subject: "read" });
    store.updateMessage(read.id, { read: true });
    const res = await app.inject("/api/stats");
    expect(res.json()).toEqual({ total: 2, unread: 1, bytes: raw.length + read.size, sessions: 0 });
  });

  it("is healthy only when SMTP and HTTP listen", async () => {
    let smtp = false;
    const { app } = await buildTestApp({ listening: { smtp: () => smtp, http: () => true } });
    const starting = await app.inject("/api/health");
    expect(starting.statusCode).toBe(503);
    expect(starting.json()).toMatchObject({ status: "starting", smtp: false, http: true });
    smtp = true;
    const ready = await app.inject("/api/health");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: "ok", smtp: true, http: true });
  });

  it("404s unknown API paths with the error body", async () => {
    const { app } = await buildTestApp();
    const res = await app.inject("/api/nothing");
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: "not_found", message: "no route GET /api/nothing" } });
    expect((await app.inject({ method: "POST", url: "/inbox" })).statusCode).toBe(404);
  });

  it("answers what the router rejects before any route with the same error body", async () => {
    const { app } = await buildTestApp();
    const long = await app.inject(`/api/messages/${"a".repeat(101)}`);
    expect(long.statusCode).toBe(414);
    expect(long.json()).toEqual({
      error: { code: "uri_too_long", message: "a path parameter is longer than 100 characters" },
    });
    const malformed = await app.inject("/api/sessions/%E0%A4%A");
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({
      error: { code: "bad_request", message: "the URL's percent-encoding is malformed" },
    });
  });
});

describe("OpenAPI", () => {
  it("documents every API route from the route schemas", async () => {
    const { app } = await buildTestApp();
    const res = await app.inject("/api/openapi.json");
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/messages",
        "/api/messages/{id}",
        "/api/messages/{id}/raw",
        "/api/messages/{id}/html",
        "/api/messages/{id}/text",
        "/api/messages/{id}/parts/{partId}",
        "/api/sessions",
        "/api/sessions/{id}",
        "/api/sessions/{id}/transcript",
        "/api/wait",
        "/api/stats",
        "/api/health",
      ]),
    );
    expect(Object.keys(doc.paths["/api/messages/{id}"]!).sort()).toEqual(["delete", "get", "patch"]);
  });

  it("serves a docs page", async () => {
    const { app } = await buildTestApp();
    const res = await app.inject("/api/docs/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
  });

  it("loads the docs on first use, with the whole API document, and answers unknown docs paths with our 404", async () => {
    const { app } = await buildTestApp();
    const json = await app.inject("/api/docs/json");
    expect(json.statusCode).toBe(200);
    expect(Object.keys((json.json() as { paths: object }).paths)).toContain("/api/messages/{id}");
    const asset = await app.inject("/api/docs/static/index.css");
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toMatch(/^text\/css/);
    const missing = await app.inject("/api/docs/no-such-file");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: "not_found" } });
  });
});

describe("static web app", () => {
  it("serves index.html without caching and hashed assets for a year", async () => {
    const { app } = await buildTestApp({ webRoot: makeWebRoot(makeTempDir()) });
    const index = await app.inject("/");
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain("Mailpen inbox");
    expect(index.headers["cache-control"]).toBe("no-cache");
    const asset = await app.inject("/assets/index-abc123.js");
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await app.inject("/assets/missing-123.js")).statusCode).toBe(404);
  });

  it("falls back to index.html for client routes outside /api", async () => {
    const { app } = await buildTestApp({ webRoot: makeWebRoot(makeTempDir()) });
    const res = await app.inject("/messages/m1");
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Mailpen inbox");
    expect(res.headers["cache-control"]).toBe("no-cache");
  });

  it("says to run pnpm build when the web app is not built", async () => {
    const { app } = await buildTestApp({ webRoot: "/nonexistent" });
    for (const url of ["/", "/messages/m1"]) {
      const res = await app.inject(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain("pnpm build");
    }
  });
});

describe("headers and access", () => {
  it("sends no CORS headers by default", async () => {
    const { app } = await buildTestApp();
    const res = await app.inject({ url: "/api/stats", headers: { origin: "http://evil.example" } });
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows configured origins only, and answers preflights", async () => {
    const { app } = await buildTestApp({ corsOrigins: ["http://app.example"] });
    const ok = await app.inject({ url: "/api/stats", headers: { origin: "http://app.example" } });
    expect(ok.headers["access-control-allow-origin"]).toBe("http://app.example");
    const other = await app.inject({ url: "/api/stats", headers: { origin: "http://evil.example" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await app.inject({
      method: "OPTIONS",
      url: "/api/messages/m1",
      headers: { origin: "http://app.example", "access-control-request-method": "PATCH" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers["access-control-allow-methods"]).toContain("PATCH");
  });

  it("requires basic auth for UI and API when users are configured, except /api/health", async () => {
    const { app } = await buildTestApp({ uiUsers: parseUserTable("# users\nalice:s3cr:et\n") });
    const anonymous = await app.inject("/api/messages");
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers["www-authenticate"]).toMatch(/^Basic realm="mailpen"/);
    expect(anonymous.json()).toEqual({ error: { code: "unauthorized", message: "authentication required" } });
    const basic = (cred: string) => ({ authorization: `Basic ${Buffer.from(cred).toString("base64")}` });
    expect((await app.inject({ url: "/api/messages", headers: basic("alice:wrong") })).statusCode).toBe(401);
    expect((await app.inject({ url: "/api/messages", headers: basic("alice:s3cr:et") })).statusCode).toBe(
      200,
    );
    expect((await app.inject({ url: "/", headers: basic("bob:s3cr:et") })).statusCode).toBe(401);
    expect((await app.inject("/api/health")).statusCode).toBe(200);
  });

  it("requires basic auth for the websocket too", async () => {
    const { app } = await buildTestApp({ uiUsers: parseUserTable("alice:pw\n") });
    await expect(app.injectWS("/api/ws")).rejects.toThrow(/401/);
    const authorization = `Basic ${Buffer.from("alice:pw").toString("base64")}`;
    const ws = await app.injectWS("/api/ws", { headers: { authorization } });
    ws.terminate();
  });
});

describe("server errors", () => {
  it("answers a search the store rejects with a 400, also from a route that did not check it", async () => {
    const store = openStore({ path: ":memory:", parseInWorker: false });
    const app = await buildApp({ store, config: { webRoot: "/nonexistent-mailpen-web" } });
    app.get("/api/unchecked-search", async () => store.listMessages({ query: '"open' }));
    try {
      const res = await app.inject("/api/unchecked-search");
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: { code: "bad_request", message: "query: invalid search: unterminated quote at position 1" },
      });
    } finally {
      await app.close();
      await store.close();
    }
  });

  it("hides the details of a 500", async () => {
    // A store closed under the app (as at a stop) throws "mail store is closed" on every read.
    const { app, store } = await buildTestApp();
    await store.close();
    expect(() => store.listMessages()).toThrow("mail store is closed");
    const res = await app.inject("/api/messages");
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: "internal_error", message: "internal server error" } });
  });
});
