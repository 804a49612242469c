/**
 * Per-connection `Session` (client name, TLS, AUTH, counts, warnings) versus per-transaction
 * `OpenEnvelope` (MAIL FROM, RCPT TO and their parameters), after aiosmtpd's Session/Envelope split.
 * The envelope is reset by RSET, HELO/EHLO, STARTTLS and after each message; the session lives as long
 * as the connection. No I/O.
 */
import type { EnvelopeRecipient, EsmtpParams, SessionState, SessionTls } from "@mailpen/shared";

/** What one connection has established so far. */
export interface Session {
  id: string;
  startedAtMs: number;
  heloName: string | null;
  /** HELO or EHLO was accepted since the connection (or the TLS upgrade) started. */
  greeted: boolean;
  /** The client greeted with EHLO (AUTH needs it). */
  extended: boolean;
  tls: SessionTls | null;
  authMechanism: string | null;
  authUser: string | null;
  messageCount: number;
  /** Error replies (4xx/5xx) sent in this session. */
  errorCount: number;
  /** Error replies in a row; a success resets it. */
  consecutiveErrors: number;
  warnings: string[];
}

/** The transaction in progress: what MAIL FROM and RCPT TO said. */
export interface OpenEnvelope {
  mailFrom: string;
  mailParams: EsmtpParams;
  rcptTo: EnvelopeRecipient[];
}

export function createSession(id: string, startedAtMs: number, tls: SessionTls | null): Session {
  return {
    id,
    startedAtMs,
    heloName: null,
    greeted: false,
    extended: false,
    tls,
    authMechanism: null,
    authUser: null,
    messageCount: 0,
    errorCount: 0,
    consecutiveErrors: 0,
    warnings: [],
  };
}

/** A snapshot for the backend (copied, so later changes do not leak into handed-over objects). */
export function toSessionState(session: Session): SessionState {
  return {
    heloName: session.heloName,
    tls: session.tls === null ? null : { ...session.tls },
    authMechanism: session.authMechanism,
    authUser: session.authUser,
    messageCount: session.messageCount,
    errorCount: session.errorCount,
    warnings: [...session.warnings],
  };
}

/** Add a warning once. */
export function addWarning(session: Session, warning: string): boolean {
  if (session.warnings.includes(warning)) return false;
  session.warnings.push(warning);
  return true;
}
