/** Test helpers: raw MIME messages and envelopes built by hand (byte-exact, CRLF). */
import type { Envelope } from "@mailpen/shared";
import type { NewMessage } from "../src/index.ts";

export function envelopeFor(
  rcpt: string[],
  mailFrom = "sender@example.test",
  params: Envelope["mailParams"] = {},
): Envelope {
  return {
    mailFrom,
    mailParams: params,
    rcptTo: rcpt.map((address) => ({ address, params: {} })),
    heloName: "client.example.test",
    authUser: null,
    tls: false,
    transport: "DATA",
  };
}

export interface SimpleMessage {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  date?: string;
  body?: string;
  extraHeaders?: string[];
}

/** A single-part text/plain message. */
export function textMessage(m: SimpleMessage = {}): Buffer {
  const lines = [
    `From: ${m.from ?? "Alice Example <alice@example.test>"}`,
    `To: ${m.to ?? "Bob <bob@example.test>"}`,
    ...(m.cc ? [`Cc: ${m.cc}`] : []),
    `Subject: ${m.subject ?? "Hello"}`,
    `Date: ${m.date ?? "Tue, 01 Jul 2025 10:00:00 +0000"}`,
    "Message-ID: <test@example.test>",
    ...(m.extraHeaders ?? []),
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    m.body ?? "Hello Bob, this is the body.",
    "",
  ];
  return Buffer.from(lines.join("\r\n"), "utf8");
}

export const PNG_BYTES = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

/** multipart/mixed with alternative text + HTML (referencing an inline image) and a PDF-ish attachment. */
export function richMessage(subject = "Report with attachments"): Buffer {
  const pdf = Buffer.from("%PDF-1.4 fake pdf content for tests\n");
  const lines = [
    "From: Reports <reports@example.test>",
    "To: Carol <carol@example.test>",
    `Subject: ${subject}`,
    "Date: Tue, 01 Jul 2025 10:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="outer"',
    "",
    "--outer",
    'Content-Type: multipart/related; boundary="rel"',
    "",
    "--rel",
    'Content-Type: multipart/alternative; boundary="alt"',
    "",
    "--alt",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Quarterly numbers are attached.",
    "--alt",
    "Content-Type: text/html; charset=utf-8",
    "",
    '<p>Quarterly numbers <img src="cid:logo@example.test"></p>',
    "--alt--",
    "--rel",
    "Content-Type: image/png",
    "Content-Transfer-Encoding: base64",
    "Content-ID: <logo@example.test>",
    'Content-Disposition: inline; filename="logo.png"',
    "",
    PNG_BYTES.toString("base64"),
    "--rel--",
    "--outer",
    'Content-Type: application/pdf; name="report.pdf"',
    "Content-Transfer-Encoding: base64",
    'Content-Disposition: attachment; filename="report.pdf"',
    "",
    pdf.toString("base64"),
    "--outer--",
    "",
  ];
  return Buffer.from(lines.join("\r\n"), "utf8");
}

export function newMessage(raw: Buffer, over: Partial<NewMessage> = {}): NewMessage {
  return {
    sessionId: null,
    receivedAt: new Date("2025-07-01T10:00:00.000Z"),
    envelope: envelopeFor(["bob@example.test"]),
    raw,
    ...over,
  };
}
