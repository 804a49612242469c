/**
 * Turns parsed search terms into an SQL condition over `messages m` and the FTS5 table. Pure.
 * Text values always reach FTS5 as quoted strings (double quotes doubled), so no user input is
 * ever interpreted as FTS5 syntax; every other value is a bound parameter.
 */
import type { SearchTerm } from "./search-query.ts";

export interface SearchSql {
  /** A condition for a WHERE clause ("1" when there are no terms). */
  where: string;
  params: (string | number)[];
}

const FTS_COLUMNS = { any: "", from: "from_addr", to: "to_addr", subject: "subject" } as const;
/** Unquoted words of at least this many characters match as prefixes ("invoi" finds "invoice"). */
const PREFIX_MIN_LENGTH = 3;

export function toSearchSql(terms: SearchTerm[]): SearchSql {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const positiveText: string[] = [];
  for (const term of terms) {
    let condition: string;
    switch (term.kind) {
      case "text": {
        const expression = toFtsExpression(term.field, term.value, term.phrase);
        if (!term.negated) {
          positiveText.push(expression);
          continue;
        }
        where.push("m.seq NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)");
        params.push(expression);
        continue;
      }
      case "is":
        condition = term.value === "read" ? "m.is_read = 1" : "m.is_read = 0";
        break;
      case "has":
        condition = "m.attachment_count > 0";
        break;
      case "tag":
        condition = "EXISTS (SELECT 1 FROM json_each(m.tags_json) WHERE json_each.value = ?)";
        params.push(term.value);
        break;
      case "date":
        condition = term.op === "before" ? "m.received_at < ?" : "m.received_at >= ?";
        params.push(term.ms);
        break;
      case "size":
        condition = term.op === "larger" ? "m.size > ?" : "m.size < ?";
        params.push(term.bytes);
        break;
    }
    where.push(term.negated ? `NOT (${condition})` : condition);
  }
  if (positiveText.length > 0) {
    where.unshift("m.seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)");
    params.unshift(positiveText.join(" AND "));
  }
  return { where: where.length === 0 ? "1" : where.join(" AND "), params };
}

function toFtsExpression(field: keyof typeof FTS_COLUMNS, value: string, phrase: boolean): string {
  const quoted = `"${value.replace(/"/g, '""')}"`;
  const prefix = !phrase && /[\p{L}\p{N}]{3,}$/u.test(value) && value.length >= PREFIX_MIN_LENGTH ? " *" : "";
  const column = FTS_COLUMNS[field];
  return column === "" ? `${quoted}${prefix}` : `${column} : ${quoted}${prefix}`;
}
