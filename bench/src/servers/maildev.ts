import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort, spawnOnFreePorts } from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

function maildevBin(): string {
  // The package exports only its ESM entry (dist/index.js); the CLI sits beside it in dist/bin.
  return path.join(path.dirname(fileURLToPath(import.meta.resolve("maildev"))), "bin/maildev.js");
}

/** MailDev 3 through its own CLI, in-memory (no --mail-directory), both listeners on 127.0.0.1. */
export const maildev: ServerUnderTest = {
  id: "maildev",
  label: "MailDev 3",
  role: "nearest peer (Node, same purpose)",
  pushesEvents: false,
  unavailableReason: () => null,
  start: () =>
    spawnOnFreePorts(async () => {
      const [smtpPort, httpPort] = [await findFreePort(), await findFreePort()];
      return {
        command: process.execPath,
        args: [
          maildevBin(),
          "--smtp",
          String(smtpPort),
          "--web",
          String(httpPort),
          "--ip",
          "127.0.0.1",
          "--web-ip",
          "127.0.0.1",
          "--silent",
        ],
        ready: { kind: "greeting", smtpPort, httpPort },
      };
    }),
};
