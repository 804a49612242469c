/**
 * One process per database file. The store's counters in memory assume it is the only writer, so a
 * second Mailpen on the same file must fail at open, not corrupt counts. The database itself cannot
 * carry that lock: its WAL is checkpointed by a second connection, in the store's worker thread, so
 * it is opened in SQLite's normal locking mode. The lock lives in a small SQLite file beside it,
 * `<database>-lock`, held in exclusive locking mode for as long as the store is open.
 *
 * Invariants:
 * - the lock is SQLite's own file lock (POSIX advisory locks): the OS releases it when the process
 *   dies, however it dies, so a crashed Mailpen never leaves a stale lock behind;
 * - a second process finds the lock taken at once (no busy wait) and gets "in use by another process";
 * - the lock file holds nothing but the lock; deleting it while no Mailpen runs is harmless;
 * - it sits beside the database's real file: a path through a symbolic link locks the same file.
 */
import Database from "better-sqlite3";
import { existsSync, realpathSync } from "node:fs";

export interface DatabaseLock {
  release(): void;
}

/** Takes the lock of the database at `path`, or throws "in use by another process". */
export function lockDatabase(path: string): DatabaseLock {
  // Named after the file itself, not the name it was reached by: a symbolic link to a database (or
  // a second hard path to it) must find the same lock. SQLite names the -wal and -shm files the same way.
  const lockPath = `${existsSync(path) ? realpathSync(path) : path}-lock`;
  const lock = new Database(lockPath, { timeout: 0 });
  try {
    lock.pragma("locking_mode = EXCLUSIVE");
    lock.pragma("journal_mode = MEMORY");
    // The first write takes the exclusive lock; in exclusive locking mode it is kept after the commit.
    lock.exec("BEGIN EXCLUSIVE; COMMIT");
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code === "SQLITE_BUSY")
      throw new Error(`database ${path} is in use by another process (a running Mailpen locks it)`, {
        cause: error,
      });
    throw error;
  }
  return { release: () => lock.close() };
}
