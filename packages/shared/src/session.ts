import type { TranscriptEntry } from "./transcript.ts";

/**
 * How a session ended:
 * - `quit`: the client sent QUIT; `client-closed`: the client closed or vanished without QUIT;
 * - `timeout`: idle or total session time ran out; `rejected`: refused at greeting (too many
 *   connections) or closed after too many errors / a protocol violation;
 * - `error`: an internal or socket error; `shutdown`: the server was stopped.
 */
export type SessionOutcome = "quit" | "client-closed" | "timeout" | "rejected" | "error" | "shutdown";

export interface SessionTls {
  protocol: string | null;
  cipher: string | null;
  /** `starttls` upgraded a plain connection; `implicit` arrived on the TLS port. */
  mode: "starttls" | "implicit";
}

/** A connection as it is accepted, before the greeting: the SMTP listener hands it to the store. */
export interface SessionStart {
  id: string;
  startedAt: Date;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** Set when the connection arrived on the implicit-TLS listener. */
  tls: SessionTls | null;
}

/** What is known of a session so far; each transcript batch carries it and replaces the last. */
export interface SessionState {
  heloName: string | null;
  tls: SessionTls | null;
  authMechanism: string | null;
  authUser: string | null;
  messageCount: number;
  errorCount: number;
  warnings: string[];
}

/** How a session ended, with its final state. */
export interface SessionEnd extends SessionState {
  endedAt: Date;
  outcome: SessionOutcome;
}

/** What a list shows of one SMTP session (connection). Times are ISO 8601 strings in UTC. */
export interface SessionSummary {
  id: string;
  startedAt: string;
  /** Null while the session is in progress. */
  endedAt: string | null;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  heloName: string | null;
  tls: SessionTls | null;
  authMechanism: string | null;
  authUser: string | null;
  messageCount: number;
  /** Null while the session is in progress. */
  outcome: SessionOutcome | null;
  /** Count of error replies (4xx and 5xx) the server sent. */
  errorCount: number;
  /** Free-form warnings, for example "bare LF in DATA" or "pipelined after STARTTLS". */
  warnings: string[];
  entryCount: number;
}

export interface SessionDetail extends SessionSummary {
  transcript: TranscriptEntry[];
  messageIds: string[];
}
