/**
 * Raw MIME messages built by hand for the route tests (byte-exact, CRLF line ends), and the
 * envelope they travel with. The tests store them with the real store's `addMessage`, so the
 * summaries, bodies and parts they read back are the store's own header scan and MIME parse.
 */
import type { Envelope } from "@mailpen/shared";

/** The SMTP envelope of a message sent by `sender@example.com` to `rcpt@example.com`. */
export const testEnvelope: Envelope = {
  mailFrom: "sender@example.com",
  mailParams: { BODY: "8BITMIME" },
  rcptTo: [{ address: "rcpt@example.com", params: {} }],
  heloName: "client.example",
  authUser: null,
  tls: false,
  transport: "DATA",
};

/** A one-pixel PNG. */
export const PNG_BYTES = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

export interface TextMessageOptions {
  subject?: string;
  from?: string;
  to?: string;
  /** The body without its final line end; UTF-8. */
  body?: string;
}

/** A single-part text/plain message in UTF-8. */
export function textMessage(options: TextMessageOptions = {}): Buffer {
  return fromLines([
    `From: ${options.from ?? "Sender <sender@example.com>"}`,
    `To: ${options.to ?? "rcpt@example.com"}`,
    `Subject: ${options.subject ?? ""}`,
    "Date: Tue, 01 Jul 2025 10:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    options.body ?? "body",
    "",
  ]);
}

/** A single-part text/html message: no text part. */
export function htmlMessage(html: string, subject = "html only"): Buffer {
  return fromLines([
    "From: sender@example.com",
    "To: rcpt@example.com",
    `Subject: ${subject}`,
    "MIME-Version: 1.0",
    "Content-Type: text/html; charset=utf-8",
    "",
    html,
    "",
  ]);
}

/** A message whose only part is a PDF attachment: neither a text nor an HTML body. */
export function attachmentOnlyMessage(): Buffer {
  return fromLines([
    "From: sender@example.com",
    "To: rcpt@example.com",
    "Subject: just a file",
    "MIME-Version: 1.0",
    'Content-Type: application/pdf; name="file.pdf"',
    "Content-Transfer-Encoding: base64",
    'Content-Disposition: attachment; filename="file.pdf"',
    "",
    Buffer.from("%PDF-1.4 only part\n").toString("base64"),
    "",
  ]);
}

/** The PDF attached by {@link richMessage}. */
export const PDF_BYTES = Buffer.from("%PDF-1.4 attached for the route tests\n");

/**
 * multipart/mixed: a multipart/related with text and HTML alternatives (the HTML references the
 * inline PNG `cid:logo@x`) and the PNG, then a PDF attachment named `résumé.pdf` (RFC 2231).
 */
export function richMessage(html = '<p>hi <img src="cid:logo@x"></p>', subject = "rich"): Buffer {
  return fromLines([
    "From: Reports <reports@example.com>",
    "To: rcpt@example.com",
    `Subject: ${subject}`,
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
    "hi",
    "--alt",
    "Content-Type: text/html; charset=utf-8",
    "",
    html,
    "--alt--",
    "--rel",
    "Content-Type: image/png",
    "Content-Transfer-Encoding: base64",
    "Content-ID: <logo@x>",
    "Content-Disposition: inline",
    "",
    PNG_BYTES.toString("base64"),
    "--rel--",
    "--outer",
    "Content-Type: application/pdf",
    "Content-Transfer-Encoding: base64",
    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf",
    "",
    PDF_BYTES.toString("base64"),
    "--outer--",
    "",
  ]);
}

function fromLines(lines: string[]): Buffer {
  return Buffer.from(lines.join("\r\n"), "utf8");
}
