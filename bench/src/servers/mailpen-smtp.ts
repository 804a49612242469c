import { bundleChild } from "../bundle-child.ts";
import { childNodeFlags, spawnServer } from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

/**
 * Mailpen's SMTP engine and listener alone, with a backend that only counts (issue 3's benchmark).
 * The child runs as an esbuild bundle under plain `node`, the way the product's `pnpm start` runs, so
 * its idle RSS and start-up are not tsx's loader.
 */
export const mailpenSmtp: ServerUnderTest = {
  id: "mailpen-smtp",
  label: "Mailpen SMTP engine",
  role: "@mailpen/smtp with a counting backend",
  pushesEvents: false,
  unavailableReason: () => null,
  start: async () => {
    const bundle = await bundleChild(new URL("../children/mailpen-smtp.ts", import.meta.url));
    return spawnServer({
      command: process.execPath,
      args: [...childNodeFlags, bundle],
      ready: { kind: "stdout-json" },
    });
  },
};
