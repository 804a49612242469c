/**
 * nodemailer as a real SMTP client against the real listener on 127.0.0.1: plain, STARTTLS (RFC 3207)
 * with the self-signed certificate, implicit TLS (RFC 8314), each AUTH mechanism (RFC 4954, 4616,
 * 2195), pipelining (RFC 2920), SMTPUTF8 addresses (RFC 6531) and a 20 MB attachment delivered
 * byte-exact.
 */
import { randomBytes } from "node:crypto";
import nodemailer from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { TranscriptEntry } from "@mailpen/shared";
import { afterEach, describe, expect, it } from "vitest";
import { createServerFixture } from "./support/server-fixture.ts";

const fixture = createServerFixture();
const transports: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  await fixture.closeAll();
});

type TransportOptions = SMTPTransport.Options & SMTPPool.Options & { authMethod?: string };

function transport(options: TransportOptions): ReturnType<typeof nodemailer.createTransport> {
  const t = nodemailer.createTransport({ host: "127.0.0.1", connectionTimeout: 5000, ...options });
  transports.push(t);
  return t;
}

/** nodemailer may close without QUIT; the outcome must say which one happened. */
function outcomeOf(entries: TranscriptEntry[]): "quit" | "client-closed" {
  return entries.some((e) => e.dir === "client" && /^QUIT$/i.test(e.text)) ? "quit" : "client-closed";
}

const message = {
  from: "Alice <alice@example.com>",
  to: "Bob <bob@example.com>",
  subject: "Hello from nodemailer",
  text: "Plain text body",
};

describe("nodemailer over plaintext (RFC 5321)", () => {
  it("delivers one message with its envelope and closes the session with quit", async () => {
    const { port, backend } = await fixture.start();
    const info = await transport({ port, secure: false, ignoreTLS: true }).sendMail({
      ...message,
      cc: "carol@example.org",
      bcc: "dave@example.net",
    });
    expect(info.accepted).toEqual(["bob@example.com", "carol@example.org", "dave@example.net"]);
    expect(backend.deliveries).toHaveLength(1);
    const d = backend.deliveries[0]!;
    expect(info.response).toContain(d.id);
    expect(d.envelope).toMatchObject({
      mailFrom: "alice@example.com",
      rcptTo: [
        { address: "bob@example.com", params: {} },
        { address: "carol@example.org", params: {} },
        { address: "dave@example.net", params: {} },
      ],
      tls: false,
      authUser: null,
      transport: "DATA",
    });
    const raw = d.raw.toString("utf8");
    expect(raw).toMatch(/^Subject: Hello from nodemailer\r$/m);
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(raw).toContain("Plain text body");
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.ends.map((e) => e.outcome)).toEqual([outcomeOf(ended!.entries)]);
    expect(ended!.ends[0]!.messageCount).toBe(1);
  });

  it("RFC 2920: a pooled, pipelining client sends several messages over one session", async () => {
    const { port, backend } = await fixture.start();
    const t = transport({ port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1 });
    const sent = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        t.sendMail({
          ...message,
          to: [`r${i}a@example.com`, `r${i}b@example.com`],
          subject: `pipelined ${i}`,
        }),
      ),
    );
    expect(sent).toHaveLength(5);
    t.close();
    await backend.waitForEnded(1);
    expect(backend.sessions).toHaveLength(1);
    expect(backend.deliveries.map((d) => d.envelope.rcptTo.length)).toEqual([2, 2, 2, 2, 2]);
    expect(backend.sessions[0]!.ends[0]!.messageCount).toBe(5);
    const clientLines = backend.sessions[0]!.entries.filter((e) => e.dir === "client").map((e) => e.text);
    expect(clientLines.filter((l) => /^MAIL FROM:/i.test(l))).toHaveLength(5);
  });

  it("RFC 6531: SMTPUTF8 addresses are announced by the client and recorded exactly", async () => {
    const { port, backend } = await fixture.start();
    await transport({ port, secure: false, ignoreTLS: true }).sendMail({
      from: "jørgen@exämple.dk",
      to: ["用户@例子.广告", "δοκιμή@παράδειγμα.δοκιμή"],
      subject: "grüße ✓",
      text: "unicode",
    });
    const d = backend.deliveries[0]!;
    expect(d.envelope.mailFrom).toBe("jørgen@exämple.dk");
    expect(d.envelope.mailParams.SMTPUTF8).toBe(true);
    expect(d.envelope.rcptTo.map((r) => r.address)).toEqual(["用户@例子.广告", "δοκιμή@παράδειγμα.δοκιμή"]);
  });

  it("RFC 1870: a message over the announced SIZE is refused with 552", async () => {
    const { port, backend } = await fixture.start({ server: { maxMessageSize: 2000 } });
    const err = await transport({ port, secure: false, ignoreTLS: true })
      .sendMail({ ...message, text: "x".repeat(5000) })
      .then(
        () => undefined,
        (e: unknown) => e as { responseCode?: number },
      );
    expect(err?.responseCode).toBe(552);
    expect(backend.deliveries).toHaveLength(0);
  });
});

