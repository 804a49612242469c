import { describe, expect, it } from "vitest";
import type { ApiErrorBody, MessageDetail, MessageListResponse, MessageSummary } from "@mailpen/shared";
import { toSafeContentType } from "../src/routes/messages.ts";
import { addTestMessage, buildTestApp } from "./helper.ts";
import {
  attachmentOnlyMessage,
  htmlMessage,
  PDF_BYTES,
  PNG_BYTES,
  richMessage,
  textMessage,
} from "./message-builder.ts";

const errorOf = (body: string) => (JSON.parse(body) as ApiErrorBody).error;

describe("GET /api/messages", () => {
  it("lists summaries newest first with total, unread and a cursor", async () => {
    const { app, store } = await buildTestApp();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await addTestMessage(store, { subject: `subject ${n}` })).id);
    const first = await app.inject("/api/messages?limit=2");
    expect(first.statusCode).toBe(200);
    const page = first.json<MessageListResponse>();
    expect(page.messages.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    expect(page).toMatchObject({ total: 3, unread: 3, nextCursor: ids[1] });
    expect(page.messages[0]).toMatchObject({
      subject: "subject 3",
      from: { name: "Sender", address: "sender@example.com" },
      envelope: { mailFrom: "sender@example.com" },
      tags: [],
    });
    expect(Object.keys(page.messages[0]!)).toEqual(
      expect.arrayContaining(["envelope", "snippet", "flags", "tags"]),
    );
    const second = await app.inject(`/api/messages?limit=2&cursor=${page.nextCursor}`);
    expect(second.json<MessageListResponse>()).toMatchObject({
      messages: [{ id: ids[0] }],
      nextCursor: null,
    });
  });

  it("filters by query", async () => {
    const { app, store } = await buildTestApp();
    await addTestMessage(store, { subject: "invoice", body: "please pay" });
    const welcome = await addTestMessage(store, { subject: "welcome", to: "new@example.com" });
    const ids = async (query: string) =>
      (await app.inject(`/api/messages?query=${encodeURIComponent(query)}`))
        .json<MessageListResponse>()
        .messages.map((m) => m.id);
    expect(await ids("welcome")).toEqual([welcome.id]);
    expect(await ids("subject:welcome to:new@example.com")).toEqual([welcome.id]);
    expect(await ids("-subject:invoice")).toEqual([welcome.id]);
    expect(await ids("subject:nothing")).toEqual([]);
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
    expect(errorOf(res.body)).toEqual({
      code: "bad_request",
      message: "querystring/query: invalid search: unterminated quote at position 1",
    });
  });
});

