import { readFileSync } from "node:fs";
import { createIdGenerator, createSmtpServer, type SmtpServer, type SmtpServerOptions } from "@mailpen/smtp";
import { openStore, type MailStore } from "@mailpen/store";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import { readUserTable } from "./auth-file.ts";
import { createStoreBackend } from "./backend-adapter.ts";
import { toMailpenConfig, type MailpenConfig, type MailpenOptions } from "./config.ts";

/**
 * The whole of Mailpen in one process: store, one SMTP server (a plain port, optionally an implicit-TLS port) and the HTTP app. Used by the CLI and
 * by test suites that want a private Mailpen. Start order: store, HTTP, SMTP; stop order: SMTP
 * (stop accepting, let transactions finish, bounded), HTTP, store. A failed start closes whatever
 * had been opened before rethrowing.
 */

export interface RunningMailpen {
  /** The SMTP port actually bound (useful with `smtpPort: 0`). */
  smtpPort: number;
  /** The implicit-TLS SMTP port, when `smtpTlsPort` was given. */
  smtpTlsPort?: number;
  httpPort: number;
  /** The inbox, e.g. "http://127.0.0.1:8025/". */
  url: string;
  /** The interface both listeners are bound to. */
  host: string;
  store: MailStore;
  /** The config in effect (defaults filled in). */
  config: MailpenConfig;
  /** Stop accepting SMTP, let transactions in flight finish (bounded), close HTTP and the store. */
  close(): Promise<void>;
}

export interface StartMailpenExtras {
  /** Milliseconds since the epoch for SMTP, store and app; default Date.now. */
  clock?: () => number;
  /** How long close() lets SMTP transactions in flight finish. Default 10 s. */
  closeGraceMs?: number;
}

/** `localhost` for wildcard binds, brackets for IPv6, so the printed URL can be pasted. */
export function formatUrlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

const silentLogger: Pick<Console, "warn" | "error"> = { warn: () => undefined, error: () => undefined };

function toSmtpOptions(
  config: MailpenConfig,
  clock: () => number,
  newId: () => string,
  logger: Pick<Console, "warn" | "error">,
): SmtpServerOptions {
  const tls: SmtpServerOptions["tls"] =
    config.tlsCert && config.tlsKey
      ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) }
      : config.tlsSelfSigned
        ? "self-signed"
        : undefined;
  return {
    hostname: config.hostname,
    maxMessageSize: config.maxMessageSize,
    idleTimeoutMs: config.idleTimeoutMs,
    maxConnections: config.smtpMaxConnections,
    maxRecipients: config.smtpMaxRecipients,
    authRequired: config.smtpAuthRequired,
    vrfy: config.vrfy,
    expn: config.expn,
    tls,
    keepAuthSecrets: config.keepAuthSecrets,
    clock,
    newId,
    logger,
  };
}

/**
 * Start Mailpen in this process. Defaults are the CLI's: ports 1025/8025 and a `mailpen.sqlite` file in
 * the working folder, so a test suite normally passes `{ smtpPort: 0, httpPort: 0, db: ":memory:" }`.
 */
export async function startMailpen(
  options: MailpenOptions = {},
  extras: StartMailpenExtras = {},
): Promise<RunningMailpen> {
  const config = toMailpenConfig(options);
  const clock = extras.clock ?? Date.now;
  // Files are read before anything opens, so a bad path fails without leaving a half-started process.
  const smtpUsers = config.smtpAuthFile ? readUserTable(config.smtpAuthFile) : undefined;
  const uiUsers = config.uiAuthFile ? readUserTable(config.uiAuthFile) : undefined;
  const newId = createIdGenerator(clock);
  const logger = config.logLevel === "silent" ? silentLogger : console;
  const smtpOptions = toSmtpOptions(config, clock, newId, logger);

  const store = openStore({
    path: config.db,
    maxMessages: config.maxMessages,
    maxAgeMs: config.maxAgeMs,
    clock,
    logger,
  });
  const state = { smtp: false, http: false };
  let smtpServer: SmtpServer | undefined;
  let app: FastifyInstance | undefined;
  let closing: Promise<void> | undefined;

  const close = () => {
    closing ??= (async () => {
      state.smtp = false;
      try {
        await smtpServer?.close({ graceMs: extras.closeGraceMs ?? 10_000 });
        state.http = false;
        await app?.close();
      } finally {
        // The database closes whatever happened above: it holds the only copy of the mail.
        await store.close();
      }
    })();
    return closing;
  };

  try {
    app = await buildApp({
      store,
      clock,
      config: {
        webRoot: config.webRoot,
        corsOrigins: config.corsOrigins,
        uiUsers,
        listening: { smtp: () => state.smtp, http: () => state.http },
        logger: config.logLevel === "silent" ? false : { level: config.logLevel },
      },
    });
    await app.listen({ port: config.httpPort, host: config.host });
    const httpAddress = app.server.address();
    const httpPort = typeof httpAddress === "object" && httpAddress ? httpAddress.port : config.httpPort;
    state.http = true;

    const smtp = createSmtpServer(createStoreBackend(store, { users: smtpUsers, logger }), smtpOptions);
    smtpServer = smtp;
    const smtpAddress = await smtp.listen({ port: config.smtpPort, host: config.host });
    const smtpTlsPort =
      config.smtpTlsPort === undefined
        ? undefined
        : (await smtp.listen({ port: config.smtpTlsPort, host: config.host, implicitTls: true })).port;
    state.smtp = true;

    return {
      smtpPort: smtpAddress.port,
      ...(smtpTlsPort !== undefined ? { smtpTlsPort } : {}),
      httpPort,
      url: `http://${formatUrlHost(config.host)}:${httpPort}/`,
      host: config.host,
      store,
      config,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
