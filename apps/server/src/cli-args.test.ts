import { describe, expect, it } from "vitest";
import {
  formatHelp,
  parseCliArgs,
  parseDuration,
  parseSize,
  resolveCliPaths,
  toEnvName,
} from "./cli-args.ts";

describe("parseCliArgs", () => {
  it("maps flags onto options", () => {
    const result = parseCliArgs([
      "--smtp-port=0",
      "--http-port",
      "9000",
      "--db",
      ":memory:",
      "--max-message-size=10m",
      "--max-age=7d",
      "--idle-timeout=30s",
      "--tls-self-signed",
      "--smtp-tls-port=0",
      "--vrfy=reject",
      "--smtp-max-connections=50",
      "--smtp-max-recipients",
      "3",
      "--cors-origin=http://a.example, http://b.example",
    ]);
    expect(result).toEqual({
      kind: "run",
      options: {
        smtpPort: 0,
        httpPort: 9000,
        db: ":memory:",
        maxMessageSize: 10 * 1024 * 1024,
        maxAgeMs: 7 * 86_400_000,
        idleTimeoutMs: 30_000,
        tlsSelfSigned: true,
        smtpTlsPort: 0,
        vrfy: "reject",
        smtpMaxConnections: 50,
        smtpMaxRecipients: 3,
        corsOrigins: ["http://a.example", "http://b.example"],
      },
    });
  });

  it("reads MAILPEN_* variables, and a flag wins over its variable", () => {
    const env = { MAILPEN_SMTP_PORT: "2525", MAILPEN_HOST: "0.0.0.0", MAILPEN_SMTP_AUTH_REQUIRED: "true" };
    expect(parseCliArgs(["--smtp-port=26"], env)).toEqual({
      kind: "run",
      options: { smtpPort: 26, host: "0.0.0.0", smtpAuthRequired: true },
    });
  });

  it.each([
    [["--smtp-prot=1"], "Unknown option '--smtp-prot'"],
    [["--smtp-port=70000"], "--smtp-port"],
    [["--http-port=abc"], "--http-port"],
    [["--max-messages=-1"], "--max-messages"],
    [["--smtp-max-connections=0"], "--smtp-max-connections"],
    [["--smtp-max-recipients=many"], "--smtp-max-recipients"],
    [["--max-message-size=lots"], "--max-message-size"],
    [["--vrfy=maybe"], "--vrfy"],
    [["--tls-cert=a.pem"], "--tls-cert and --tls-key"],
    [["--smtp-tls-port=465"], "--smtp-tls-port needs"],
    [["extra"], "extra"],
  ])("rejects %j with a one-line message naming it", (argv, fragment) => {
    const result = parseCliArgs(argv);
    expect(result.kind).toBe("error");
    const message = result.kind === "error" ? result.message : "";
    expect(message).toContain(fragment);
    expect(message).not.toContain("\n");
  });

  it("names the environment variable when the bad value came from it", () => {
    expect(parseCliArgs([], { MAILPEN_SMTP_PORT: "x" })).toMatchObject({
      kind: "error",
      message: expect.stringContaining("MAILPEN_SMTP_PORT"),
    });
  });

  it("ignores the leading -- that `pnpm start -- ...` passes through", () => {
    expect(parseCliArgs(["--", "--smtp-port=0"])).toEqual({ kind: "run", options: { smtpPort: 0 } });
  });

  it("recognises --help and --version", () => {
    expect(parseCliArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseCliArgs(["-v"])).toEqual({ kind: "version" });
  });
});

describe("value parsers", () => {
  it("parses sizes and durations", () => {
    expect(parseSize("50m")).toBe(50 * 1024 * 1024);
    expect(parseSize("1024")).toBe(1024);
    expect(parseSize("0")).toBeUndefined();
    expect(parseSize("12q")).toBeUndefined();
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("90")).toBe(90_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("-1s")).toBeUndefined();
  });

  it("lists every flag with its variable in --help", () => {
    const help = formatHelp("1.2.3");
    for (const flag of [
      "smtp-port",
      "http-port",
      "host",
      "db",
      "max-message-size",
      "max-messages",
      "smtp-max-connections",
      "smtp-max-recipients",
      "ui-auth-file",
    ]) {
      expect(help).toContain(`--${flag}`);
      expect(help).toContain(toEnvName(flag));
    }
  });
});

describe("resolveCliPaths", () => {
  it("puts the default database in the user's folder and resolves relative files there", () => {
    expect(resolveCliPaths({}, "/home/me/project")).toMatchObject({ db: "/home/me/project/mailpen.sqlite" });
    expect(resolveCliPaths({ db: ":memory:", uiAuthFile: "users.txt" }, "/srv")).toMatchObject({
      db: ":memory:",
      uiAuthFile: "/srv/users.txt",
    });
    expect(resolveCliPaths({ db: "/abs/x.sqlite" }, "/srv").db).toBe("/abs/x.sqlite");
  });
});
