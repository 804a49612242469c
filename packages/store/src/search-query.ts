/**
 * The search syntax of the inbox, parsed into terms. Pure: no SQL here (see search-sql.ts).
 *
 * Grammar (whitespace separates terms; every term may be negated with a leading `-`):
 *   word | "quoted phrase"              full text over subject, addresses and body
 *   from:x  to:x  subject:x             full text in one field (`to:` covers To, Cc and the
 *                                       envelope recipients, so Bcc recipients are findable)
 *   is:read  is:unread                  read state
 *   has:attachment                      at least one attachment
 *   tag:x                               messages tagged x
 *   before:YYYY-MM-DD  after:YYYY-MM-DD arrival time (UTC days; before is exclusive of the day,
 *                                       after starts the day after); also full ISO 8601 times
 *   larger:N  smaller:N                 raw size; N in bytes or with k / M / G (powers of 1024)
 * A field value may be quoted (`subject:"two words"`). Unknown `word:` prefixes are plain words.
 */

/** One parsed term of a search query. */
export type SearchTerm = { negated: boolean } & (
  | { kind: "text"; field: "any" | "from" | "to" | "subject"; value: string; phrase: boolean }
  | { kind: "is"; value: "read" | "unread" }
  | { kind: "has"; value: "attachment" }
  | { kind: "tag"; value: string }
  | { kind: "date"; op: "before" | "after"; ms: number }
  | { kind: "size"; op: "larger" | "smaller"; bytes: number }
);

/** The result of parsing a query: the terms (empty for a blank query) or what is wrong. */
export type SearchQueryResult = { ok: true; terms: SearchTerm[] } | { ok: false; message: string };

const MAX_QUERY_LENGTH = 1000;
const MAX_TERMS = 32;
const DAY_MS = 86_400_000;
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/**
 * Parses a byte size as the search syntax writes it ("500", "10k", "2M", "1.5gb"; units are powers of
 * 1024, case-insensitive) into whole bytes; undefined when malformed. Also used for size flags.
 */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  return match && unit !== undefined ? Math.round(Number(match[1]) * unit) : undefined;
}

/** Parses a search query. Never throws; a bad query yields `{ ok: false, message }` fit for a 400. */
export function parseSearchQuery(query: string): SearchQueryResult {
  if (query.length > MAX_QUERY_LENGTH) return fail(`query is longer than ${MAX_QUERY_LENGTH} characters`);
  const terms: SearchTerm[] = [];
  let i = 0;
  while (i < query.length) {
    while (i < query.length && /\s/.test(query[i] as string)) i++;
    if (i >= query.length) break;
    let negated = false;
    if (query[i] === "-" && i + 1 < query.length && !/\s/.test(query[i + 1] as string)) {
      negated = true;
      i++;
    }
    let prefix: string | null = null;
    const fieldMatch = /^([a-zA-Z]+):/.exec(query.slice(i));
    if (fieldMatch) {
      prefix = (fieldMatch[1] as string).toLowerCase();
      if (!KNOWN_FIELDS.has(prefix)) prefix = null;
      else i += fieldMatch[0].length;
    }
    let value: string;
    let quoted = false;
    if (query[i] === '"') {
      const end = query.indexOf('"', i + 1);
      if (end === -1) return fail(`unterminated quote at position ${i + 1}`);
      value = query.slice(i + 1, end);
      quoted = true;
      i = end + 1;
    } else {
      const start = i;
      while (i < query.length && !/\s/.test(query[i] as string)) i++;
      value = query.slice(start, i);
    }
    const term = toTerm(prefix, value, quoted, negated);
    if (!term.ok) return term;
    if (term.term) terms.push(term.term);
    if (terms.length > MAX_TERMS) return fail(`query has more than ${MAX_TERMS} terms`);
  }
  return { ok: true, terms };
}

const KNOWN_FIELDS = new Set([
  "from",
  "to",
  "subject",
  "is",
  "has",
  "tag",
  "before",
  "after",
  "larger",
  "smaller",
]);

function toTerm(
  prefix: string | null,
  value: string,
  quoted: boolean,
  negated: boolean,
): { ok: true; term: SearchTerm | null } | { ok: false; message: string } {
  const ok = (term: SearchTerm | null) => ({ ok: true as const, term });
  if (prefix === null) {
    if (!hasWordCharacters(value)) return ok(null); // punctuation only: nothing to match
    return ok({ negated, kind: "text", field: "any", value, phrase: quoted });
  }
  if (value === "") return fail(`${prefix}: needs a value`);
  switch (prefix) {
    case "from":
    case "to":
    case "subject":
      if (!hasWordCharacters(value)) return fail(`${prefix}:${value} has nothing to search for`);
      return ok({ negated, kind: "text", field: prefix, value, phrase: quoted });
    case "is": {
      const v = value.toLowerCase();
      if (v !== "read" && v !== "unread") return fail(`is:${value} is unknown (use is:read or is:unread)`);
      return ok({ negated, kind: "is", value: v });
    }
    case "has": {
      const v = value.toLowerCase();
      if (v !== "attachment" && v !== "attachments")
        return fail(`has:${value} is unknown (use has:attachment)`);
      return ok({ negated, kind: "has", value: "attachment" });
    }
    case "tag":
      return ok({ negated, kind: "tag", value });
    case "before":
    case "after": {
      const ms = parseDateValue(value, prefix);
      if (ms === null) return fail(`${prefix}:${value} is not a date (use YYYY-MM-DD)`);
      return ok({ negated, kind: "date", op: prefix, ms });
    }
    case "larger":
    case "smaller": {
      const bytes = parseByteSize(value);
      if (bytes === undefined)
        return fail(`${prefix}:${value} is not a size (use for example 500, 10k or 2M)`);
      return ok({ negated, kind: "size", op: prefix, bytes });
    }
    default:
      return fail(`unknown field ${prefix}:`);
  }
}

/**
 * `before:D` means earlier than the start of day D; `after:D` means from the start of the day after
 * D. A full timestamp is used as it is.
 */
function parseDateValue(value: string, op: "before" | "after"): number | null {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const ms = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    const check = new Date(ms);
    if (check.getUTCMonth() !== Number(day[2]) - 1 || check.getUTCDate() !== Number(day[3])) return null;
    return op === "before" ? ms : ms + DAY_MS;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

function hasWordCharacters(value: string): boolean {
  return /[\p{L}\p{N}]/u.test(value);
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message: `invalid search: ${message}` };
}
