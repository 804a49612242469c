import type { Envelope, SessionOutcome, SessionTls, TranscriptEntry } from "@mailpen/shared";

/**
 * The seam between the SMTP listener and whatever stores mail (STYLE.md item 4: go-smtp's Backend).
 * The server implements it with @mailpen/store; tests implement it with a counter or an array.
 *
 * Ordering guarantee: for one session, `sessionStarted` comes first, then any number of
 * `transcriptAppended` and `deliver` calls in protocol order, then exactly one `sessionEnded`.
 * Transcript entries are handed over as they happen (batched per input chunk), so a session in
 * progress can be shown live.
 */
export interface SmtpBackend {
  sessionStarted(session: SmtpSessionStart): void;
  /** New transcript entries, with the session's state after them (HELO name, TLS, AUTH, counts). */
  transcriptAppended(sessionId: string, entries: TranscriptEntry[], state: SmtpSessionState): void;
  /**
   * Store one accepted message. The engine replies 250 only after the returned promise resolves, so
   * resolve only once the message is durable. Reject with `SmtpReplyError` to send a specific reply;
   * any other error becomes 451 4.3.0 and a log line.
   */
  deliver(message: SmtpDelivery): Promise<void>;
  /**
   * Optional credential check for AUTH. Return true to accept. Without it every credential is
   * accepted (the user name is recorded).
   */
  authenticate?(credentials: SmtpCredentials): boolean | Promise<boolean>;
  sessionEnded(session: SmtpSessionEnd): void;
}

/** Handed over when a connection is accepted, before the greeting is sent. */
export interface SmtpSessionStart {
  id: string;
  startedAt: Date;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** Set when the connection arrived on the implicit-TLS listener. */
  tls: SessionTls | null;
}

/** What is known of a session so far; handed over with each transcript batch and at the end. */
export interface SmtpSessionState {
  heloName: string | null;
  tls: SessionTls | null;
  authMechanism: string | null;
  authUser: string | null;
  messageCount: number;
  errorCount: number;
  warnings: string[];
}

/** Handed over once per session, when the connection has closed. */
export interface SmtpSessionEnd extends SmtpSessionState {
  id: string;
  endedAt: Date;
  outcome: SessionOutcome;
}

/** One accepted message: the engine generated `id` with its injected id generator. */
export interface SmtpDelivery {
  id: string;
  sessionId: string;
  receivedAt: Date;
  envelope: Envelope;
  /** The message content exactly as received, after dot-unstuffing (DATA) or as sent (BDAT). */
  raw: Buffer;
}

export interface SmtpCredentials {
  mechanism: "PLAIN" | "LOGIN" | "CRAM-MD5";
  username: string;
  /** Present for PLAIN and LOGIN. */
  password?: string;
  /** For CRAM-MD5: check with `verifyCramMd5(password)`. */
  verifyCramMd5?: (password: string) => boolean;
}
