import type {
  DataSummary,
  Envelope,
  SessionEnd,
  SessionStart,
  SessionState,
  TranscriptEntry,
} from "@mailpen/shared";

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
  /** Handed over when a connection is accepted, before the greeting is sent. */
  sessionStarted(session: SessionStart): void;
  /** New transcript entries, with the session's state after them (HELO name, TLS, AUTH, counts). */
  transcriptAppended(sessionId: string, entries: TranscriptEntry[], state: SessionState): void;
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
  /**
   * Optional streaming of message content. When present, the engine does not build `raw`: at the
   * start of DATA (or the first accepted BDAT chunk) it calls `openContent` and hands the content
   * to the returned sink chunk by chunk as it arrives (after dot-unstuffing), then calls
   * `sink.end()` and replies 250 only after that promise resolved; `deliver` is not called for that
   * message. A transaction that does not complete (client gone, RSET between BDAT chunks, size
   * limit, timeout) gets `sink.abort()` instead. Without it, `deliver` receives the whole message.
   */
  openContent?(info: SmtpContentInfo): SmtpContentSink;
  sessionEnded(session: SmtpSessionEnd): void;
}

/** Handed over once per session, when the connection has closed. */
export interface SmtpSessionEnd extends SessionEnd {
  id: string;
}

/** One accepted message: the engine generated `id` with its injected id generator. */
export interface SmtpDelivery {
  id: string;
  sessionId: string;
  receivedAt: Date;
  envelope: Envelope;
  /**
   * The message content exactly as received, after dot-unstuffing (DATA) or as sent (BDAT). A buffer
   * of its own, never a slice of Node's shared pool; when the client declared a larger SIZE than it
   * sent, a view of the zeroed buffer of that size.
   */
  raw: Buffer;
  /** `raw` as counted while it arrived (the transcript's DataSummary): a backend need not scan it again. */
  summary: DataSummary;
}

export interface SmtpCredentials {
  mechanism: "PLAIN" | "LOGIN" | "CRAM-MD5";
  username: string;
  /** Present for PLAIN and LOGIN. */
  password?: string;
  /** For CRAM-MD5: check with `verifyCramMd5(password)`. */
  verifyCramMd5?: (password: string) => boolean;
}

/** What is known of a message when its content starts: everything of `SmtpDelivery` but the bytes. */
export interface SmtpContentInfo {
  /** The message id the 250 reply will carry. */
  id: string;
  sessionId: string;
  /** When the content started (DATA accepted, or the first BDAT chunk). */
  receivedAt: Date;
  envelope: Envelope;
}

/**
 * Receives one message's content in order, exactly the bytes `SmtpDelivery.raw` would hold.
 * Exactly one of `end` or `abort` is called, after the last `write`.
 */
export interface SmtpContentSink {
  /**
   * One piece of content. The buffer is a view of the listener's read buffer, which every
   * connection shares: it is valid during this call only, so copy what you keep. Return a promise to
   * apply backpressure (the listener stops reading until it settles); a rejection fails the message
   * like a rejection of `end`.
   */
  write(chunk: Buffer): void | Promise<void>;
  /**
   * The content is complete (`summary` describes it, as in the transcript). Resolve once the
   * message is durable; reject with `SmtpReplyError` for a specific reply, anything else is 451.
   */
  end(summary: DataSummary): Promise<void>;
  /** The transaction was abandoned: drop what was written. Never followed by `end`. */
  abort(reason: string): void;
}
