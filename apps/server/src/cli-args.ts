import path from "node:path";
import { parseArgs } from "node:util";
import { parseByteSize } from "@mailpen/store";
import { DEFAULT_CONFIG, type ExpnMode, type MailpenOptions, type VrfyMode } from "./config.ts";

/**
 * The `mailpen` command line: flags, their `MAILPEN_*` environment variables, and validation.
 * Pure: argv and env come in, options or a one-line error come out (main.ts prints and exits 2).
 * A flag given on the command line wins over its environment variable.
 */

type Kind =
  "port" | "size" | "count" | "limit" | "duration" | "string" | "boolean" | "vrfy" | "expn" | "list";

interface FlagSpec {
  flag: string;
  key: keyof MailpenOptions;
  kind: Kind;
  help: string;
  default?: string;
}

const FLAGS: FlagSpec[] = [
  {
    flag: "smtp-port",
    key: "smtpPort",
    kind: "port",
    help: "SMTP port (0 picks a free one)",
    default: "1025",
  },
  {
    flag: "http-port",
    key: "httpPort",
    kind: "port",
    help: "HTTP port for inbox and API (0 picks a free one)",
    default: "8025",
  },
  { flag: "host", key: "host", kind: "string", help: "interface to listen on", default: DEFAULT_CONFIG.host },
  {
    flag: "db",
    key: "db",
    kind: "string",
    help: "SQLite file; :memory: for a throwaway run",
    default: DEFAULT_CONFIG.db,
  },
  {
    flag: "max-message-size",
    key: "maxMessageSize",
    kind: "size",
    help: "largest message accepted (bytes, or 10k/5m/1g)",
    default: "50m",
  },
  {
    flag: "max-messages",
    key: "maxMessages",
    kind: "count",
    help: "keep at most this many messages (0: no limit)",
    default: "10000",
  },
  {
    flag: "max-age",
    key: "maxAgeMs",
    kind: "duration",
    help: "delete messages older than this (30m, 12h, 7d)",
    default: "none",
  },
  {
    flag: "smtp-tls-port",
    key: "smtpTlsPort",
    kind: "port",
    help: "implicit-TLS SMTP port (SMTPS); needs a certificate",
    default: "off",
  },
  { flag: "tls-cert", key: "tlsCert", kind: "string", help: "PEM certificate file for STARTTLS" },
  { flag: "tls-key", key: "tlsKey", kind: "string", help: "PEM key file for STARTTLS" },
  {
    flag: "tls-self-signed",
    key: "tlsSelfSigned",
    kind: "boolean",
    help: "offer STARTTLS with a generated self-signed certificate",
  },
  {
    flag: "smtp-auth-file",
    key: "smtpAuthFile",
    kind: "string",
    help: "user:password lines checked by SMTP AUTH (default: accept any)",
  },
  {
    flag: "smtp-auth-required",
    key: "smtpAuthRequired",
    kind: "boolean",
    help: "require AUTH before MAIL FROM",
  },
  {
    flag: "vrfy",
    key: "vrfy",
    kind: "vrfy",
    help: "VRFY reply: cannot-verify | accept | reject",
    default: DEFAULT_CONFIG.vrfy,
  },
  {
    flag: "expn",
    key: "expn",
    kind: "expn",
    help: "EXPN reply: disabled | accept",
    default: DEFAULT_CONFIG.expn,
  },
  {
    flag: "idle-timeout",
    key: "idleTimeoutMs",
    kind: "duration",
    help: "close idle SMTP connections after this",
    default: "5m",
  },
  {
    flag: "smtp-max-connections",
    key: "smtpMaxConnections",
    kind: "limit",
    help: "SMTP connections at once; one more gets 421",
    default: String(DEFAULT_CONFIG.smtpMaxConnections),
  },
  {
    flag: "smtp-max-recipients",
    key: "smtpMaxRecipients",
    kind: "limit",
    help: "RCPT TO per message; one more gets 452",
    default: String(DEFAULT_CONFIG.smtpMaxRecipients),
  },
  {
    flag: "hostname",
    key: "hostname",
    kind: "string",
    help: "name in the SMTP greeting",
    default: DEFAULT_CONFIG.hostname,
  },
  {
    flag: "keep-auth-secrets",
    key: "keepAuthSecrets",
    kind: "boolean",
    help: "show AUTH secrets in transcripts instead of masking",
  },
  {
    flag: "ui-auth-file",
    key: "uiAuthFile",
    kind: "string",
    help: "user:password lines for HTTP basic auth on inbox and API",
  },
  {
    flag: "cors-origin",
    key: "corsOrigins",
    kind: "list",
    help: "comma-separated origins allowed by CORS (* for any)",
    default: "none",
  },
];

/** The environment variable of a flag: `--smtp-port` is `MAILPEN_SMTP_PORT`. */
export function toEnvName(flag: string): string {
  return `MAILPEN_${flag.toUpperCase().replaceAll("-", "_")}`;
}

