/**
 * A second, non-Node client: Debian's `swaks` (Perl). Plain, pipelined, STARTTLS (RFC 3207), implicit
 * TLS and each AUTH mechanism (RFC 4954). Skipped with a message when swaks is not on PATH; the TLS
 * cases need swaks' TLS support (Debian package libnet-ssleay-perl) and are skipped without it.
 * swaks runs as a child process asynchronously, so the in-process listener keeps serving meanwhile.
 */
import { execFile, execFileSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { createServerFixture } from "./support/server-fixture.ts";

function probe(): { found: boolean; tls: boolean } {
  try {
    const support = execFileSync("swaks", ["--support"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    return { found: true, tls: /=== TLS supported/.test(support) };
  } catch (err) {
    const e = err as { code?: string; stdout?: string };
    if (e.code === "ENOENT") return { found: false, tls: false };
    // `swaks --support` exits non-zero when some optional feature is missing; its output still tells.
    return { found: true, tls: /=== TLS supported/.test(e.stdout ?? "") };
  }
}

const swaks = probe();
if (!swaks.found)
  console.warn("swaks-client.test.ts: `swaks` is not on PATH; install it with `apt-get install swaks`.");
else if (!swaks.tls)
  console.warn("swaks-client.test.ts: swaks has no TLS support; install libnet-ssleay-perl.");

function runSwaks(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      "swaks",
      ["--server", "127.0.0.1", "--timeout", "10", ...args],
      { timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

const fixture = createServerFixture();
afterEach(() => fixture.closeAll());

const base = ["--from", "alice@example.com", "--to", "bob@example.com", "--helo", "swaks.example"];

describe.skipIf(!swaks.found)("swaks, a non-Node client", () => {
  it("RFC 5321: plain delivery", async () => {
    const { port, backend } = await fixture.start();
    const run = await runSwaks([
      "--port",
      String(port),
      ...base,
      "--header",
      "Subject: from swaks",
      "--body",
      "swaks body",
    ]);
    expect(run.code, run.output).toBe(0);
    expect(backend.deliveries).toHaveLength(1);
    const d = backend.deliveries[0]!;
    expect(d.envelope).toMatchObject({
      mailFrom: "alice@example.com",
      heloName: "swaks.example",
      tls: false,
    });
    expect(d.envelope.rcptTo.map((r) => r.address)).toEqual(["bob@example.com"]);
    expect(d.raw.toString()).toMatch(/^Subject: from swaks\r$/m);
    expect(d.raw.toString()).toContain("swaks body");
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.ends[0]!.outcome).toBe("quit");
  });

  it("RFC 2920: --pipeline delivers to several recipients", async () => {
    const { port, backend } = await fixture.start();
    const run = await runSwaks([
      "--port",
      String(port),
      "--pipeline",
      "--from",
      "alice@example.com",
      "--to",
      "bob@example.com,carol@example.com,dave@example.com",
    ]);
    expect(run.code, run.output).toBe(0);
    expect(backend.deliveries[0]!.envelope.rcptTo.map((r) => r.address)).toEqual([
      "bob@example.com",
      "carol@example.com",
      "dave@example.com",
    ]);
  });

  it.skipIf(!swaks.tls)("RFC 3207: --tls upgrades with STARTTLS", async () => {
    const { port, backend } = await fixture.start({ server: { tls: "self-signed" } });
    const run = await runSwaks(["--port", String(port), ...base, "--tls"]);
    expect(run.code, run.output).toBe(0);
    expect(backend.deliveries[0]!.envelope.tls).toBe(true);
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.ends[0]!.tls).toMatchObject({ mode: "starttls" });
  });

  it.skipIf(!swaks.tls)("RFC 8314: --tls-on-connect to the implicit TLS listener", async () => {
    const { tlsPort, backend } = await fixture.start({ server: { tls: "self-signed" }, implicitTls: true });
    const run = await runSwaks(["--port", String(tlsPort), ...base, "--tls-on-connect"]);
    expect(run.code, run.output).toBe(0);
    expect(backend.deliveries[0]!.envelope.tls).toBe(true);
  });

  it.each(["PLAIN", "LOGIN", "CRAM-MD5"])("RFC 4954: --auth %s", async (mechanism) => {
    const { port, backend } = await fixture.start({ backend: { users: { alice: "secret" } } });
    const run = await runSwaks([
      "--port",
      String(port),
      ...base,
      "--auth",
      mechanism,
      "--auth-user",
      "alice",
      "--auth-password",
      "secret",
    ]);
    expect(run.code, run.output).toBe(0);
    expect(backend.deliveries[0]!.envelope.authUser).toBe("alice");
    const [ended] = await backend.waitForEnded(1);
    expect(ended!.ends[0]).toMatchObject({ authMechanism: mechanism, authUser: "alice" });
  });

  it("RFC 4954 section 6: --auth with a wrong password fails with 535", async () => {
    const { port, backend } = await fixture.start({ backend: { users: { alice: "secret" } } });
    const run = await runSwaks([
      "--port",
      String(port),
      ...base,
      "--auth",
      "PLAIN",
      "--auth-user",
      "alice",
      "--auth-password",
      "nope",
    ]);
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(/<~\* 535 5\.7\.8 |<\*\* 535 5\.7\.8 /);
    expect(backend.deliveries).toHaveLength(0);
  });
});
