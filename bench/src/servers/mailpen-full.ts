import path from "node:path";
import { childNodeFlags, nodeWithTsx, spawnServer, type RunningServer } from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

/** Starts the whole product in a child: SMTP, store on a SQLite file, HTTP API and websocket. */
export function startMailpenProcess(
  db: string,
  ports: { smtpPort: number; httpPort: number } = { smtpPort: 0, httpPort: 0 },
): Promise<RunningServer> {
  const child = new URL("../children/mailpen-full.ts", import.meta.url);
  return spawnServer({
    ...nodeWithTsx(child, [db, String(ports.smtpPort), String(ports.httpPort)], childNodeFlags),
    timeoutMs: 60_000,
  });
}

/** Mailpen as users run it: storing, parsing and pushing every message (maxMessages 0: no retention). */
export const mailpenFull: ServerUnderTest = {
  id: "mailpen",
  label: "Mailpen",
  role: "the product: SMTP + SQLite + API + websocket",
  pushesEvents: true,
  unavailableReason: () => null,
  start: (workDir) => startMailpenProcess(path.join(workDir, "mailpen.sqlite")),
};
