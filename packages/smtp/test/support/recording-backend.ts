/**
 * A test backend that records everything the listener or engine hands over, in order, and can be told
 * to reject deliveries. Invariants: it never performs I/O; every promise it hands out settles; waiting
 * helpers are bounded by a timeout so a missing callback fails the test instead of hanging it.
 */
import type { SessionStart, SessionState, TranscriptEntry } from "@mailpen/shared";
import type { SmtpBackend, SmtpCredentials, SmtpDelivery, SmtpSessionEnd } from "../../src/backend.ts";

/** What `deliver()` should do with the next message(s). */
export type DeliverBehaviour =
  | { kind: "accept" }
  /** Throw this error (an SmtpReplyError, or any other error to test the 451 path). */
  | { kind: "throw"; error: unknown }
  /** Hold the promise until `release()` is called, to test a close() with a delivery in flight. */
  | { kind: "hold" };

/** One session as seen by the backend: its start, its transcript, its messages and its end. */
export interface RecordedSession {
  start: SessionStart;
  entries: TranscriptEntry[];
  lastState: SessionState | null;
  deliveries: SmtpDelivery[];
  /** Every sessionEnded call for this id (a correct listener makes exactly one). */
  ends: SmtpSessionEnd[];
}

export interface RecordingBackend extends SmtpBackend {
  readonly sessions: RecordedSession[];
  readonly deliveries: SmtpDelivery[];
  /** Every credential check, in order. */
  readonly credentials: SmtpCredentials[];
  /** Calls that broke the ordering guarantee of SmtpBackend (for example a transcript after the end). */
  readonly violations: string[];
  /** What the next deliveries do (default accept). */
  behaviour: DeliverBehaviour;
  /** Release every held delivery (resolves them). */
  release(): void;
  /** Number of deliveries currently held. */
  readonly heldCount: number;
  session(id: string): RecordedSession;
  /** Resolves when `count` sessions have ended; rejects after `timeoutMs`. */
  waitForEnded(count: number, timeoutMs?: number): Promise<RecordedSession[]>;
  /** Resolves when `count` deliveries have been attempted (accepted or not). */
  waitForDeliveries(count: number, timeoutMs?: number): Promise<SmtpDelivery[]>;
  /** Resolves when some delivery is held. */
  waitForHeld(timeoutMs?: number): Promise<void>;
}

export interface RecordingBackendOptions {
  /** When set, `authenticate` accepts only these user/password pairs (also for CRAM-MD5). */
  users?: Record<string, string>;
  /** False leaves `authenticate` out, to test the listener's "accept any credentials" default. */
  authenticate?: boolean;
}

/** Builds a fresh recording backend; one per test. */
export function createRecordingBackend(options: RecordingBackendOptions = {}): RecordingBackend {
  const sessions: RecordedSession[] = [];
  const byId = new Map<string, RecordedSession>();
  const deliveries: SmtpDelivery[] = [];
  const credentials: SmtpCredentials[] = [];
  const violations: string[] = [];
  const held: Array<() => void> = [];
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };

  const waitFor = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const first = check();
      if (first !== undefined) return resolve(first);
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        resolve(value);
      };
      waiters.add(waiter);
    });

  const lookup = (id: string, call: string): RecordedSession | undefined => {
    const s = byId.get(id);
    if (!s) violations.push(`${call} for unknown session ${id}`);
    else if (s.ends.length > 0) violations.push(`${call} after sessionEnded for ${id}`);
    return s;
  };

  const backend: RecordingBackend = {
    sessions,
    deliveries,
    credentials,
    violations,
    behaviour: { kind: "accept" },
    get heldCount() {
      return held.length;
    },
    sessionStarted(start) {
      if (byId.has(start.id)) violations.push(`sessionStarted twice for ${start.id}`);
      const s: RecordedSession = { start, entries: [], lastState: null, deliveries: [], ends: [] };
      sessions.push(s);
      byId.set(start.id, s);
      notify();
    },
    transcriptAppended(sessionId, entries, state) {
      const s = lookup(sessionId, "transcriptAppended");
      if (s) {
        s.entries.push(...entries.map((e) => ({ ...e })));
        s.lastState = structuredClone(state);
      }
      notify();
    },
    async deliver(message) {
      const s = lookup(message.sessionId, "deliver");
      deliveries.push(message);
      s?.deliveries.push(message);
      notify();
      const behaviour = backend.behaviour;
      if (behaviour.kind === "throw") throw behaviour.error;
      if (behaviour.kind === "hold") {
        await new Promise<void>((resolve) => {
          held.push(resolve);
          notify();
        });
      }
    },
    authenticate(c) {
      credentials.push(c);
      const users = options.users;
      if (!users) return true;
      const expected = users[c.username];
      if (expected === undefined) return false;
      if (c.password !== undefined) return c.password === expected;
      return c.verifyCramMd5?.(expected) ?? false;
    },
    sessionEnded(end) {
      const s = byId.get(end.id);
      if (!s) violations.push(`sessionEnded for unknown session ${end.id}`);
      else s.ends.push(end);
      notify();
    },
    release() {
      for (const r of held.splice(0)) r();
    },
    session(id) {
      const s = byId.get(id);
      if (!s) throw new Error(`no session ${id}`);
      return s;
    },
    waitForEnded(count, timeoutMs = 5000) {
      return waitFor(
        () => {
          const ended = sessions.filter((s) => s.ends.length > 0);
          return ended.length >= count ? ended : undefined;
        },
        `${count} ended session(s)`,
        timeoutMs,
      );
    },
    waitForDeliveries(count, timeoutMs = 5000) {
      return waitFor(
        () => (deliveries.length >= count ? deliveries : undefined),
        `${count} deliveries`,
        timeoutMs,
      );
    },
    waitForHeld(timeoutMs = 5000) {
      return waitFor(() => (held.length > 0 ? true : undefined), "a held delivery", timeoutMs).then(
        () => undefined,
      );
    },
  };
  if (options.authenticate === false) delete (backend as Partial<RecordingBackend>).authenticate;
  return backend;
}
