import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  childNodeFlags,
  findFreePort,
  nodeWithTsx,
  spawnOnFreePorts,
  spawnServer,
  type RunningServer,
} from "./child-process.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

/**
 * Mailpen's production bundle, as `pnpm start` runs it (`pnpm build` writes it). When present, the
 * bench runs it, so start-up and RSS are those of `pnpm start`; when absent (or with
 * MAILPEN_BENCH_FROM_SOURCE=1), the TypeScript child runs under tsx as before. A bundle older than
 * the sources measures the older code: run `pnpm build` before a bench run.
 */
const BUNDLE = fileURLToPath(new URL("../../../apps/server/dist/mailpen.mjs", import.meta.url));

let announced = false;

/** Starts the whole product in a child: SMTP, store on a SQLite file, HTTP API and websocket. */
export async function startMailpenProcess(
  db: string,
  ports: { smtpPort: number; httpPort: number } = { smtpPort: 0, httpPort: 0 },
): Promise<RunningServer> {
  const useBundle = existsSync(BUNDLE) && process.env.MAILPEN_BENCH_FROM_SOURCE !== "1";
  if (!announced) {
    announced = true;
    process.stderr.write(
      useBundle
        ? `  (Mailpen runs from its bundle ${path.relative(process.cwd(), BUNDLE)}; pnpm build refreshes it)\n`
        : "  (Mailpen runs from TypeScript sources under tsx)\n",
    );
  }
  if (!useBundle) {
    const child = new URL("../children/mailpen-full.ts", import.meta.url);
    return spawnServer({
      ...nodeWithTsx(child, [db, String(ports.smtpPort), String(ports.httpPort)], childNodeFlags),
      timeoutMs: 60_000,
    });
  }
  // The bundle is the `mailpen` command: it prints no JSON ready line, so its ports are chosen here
  // and readiness is its SMTP greeting.
  return spawnOnFreePorts(async () => {
    const smtpPort = ports.smtpPort || (await findFreePort());
    const httpPort = ports.httpPort || (await findFreePort());
    return {
      command: process.execPath,
      args: [
        ...childNodeFlags,
        BUNDLE,
        "--db",
        db,
        "--smtp-port",
        String(smtpPort),
        "--http-port",
        String(httpPort),
        "--host",
        "127.0.0.1",
        "--max-messages",
        "0",
      ],
      ready: { kind: "greeting", smtpPort, httpPort },
      timeoutMs: 60_000,
    };
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
