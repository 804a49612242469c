#!/usr/bin/env node
// Runs every check of the repository in order, streams their output, and ends with one summary line
// "tests: N passed, N failed" (a failing step that is not a test runner counts as one failure).
// Exit code: 0 only when every step passed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const work = mkdtempSync(join(tmpdir(), "mailpen-test-"));
const vitestJson = join(work, "vitest.json");

/** @type {{ name: string, cmd: string[], count?: (output: string) => { passed: number, failed: number } }[]} */
const steps = [
  { name: "typecheck", cmd: ["pnpm", "typecheck"] },
  { name: "lint", cmd: ["pnpm", "lint"] },
  { name: "format", cmd: ["pnpm", "format:check"] },
  {
    name: "unit and integration tests (vitest)",
    cmd: [
      "pnpm",
      "exec",
      "vitest",
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${vitestJson}`,
    ],
    count: () => {
      const report = JSON.parse(readFileSync(vitestJson, "utf8"));
      return { passed: report.numPassedTests, failed: report.numFailedTests };
    },
  },
  {
    name: "browser tests (chromium)",
    cmd: ["pnpm", "test:e2e"],
    count: (output) => ({ passed: lastNumber(output, "pass"), failed: lastNumber(output, "fail") }),
  },
  { name: "benchmark smoke run", cmd: ["pnpm", "bench", "--smoke"] },
  {
    name: "docker-compose.yml validation",
    cmd: ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
  },
];

/** node:test closes with "# pass N" (TAP) or "ℹ pass N" (spec). */
function lastNumber(output, word) {
  const matches = [...output.matchAll(new RegExp(`^(?:#|ℹ) ${word} (\\d+)$`, "gm"))];
  const last = matches.at(-1);
  return last ? Number(last[1]) : 0;
}

function run(cmd) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on("error", (error) => resolve({ code: 127, output: String(error) }));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

const results = [];
let passed = 0;
let failed = 0;
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.cmd.join(" ")}`);
  const started = Date.now();
  const { code, output } = await run(step.cmd);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  let counted = { passed: 0, failed: 0 };
  if (step.count) {
    try {
      counted = step.count(output);
    } catch {
      // No report (the runner crashed before writing it): counted as one failure below.
    }
  }
  const ok = code === 0;
  if (step.count && counted.passed + counted.failed > 0) {
    passed += counted.passed;
    failed += counted.failed;
    if (!ok && counted.failed === 0) failed += 1;
  } else if (ok) {
    passed += step.count ? 0 : 1;
  } else {
    failed += 1;
  }
  const detail = step.count ? ` (${counted.passed} passed, ${counted.failed} failed)` : "";
  results.push(`${ok ? "ok  " : "FAIL"} ${step.name}${detail} in ${seconds}s`);
}
rmSync(work, { recursive: true, force: true });

console.log("\n=== summary");
for (const line of results) console.log(line);
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(results.some((line) => line.startsWith("FAIL")) ? 1 : 0);
