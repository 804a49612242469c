/**
 * The `mailpen` command: parse flags and MAILPEN_* variables, start, print where to point SMTP and
 * where the inbox is, stop gracefully on SIGINT/SIGTERM (exit 0). Exit codes: 0 done, 1 could not
 * start (port in use, unreadable file), 2 bad flag or value.
 */
import { formatHelp, parseCliArgs, resolveCliPaths } from "./cli-args.ts";
import { MAILPEN_VERSION } from "./version.ts";

async function main(): Promise<void> {
  const parsed = parseCliArgs(process.argv.slice(2), process.env);
  if (parsed.kind === "error") {
    process.stderr.write(`mailpen: ${parsed.message}\nTry "mailpen --help".\n`);
    process.exit(2);
  }
  if (parsed.kind === "help") {
    process.stdout.write(formatHelp(MAILPEN_VERSION));
    return;
  }
  if (parsed.kind === "version") {
    process.stdout.write(`${MAILPEN_VERSION}\n`);
    return;
  }

  // Loaded only now, so --help and flag errors answer without loading Fastify and SQLite.
  const { startMailpen } = await import("./start-mailpen.ts");
  let mailpen: Awaited<ReturnType<typeof startMailpen>>;
  try {
    mailpen = await startMailpen(resolveCliPaths(parsed.options, process.env.INIT_CWD ?? process.cwd()));
  } catch (error) {
    process.stderr.write(`mailpen: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }

  const host = mailpen.url.replace(/^http:\/\//, "").replace(/:\d+\/$/, "");
  const lines = [
    `mailpen ${MAILPEN_VERSION}`,
    `SMTP:  ${host}:${mailpen.smtpPort}  (point your application's SMTP here)`,
    ...(mailpen.smtpTlsPort !== undefined ? [`SMTPS: ${host}:${mailpen.smtpTlsPort}  (implicit TLS)`] : []),
    `Inbox: ${mailpen.url}`,
    `API:   ${mailpen.url}api/docs`,
    `Database: ${mailpen.config.db}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`mailpen: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`mailpen: ${signal}, stopping\n`);
    mailpen.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`mailpen: error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

await main();
