import path from "node:path";
import { fileURLToPath } from "node:url";
import { findFreePort, spawnOnFreePorts } from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

function maildevBin(): string {
  // The package exports only its ESM entry (dist/index.js); the CLI sits beside it in dist/bin.
  return path.join(path.dirname(fileURLToPath(import.meta.resolve("maildev"))), "bin/maildev.js");
}

/**
 * MailDev 3 through its own CLI with its default storage (in memory: no --mail-directory), both
 * listeners on 127.0.0.1. That default still writes every message as an .eml file under
 * os.tmpdir()/maildev and never removes it (23 GB there after a few days of runs filled this
 * machine's disk), so its TMPDIR is the run's work folder, which the bench deletes with the server.
 */
export const maildev: ServerUnderTest = {
  id: "maildev",
  label: "MailDev 3",
  role: "nearest peer (Node, same purpose)",
  pushesEvents: false,
  unavailableReason: () => null,
  start: (workDir) =>
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
        env: { ...process.env, TMPDIR: workDir },
        ready: { kind: "greeting", smtpPort, httpPort },
      };
    }),
};
