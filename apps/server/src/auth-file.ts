import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

/**
 * Users files for SMTP AUTH and HTTP basic auth: one `user:password` per line (htpasswd-like,
 * plain passwords only). Blank lines and lines starting with `#` are ignored. The password is
 * everything after the first colon, so it may itself contain colons.
 */
export type UserTable = ReadonlyMap<string, string>;

/** Parse the text of a users file. Throws with the line number when a line has no colon or no user. */
export function parseUserTable(text: string): UserTable {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`line ${index + 1} is not "user:password"`);
    users.set(line.slice(0, colon), line.slice(colon + 1));
  });
  return users;
}

/** Read and parse a users file; the error names the file. */
export function readUserTable(file: string): UserTable {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  }
  try {
    return parseUserTable(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Constant-time password check (no early exit on the first differing byte). */
export function checkPassword(users: UserTable, user: string, password: string): boolean {
  const expected = users.get(user);
  if (expected === undefined) return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(password, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
