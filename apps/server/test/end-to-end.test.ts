import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import nodemailer from "nodemailer";
import type { MessageDetail, MessageSummary, SessionDetail, WaitResponse } from "@mailpen/shared";
import { startMailpen, type RunningMailpen } from "../src/index.ts";
import { nextSubscription } from "./helper.ts";
import { connectWs } from "./ws-client.ts";

/**
 * Mailpen over real ports: nodemailer sends to the SMTP port, the HTTP API and websocket show it.
 * One Mailpen for the file (startup is the slow part); every test uses its own subject.
 */
let mailpen: RunningMailpen;

beforeAll(async () => {
  mailpen = await startMailpen({ smtpPort: 0, httpPort: 0, db: ":memory:", logLevel: "silent" });
});
afterAll(() => mailpen?.close());

const api = (path: string) => `${mailpen.url}${path.replace(/^\//, "")}`;
const getJson = async <T>(path: string): Promise<T> => (await fetch(api(path))).json() as Promise<T>;

function transport() {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: mailpen.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
}

/** The one message a search finds (there must be exactly one). */
async function onlyMatch(query: string): Promise<MessageSummary> {
  const list = await getJson<{ messages: MessageSummary[] }>(
    `/api/messages?query=${encodeURIComponent(query)}`,
  );
  expect(list.messages).toHaveLength(1);
  return list.messages[0]!;
}

/** Sends `raw` as it is with nodemailer (dot-stuffed on the wire), then reads it back from /raw. */
async function sendRawAndDownload(raw: Buffer, query: string) {
  const t = transport();
  await t.sendMail({ envelope: { from: "a@example.com", to: ["b@example.com"] }, raw });
  t.close();
  const summary = await onlyMatch(query);
  const res = await fetch(api(`/api/messages/${summary.id}/raw`));
  return { summary, res, received: Buffer.from(await res.arrayBuffer()) };
}

/** Sends each message with nodemailer, then finds it by its subject (unique) and reads its detail. */
async function sendAndRead<M extends { subject: string }>(sent: M[]) {
  const t = transport();
  for (const m of sent)
    await t.sendMail({ from: "App <app@example.com>", to: "Ann <ann@example.com>", ...m });
  t.close();
  const read: { sent: M; summary: MessageSummary; detail: MessageDetail }[] = [];
  for (const m of sent) {
    const summary = await onlyMatch(`subject:"${m.subject}"`);
    read.push({ sent: m, summary, detail: await getJson<MessageDetail>(`/api/messages/${summary.id}`) });
  }
  return read;
}

