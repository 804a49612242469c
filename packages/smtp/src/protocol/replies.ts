/**
 * Every SMTP reply the engine can send, built by named constructors from ONE table of reply codes
 * and enhanced status codes (RFC 3463, announced with ENHANCEDSTATUSCODES, RFC 2034).
 *
 * Invariants:
 * - Every 2xx/4xx/5xx reply carries an enhanced status code, except where RFC 5321's grammar puts the
 *   server's domain first (the 220 greeting, the 250 HELO/EHLO reply) and the intermediate 334/354
 *   replies (RFC 2034 section 4 covers 2xx, 4xx and 5xx; a 334 carries base64 only).
 * - A reply is formatted into one Buffer so that the listener writes it with one socket write.
 * This file performs no I/O.
 */

/** One reply: a code, its enhanced status code (or null, see above) and one or more text lines. */
export interface SmtpReply {
  code: number;
  enhanced: string | null;
  lines: string[];
}

/** The table: every reply name with its code and enhanced status code. */
export const REPLY_CODES = {
  greeting: [220, null],
  serviceClosing: [221, "2.0.0"],
  helo: [250, null],
  ehlo: [250, null],
  ok: [250, "2.0.0"],
  senderOk: [250, "2.1.0"],
  recipientOk: [250, "2.1.5"],
  queued: [250, "2.0.0"],
  chunkReceived: [250, "2.0.0"],
  vrfyAccepted: [250, "2.1.5"],
  vrfyCannotVerify: [252, "2.0.0"],
  expnAccepted: [250, "2.1.5"],
  help: [214, "2.0.0"],
  authSucceeded: [235, "2.7.0"],
  authChallenge: [334, null],
  startData: [354, null],
  startTls: [220, "2.0.0"],
  // 4xx
  tooManyConnections: [421, "4.7.0"],
  protocolViolation: [421, "4.7.0"],
  tooManyErrors: [421, "4.7.0"],
  timeout: [421, "4.4.2"],
  shutdown: [421, "4.3.2"],
  internalError: [421, "4.3.0"],
  localError: [451, "4.3.0"],
  tooManyRecipients: [452, "4.5.3"],
  authTemporaryFailure: [454, "4.7.0"],
  tlsNotAvailable: [454, "4.7.0"],
  // 5xx
  unknownCommand: [500, "5.5.2"],
  lineTooLong: [500, "5.5.2"],
  syntaxError: [501, "5.5.4"],
  badSenderSyntax: [501, "5.1.7"],
  badRecipientSyntax: [501, "5.1.3"],
  authCancelled: [501, "5.7.0"],
  authBadBase64: [501, "5.5.2"],
  notImplemented: [502, "5.5.1"],
  badSequence: [503, "5.5.1"],
  parameterNotImplemented: [504, "5.5.4"],
  authMechanismUnknown: [504, "5.5.4"],
  authRequired: [530, "5.7.0"],
  authFailed: [535, "5.7.8"],
  vrfyRejected: [550, "5.1.1"],
  messageTooBig: [552, "5.3.4"],
  unknownParameter: [555, "5.5.4"],
} as const satisfies Record<string, readonly [number, string | null]>;

/** The name of a row in `REPLY_CODES`. */
export type ReplyName = keyof typeof REPLY_CODES;

// Index access, not destructuring or rest parameters: every reply passes here, and until the JIT
// has compiled it (a fresh process, a test suite's connections) the iterator protocol is costly.
function make(name: ReplyName, line: string): SmtpReply {
  const row = REPLY_CODES[name];
  return { code: row[0], enhanced: row[1], lines: [line] };
}

/** Build a reply with an explicit code (a backend's `SmtpReplyError`). */
export function createReply(code: number, enhanced: string | null, text: string): SmtpReply {
  return { code, enhanced, lines: text.split(/\r?\n/) };
}

/**
 * Named constructors, one per situation. `host` is the server's name where RFC 5321 puts it first
 * (greeting, 221/421 replies).
 */
