import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

/** The real `mailpen` command, through the bin shim (tsx registered at run time). */
const BIN = fileURLToPath(new URL("../bin/mailpen.mjs", import.meta.url));
const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function makeTempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "mailpen-cli-"));
  tempDirs.push(dir);
  return dir;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function runMailpen(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const key of Object.keys(env)) if (key.startsWith("MAILPEN_") && !options.env?.[key]) delete env[key];
  // Under `pnpm exec`, INIT_CWD names the repository; the command would put its default database there.
  delete env.INIT_CWD;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitForOutput(run: Run, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(run.stdout());
    if (match) return match;
    const exited = await Promise.race([
      run.exit.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 50)),
    ]);
    if (exited) throw new Error(`mailpen exited early: ${run.stdout()} ${run.stderr()}`);
  }
}

// Concurrent: each test spawns its own process, and tsx start-up dominates the time.
describe.concurrent("mailpen command", () => {
  it("rejects an unknown flag with one line naming it and exit code 2", async () => {
    const run = runMailpen(["--smpt-port=1"]);
    expect(await run.exit).toBe(2);
    expect(run.stderr().split("\n")[0]).toMatch(/^mailpen: .*--smpt-port/);
  });

  it("rejects a bad value, also from the environment, with exit code 2", async () => {
    const run = runMailpen([], { env: { MAILPEN_HTTP_PORT: "80000" } });
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toContain("MAILPEN_HTTP_PORT");
  });

  it("prints every flag for --help and exits 0", async () => {
    const run = runMailpen(["--help"]);
    expect(await run.exit).toBe(0);
    expect(run.stdout()).toContain("--smtp-port");
    expect(run.stdout()).toContain("MAILPEN_MAX_MESSAGES");
  });

  it("starts on free ports, prints them, serves, and stops with exit 0 on SIGTERM", async () => {
    const cwd = makeTempDir();
    const run = runMailpen(["--smtp-port=0", "--http-port=0"], { cwd });
    const [, smtpPort] = await waitForOutput(run, /SMTP:\s+127\.0\.0\.1:(\d+)/);
    const [, url] = await waitForOutput(run, /Inbox: (http:\/\/\S+)/);
    expect(Number(smtpPort)).toBeGreaterThan(0);
    const health = await fetch(`${url}api/health`);
    expect(await health.json()).toMatchObject({ status: "ok" });
    expect(existsSync(path.join(cwd, "mailpen.sqlite"))).toBe(true);
    run.child.kill("SIGTERM");
    expect(await run.exit).toBe(0);
  });

  it("exits 1 with a message when a users file cannot be read", async () => {
    const cwd = makeTempDir();
    writeFileSync(path.join(cwd, "users"), "no colon here\n");
    const run = runMailpen(["--smtp-port=0", "--http-port=0", "--db=:memory:", "--ui-auth-file=users"], {
      cwd,
    });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/users: line 1/);
  });
});
