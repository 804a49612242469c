import { writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import nodemailer from "nodemailer";
import { describe, expect, it, onTestFinished } from "vitest";
import type { MessageListResponse, SessionDetail } from "@mailpen/shared";
import { startMailpen } from "../src/index.ts";
import { makeTempDir } from "./helper.ts";

/** The SMTP flags reach the SMTP server: TLS ports, AUTH users, and the README's test-suite example. */

async function start(options: Parameters<typeof startMailpen>[0]) {
  const mailpen = await startMailpen({
    smtpPort: 0,
    httpPort: 0,
    db: ":memory:",
    logLevel: "silent",
    ...options,
  });
  onTestFinished(() => mailpen.close());
  return mailpen;
}

/** A raw SMTP connection: what it received so far, and a wait for a pattern in it. Destroyed after the test. */
function rawConnection(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  onTestFinished(() => void socket.destroy());
  const conn = {
    socket,
    received: "",
    async waitFor(pattern: RegExp) {
      while (!pattern.test(conn.received)) await new Promise((resolve) => socket.once("data", resolve));
    },
  };
  socket.on("data", (chunk: Buffer) => (conn.received += chunk.toString("latin1")));
  return conn;
}

describe("SMTP options through startMailpen", () => {
  it("offers implicit TLS and STARTTLS with a self-signed certificate", async () => {
    const mailpen = await start({ smtpTlsPort: 0, tlsSelfSigned: true });
    expect(mailpen.smtpTlsPort).toBeGreaterThan(0);
    const smtps = nodemailer.createTransport({
      host: "127.0.0.1",
      port: mailpen.smtpTlsPort,
      secure: true,
      tls: { rejectUnauthorized: false },
    });
    await smtps.sendMail({ from: "a@example.com", to: "b@example.com", subject: "over smtps", text: "x" });
    smtps.close();
    const starttls = nodemailer.createTransport({
      host: "127.0.0.1",
      port: mailpen.smtpPort,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
    await starttls.sendMail({
      from: "a@example.com",
      to: "b@example.com",
      subject: "over starttls",
      text: "x",
    });
    starttls.close();
    const list = mailpen.store.listMessages();
    expect(list.messages.map((m) => [m.subject, m.envelope.tls])).toEqual([
      ["over starttls", true],
      ["over smtps", true],
    ]);
    const response = await fetch(`${mailpen.url}api/sessions/${list.messages[1]!.sessionId}`);
    const session = (await response.json()) as SessionDetail;
    expect(session.tls).toMatchObject({ mode: "implicit", protocol: expect.stringMatching(/^TLS/) });
  });

  it("checks AUTH against the users file and requires it when asked", async () => {
    const dir = makeTempDir();
    const users = path.join(dir, "users");
    writeFileSync(users, "app:s3cret\n");
    const mailpen = await start({ smtpAuthFile: users, smtpAuthRequired: true });
    const send = (auth?: { user: string; pass: string }) =>
      nodemailer
        .createTransport({ host: "127.0.0.1", port: mailpen.smtpPort, ignoreTLS: true, auth })
        .sendMail({ from: "a@example.com", to: "b@example.com", subject: "auth", text: "x" });
    await expect(send()).rejects.toMatchObject({ responseCode: 530 });
    await expect(send({ user: "app", pass: "wrong" })).rejects.toMatchObject({ responseCode: 535 });
    await send({ user: "app", pass: "s3cret" });
    expect(mailpen.store.listMessages().messages.map((m) => m.envelope.authUser)).toEqual(["app"]);
  });

  it("refuses connections and recipients beyond the configured limits", async () => {
    const mailpen = await start({ smtpMaxConnections: 2, smtpMaxRecipients: 2 });
    const first = rawConnection(mailpen.smtpPort);
    const second = rawConnection(mailpen.smtpPort);
    await first.waitFor(/^220 /m);
    await second.waitFor(/^220 /m);
    const third = rawConnection(mailpen.smtpPort);
    await third.waitFor(/^421 /m);
    first.socket.write("EHLO x\r\nMAIL FROM:<a@example.com>\r\n");
    for (const rcpt of ["b", "c", "d"]) first.socket.write(`RCPT TO:<${rcpt}@example.com>\r\n`);
    await first.waitFor(/^452 /m);
    expect(first.received.match(/^\d{3}(?= )/gm)).toEqual(["220", "250", "250", "250", "250", "452"]);
  });

  it("runs the README example: wait for the welcome mail", async () => {
    const mailpen = await start({});
    const since = new Date().toISOString();
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: mailpen.smtpPort,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: "app@example.com",
      to: "new@example.com",
      subject: "Welcome",
      text: "hi",
    });
    transport.close();
    const query = new URLSearchParams({ query: "subject:welcome", since, timeout: "10" });
    const response = await fetch(`${mailpen.url}api/wait?${query}`);
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as MessageListResponse;
    expect(messages[0]?.to[0]?.address).toBe("new@example.com");
  });
});

describe("startMailpen lifecycle", () => {
  it("lets a transaction in flight finish when closing, then refuses new connections", async () => {
    const mailpen = await startMailpen({ smtpPort: 0, httpPort: 0, db: ":memory:", logLevel: "silent" });
    const { socket, waitFor } = rawConnection(mailpen.smtpPort);
    await waitFor(/^220 /m);
    socket.write("EHLO x\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n");
    await waitFor(/^354 /m);
    socket.write("Subject: in flight\r\n\r\nhalf");
    const closed = mailpen.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = await new Promise<boolean>((resolve) => {
      const probe = net.connect(mailpen.smtpPort, "127.0.0.1");
      probe.on("error", () => resolve(true));
      probe.on("data", () => resolve(false));
    });
    expect(refused).toBe(true);
    socket.write(" done\r\n.\r\nQUIT\r\n");
    await waitFor(/^250 2\.0\.0 /m);
    await closed;
    socket.destroy();
  });

  it("rejects when a port is taken, closing what it had opened", async () => {
    const first = await start({});
    await expect(
      startMailpen({ smtpPort: first.smtpPort, httpPort: 0, db: ":memory:", logLevel: "silent" }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
