/**
 * Everything that decides which input is acceptable when lives here (shaped after h11's _state.py):
 * the states of one SMTP session as a string-literal union, what kind of input each state reads,
 * which verbs each state accepts, and which states may follow it. A new state that is not handled
 * here fails to compile (`satisfies Record<SmtpState, ...>`).
 *
 * Rules (RFC 5321 section 4.1.4 "Order of Commands"):
 * - HELO/EHLO first (MAIL, RCPT, DATA, BDAT, AUTH, STARTTLS before it: 503).
 * - A transaction is MAIL, then one or more RCPT, then DATA or BDAT chunks; RSET, HELO and EHLO
 *   abort it at any point.
 * - Between BDAT chunks (RFC 3030) only BDAT, RSET, QUIT, NOOP, HELP, HELO and EHLO are accepted.
 * This file performs no I/O.
 */

/** The state of one session. */
export type SmtpState =
  /** Connected, greeting not sent yet. */
  | "greeting"
  /** Greeted; waiting for HELO/EHLO. */
  | "ready"
  /** HELO/EHLO done, no transaction open. */
  | "identified"
  /** MAIL FROM accepted. */
  | "mail"
  /** At least one RCPT TO accepted. */
  | "rcpt"
  /** Reading DATA content until CRLF.CRLF. */
  | "data"
  /** Reading the octets of one BDAT chunk. */
  | "bdat"
  /** Between BDAT chunks of one message. */
  | "chunking"
  /** Reading a SASL continuation line after a 334. */
  | "sasl"
  /** Waiting for the backend (delivery or credentials); input is queued. */
  | "waiting"
  /** 220 sent to STARTTLS; plaintext input is discarded until the handshake is done. */
  | "starttls"
  /** Closed: all further input is ignored. */
  | "closed";

/** The SMTP verbs the engine implements (RFC 5321 plus extensions). */
export type SmtpVerb =
  | "HELO"
  | "EHLO"
  | "MAIL"
  | "RCPT"
  | "DATA"
  | "BDAT"
  | "RSET"
  | "VRFY"
  | "EXPN"
  | "HELP"
  | "NOOP"
  | "QUIT"
  | "AUTH"
  | "STARTTLS"
  | "TURN";

/** What a state does with incoming bytes. */
export type InputMode = "early" | "command" | "data" | "bdat" | "sasl" | "queue" | "discard" | "ignore";

interface StateRule {
  input: InputMode;
  /** Verbs accepted in this state (only for `command` states). */
  verbs: readonly SmtpVerb[];
  /** States that may follow this one. */
  next: readonly SmtpState[];
}

/** Verbs that are valid in every command state. */
const ANYTIME = ["RSET", "NOOP", "QUIT", "HELP", "VRFY", "EXPN", "TURN", "HELO", "EHLO"] as const;

/** The transition table, as data. */
export const SMTP_STATES = {
  greeting: { input: "early", verbs: [], next: ["ready", "closed"] },
  ready: { input: "command", verbs: [...ANYTIME], next: ["identified", "bdat", "closed"] },
  identified: {
    input: "command",
    verbs: [...ANYTIME, "MAIL", "AUTH", "STARTTLS"],
    next: ["identified", "mail", "bdat", "sasl", "waiting", "starttls", "closed"],
  },
  mail: { input: "command", verbs: [...ANYTIME, "RCPT"], next: ["identified", "rcpt", "bdat", "closed"] },
  rcpt: {
    input: "command",
    verbs: [...ANYTIME, "RCPT", "DATA", "BDAT"],
    next: ["identified", "rcpt", "data", "bdat", "closed"],
  },
  data: { input: "data", verbs: [], next: ["waiting", "identified", "closed"] },
  bdat: {
    input: "bdat",
    verbs: [],
    next: ["chunking", "waiting", "identified", "ready", "mail", "rcpt", "closed"],
  },
  chunking: {
    input: "command",
    verbs: ["BDAT", "RSET", "NOOP", "QUIT", "HELP", "HELO", "EHLO"],
    next: ["bdat", "identified", "closed"],
  },
  sasl: { input: "sasl", verbs: [], next: ["identified", "waiting", "closed"] },
  waiting: { input: "queue", verbs: [], next: ["identified", "closed"] },
  starttls: { input: "discard", verbs: [], next: ["ready", "closed"] },
  closed: { input: "ignore", verbs: [], next: [] },
} as const satisfies Record<SmtpState, StateRule>;

/** True when `verb` is accepted in `state` (RFC 5321 section 4.1.4). */
export function isVerbAllowed(state: SmtpState, verb: SmtpVerb): boolean {
  return (SMTP_STATES[state].verbs as readonly SmtpVerb[]).includes(verb);
}

/** True when the table allows going from `from` to `to`; staying in a state is always allowed. */
export function isTransitionAllowed(from: SmtpState, to: SmtpState): boolean {
  return from === to || to === "closed" || (SMTP_STATES[from].next as readonly SmtpState[]).includes(to);
}

/** The text of the 503 for a verb sent out of order, naming what is missing. */
export function describeSequenceError(state: SmtpState, verb: SmtpVerb): string {
  if (state === "ready") {
    return verb === "AUTH" || verb === "STARTTLS" ? "Send EHLO first" : "Send HELO/EHLO first";
  }
  if (state === "chunking") {
    return verb === "DATA"
      ? "DATA not allowed during a BDAT transfer"
      : `${verb} not allowed between BDAT chunks`;
  }
  switch (verb) {
    case "MAIL":
      return "Sender already specified";
    case "RCPT":
      return "Need MAIL command";
    case "DATA":
    case "BDAT":
      return state === "mail" ? "Need RCPT command" : "Need MAIL command";
    case "AUTH":
    case "STARTTLS":
      return `${verb} not allowed during a mail transaction`;
    default:
      return "Bad sequence of commands";
  }
}
