import { fileURLToPath } from "node:url";

/**
 * Mailpen's configuration: one table of defaults shared by the CLI (`cli-args.ts`) and
 * `startMailpen()`. Nothing here reads the environment or the file system; `cli-args.ts` maps flags
 * and `MAILPEN_*` variables onto these fields.
 */

export type VrfyMode = "cannot-verify" | "accept" | "reject";
export type ExpnMode = "disabled" | "accept";

/** Options of `startMailpen()`: the CLI flags in camelCase. Every field has a default. */
export interface MailpenOptions {
  /** SMTP port; 0 picks a free port. Default 1025. */
  smtpPort?: number;
  /** HTTP port (API and inbox); 0 picks a free port. Default 8025. */
  httpPort?: number;
  /** Implicit-TLS SMTP port (SMTPS); off when absent. Needs a certificate or `tlsSelfSigned`. */
  smtpTlsPort?: number;
  /** Interface both listeners bind. Default 127.0.0.1. */
  host?: string;
  /** SQLite file, or ":memory:" for a throwaway run. Default "mailpen.sqlite" in the working folder. */
  db?: string;
  /** Largest message accepted (SIZE). Default 50 MiB. */
  maxMessageSize?: number;
  /** Retention: oldest messages beyond this count are deleted; 0 keeps every message. Default 10000. */
  maxMessages?: number;
  /** Retention: messages older than this are deleted. Default: no age limit. */
  maxAgeMs?: number;
  /** PEM certificate file for STARTTLS and the TLS port (with `tlsKey`). */
  tlsCert?: string;
  /** PEM key file for STARTTLS and the TLS port (with `tlsCert`). */
  tlsKey?: string;
  /** Generate a self-signed certificate at start for STARTTLS and the TLS port. */
  tlsSelfSigned?: boolean;
  /** File of `user:password` lines; when given, SMTP AUTH checks credentials against it. */
  smtpAuthFile?: string;
  /** Require AUTH before MAIL FROM. Default false. */
  smtpAuthRequired?: boolean;
  /** VRFY reply. Default "cannot-verify" (252). */
  vrfy?: VrfyMode;
  /** EXPN reply. Default "disabled" (502). */
  expn?: ExpnMode;
  /** SMTP idle timeout. Default 5 minutes. */
  idleTimeoutMs?: number;
  /** SMTP connections at once; one more gets 421 at its greeting. Default 200. */
  smtpMaxConnections?: number;
  /** RCPT TO per message; one more gets 452. Default 1000. */
  smtpMaxRecipients?: number;
  /** File of `user:password` lines; when given, the inbox and API require HTTP basic auth. */
  uiAuthFile?: string;
  /** Origins allowed by CORS ("*" for any). Default: none (no CORS headers). */
  corsOrigins?: string[];
  /** Name in the SMTP greeting and EHLO reply. Default "mailpen". */
  hostname?: string;
  /** Keep AUTH secrets in transcripts instead of masking them. Default false. */
  keepAuthSecrets?: boolean;
  /** Folder of the built web app. Default: apps/web/dist of this repository. */
  webRoot?: string;
  /** Fastify log level ("silent" for none). Default "warn". */
  logLevel?: string;
}

/** `MailpenOptions` with every default filled in. */
export type MailpenConfig = Required<
  Omit<MailpenOptions, "smtpTlsPort" | "maxAgeMs" | "tlsCert" | "tlsKey" | "smtpAuthFile" | "uiAuthFile">
> &
  Pick<MailpenOptions, "smtpTlsPort" | "maxAgeMs" | "tlsCert" | "tlsKey" | "smtpAuthFile" | "uiAuthFile">;

export const DEFAULT_CONFIG = {
  smtpPort: 1025,
  httpPort: 8025,
  host: "127.0.0.1",
  db: "mailpen.sqlite",
  maxMessageSize: 50 * 1024 * 1024,
  maxMessages: 10_000,
  tlsSelfSigned: false,
  smtpAuthRequired: false,
  vrfy: "cannot-verify",
  expn: "disabled",
  idleTimeoutMs: 5 * 60_000,
  smtpMaxConnections: 200,
  smtpMaxRecipients: 1000,
  corsOrigins: [],
  hostname: "mailpen",
  keepAuthSecrets: false,
  webRoot: fileURLToPath(new URL("../../web/dist", import.meta.url)),
  logLevel: "warn",
} as const satisfies Omit<
  MailpenConfig,
  "smtpTlsPort" | "maxAgeMs" | "tlsCert" | "tlsKey" | "smtpAuthFile" | "uiAuthFile"
>;

/** Fill in defaults. `undefined` fields take the default; explicit values are kept as given. */
export function toMailpenConfig(options: MailpenOptions = {}): MailpenConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_CONFIG, corsOrigins: [...DEFAULT_CONFIG.corsOrigins], ...defined } as MailpenConfig;
}