describe("mailpen end to end", () => {
  it("shows nodemailer's text, HTML, and text-with-HTML messages exactly as sent", async () => {
    const text = "Hello Ann,\n\nyour code is 1234.\nCafé, 10 € off";
    const html = '<p style="color:red">Hello Ann,</p>\n<p>your code is <b>1234</b>. Café, 10 € off</p>';
    // A single part ends with the message's last line break (mailparser keeps it); in a multipart
    // the line break before a boundary belongs to the boundary.
    const sent = [
      { subject: "e2e text only", text, expected: { text: `${text}\n`, html: null } },
      { subject: "e2e html only", html, expected: { text: null, html: `${html}\n` } },
      { subject: "e2e text and html", text, html, expected: { text, html } },
    ];
    for (const { sent: m, detail } of await sendAndRead(sent)) {
      expect(detail).toMatchObject({
        parseState: "parsed",
        subject: m.subject,
        from: { name: "App", address: "app@example.com" },
        to: [{ name: "Ann", address: "ann@example.com" }],
        ...m.expected,
        attachments: [],
      });
    }
  });

  it("shows large text and text-with-HTML messages exactly as sent (parsed in the worker)", async () => {
    // Over 64 KiB the fast parse runs in the parse worker, before mailparser; nodemailer sends these
    // lines quoted-printable (non-ASCII) and the long HTML line with soft breaks.
    const line = (i: number) => `Line ${i}: Café, 10 € off, order #${i} shipped today.`;
    const text = Array.from({ length: 60_000 }, (_, i) => line(i)).join("\n");
    const html = `<p>${Array.from({ length: 5_000 }, (_, i) => line(i)).join(" ")}</p>`;
    const sent = [
      { subject: "e2e big plain", text, expected: { text: `${text}\n`, html: null } },
      { subject: "e2e big alternative", text, html, expected: { text, html } },
    ];
    for (const { sent: m, summary, detail } of await sendAndRead(sent)) {
      expect(summary.size).toBeGreaterThan(64 * 1024);
      expect(detail.parseState).toBe("parsed");
      // The detail waits for the parse. Compared as strings: a diff of 3 MB would be unreadable.
      expect(detail.text === m.expected.text).toBe(true);
      expect(detail.html === m.expected.html).toBe(true);
      expect(detail.snippet.startsWith("Line 0: Café, 10 € off")).toBe(true);
    }
  }, 60_000);

  it("keeps a 2 MB message byte-exact, written to the store in chunks while it arrived", async () => {
    // Lines starting with a dot are dot-stuffed on the wire and unstuffed by Mailpen; 8-bit octets
    // and a chunk boundary (256 KiB) in the middle of a line must all come back as sent.
    const lines = Array.from({ length: 40_000 }, (_, i) =>
      i % 7 === 0 ? `.dot line ${i} caf\u00e9` : `line ${i} of a large message, 50 bytes long`,
    );
    const raw = Buffer.from(
      `From: app@example.com\r\nTo: ann@example.com\r\nSubject: e2e spooled raw\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\n\r\n${lines.join("\r\n")}\r\n`,
    );
    expect(raw.length).toBeGreaterThan(1024 * 1024);
    const { summary, received: downloaded } = await sendRawAndDownload(raw, 'subject:"e2e spooled raw"');
    expect(downloaded.length).toBe(raw.length);
    expect(downloaded.equals(raw)).toBe(true);
    const detail = await getJson<MessageDetail>(`/api/messages/${summary.id}`);
    expect(detail.text === `${lines.join("\n")}\n`).toBe(true);
  }, 60_000);

  it("keeps a 600 KB message sent in BDAT chunks byte-exact", async () => {
    const line = (i: number) => `chunked line ${i} with .dots. and "quotes"\r\n`;
    const parts = [0, 1, 2].map(
      (p) =>
        (p === 0 ? "Subject: e2e bdat spooled\r\n\r\n" : "") +
        Array.from({ length: 5000 }, (_, i) => line(p * 5000 + i)).join(""),
    );
    // Each BDAT command and its chunk in one write (speakSmtp adds the chunk's last CRLF).
    const replies = await speakSmtp(mailpen.smtpPort, [
      "EHLO bdat.example",
      "MAIL FROM:<a@example.com> BODY=8BITMIME",
      "RCPT TO:<b@example.com>",
      ...parts.map((part) => `BDAT ${part.length}\r\n${part.slice(0, -2)}`),
      "BDAT 0 LAST",
      "QUIT",
    ]);
    expect(replies.slice(4, 7).every((r) => r.startsWith("250 "))).toBe(true);
    expect(replies.at(-2)).toMatch(/^250 /);
    const { id } = await onlyMatch('subject:"e2e bdat spooled"');
    const raw = Buffer.from(await (await fetch(api(`/api/messages/${id}/raw`))).arrayBuffer());
    expect(raw.length).toBeGreaterThan(512 * 1024);
    expect(raw.equals(Buffer.from(parts.join(""), "latin1"))).toBe(true);
  });

  it("reports healthy once both listeners are up", async () => {
    const res = await fetch(api("/api/health"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", smtp: true, http: true });
  });

  it("pushes message.created over the websocket when nodemailer sends", async () => {
    const ws = await connectWs(api("/api/ws").replace(/^http/, "ws"));
    try {
      const hello = await ws.next((m) => m.type === "hello");
      expect(hello).toMatchObject({ type: "hello", stats: { total: expect.any(Number) } });
      const t = transport();
      await t.sendMail({
        from: "app@example.com",
        to: "user@example.com",
        subject: "pushed over ws",
        text: "hi",
      });
      t.close();
      const created = await ws.next(
        (m): m is Extract<typeof m, { type: "message.created" }> =>
          m.type === "message.created" && m.message.subject === "pushed over ws",
      );
      expect(created.message).toMatchObject({
        from: { address: "app@example.com" },
        envelope: { mailFrom: "app@example.com", rcptTo: [{ address: "user@example.com" }] },
      });
    } finally {
      await ws.close();
    }
  });

  it("returns the exact bytes sent from /raw", async () => {
    const built = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail({
      from: "a@example.com",
      to: "b@example.com",
      subject: "exact bytes",
      text: "line one\r\n.leading dot\r\nünïcödé",
    });
    const raw = built.message as Buffer;
    const { summary, res, received } = await sendRawAndDownload(raw, '"exact bytes"');
    expect(res.headers.get("content-type")).toBe("message/rfc822");
    // nodemailer ends the content with CRLF before the terminating dot; that CRLF belongs to the message.
    const expected =
      raw.subarray(raw.length - 2).toString() === "\r\n" ? raw : Buffer.concat([raw, Buffer.from("\r\n")]);
    expect(received.equals(expected)).toBe(true);
    const detail = await getJson<MessageDetail>(`/api/messages/${summary.id}`);
    expect(detail.text).toContain(".leading dot");
  });

  it("answers /api/wait with a message sent after the call, and 408 when none comes", async () => {
    // Send only once the wait has subscribed to the store, so the message surely arrives after the call.
    const subscribed = nextSubscription(mailpen.store);
    const waiting = fetch(api("/api/wait?timeout=20&query=waited"));
    await subscribed;
    const t = transport();
    await t.sendMail({ from: "a@example.com", to: "b@example.com", subject: "waited for", text: "x" });
    t.close();
    const res = await waiting;
    expect(res.status).toBe(200);
    const body = (await res.json()) as WaitResponse;
    expect(body.messages.map((m) => m.subject)).toEqual(["waited for"]);

    const timedOut = await fetch(api("/api/wait?timeout=0.2&query=nothing-like-this"));
    expect(timedOut.status).toBe(408);
    expect(await timedOut.json()).toEqual({ messages: [], timedOut: true });
  });

  it("records every command of the session in the transcript", async () => {
    // nodemailer never says QUIT on a plain transport, so a raw client speaks the whole session.
    const commands = [
      "EHLO client.test",
      "NOOP",
      "MAIL FROM:<a@example.com>",
      "RCPT TO:<b@example.com>",
      "RSET",
    ];
    commands.push("MAIL FROM:<a@example.com>", "RCPT TO:<c@example.com>", "DATA");
    const replies = await speakSmtp(mailpen.smtpPort, [
      ...commands,
      "Subject: transcribed\r\n\r\nhello\r\n.",
      "QUIT",
    ]);
    expect(replies.at(-2)).toMatch(/^250 /);
    const list = await getJson<{ messages: MessageSummary[] }>("/api/messages?query=transcribed");
    const sessionId = list.messages[0]!.sessionId!;
    let session = await getJson<SessionDetail>(`/api/sessions/${sessionId}`);
    for (let i = 0; i < 100 && session.endedAt === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      session = await getJson<SessionDetail>(`/api/sessions/${sessionId}`);
    }
    expect(session).toMatchObject({ outcome: "quit", messageIds: [list.messages[0]!.id] });
    const text = await (await fetch(api(`/api/sessions/${sessionId}/transcript`))).text();
    const clientLines = text
      .split("\n")
      .filter((line) => / C: /.test(line))
      .map((line) => line.replace(/^\s*\+\d+ms C: /, ""));
    expect(clientLines).toEqual([...commands, expect.stringMatching(/^<DATA content: \d+ octets>$/), "QUIT"]);
    expect(text).toMatch(/ S: 220 /);
    expect(text).toMatch(/ S: 221 /);
  });
});

/** Send each line after the previous reply (the greeting first); resolves with the last line of every reply. */
async function speakSmtp(port: number, lines: string[]): Promise<string[]> {
  const socket = net.connect(port, "127.0.0.1");
  const replies: string[] = [];
  let buffer = "";
  let wake: (() => void) | undefined;
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    wake?.();
  });
  const nextReply = async (): Promise<string> => {
    for (;;) {
      const match = /^(\d{3}) .*\r\n/m.exec(buffer);
      if (match) {
        buffer = buffer.slice(match.index + match[0].length);
        return match[0].trimEnd();
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  replies.push(await nextReply());
  for (const line of lines) {
    socket.write(`${line}\r\n`);
    replies.push(await nextReply());
  }
  socket.end();
  return replies;
}

describe("mailpen end to end: HTML, inline images and attachments", () => {
  it("serves the HTML sandboxed with cid: images pointing at their parts", async () => {
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64",
    );
    const t = transport();
    await t.sendMail({
      from: "a@example.com",
      to: "b@example.com",
      subject: "html with parts",
      html: '<p>logo <img src="cid:logo@mailpen.test"></p><script>alert(1)</script>',
      attachments: [
        { filename: "logo.png", content: png, cid: "logo@mailpen.test" },
        { filename: "report.csv", content: "a,b\n1,2\n", contentType: "text/csv" },
      ],
    });
    t.close();
    const [summary] = (await getJson<{ messages: MessageSummary[] }>('/api/messages?query="html with parts"'))
      .messages;
    const detail = await getJson<MessageDetail>(`/api/messages/${summary!.id}`);
    const csv = detail.attachments.find((a) => a.filename === "report.csv");
    expect(csv).toMatchObject({
      disposition: "attachment",
      contentType: expect.stringMatching(/^text\/csv/),
    });

    const html = await fetch(api(`/api/messages/${summary!.id}/html`));
    expect(html.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await html.text();
    const src = /<img src="([^"]+)"/.exec(body)?.[1];
    expect(src).toBe(`/api/messages/${summary!.id}/parts/logo%40mailpen.test`);
    const image = await fetch(api(src!));
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);

    const attachment = await fetch(
      api(`/api/messages/${summary!.id}/parts/${encodeURIComponent(csv!.partId)}`),
    );
    expect(attachment.headers.get("content-disposition")).toMatch(/^attachment; filename="report\.csv"/);
    expect(await attachment.text()).toBe("a,b\n1,2\n");
  });
});
