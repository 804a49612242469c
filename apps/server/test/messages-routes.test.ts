import { describe, expect, it } from "vitest";
import type { ApiErrorBody, MessageDetail, MessageListResponse, MessageSummary } from "@mailpen/shared";
import { toSafeContentType } from "../src/routes/messages.ts";
import { buildTestApp } from "./helper.ts";

const errorOf = (body: string) => (JSON.parse(body) as ApiErrorBody).error;

describe("GET /api/messages", () => {
  it("lists summaries newest first with total, unread and a cursor", async () => {
    const { app, store } = await buildTestApp();
    for (const id of ["m1", "m2", "m3"]) store.addDetail({ id, subject: `subject ${id}` });
    const first = await app.inject("/api/messages?limit=2");
    expect(first.statusCode).toBe(200);
    const page = first.json<MessageListResponse>();
    expect(page.messages.map((m) => m.id)).toEqual(["m3", "m2"]);
    expect(page).toMatchObject({ total: 3, unread: 3, nextCursor: "m2" });
    expect(Object.keys(page.messages[0]!)).toEqual(
      expect.arrayContaining(["envelope", "snippet", "flags", "tags"]),
    );
    const second = await app.inject(`/api/messages?limit=2&cursor=${page.nextCursor}`);
    expect(second.json<MessageListResponse>().messages.map((m) => m.id)).toEqual(["m1"]);
  });

  it("filters by query", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1", subject: "invoice" });
    store.addDetail({ id: "m2", subject: "welcome" });
    const res = await app.inject("/api/messages?query=welcome");
    expect(res.json<MessageListResponse>().messages.map((m) => m.id)).toEqual(["m2"]);
  });

  it.each([
    ["limit=0", "querystring/limit must be >= 1"],
    ["limit=1001", "querystring/limit must be <= 1000"],
    ["limit=ten", "querystring/limit must be integer"],
  ])("rejects %s with 400 naming the field", async (qs, message) => {
    const { app } = await buildTestApp();
    const res = await app.inject(`/api/messages?${qs}`);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res.body)).toEqual({ code: "bad_request", message });
  });

  it("rejects a query the store cannot parse with 400 naming query", async () => {
    const { app } = await buildTestApp();
    const res = await app.inject(`/api/messages?query=${encodeURIComponent('"open')}`);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res.body).message).toBe("querystring/query: unbalanced quote");
  });
});

describe("GET /api/messages/:id and its bodies", () => {
  it("returns the detail, and 404 for an unknown id", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1", subject: "hello" });
    const res = await app.inject("/api/messages/m1");
    expect(res.statusCode).toBe(200);
    const detail = res.json<MessageDetail>();
    expect(detail).toMatchObject({
      id: "m1",
      subject: "hello",
      text: "body\n",
      html: null,
      parseError: null,
    });
    expect(detail.headers).toEqual([{ name: "Subject", value: "hello", raw: "Subject: hello" }]);

    const missing = await app.inject("/api/messages/nope");
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing.body)).toEqual({ code: "not_found", message: 'message "nope" not found' });
  });

  it("serves the raw bytes exactly, as message/rfc822, and as an .eml download", async () => {
    const { app, store } = await buildTestApp();
    const raw = Buffer.from("Subject: caf\xe9\r\nX: \x00\r\n\r\nbare\nlf\r\n", "latin1");
    store.addDetail({ id: "m1" }, raw);
    const res = await app.inject("/api/messages/m1/raw");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("message/rfc822");
    expect(res.rawPayload.equals(raw)).toBe(true);
    const download = await app.inject("/api/messages/m1/raw?download=1");
    expect(download.headers["content-disposition"]).toMatch(/^attachment; filename="m1\.eml"/);
    expect((await app.inject("/api/messages/zz/raw")).statusCode).toBe(404);
    expect((await app.inject("/api/messages/m1/raw?download=maybe")).statusCode).toBe(400);
  });

  it("serves HTML under a CSP that forbids scripts, with cid: references rewritten", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1", html: '<p>hi</p><img src="cid:logo@x"><script>alert(1)</script>' });
    const res = await app.inject("/api/messages/m1/html");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/sandbox(?! [^;]*allow-scripts)/);
    expect(csp).not.toContain("script-src");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.body).toContain('<img src="/api/messages/m1/parts/logo%40x">');
  });

  it("404s the HTML and text of a message without them", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1", text: null, html: null });
    expect((await app.inject("/api/messages/m1/html")).statusCode).toBe(404);
    expect((await app.inject("/api/messages/m1/text")).statusCode).toBe(404);
    expect((await app.inject("/api/messages/zz/html")).statusCode).toBe(404);
  });

  it("serves the text body as text/plain", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1", text: "plain ✓\n" });
    const res = await app.inject("/api/messages/m1/text");
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("plain ✓\n");
  });

  it("serves parts by part id and by content id, and 404s unknown ones", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1" });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    store.setParts("m1", {
      "2": { contentType: "application/pdf", filename: "résumé.pdf", content: Buffer.from("%PDF") },
      "cid:logo@x": { contentType: "image/png", filename: null, content: png },
    });
    const pdf = await app.inject("/api/messages/m1/parts/2");
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.headers["content-disposition"]).toBe(
      `attachment; filename="r_sum_.pdf"; filename*=UTF-8''${encodeURIComponent("résumé.pdf")}`,
    );
    const logo = await app.inject("/api/messages/m1/parts/logo%40x");
    expect(logo.statusCode).toBe(200);
    expect(logo.rawPayload.equals(png)).toBe(true);
    expect(logo.headers["content-disposition"]).toBe("inline");

    const part = await app.inject("/api/messages/m1/parts/9");
    expect(part.statusCode).toBe(404);
    expect(errorOf(part.body).message).toContain('part "9"');
    expect(errorOf((await app.inject("/api/messages/zz/parts/2")).body).message).toBe(
      'message "zz" not found',
    );
  });
});

