import { nodeWithTsx, spawnServer } from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

/**
 * nodemailer's smtp-server with a discarding handler, run with its defaults as users run it: it
 * waits 100 ms before the greeting (early-talker check), which caps new-connection throughput.
 */
export const smtpServer: ServerUnderTest = {
  id: "smtp-server",
  label: "smtp-server (nodemailer)",
  role: "Node library floor (defaults: 100 ms greeting delay)",
  pushesEvents: false,
  unavailableReason: () => null,
  start: () => spawnServer(nodeWithTsx(new URL("../children/smtp-server.ts", import.meta.url), [])),
};