describe("RFC 3207: STARTTLS with the self-signed certificate", () => {
  it("upgrades, delivers, and records TLS on the envelope and the session", async () => {
    const { port, backend, server } = await fixture.start({ server: { tls: "self-signed" } });
    expect(server.tlsEnabled).toBe(true);
    await transport({ port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } }).sendMail(
      message,
    );
    expect(backend.deliveries[0]!.envelope.tls).toBe(true);
    const [ended] = await backend.waitForEnded(1);
    const end = ended!.ends[0]!;
    expect(end.tls).toMatchObject({ mode: "starttls" });
    expect(end.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(end.tls?.cipher).toBeTruthy();
    expect(end.outcome).toBe(outcomeOf(ended!.entries));
    // The session started over after the upgrade (RFC 3207 section 4.2): EHLO was sent twice.
    const ehlos = ended!.entries.filter((e) => e.dir === "client" && /^EHLO /i.test(e.text));
    expect(ehlos).toHaveLength(2);
  });

  it("STARTTLS then AUTH LOGIN: the user is recorded and the envelope says TLS", async () => {
    const { port, backend } = await fixture.start({
      server: { tls: "self-signed" },
      backend: { users: { alice: "pw" } },
    });
    await transport({
      port,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      authMethod: "LOGIN",
      auth: { user: "alice", pass: "pw" },
    }).sendMail(message);
    expect(backend.deliveries[0]!.envelope).toMatchObject({ tls: true, authUser: "alice" });
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.ends[0]).toMatchObject({
      authMechanism: "LOGIN",
      authUser: "alice",
      tls: { mode: "starttls" },
    });
  });

  it("implicit TLS on its own listener (RFC 8314 section 3.3)", async () => {
    const { tlsPort, backend } = await fixture.start({ server: { tls: "self-signed" }, implicitTls: true });
    await transport({ port: tlsPort!, secure: true, tls: { rejectUnauthorized: false } }).sendMail(message);
    expect(backend.deliveries[0]!.envelope.tls).toBe(true);
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.start.tls).toMatchObject({ mode: "implicit" });
    expect(ended!.ends[0]!.tls).toMatchObject({ mode: "implicit" });
    expect(ended!.ends[0]!.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(ended!.ends[0]!.tls?.cipher).toBeTruthy();
    // The envelope and the transcript state agree with the end record.
    expect(ended!.lastState?.tls).toMatchObject({ mode: "implicit" });
  });

  it("without TLS configured, STARTTLS is not announced and tlsEnabled is false", async () => {
    const { port, server } = await fixture.start();
    expect(server.tlsEnabled).toBe(false);
    const err = await transport({ port, secure: false, requireTLS: true })
      .sendMail(message)
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(err).toBeInstanceOf(Error);
  });
});

describe("RFC 4954: AUTH with each mechanism through nodemailer's authMethod", () => {
  it.each(["PLAIN", "LOGIN", "CRAM-MD5"])("%s: accepted credentials are recorded", async (mechanism) => {
    const { port, backend } = await fixture.start({ backend: { users: { alice: "s3cret pass" } } });
    await transport({
      port,
      secure: false,
      ignoreTLS: true,
      authMethod: mechanism,
      auth: { user: "alice", pass: "s3cret pass" },
    }).sendMail(message);
    expect(backend.credentials.map((c) => [c.mechanism, c.username])).toEqual([[mechanism, "alice"]]);
    expect(backend.deliveries[0]!.envelope.authUser).toBe("alice");
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.ends[0]).toMatchObject({ authMechanism: mechanism, authUser: "alice" });
    // Secrets are masked by default: no transcript entry carries the password or its base64.
    const all = ended!.entries.map((e) => e.text).join("\n");
    expect(all).not.toContain("s3cret");
    expect(all).not.toContain(Buffer.from("s3cret pass").toString("base64"));
    expect(all).not.toContain(Buffer.from("\0alice\0s3cret pass").toString("base64"));
  });

  it.each(["PLAIN", "LOGIN", "CRAM-MD5"])("%s: a wrong password gets 535", async (mechanism) => {
    const { port, backend } = await fixture.start({ backend: { users: { alice: "right" } } });
    const err = await transport({
      port,
      secure: false,
      ignoreTLS: true,
      authMethod: mechanism,
      auth: { user: "alice", pass: "wrong" },
    })
      .sendMail(message)
      .then(
        () => undefined,
        (e: unknown) => e as { responseCode?: number },
      );
    expect(err?.responseCode).toBe(535);
    expect(backend.deliveries).toHaveLength(0);
  });
});

describe("a 20 MB attachment (RFC 5321 section 4.5.3.1.7 is a minimum; our limit is 50 MiB)", () => {
  it("arrives byte-exact, equal to nodemailer's own build of the same message", async () => {
    const { port, backend } = await fixture.start();
    const mail = {
      ...message,
      subject: "twenty megabytes",
      date: new Date("2026-01-02T03:04:05Z"),
      messageId: "<fixed-20mb@example.com>",
      attachments: [{ filename: "blob.bin", content: randomBytes(20 * 1024 * 1024) }],
    };
    const built = await nodemailer
      .createTransport({ streamTransport: true, buffer: true, newline: "windows" })
      .sendMail(mail);
    const raw = built.message as Buffer;
    expect(raw.length).toBeGreaterThan(20 * 1024 * 1024);
    await transport({ port, secure: false, ignoreTLS: true }).sendMail({
      envelope: { from: "alice@example.com", to: ["bob@example.com"] },
      raw,
    });
    expect(backend.deliveries).toHaveLength(1);
    // The CRLF before the terminating dot belongs to the content; nodemailer adds one if missing.
    const expected = raw.subarray(-2).toString() === "\r\n" ? raw : Buffer.concat([raw, Buffer.from("\r\n")]);
    const got = backend.deliveries[0]!.raw;
    expect(got.length).toBe(expected.length);
    expect(got.equals(expected)).toBe(true);
  }, 60_000);
});
