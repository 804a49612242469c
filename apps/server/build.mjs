/**
 * Production bundle of the `mailpen` server: `node apps/server/build.mjs` writes
 *   dist/mailpen.mjs      the server (src/main.ts and every workspace package it imports);
 *   dist/store-worker.mjs the store's worker (parse, WAL checkpoint) as its own entry, in plain JS;
 *   dist/*-<hash>.mjs     chunks: code shared by the two entries, and code loaded on demand;
 *   dist/migrations/*.sql the store's migrations, read at run time beside the bundle.
 * `pnpm start` (repository root) builds and runs dist/mailpen.mjs with plain `node`: no tsx loader
 * thread and no compiling of TypeScript at start.
 *
 * Invariants:
 * - dist/ sits at the same depth as src/, so the `new URL("../…", import.meta.url)` paths in the
 *   sources (the package.json version, the web app's dist/) resolve the same from either. Every
 *   output file (entries and shared chunks) is written at the top of dist/ for the same reason.
 * - The store picks dist/store-worker.mjs when its code does not run from a `.ts` file
 *   (packages/store/src/message-parser.ts); the worker's file name here must match.
 * - Only modules that cannot be bundled stay external, and each is a dependency of this package, so
 *   it resolves from dist/ under pnpm's strict layout: better-sqlite3 (native addon) and
 *   @fastify/swagger-ui (serves its own static files from its package folder).
 */
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));
const finalDir = path.join(here, "dist");
// Built beside dist/ and swapped in at the end, so a server starting meanwhile (a bench run, a test)
// never finds a half-written or missing bundle. Same depth as dist/, so the relative paths hold.
const outdir = path.join(here, `dist.building-${process.pid}`);
const storeSrc = path.join(here, "../../packages/store/src");

rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: {
    mailpen: path.join(here, "src/main.ts"),
    "store-worker": path.join(storeSrc, "store-worker.ts"),
  },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  // Code behind a dynamic import (mailparser, loaded on the first parse; the server itself, after the
  // flags are read) goes to its own chunk, which the main thread then never reads at start: about
  // 7 MB less RSS than one file. Chunks stay at the top of dist/ (see the invariants above).
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["better-sqlite3", "@fastify/swagger-ui"],
  // Bundled CommonJS packages call require() for Node built-ins; an ES module has no require.
  banner: {
    js: 'import { createRequire as __mailpenCreateRequire } from "node:module"; const require = __mailpenCreateRequire(import.meta.url);',
  },
  legalComments: "linked",
  logLevel: "warning",
});

const migrations = path.join(storeSrc, "migrations");
mkdirSync(path.join(outdir, "migrations"));
for (const name of readdirSync(migrations).filter((n) => n.endsWith(".sql"))) {
  cpSync(path.join(migrations, name), path.join(outdir, "migrations", name));
}

const oldDir = path.join(here, `dist.old-${process.pid}`);
try {
  renameSync(finalDir, oldDir);
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}
renameSync(outdir, finalDir);
rmSync(oldDir, { recursive: true, force: true });
