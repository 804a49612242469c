/**
 * The production bundle (`build.mjs` → dist/mailpen.mjs + dist/store-worker.mjs), run the way
 * `pnpm start` runs it: plain `node`, no tsx. Builds the bundle first, so it tests the current
 * sources. The message's full parse proves the bundled worker ran: if the worker could not start,
 * the store would parse on the main thread instead and say so on stderr, which the test checks.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SERVER_DIR = fileURLToPath(new URL("..", import.meta.url));
const BUNDLE = path.join(SERVER_DIR, "dist/mailpen.mjs");

let child: ChildProcess | null = null;
let tempDir = "";

beforeAll(() => {
  execFileSync(process.execPath, [path.join(SERVER_DIR, "build.mjs")], { stdio: "pipe", timeout: 60_000 });
  tempDir = mkdtempSync(path.join(tmpdir(), "mailpen-bundle-"));
}, 90_000);

afterAll(() => {
  child?.kill("SIGKILL");
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("production bundle", () => {
  it("starts with plain node, stores a message, parses it in the bundled worker, stops on SIGTERM", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("MAILPEN_")) delete env[key];
    delete env.INIT_CWD;
    // No --import, no NODE_OPTIONS loader: the bundle must run on its own.
    delete env.NODE_OPTIONS;
    const db = path.join(tempDir, "mailpen.sqlite");
    const run = spawn(process.execPath, [BUNDLE, "--smtp-port=0", "--http-port=0", `--db=${db}`], {
      cwd: tempDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = run;
    let out = "";
    let err = "";
    run.stdout.on("data", (c: Buffer) => (out += c.toString()));
    run.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const exit = new Promise<number | null>((resolve) => run.on("exit", (code) => resolve(code)));

    const smtpPort = await waitFor("the SMTP port", () => {
      if (run.exitCode !== null) throw new Error(`mailpen exited early: ${out} ${err}`);
      return /SMTP:\s+127\.0\.0\.1:(\d+)/.exec(out)?.[1];
    });
    const url = await waitFor("the inbox URL", () => /Inbox: (http:\/\/\S+)/.exec(out)?.[1]);
    expect(out).toContain(`Database: ${db}`);

    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: Number(smtpPort),
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: "sender@example.test",
      to: "rcpt@example.test",
      subject: "From the bundle",
      text: "Plain body",
      html: "<p>HTML <b>body</b></p>",
      attachments: [{ filename: "note.txt", content: "attached" }],
    });
    transport.close();

    const id = await waitFor("the message in the list", async () => {
      const list = (await (await fetch(`${url}api/messages`)).json()) as { messages: { id: string }[] };
      return list.messages[0]?.id;
    });
    const detail = await waitFor("the full parse", async () => {
      const message = (await (await fetch(`${url}api/messages/${id}`)).json()) as {
        parseState: string;
        subject: string;
      };
      return message.parseState === "pending" ? undefined : message;
    });
    expect(detail).toMatchObject({ parseState: "parsed", subject: "From the bundle" });
    // The store falls back to the main thread when the worker fails, and warns on stderr.
    expect(err).not.toMatch(/parse worker/);

    run.kill("SIGTERM");
    expect(await exit).toBe(0);
    child = null;
  });
});
