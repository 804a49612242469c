/**
 * What a verb handler may see and do. The engine implements it; handlers never touch input bytes,
 * actions or the transcript directly, so each handler is a small function of (context, argument).
 * No I/O.
 */
import type { SessionOutcome } from "@mailpen/shared";
import type { SmtpCredentials } from "../backend.ts";
import type { SmtpReply } from "./replies.ts";
import type { SaslMechanism } from "./sasl.ts";
import type { OpenEnvelope, Session } from "./session.ts";
import type { SmtpState, SmtpVerb } from "./state.ts";

/** Engine settings with every default applied. */
export interface EngineConfig {
  hostname: string;
  maxMessageSize: number;
  maxRecipients: number;
  maxErrors: number;
  authRequired: boolean;
  vrfy: "cannot-verify" | "accept" | "reject";
  expn: "disabled" | "accept";
  keepAuthSecrets: boolean;
  /** STARTTLS is offered (a certificate is configured and the session is not already TLS). */
  tlsAvailable: boolean;
  /** Ask the caller to check credentials (`authenticate` action) instead of accepting all. */
  checkCredentials: boolean;
  clock: () => number;
  newId: () => string;
}

/** A SASL exchange in progress (after a 334). */
export type SaslExchange =
  | { mechanism: "PLAIN" }
  | { mechanism: "LOGIN"; username: string | null }
  | { mechanism: "CRAM-MD5"; challenge: string };

export interface VerbContext {
  readonly config: EngineConfig;
  readonly session: Session;
  readonly state: SmtpState;
  envelope: OpenEnvelope | null;
  sasl: SaslExchange | null;
  reply(reply: SmtpReply): void;
  /** Move to another state; an illegal move (not in SMTP_STATES) is an engine bug and throws. */
  transition(to: SmtpState): void;
  /** Drop the transaction and go back to `identified` (or `ready` before HELO/EHLO). */
  resetTransaction(): void;
  /** Close the connection after the replies written so far. */
  close(outcome: SessionOutcome): void;
  /** Note an event in the transcript. */
  event(text: string): void;
  warn(warning: string): void;
  /** Start reading DATA content. */
  beginData(): void;
  /** Start reading a BDAT chunk of `size` octets; with `reject`, read and discard it, then send that. */
  beginBdat(size: number, last: boolean, reject: SmtpReply | null): void;
  /** The SASL exchange produced credentials: check them (or accept) and reply. */
  finishAuth(mechanism: SaslMechanism, credentials: SmtpCredentials): void;
  /** 220 was sent to STARTTLS: discard pending plaintext and ask for the upgrade. */
  beginTls(): void;
  /** For 503 texts. */
  readonly verb: SmtpVerb | null;
}
