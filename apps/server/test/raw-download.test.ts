import http from "node:http";
import type { AddressInfo } from "node:net";
import type { MailStore } from "@mailpen/store";
import { describe, expect, it } from "vitest";
import { buildTestApp, testEnvelope } from "./helper.ts";

/**
 * GET /api/messages/:id/raw over a real socket, for a message the store keeps in chunks (one written
 * while it arrived, as SMTP does): the bytes go out piece by piece as the client reads them.
 */

/** A message of `size` bytes: a header, then numbered lines, so any cut or reordering shows. */
function numberedMessage(size: number): Buffer {
  const head = "Subject: streamed raw\r\nFrom: a@example.test\r\n\r\n";
  const lines: string[] = [];
  let length = head.length;
  for (let n = 0; length < size; n++) {
    const line = `line ${String(n).padStart(9, "0")} ${"x".repeat(60)}\r\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(head + lines.join(""), "latin1");
}

/** Stores `raw` the way the SMTP backend does: written in 64 KiB pieces as it arrives. */
async function storeStreamed(store: MailStore, raw: Buffer): Promise<string> {
  const writer = store.beginMessage();
  for (let at = 0; at < raw.length; at += 65_536) writer.write(raw.subarray(at, at + 65_536));
  let lines = 0;
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) lines++;
  const summary = await writer.end({
    sessionId: null,
    receivedAt: new Date(),
    envelope: testEnvelope,
    contentSummary: { bytes: raw.length, lines, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 },
  });
  return summary.id;
}

function get(port: number, path: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) =>
    http.get({ host: "127.0.0.1", port, path }, resolve).on("error", reject),
  );
}

async function readAll(res: http.IncomingMessage): Promise<{ body: Buffer; error: Error | null }> {
  const pieces: Buffer[] = [];
  try {
    for await (const piece of res) pieces.push(piece as Buffer);
    return { body: Buffer.concat(pieces), error: null };
  } catch (error) {
    return { body: Buffer.concat(pieces), error: error as Error };
  }
}

describe("GET /api/messages/:id/raw of a chunked message", () => {
  it("sends every byte in order, with its length announced", async () => {
    const { app, store } = await buildTestApp();
    const raw = numberedMessage(3 * 1024 * 1024 + 12_345);
    const id = await storeStreamed(store, raw);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;

    const res = await get(port, `/api/messages/${id}/raw`);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-length"]).toBe(String(raw.length));
    expect(res.headers["content-type"]).toBe("message/rfc822");
    const { body, error } = await readAll(res);
    expect(error).toBeNull();
    expect(body.equals(raw)).toBe(true);
  });

  it("breaks off the download, never ends it short as if complete, when the message is deleted meanwhile", async () => {
    const { app, store } = await buildTestApp();
    // Far more than the socket buffers hold, so most chunks are still unread when it goes.
    const raw = numberedMessage(24 * 1024 * 1024);
    const id = await storeStreamed(store, raw);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;

    const res = await get(port, `/api/messages/${id}/raw`);
    expect(res.headers["content-length"]).toBe(String(raw.length));
    res.pause();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const deleted = await app.inject({ method: "DELETE", url: `/api/messages/${id}` });
    expect(deleted.statusCode).toBe(204);
    const { body, error } = await readAll(res);
    expect(error?.message).toMatch(/aborted|closed|reset/i);
    expect(body.length).toBeLessThan(raw.length);
    // What did arrive is the message's beginning, in order.
    expect(body.equals(raw.subarray(0, body.length))).toBe(true);
    // The server goes on serving.
    expect((await app.inject(`/api/messages/${id}/raw`)).statusCode).toBe(404);
  });
});
