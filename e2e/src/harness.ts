/**
 * What every browser test needs: a private Mailpen started in-process (it serves the built apps/web/dist,
 * so run `pnpm build` first; `pnpm test:e2e` does), Debian's Chromium driven by playwright-core with a
 * fresh profile, SMTP clients (nodemailer, and a raw socket for bytes nodemailer would normalise), a
 * console-error trap, and screenshots to e2e/screenshots/ (git-ignored) for people to look at.
 */
import { mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startMailpen } from "@mailpen/server";
import type { RunningMailpen } from "@mailpen/server";
import type { MessageListResponse } from "@mailpen/shared";
import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";

export const SCREENSHOT_DIR = fileURLToPath(new URL("../screenshots/", import.meta.url));

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Harness {
  mailpen: RunningMailpen;
  browser: Browser;
  page: Page;
  /** Base URL of the inbox, without a trailing slash. */
  base: string;
  /** Console errors and uncaught page errors seen so far (minus the ones `expectConsoleError` allowed). */
  consoleErrors: string[];
  /** Allows console errors matching `pattern` (for example the sandbox reporting a blocked script). */
  expectConsoleError: (pattern: RegExp) => void;
  send: (mail: SendMailOptions) => Promise<SMTPTransport.SentMessageInfo>;
  /** Sends exact bytes as DATA over a raw socket (no normalisation of line endings). */
  sendRaw: (from: string, to: string[], bytes: Buffer) => Promise<void>;
  /** The API's message list, for finding ids. */
  listMessages: () => Promise<MessageListResponse>;
  screenshot: (name: string) => Promise<string>;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
}

export async function openHarness(options: HarnessOptions = {}): Promise<Harness> {
  const viewport = options.viewport ?? { width: 1360, height: 860 };
  const mailpen = await startMailpen({ smtpPort: 0, httpPort: 0, db: ":memory:" });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      // playwright-core gives every launch a fresh temporary profile (it refuses --user-data-dir here).
      args: CHROMIUM_FLAGS,
      timeout: 30_000,
    });
  } catch (error) {
    await mailpen.close();
    throw error;
  }
  const context = await browser.newContext({ viewport, colorScheme: options.colorScheme ?? "light" });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);

  const consoleErrors: string[] = [];
  const allowed: RegExp[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = `${message.text()} (${message.location().url})`;
    if (!allowed.some((pattern) => pattern.test(text))) consoleErrors.push(text);
  });
  page.on("pageerror", (error) => consoleErrors.push(`pageerror: ${error.message}`));

  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: mailpen.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  const base = mailpen.url.replace(/\/$/, "");
  mkdirSync(SCREENSHOT_DIR, { recursive: true });

  return {
    mailpen,
    browser,
    page,
    base,
    consoleErrors,
    expectConsoleError: (pattern) => allowed.push(pattern),
    send: (mail) => transport.sendMail(mail),
    sendRaw: (from, to, bytes) => sendRawSmtp(mailpen.smtpPort, from, to, bytes),
    listMessages: async () => (await (await fetch(`${base}/api/messages`)).json()) as MessageListResponse,
    screenshot: async (name) => {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    close: async () => {
      transport.close();
      await browser?.close();
      await mailpen.close();
    },
  };
}

/** Waits until the inbox says it is live (the websocket's hello arrived). */
export async function waitForLive(page: Page): Promise<void> {
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
}

/**
 * A minimal SMTP client over a raw socket: EHLO, MAIL, RCPT, DATA with the exact bytes given (which must
 * not contain CRLF.CRLF), QUIT. Replies are checked by their first digit only.
 */
export async function sendRawSmtp(port: number, from: string, to: string[], bytes: Buffer): Promise<void> {
  const socket = net.connect(port, "127.0.0.1");
  socket.setTimeout(10_000, () => socket.destroy(new Error("SMTP timeout")));
  let buffer = "";
  const waiters: Array<(reply: string) => void> = [];
  const replies: string[] = [];
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    // A reply is complete at a line "ddd " (multi-line replies use "ddd-").
    for (;;) {
      const match = /(^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
      if (!match) break;
      const end = match.index + match[0].length;
      const reply = buffer.slice(0, end);
      buffer = buffer.slice(end);
      const waiter = waiters.shift();
      if (waiter) waiter(reply);
      else replies.push(reply);
    }
  });
  const closed = new Promise<void>((resolve, reject) => {
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
  const next = () =>
    new Promise<string>((resolve) => {
      const ready = replies.shift();
      if (ready !== undefined) resolve(ready);
      else waiters.push(resolve);
    });
  const expect = async (digit: string, sent: string) => {
    const reply = await next();
    if (!reply.trimStart().startsWith(digit)) throw new Error(`after ${sent.trim()}: ${reply.trim()}`);
  };
  const command = async (line: string, digit: string) => {
    socket.write(`${line}\r\n`);
    await expect(digit, line);
  };
  await expect("2", "connect");
  await command("EHLO raw.e2e.test", "2");
  await command(`MAIL FROM:<${from}>`, "2");
  for (const rcpt of to) await command(`RCPT TO:<${rcpt}>`, "2");
  await command("DATA", "3");
  socket.write(
    Buffer.concat([bytes, Buffer.from(bytes.subarray(-2).toString() === "\r\n" ? ".\r\n" : "\r\n.\r\n")]),
  );
  await expect("2", "end of data");
  await command("QUIT", "2");
  socket.end();
  await closed;
}
