import { childNodeFlags, nodeWithTsx, spawnServer } from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

/** Mailpen's SMTP engine and listener alone, with a backend that only counts (issue 3's benchmark). */
export const mailpenSmtp: ServerUnderTest = {
  id: "mailpen-smtp",
  label: "Mailpen SMTP engine",
  role: "@mailpen/smtp with a counting backend",
  pushesEvents: false,
  unavailableReason: () => null,
  start: () =>
    spawnServer(nodeWithTsx(new URL("../children/mailpen-smtp.ts", import.meta.url), [], childNodeFlags)),
};