describe("toSafeContentType", () => {
  it("keeps printable type/subtype values and replaces anything else", () => {
    expect(toSafeContentType("text/plain; charset=koi8-r")).toBe("text/plain; charset=koi8-r");
    expect(toSafeContentType("IMAGE/PNG")).toBe("IMAGE/PNG");
    expect(toSafeContentType("text/html\r\nSet-Cookie: x=1")).toBe("application/octet-stream");
    expect(toSafeContentType("nonsense")).toBe("application/octet-stream");
  });
});

describe("PATCH and DELETE /api/messages", () => {
  it("marks read and sets tags", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1" });
    const res = await app.inject({
      method: "PATCH",
      url: "/api/messages/m1",
      payload: { read: true, tags: ["a"] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<MessageSummary>()).toMatchObject({ id: "m1", read: true, tags: ["a"] });
  });

  it.each([
    [{ read: "perhaps" }, "body/read must be boolean"],
    [{ colour: "red" }, "body/colour is not allowed"],
    [{ tags: [1, {}] }, "body/tags/1 must be string"],
    [{}, "body must NOT have fewer than 1 properties"],
  ])("rejects the body %j with 400 naming the field", async (payload, message) => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1" });
    const res = await app.inject({ method: "PATCH", url: "/api/messages/m1", payload });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res.body).message).toBe(message);
  });

  it("404s a patch of an unknown id, and rejects invalid JSON with 400", async () => {
    const { app } = await buildTestApp();
    expect(
      (await app.inject({ method: "PATCH", url: "/api/messages/zz", payload: { read: true } })).statusCode,
    ).toBe(404);
    const bad = await app.inject({
      method: "PATCH",
      url: "/api/messages/zz",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad.body).code).toBe("bad_request");
  });

  it("deletes one message, then 404s it", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1" });
    expect((await app.inject({ method: "DELETE", url: "/api/messages/m1" })).statusCode).toBe(204);
    expect((await app.inject({ method: "DELETE", url: "/api/messages/m1" })).statusCode).toBe(404);
  });

  it("deletes those matching a query, or all", async () => {
    const { app, store } = await buildTestApp();
    store.addDetail({ id: "m1", subject: "keep" });
    store.addDetail({ id: "m2", subject: "drop" });
    store.addDetail({ id: "m3", subject: "drop" });
    const some = await app.inject({ method: "DELETE", url: "/api/messages?query=drop" });
    expect(some.json()).toEqual({ deleted: 2 });
    expect(store.stats().total).toBe(1);
    const all = await app.inject({ method: "DELETE", url: "/api/messages" });
    expect(all.json()).toEqual({ deleted: 1 });
    const bad = await app.inject({ method: "DELETE", url: "/api/messages?query=%22" });
    expect(bad.statusCode).toBe(400);
  });
});
