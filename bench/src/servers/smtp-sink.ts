import { existsSync } from "node:fs";
import { findFreePort, spawnOnFreePorts } from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

const CANDIDATES = [
  "/usr/sbin/smtp-sink",
  "/usr/lib/postfix/sbin/smtp-sink",
  "/usr/libexec/postfix/smtp-sink",
];

function findSmtpSink(): string | undefined {
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/**
 * Postfix's smtp-sink: a C server that accepts and throws away, the practical ceiling. Run as
 * `smtp-sink [-u nobody] 127.0.0.1:PORT 1000` (backlog 1000; -u is required when run as root).
 */
export const smtpSink: ServerUnderTest = {
  id: "smtp-sink",
  label: "smtp-sink (Postfix)",
  role: "ceiling: C, stores nothing",
  pushesEvents: false,
  unavailableReason: () =>
    findSmtpSink() ? null : "smtp-sink not found (apt-get install postfix); peer skipped",
  start: () =>
    spawnOnFreePorts(async () => {
      const smtpPort = await findFreePort();
      const asRoot = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
      return {
        command: findSmtpSink()!,
        args: [...asRoot, `127.0.0.1:${smtpPort}`, "1000"],
        ready: { kind: "greeting", smtpPort, httpPort: null },
      };
    }),
};
