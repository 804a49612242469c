import { describe, expect, it } from "vitest";
import {
  describeSequenceError,
  isTransitionAllowed,
  isVerbAllowed,
  SMTP_STATES,
  type SmtpState,
} from "./state.ts";
import { VERB_HANDLERS } from "./verbs.ts";

const states = Object.keys(SMTP_STATES) as SmtpState[];

describe("state table (RFC 5321 section 4.1.4)", () => {
  it("names only existing states as successors, and every state but closed can close", () => {
    for (const state of states) {
      for (const next of SMTP_STATES[state].next) expect(states).toContain(next);
      expect(isTransitionAllowed(state, "closed")).toBe(true);
    }
  });

  it("every state except closed is reachable from greeting", () => {
    const seen = new Set<SmtpState>(["greeting"]);
    const queue: SmtpState[] = ["greeting"];
    while (queue.length > 0) {
      const state = queue.shift() as SmtpState;
      for (const next of SMTP_STATES[state].next) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    expect([...seen].sort()).toEqual([...states].sort());
  });

  it("only command states accept verbs, and every listed verb has a handler", () => {
    for (const state of states) {
      const rule = SMTP_STATES[state];
      if (rule.input !== "command") expect(rule.verbs).toEqual([]);
      for (const verb of rule.verbs) expect(Object.hasOwn(VERB_HANDLERS, verb)).toBe(true);
    }
  });

  it("orders the transaction: MAIL after HELO, RCPT after MAIL, DATA after RCPT", () => {
    expect(isVerbAllowed("ready", "MAIL")).toBe(false);
    expect(isVerbAllowed("identified", "MAIL")).toBe(true);
    expect(isVerbAllowed("identified", "RCPT")).toBe(false);
    expect(isVerbAllowed("mail", "RCPT")).toBe(true);
    expect(isVerbAllowed("mail", "DATA")).toBe(false);
    expect(isVerbAllowed("rcpt", "DATA")).toBe(true);
    expect(isVerbAllowed("chunking", "DATA")).toBe(false);
    expect(isVerbAllowed("chunking", "BDAT")).toBe(true);
    expect(isTransitionAllowed("identified", "data")).toBe(false);
  });

  it("names what is missing in 503 texts", () => {
    expect(describeSequenceError("ready", "MAIL")).toBe("Send HELO/EHLO first");
    expect(describeSequenceError("identified", "RCPT")).toBe("Need MAIL command");
    expect(describeSequenceError("mail", "DATA")).toBe("Need RCPT command");
    expect(describeSequenceError("rcpt", "MAIL")).toBe("Sender already specified");
  });
});
