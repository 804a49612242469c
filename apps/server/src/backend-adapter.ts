import type { SmtpBackend, SmtpCredentials } from "@mailpen/smtp";
import { releaseMemory, type MailStore } from "@mailpen/store";
import { checkPassword, type UserTable } from "./auth-file.ts";

/**
 * The SMTP backend implemented with the store: the only place where the SMTP listener meets
 * storage. Push is not done here: the store emits change events from its write path and the push hub
 * relays them (ARCHITECTURE.md: push never comes from the SMTP listener).
 *
 * Session and transcript writes are best effort: a failure is logged and never breaks the SMTP
 * conversation. `deliver` is the one durable step: it resolves only after the store committed, so
 * the engine's 250 means the message is stored.
 */

export interface StoreBackendOptions {
  /** When given, AUTH checks credentials against it; otherwise every credential is accepted. */
  users?: UserTable;
  logger?: Pick<Console, "error">;
}

/** Create the SMTP backend that writes into `store`. */
export function createStoreBackend(store: MailStore, options: StoreBackendOptions = {}): SmtpBackend {
  const logger = options.logger ?? console;
  const bestEffort = (what: string, write: () => void): void => {
    try {
      write();
    } catch (error) {
      logger.error(`mailpen: could not record ${what}:`, error);
    }
  };
  const backend: SmtpBackend = {
    sessionStarted(session) {
      bestEffort("session start", () => store.startSession({ ...session }));
    },
    transcriptAppended(sessionId, entries, state) {
      bestEffort("transcript", () => store.appendTranscript(sessionId, entries, { ...state }));
    },
    async deliver(delivery) {
      await store.addMessage({
        id: delivery.id,
        sessionId: delivery.sessionId,
        receivedAt: delivery.receivedAt,
        envelope: delivery.envelope,
        raw: delivery.raw,
        contentSummary: delivery.summary,
      });
      // The engine never uses a delivered raw again and the store keeps none: a large one is freed
      // now, not when tens of megabytes of such garbage have piled up.
      releaseMemory(delivery.raw);
    },
    // Content is streamed into the store as it arrives: a large message is written in chunks
    // instead of being held whole (store: beginMessage), so `deliver` is not used by the engine.
    openContent(info) {
      const declared = info.envelope.mailParams["SIZE"];
      const writer = store.beginMessage({ sizeHint: typeof declared === "string" ? Number(declared) : 0 });
      return {
        write: (chunk) => writer.write(chunk),
        end: async (summary) => {
          await writer.end({
            id: info.id,
            sessionId: info.sessionId,
            receivedAt: info.receivedAt,
            envelope: info.envelope,
            contentSummary: summary,
          });
        },
        abort: () => writer.abort(),
      };
    },
    sessionEnded(end) {
      const { id, ...rest } = end;
      bestEffort("session end", () => store.endSession(id, rest));
    },
  };
  const users = options.users;
  if (users) backend.authenticate = (credentials) => checkCredentials(users, credentials);
  return backend;
}

/** PLAIN and LOGIN carry the password; CRAM-MD5 is checked against the stored password. */
export function checkCredentials(users: UserTable, credentials: SmtpCredentials): boolean {
  const expected = users.get(credentials.username);
  if (expected === undefined) return false;
  if (credentials.password !== undefined)
    return checkPassword(users, credentials.username, credentials.password);
  return credentials.verifyCramMd5?.(expected) ?? false;
}
