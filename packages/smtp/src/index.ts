/**
 * @mailpen/smtp: Mailpen's own SMTP server, a protocol engine without I/O (`createSmtpEngine`) and a
 * thin socket listener (`createSmtpServer`) that hands messages and sessions to an `SmtpBackend`.
 * This is the package's only entry point.
 */
export type {
  SmtpBackend,
  SmtpContentInfo,
  SmtpContentSink,
  SmtpCredentials,
  SmtpDelivery,
  SmtpSessionEnd,
} from "./backend.ts";
export type { SmtpServerOptions } from "./options.ts";
export { createIdGenerator } from "./id-generator.ts";
export { SmtpReplyError, isSmtpReplyError } from "./protocol/reply-error.ts";
export {
  createSmtpEngine,
  type SmtpAction,
  type SmtpConnectionInfo,
  type SmtpEngine,
  type SmtpEngineOptions,
} from "./protocol/engine.ts";
export { createMemorySession, type SmtpMemorySession } from "./protocol/memory-session.ts";
export type { SmtpState, SmtpVerb } from "./protocol/state.ts";
export { REPLY_CODES, formatReply, type SmtpReply } from "./protocol/replies.ts";
export { createSmtpServer, type SmtpServer, type SmtpListenOptions } from "./server/smtp-server.ts";
