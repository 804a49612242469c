/**
 * Turns parsed search terms into SQL over `messages m` and the FTS5 table. Pure.
 * Text values always reach FTS5 as quoted strings (double quotes doubled), so no user input is
 * ever interpreted as FTS5 syntax; every other value is a bound parameter.
 *
 * Two shapes come out, because the best plan differs:
 * - `match`: the positive text terms as one FTS5 expression, so a list can walk the FTS index
 *   newest first (ORDER BY rowid DESC) and stop after one page;
 * - `where` / `scanWhere`: the other conditions (they may name `f.rowid` when `match` is set, so
 *   the query must join `messages_fts f`). `scanWhere` marks low-selectivity columns with
 *   unary `+` so that an ordered list scans by rowid instead of reading an index and sorting;
 *   `where` lets a count use those indexes.
 */
import type { SearchTerm } from "./search-query.ts";

const MAX_SEQ = "9223372036854775807";

export interface SearchSql {
  /** FTS5 expression of the positive text terms, or null when there are none. */
  match: string | null;
  /** Conditions on `m` ("1" when none), index-friendly: for counts. */
  where: string;
  /** The same conditions, written for a scan in rowid order: for ordered pages. */
  scanWhere: string;
  /** Parameters of `where` / `scanWhere` (the same for both). */
  params: (string | number)[];
}

const FTS_COLUMNS = { any: "", from: "from_addr", to: "to_addr", subject: "subject" } as const;
/**
 * Only an explicit trailing `*` makes a prefix query (`invoi*`), and only after this many letters:
 * FTS5 answers prefix queries by merging every matching term's doclist, which is far slower than
 * a token lookup on a large index.
 */
const PREFIX_MIN_LENGTH = 2;

export function toSearchSql(terms: SearchTerm[]): SearchSql {
  const where: string[] = [];
  const scanWhere: string[] = [];
  const params: (string | number)[] = [];
  const positiveText: string[] = [];
  const negativeText: string[] = [];
  const seqBounds: string[] = [];
  const seqBoundParams: number[] = [];
  const add = (indexed: string, scan: string, negated: boolean): void => {
    where.push(negated ? `NOT (${indexed})` : indexed);
    scanWhere.push(negated ? `NOT (${scan})` : scan);
  };
  for (const term of terms) {
    switch (term.kind) {
      case "text": {
        const expression = toFtsExpression(term.field, term.value, term.phrase);
        if (!term.negated) {
          positiveText.push(expression);
          break;
        }
        negativeText.push(expression);
        break;
      }
      case "is":
        add(
          `m.is_read = ${term.value === "read" ? 1 : 0}`,
          `+m.is_read = ${term.value === "read" ? 1 : 0}`,
          term.negated,
        );
        break;
      case "has":
        add("m.attachment_count > 0", "+m.attachment_count > 0", term.negated);
        break;
      case "tag": {
        const c = "EXISTS (SELECT 1 FROM json_each(m.tags_json) WHERE json_each.value = ?)";
        add(c, c, term.negated);
        params.push(term.value);
        break;
      }
      case "date": {
        const c = term.op === "before" ? "m.received_at < ?" : "m.received_at >= ?";
        add(c, c, term.negated);
        params.push(term.ms);
        if (!term.negated) {
          // An exact bound on seq from the received_at index (the rows that pass have seqs within
          // it), so an FTS walk in seq order skips the rows outside the dates instead of joining them.
          const bound =
            term.op === "before"
              ? `$SEQ <= coalesce((SELECT max(seq) FROM messages INDEXED BY messages_received_at WHERE received_at < ?), 0)`
              : `$SEQ >= coalesce((SELECT min(seq) FROM messages INDEXED BY messages_received_at WHERE received_at >= ?), ${MAX_SEQ})`;
          seqBounds.push(bound);
          seqBoundParams.push(term.ms);
        }
        break;
      }
      case "size": {
        const c = term.op === "larger" ? "m.size > ?" : "m.size < ?";
        add(c, `+${c}`, term.negated);
        params.push(term.bytes);
        break;
      }
    }
  }
  let match: string | null = null;
  if (positiveText.length > 0) {
    // FTS5's NOT is binary ("a NOT b"): negations go inside the one MATCH when there is a positive term.
    match = [`(${positiveText.join(" AND ")})`, ...negativeText.map((n) => `(${n})`)].join(" NOT ");
  } else {
    for (const n of negativeText) {
      const c = "m.seq NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)";
      add(c, c, false);
      params.push(n);
    }
  }
  // With a MATCH the list walks messages_fts f, and FTS5 can use a bound on f.rowid itself.
  for (const bound of seqBounds) {
    const c = bound.replace("$SEQ", match === null ? "m.seq" : "f.rowid");
    where.push(c);
    scanWhere.push(c);
  }
  params.push(...seqBoundParams);
  return {
    match,
    where: where.length === 0 ? "1" : where.join(" AND "),
    scanWhere: scanWhere.length === 0 ? "1" : scanWhere.join(" AND "),
    params,
  };
}

function toFtsExpression(field: keyof typeof FTS_COLUMNS, value: string, phrase: boolean): string {
  const prefixed = !phrase && new RegExp(`[\\p{L}\\p{N}]{${PREFIX_MIN_LENGTH},}\\*$`, "u").test(value);
  const text = prefixed ? value.slice(0, -1) : value;
  const quoted = `"${text.replace(/"/g, '""')}"`;
  const prefix = prefixed ? " *" : "";
  const column = FTS_COLUMNS[field];
  return column === "" ? `${quoted}${prefix}` : `${column} : ${quoted}${prefix}`;
}
