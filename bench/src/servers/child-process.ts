/**
 * Starting a server under test as its own child process, so its CPU time and peak RSS can be read
 * from /proc apart from the load generator's. Two ways to know it is ready: a JSON line
 * `{"ready":true,"smtpPort":…,"httpPort":…}` on stdout (our Node children), or a 220 greeting on a
 * port chosen beforehand (smtp-sink, MailDev's CLI). Every wait is bounded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readProcessUsage, type ProcessUsage } from "../process-usage.ts";

export interface RunningServer {
  pid: number;
  smtpPort: number;
  httpPort: number | null;
  /** CPU time and memory now; call before `stop()`. */
  usage(): ProcessUsage | null;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Wait for a ready JSON line on stdout, or for a 220 greeting on this port. */
  ready: { kind: "stdout-json" } | { kind: "greeting"; smtpPort: number; httpPort: number | null };
  timeoutMs?: number;
}

/** Node with the tsx loader in-process (not the `tsx` CLI, which would add a wrapper process). */
export function nodeWithTsx(childFile: URL, args: string[], extraNodeArgs: string[] = []): SpawnOptions {
  return {
    command: process.execPath,
    args: [...extraNodeArgs, "--import", import.meta.resolve("tsx"), fileURLToPath(childFile), ...args],
    ready: { kind: "stdout-json" },
  };
}

/** Node flags added to our Node children, e.g. `--cpu-prof` (set by `--profile`). */
export const childNodeFlags: string[] = [];

/** Children alive right now, so an interrupted run does not leave servers behind. */
const liveChildren = new Set<ChildProcess>();

/** Kills every child still running (on SIGINT/SIGTERM of the bench). */
export function killLiveChildren(): void {
  for (const child of liveChildren) child.kill("SIGKILL");
}

function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
}

export async function spawnServer(options: SpawnOptions): Promise<RunningServer> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(options.command, options.args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env ?? process.env,
  });
  track(child);
  let stderrTail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const exitedEarly = exited.then(() => {
    throw new Error(`exited with ${child.exitCode ?? child.signalCode} before it was ready`);
  });
  exitedEarly.catch(() => undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    const ports = await withTimeout(
      Promise.race([
        options.ready.kind === "stdout-json" ? readyLine(child) : greeting(options.ready, deadline),
        exitedEarly,
      ]),
      timeoutMs,
    );
    const pid = child.pid;
    if (pid === undefined) throw new Error("no pid");
    return { pid, ...ports, usage: () => readProcessUsage(pid), stop };
  } catch (error) {
    await stop();
    // The last stderr line usually names the cause; keep it on the first line, the tail below it.
    const lastLine =
      stderrTail
        .trim()
        .split("\n")
        .filter((l) => !/^\s+at /.test(l))
        .pop() ?? "";
    const detail = stderrTail.trim() ? ` (${lastLine.trim()})\n${stderrTail.trim()}` : "";
    const what = path.basename(options.args.find((a) => a.endsWith(".ts")) ?? options.command);
    throw new Error(`${what}: ${(error as Error).message}${detail}`, { cause: error });
  }
}

function readyLine(child: ChildProcess): Promise<{ smtpPort: number; httpPort: number | null }> {
  return new Promise((resolve) => {
    let buffered = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      buffered += chunk;
      for (const line of buffered.split("\n")) {
        if (!line.startsWith('{"ready"')) continue;
        const ready = JSON.parse(line) as { smtpPort: number; httpPort?: number | null };
        resolve({ smtpPort: ready.smtpPort, httpPort: ready.httpPort ?? null });
      }
      buffered = buffered.slice(buffered.lastIndexOf("\n") + 1);
    });
  });
}

/** Retries a connection until the server greets with 220. */
async function greeting(
  ports: { smtpPort: number; httpPort: number | null },
  deadline: number,
): Promise<{ smtpPort: number; httpPort: number | null }> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ port: ports.smtpPort, host: "127.0.0.1" });
      socket.setTimeout(2_000, () => socket.destroy());
      socket.once("data", (chunk) => {
        socket.end("QUIT\r\n");
        resolve(chunk.toString("latin1").startsWith("220"));
      });
      socket.once("error", () => resolve(false));
      socket.once("close", () => resolve(false));
    });
    if (ok) return ports;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("no greeting before the deadline");
}

/**
 * Starts a server on ports it was given (findFreePort), and starts it again, with the ports chosen
 * again, when one of them was taken between the choice and the child's listen (EADDRINUSE: a client
 * socket of the load may get that port as its local port meanwhile; it happened once in a full run).
 * Up to 3 attempts.
 */
export async function spawnOnFreePorts(options: () => Promise<SpawnOptions>): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnServer(await options());
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error) || !error.message.includes("EADDRINUSE")) throw error;
    }
  }
}

/** A port that was free a moment ago on 127.0.0.1 (for servers that cannot report port 0). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not ready within ${ms} ms`)), ms);
    }),
  ]);
}

/** Runs a Node child (with tsx) to completion and parses the last JSON line it printed. */
export async function runNodeChildJson<T>(childFile: URL, args: string[], timeoutMs: number): Promise<T> {
  const { command, args: fullArgs } = nodeWithTsx(childFile, args);
  const child = spawn(command, fullArgs, { stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let stdout = "";
  let stderrTail = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-2000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
  clearTimeout(timer);
  const line = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !line.startsWith("{")) {
    throw new Error(`${path.basename(fileURLToPath(childFile))} exited with ${code}: ${stderrTail.trim()}`);
  }
  return JSON.parse(line) as T;
}
