import type { SmtpBackend } from "./backend.ts";

/**
 * Options of `createSmtpServer(backend, options)`. Every field has a default; the server (CLI)
 * maps its flags onto these. No global configuration is read inside this package.
 */
export interface SmtpServerOptions {
  /** Name in the greeting and EHLO reply. Default "mailpen". */
  hostname?: string;
  /** Announced in EHLO SIZE and enforced. Default 50 MiB. */
  maxMessageSize?: number;
  /** Default 1000; beyond it RCPT gets 452. */
  maxRecipients?: number;
  /** Beyond it a new connection gets 421 at greeting. Default 200. */
  maxConnections?: number;
  /** Default 5 minutes. */
  idleTimeoutMs?: number;
  /**
   * How long the listener waits before the greeting, to catch clients that talk first (RFC 5321
   * section 4.3.1; they get 421). Default 0: one event-loop turn, which catches a client that writes
   * at connect time without slowing anyone down. Postfix postscreen's greet wait is the model.
   */
  greetingDelayMs?: number;
  /** Maximum length of one session. Default 30 minutes. */
  maxSessionMs?: number;
  /** Errors in a row before 421 and close. Default 10. */
  maxErrors?: number;
  /** AUTH required before MAIL (530). Default false. */
  authRequired?: boolean;
  /** VRFY reply: "cannot-verify" 252 (default), "accept" 250, "reject" 550. */
  vrfy?: "cannot-verify" | "accept" | "reject";
  /** EXPN reply: "disabled" 502 (default), "accept" 250 with the argument as the only member. */
  expn?: "disabled" | "accept";
  /** STARTTLS: PEM certificate and key, or "self-signed" to generate one at start. Off when absent. */
  tls?: { cert: string | Buffer; key: string | Buffer } | "self-signed";
  /** Keep AUTH secrets in transcripts (debugging a client's credentials). Default false: masked. */
  keepAuthSecrets?: boolean;
  /** Injected clock, milliseconds since the epoch. Default Date.now. */
  clock?: () => number;
  /** Injected id generator for sessions and messages. Default: time-ordered random ids. */
  newId?: () => string;
  /** Where engine bugs and backend errors are logged. Default console. */
  logger?: Pick<Console, "warn" | "error">;
}

export type { SmtpBackend };