describe("GET /api/messages/:id and its bodies", () => {
  it("returns the detail, and 404 for an unknown id", async () => {
    const { app, store } = await buildTestApp();
    const { id } = await addTestMessage(store, { subject: "=?UTF-8?Q?h=C3=A9llo?=" });
    const res = await app.inject(`/api/messages/${id}`);
    expect(res.statusCode).toBe(200);
    const detail = res.json<MessageDetail>();
    expect(detail).toMatchObject({
      id,
      subject: "héllo",
      text: "body\n",
      html: null,
      parseError: null,
      parseState: "parsed",
    });
    // Every header in order; `raw` is the field body as sent, `value` decoded.
    expect(detail.headers.map((h) => h.name)).toEqual([
      "From",
      "To",
      "Subject",
      "Date",
      "MIME-Version",
      "Content-Type",
      "Content-Transfer-Encoding",
    ]);
    expect(detail.headers[2]).toEqual({ name: "Subject", value: "héllo", raw: "=?UTF-8?Q?h=C3=A9llo?=" });

    const missing = await app.inject("/api/messages/nope");
    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing.body)).toEqual({ code: "not_found", message: 'message "nope" not found' });
  });

  it("serves the raw bytes exactly, as message/rfc822, and as an .eml download", async () => {
    const { app, store } = await buildTestApp();
    const raw = Buffer.from("Subject: caf\xe9\r\nX: \x00\r\n\r\nbare\nlf\r\n", "latin1");
    const { id } = await addTestMessage(store, raw);
    const res = await app.inject(`/api/messages/${id}/raw`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("message/rfc822");
    expect(res.rawPayload.equals(raw)).toBe(true);
    const download = await app.inject(`/api/messages/${id}/raw?download=1`);
    expect(download.rawPayload.equals(raw)).toBe(true);
    expect(download.headers["content-disposition"]).toMatch(
      new RegExp(`^attachment; filename="${id}\\.eml"`),
    );
    expect((await app.inject("/api/messages/zz/raw")).statusCode).toBe(404);
    expect((await app.inject(`/api/messages/${id}/raw?download=maybe`)).statusCode).toBe(400);
  });

  it("serves HTML under a CSP that forbids scripts, with cid: references rewritten", async () => {
    const { app, store } = await buildTestApp();
    const { id } = await addTestMessage(
      store,
      richMessage('<p>hi</p><img src="cid:logo@x"><script>alert(1)</script>'),
    );
    const res = await app.inject(`/api/messages/${id}/html`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/sandbox(?! [^;]*allow-scripts)/);
    expect(csp).not.toContain("script-src");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.body).toContain(`<img src="/api/messages/${id}/parts/logo%40x">`);
    const image = await app.inject(`/api/messages/${id}/parts/logo%40x`);
    expect(image.rawPayload.equals(PNG_BYTES)).toBe(true);
  });

  it("404s the HTML and text of a message without them", async () => {
    const { app, store } = await buildTestApp();
    const { id } = await addTestMessage(store, attachmentOnlyMessage());
    expect(await store.getMessage(id)).toMatchObject({ text: null, html: null, attachmentCount: 1 });
    const noHtml = await app.inject(`/api/messages/${id}/html`);
    expect(noHtml.statusCode).toBe(404);
    expect(errorOf(noHtml.body).message).toBe(`HTML body of message "${id}" not found`);
    expect((await app.inject(`/api/messages/${id}/text`)).statusCode).toBe(404);
    const textOnly = await addTestMessage(store, { subject: "text only" });
    expect((await app.inject(`/api/messages/${textOnly.id}/html`)).statusCode).toBe(404);
    expect((await app.inject(`/api/messages/${textOnly.id}/text`)).statusCode).toBe(200);
    const htmlOnly = await addTestMessage(store, htmlMessage("<p>only <b>html</b></p>"));
    const html = await app.inject(`/api/messages/${htmlOnly.id}/html`);
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain("<p>only <b>html</b></p>");
    // No text is derived from the HTML: an HTML-only message has no text body.
    expect((await app.inject(`/api/messages/${htmlOnly.id}/text`)).statusCode).toBe(404);
    expect((await app.inject("/api/messages/zz/html")).statusCode).toBe(404);
    expect((await app.inject("/api/messages/zz/text")).statusCode).toBe(404);
  });

  it("serves the text body as text/plain", async () => {
    const { app, store } = await buildTestApp();
    const { id } = await addTestMessage(store, textMessage({ body: "plain ✓" }));
    const res = await app.inject(`/api/messages/${id}/text`);
    expect(res.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(res.body).toBe("plain ✓\n");
  });

  it("serves parts by part id and by content id, and 404s unknown ones", async () => {
    const { app, store } = await buildTestApp();
    const { id } = await addTestMessage(store, richMessage());
    const detail = await store.getMessage(id);
    const pdfPart = detail?.attachments.find((a) => a.filename === "résumé.pdf");
    expect(pdfPart).toMatchObject({ contentType: "application/pdf", size: PDF_BYTES.length });
    const pdf = await app.inject(`/api/messages/${id}/parts/${encodeURIComponent(pdfPart!.partId)}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.equals(PDF_BYTES)).toBe(true);
    expect(pdf.headers["content-disposition"]).toBe(
      `attachment; filename="r_sum_.pdf"; filename*=UTF-8''${encodeURIComponent("résumé.pdf")}`,
    );
    for (const cid of ["logo%40x", encodeURIComponent("cid:logo@x"), encodeURIComponent("<logo@x>")]) {
      const logo = await app.inject(`/api/messages/${id}/parts/${cid}`);
      expect(logo.statusCode).toBe(200);
      expect(logo.headers["content-type"]).toBe("image/png");
      expect(logo.rawPayload.equals(PNG_BYTES)).toBe(true);
      expect(logo.headers["content-disposition"]).toBe("inline");
    }

    const part = await app.inject(`/api/messages/${id}/parts/9`);
    expect(part.statusCode).toBe(404);
    expect(errorOf(part.body).message).toBe(`part "9" of message "${id}" not found`);
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
    const { id } = await addTestMessage(store);
    const res = await app.inject({
      method: "PATCH",
      url: `/api/messages/${id}`,
      payload: { read: true, tags: ["a"] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<MessageSummary>()).toMatchObject({ id, read: true, tags: ["a"] });
    expect(store.getMessageSummary(id)).toMatchObject({ read: true, tags: ["a"] });
    expect(store.stats().unread).toBe(0);
  });

  it.each([
    [{ read: "perhaps" }, "body/read must be boolean"],
    [{ colour: "red" }, "body/colour is not allowed"],
    [{ tags: [1, {}] }, "body/tags/1 must be string"],
    [{}, "body must NOT have fewer than 1 properties"],
  ])("rejects the body %j with 400 naming the field", async (payload, message) => {
    const { app, store } = await buildTestApp();
    const { id } = await addTestMessage(store);
    const res = await app.inject({ method: "PATCH", url: `/api/messages/${id}`, payload });
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
    const { id } = await addTestMessage(store);
    expect((await app.inject({ method: "DELETE", url: `/api/messages/${id}` })).statusCode).toBe(204);
    expect(store.getMessageSummary(id)).toBeUndefined();
    expect((await app.inject({ method: "DELETE", url: `/api/messages/${id}` })).statusCode).toBe(404);
    expect((await app.inject(`/api/messages/${id}`)).statusCode).toBe(404);
  });

  it("deletes those matching a query, or all", async () => {
    const { app, store } = await buildTestApp();
    const keep = await addTestMessage(store, { subject: "keep" });
    await addTestMessage(store, { subject: "drop" });
    await addTestMessage(store, { subject: "drop" });
    const some = await app.inject({ method: "DELETE", url: "/api/messages?query=subject%3Adrop" });
    expect(some.json()).toEqual({ deleted: 2 });
    expect(store.listMessages().messages.map((m) => m.id)).toEqual([keep.id]);
    const all = await app.inject({ method: "DELETE", url: "/api/messages" });
    expect(all.json()).toEqual({ deleted: 1 });
    expect(store.stats().total).toBe(0);
    const bad = await app.inject({ method: "DELETE", url: "/api/messages?query=%22" });
    expect(bad.statusCode).toBe(400);
    expect(errorOf(bad.body).message).toBe(
      "querystring/query: invalid search: unterminated quote at position 1",
    );
  });
});