export const replies = {
  greeting: (host: string) => make("greeting", `${host} ESMTP Mailpen`),
  serviceClosing: (host: string) => make("serviceClosing", `${host} Bye`),
  helo: (host: string, client: string) => make("helo", `${host} Hello ${client}`),
  ehlo: (host: string, client: string, extensions: readonly string[]) => {
    const reply = make("ehlo", `${host} Hello ${client}`);
    for (const extension of extensions) reply.lines.push(extension);
    return reply;
  },
  ok: () => make("ok", "OK"),
  senderOk: () => make("senderOk", "Sender OK"),
  recipientOk: () => make("recipientOk", "Recipient OK"),
  queued: (id: string) => make("queued", `Ok: queued as ${id}`),
  chunkReceived: (octets: number) => make("chunkReceived", `${octets} octets received`),
  vrfyAccepted: (arg: string) => make("vrfyAccepted", arg),
  vrfyCannotVerify: () =>
    make("vrfyCannotVerify", "Cannot VRFY user, but will accept message and attempt delivery"),
  vrfyRejected: (arg: string) => make("vrfyRejected", `${arg}: Recipient address rejected`),
  expnAccepted: (arg: string) => make("expnAccepted", arg),
  help: (text: string) => make("help", text),
  authSucceeded: () => make("authSucceeded", "Authentication successful"),
  authChallenge: (base64: string) => make("authChallenge", base64),
  startData: () => make("startData", "End data with <CR><LF>.<CR><LF>"),
  startTls: () => make("startTls", "Ready to start TLS"),
  tooManyConnections: (host: string) =>
    make("tooManyConnections", `${host} Too many connections, try again later`),
  protocolViolation: (host: string, what: string) =>
    make("protocolViolation", `${host} ${what}, closing connection`),
  tooManyErrors: (host: string) => make("tooManyErrors", `${host} Too many errors, closing connection`),
  timeout: (host: string, what: string) => make("timeout", `${host} ${what}, closing connection`),
  shutdown: (host: string) => make("shutdown", `${host} Server shutting down, closing connection`),
  internalError: (host: string) => make("internalError", `${host} Internal error, closing connection`),
  localError: () => make("localError", "Local error in processing, try again later"),
  tooManyRecipients: () => make("tooManyRecipients", "Too many recipients"),
  authTemporaryFailure: () => make("authTemporaryFailure", "Temporary authentication failure"),
  tlsNotAvailable: () => make("tlsNotAvailable", "TLS not available"),
  unknownCommand: () => make("unknownCommand", "Command not recognized"),
  lineTooLong: () => make("lineTooLong", "Line too long"),
  syntaxError: (usage: string) => make("syntaxError", `Syntax: ${usage}`),
  badSenderSyntax: (why: string) => make("badSenderSyntax", `Bad sender address syntax: ${why}`),
  badRecipientSyntax: (why: string) => make("badRecipientSyntax", `Bad recipient address syntax: ${why}`),
  authCancelled: () => make("authCancelled", "Authentication cancelled"),
  authBadBase64: () => make("authBadBase64", "Cannot decode response"),
  notImplemented: (what: string) => make("notImplemented", what),
  badSequence: (why: string) => make("badSequence", why),
  parameterNotImplemented: (why: string) => make("parameterNotImplemented", why),
  authMechanismUnknown: () => make("authMechanismUnknown", "Unrecognized authentication type"),
  authRequired: () => make("authRequired", "Authentication required"),
  authFailed: () => make("authFailed", "Authentication credentials invalid"),
  messageTooBig: () => make("messageTooBig", "Message size exceeds fixed maximum message size"),
  unknownParameter: (why: string) => make("unknownParameter", why),
} satisfies Record<ReplyName, (...args: never[]) => SmtpReply>;

/** Format a reply as wire bytes: `code-` on continuation lines, `code ` on the last, CRLF after each. */
export function formatReply(reply: SmtpReply): string {
  const prefix = reply.enhanced === null ? "" : `${reply.enhanced} `;
  const last = reply.lines.length - 1;
  let out = "";
  for (let i = 0; i <= last; i++) {
    out += `${reply.code}${i === last ? " " : "-"}${prefix}${reply.lines[i] ?? ""}\r\n`;
  }
  return out;
}

/** The transcript text of a reply formatted by `formatReply`: its lines without CRLF, joined with "\n". */
export function wireToText(wire: string): string {
  const text = wire.slice(0, -2);
  return text.includes("\r\n") ? text.replaceAll("\r\n", "\n") : text;
}
