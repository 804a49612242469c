/**
 * Applies the numbered forward-only migrations in ./migrations (rules in migrations/README.md). Each
 * file runs in its own transaction together with its `user_version`, so a crash between files leaves
 * a consistent, older schema that the next open continues from.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";

const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

interface Migration {
  version: number;
  name: string;
  sql: string;
}

function loadMigrations(): Migration[] {
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f));
  const migrations = files
    .map((name) => ({
      version: Number(name.slice(0, 3)),
      name,
      sql: readFileSync(MIGRATIONS_DIR + name, "utf8"),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered consecutively from 001: ${m.name}`);
  });
  return migrations;
}

/** Brings the database to the latest schema version; returns the version it is at. */
export function migrate(db: Database.Database): number {
  const migrations = loadMigrations();
  const latest = migrations.length;
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this Mailpen knows (${latest})`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return latest;
}