export type CliParseResult =
  | { kind: "run"; options: MailpenOptions }
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "error"; message: string };

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  "": 1000,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parse "50m", "10kb", "1048576" into bytes; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const value = parseByteSize(text);
  return value !== undefined && value > 0 ? value : undefined;
}

/** Parse "30s", "5m", "12h", "7d", "250ms" (a bare number is seconds) into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = DURATION_UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const value = Math.round(Number(match[1]) * unit);
  return value > 0 ? value : undefined;
}

function toValue(spec: FlagSpec, raw: string | boolean): unknown {
  if (spec.kind === "boolean") {
    if (typeof raw === "boolean") return raw;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off|)$/i.test(raw)) return false;
    return undefined;
  }
  const text = String(raw);
  switch (spec.kind) {
    case "port": {
      const port = /^\d+$/.test(text) ? Number(text) : NaN;
      return port >= 0 && port <= 65535 ? port : undefined;
    }
    case "count":
    case "limit": {
      // A limit of 0 would refuse everything: it must be at least 1.
      const count = /^\d+$/.test(text) ? Number(text) : NaN;
      return count >= (spec.kind === "limit" ? 1 : 0) && Number.isSafeInteger(count) ? count : undefined;
    }
    case "size":
      return parseSize(text);
    case "duration":
      return parseDuration(text);
    case "vrfy":
      return (["cannot-verify", "accept", "reject"] satisfies VrfyMode[]).find((m) => m === text);
    case "expn":
      return (["disabled", "accept"] satisfies ExpnMode[]).find((m) => m === text);
    case "list": {
      const items = text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      return items.length > 0 ? items : undefined;
    }
    case "string":
      return text === "" ? undefined : text;
  }
}

/**
 * Parse the command line and environment. Unknown flags, missing values and bad values give
 * `{ kind: "error", message }` with a one-line message naming the flag (or variable).
 */
export function parseCliArgs(argv: string[], env: Record<string, string | undefined> = {}): CliParseResult {
  // `pnpm start -- --flag` passes the `--` through; it separates nothing here.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        ...Object.fromEntries(
          FLAGS.map((f) => [f.flag, { type: f.kind === "boolean" ? "boolean" : "string" } as const]),
        ),
      },
    });
  } catch (error) {
    return { kind: "error", message: (error as Error).message.split("\n")[0]! };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };

  const options: Record<string, unknown> = {};
  for (const spec of FLAGS) {
    const fromFlag = values[spec.flag];
    const envName = toEnvName(spec.flag);
    const raw = fromFlag ?? env[envName];
    if (raw === undefined) continue;
    const value = toValue(spec, raw);
    if (value === undefined) {
      const source = fromFlag !== undefined ? `--${spec.flag}` : envName;
      return {
        kind: "error",
        message: `invalid value for ${source}: ${JSON.stringify(String(raw))} (${spec.help})`,
      };
    }
    options[spec.key] = value;
  }
  const result = options as MailpenOptions;
  if ((result.tlsCert === undefined) !== (result.tlsKey === undefined)) {
    return { kind: "error", message: "--tls-cert and --tls-key must be given together" };
  }
  if (result.smtpTlsPort !== undefined && result.tlsCert === undefined && !result.tlsSelfSigned) {
    return { kind: "error", message: "--smtp-tls-port needs --tls-cert/--tls-key or --tls-self-signed" };
  }
  return { kind: "run", options: result };
}

/** The text of `mailpen --help`: every flag with its variable and default. */
export function formatHelp(version: string): string {
  const rows = FLAGS.map((f) => {
    const name = f.kind === "boolean" ? `--${f.flag}` : `--${f.flag} <value>`;
    const extra = f.default !== undefined ? ` (default ${f.default})` : "";
    return `  ${name.padEnd(30)} ${f.help}${extra}\n  ${"".padEnd(30)} env ${toEnvName(f.flag)}`;
  });
  return [
    `mailpen ${version}: a fake SMTP server with a browser inbox`,
    "",
    "Usage: mailpen [options]",
    "",
    "Options:",
    ...rows,
    `  ${"-h, --help".padEnd(30)} show this help`,
    `  ${"-v, --version".padEnd(30)} print the version`,
    "",
  ].join("\n");
}

/**
 * Make the file options absolute against `baseDir`, the folder the user ran the command in (pnpm
 * runs package scripts in the package folder and passes the user's folder as INIT_CWD). The
 * database defaults to `mailpen.sqlite` there.
 */
export function resolveCliPaths(options: MailpenOptions, baseDir: string): MailpenOptions {
  const resolve = (file: string | undefined) =>
    file === undefined ? undefined : path.resolve(baseDir, file);
  const db = options.db ?? DEFAULT_CONFIG.db;
  return {
    ...options,
    db: db === ":memory:" || db.startsWith("file:") ? db : path.resolve(baseDir, db),
    tlsCert: resolve(options.tlsCert),
    tlsKey: resolve(options.tlsKey),
    smtpAuthFile: resolve(options.smtpAuthFile),
    uiAuthFile: resolve(options.uiAuthFile),
  };
}
