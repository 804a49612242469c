import { describe, expect, it } from "vitest";
import { parseSearchQuery } from "./search-query.ts";
import { toSearchSql } from "./search-sql.ts";

const terms = (q: string) => {
  const r = parseSearchQuery(q);
  if (!r.ok) throw new Error(r.message);
  return r.terms;
};

describe("parseSearchQuery", () => {
  it("parses words, phrases, fields and negation", () => {
    expect(terms('invoice "pay now" -spam from:alice@example.test -to:"Bob B" subject:hi')).toEqual([
      { negated: false, kind: "text", field: "any", value: "invoice", phrase: false },
      { negated: false, kind: "text", field: "any", value: "pay now", phrase: true },
      { negated: true, kind: "text", field: "any", value: "spam", phrase: false },
      { negated: false, kind: "text", field: "from", value: "alice@example.test", phrase: false },
      { negated: true, kind: "text", field: "to", value: "Bob B", phrase: true },
      { negated: false, kind: "text", field: "subject", value: "hi", phrase: false },
    ]);
  });

  it("parses state, attachment, tag, date and size filters", () => {
    expect(terms("is:Unread is:read has:attachment tag:qa -larger:10k smaller:2M larger:512")).toEqual([
      { negated: false, kind: "is", value: "unread" },
      { negated: false, kind: "is", value: "read" },
      { negated: false, kind: "has", value: "attachment" },
      { negated: false, kind: "tag", value: "qa" },
      { negated: true, kind: "size", op: "larger", bytes: 10 * 1024 },
      { negated: false, kind: "size", op: "smaller", bytes: 2 * 1024 * 1024 },
      { negated: false, kind: "size", op: "larger", bytes: 512 },
    ]);
    expect(terms("before:2025-07-10 after:2025-07-10")).toEqual([
      { negated: false, kind: "date", op: "before", ms: Date.UTC(2025, 6, 10) },
      { negated: false, kind: "date", op: "after", ms: Date.UTC(2025, 6, 11) },
    ]);
  });

  it("treats unknown prefixes and lone dashes as words, and a blank query as no terms", () => {
    expect(terms("re:hello")).toEqual([
      { negated: false, kind: "text", field: "any", value: "re:hello", phrase: false },
    ]);
    expect(terms("a - b").map((t) => (t.kind === "text" ? t.value : ""))).toEqual(["a", "b"]);
    expect(terms("   ")).toEqual([]);
  });

  it.each([
    ['"unterminated', /unterminated quote/],
    ["is:starred", /is:starred/],
    ["has:pets", /has:pets/],
    ["before:2025-02-30", /not a date/],
    ["after:last-week", /not a date/],
    ["larger:huge", /not a size/],
    ["smaller:10q", /not a size/],
    ["subject:", /needs a value/],
    ["from:@@", /nothing to search/],
  ])("rejects %s with a clear message", (query, message) => {
    const result = parseSearchQuery(query);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe("toSearchSql", () => {
  it("quotes text for FTS5 and binds every value", () => {
    const sql = toSearchSql(terms('from:o"neil is:unread -larger:1k go*'));
    expect(sql.match).toBe('(from_addr : "o""neil" AND "go" *)');
    expect(sql.params).toEqual([1024]);
    expect(sql.where).toBe("m.is_read = 0 AND NOT (m.size > ?)");
    expect(sql.scanWhere).toBe("+m.is_read = 0 AND NOT (+m.size > ?)");
    expect(toSearchSql([])).toEqual({ match: null, where: "1", scanWhere: "1", params: [] });
  });

  it("puts negated words inside the MATCH when there is a positive one, and bounds dates by seq", () => {
    expect(toSearchSql(terms("a -b -subject:c")).match).toBe('("a") NOT ("b") NOT (subject : "c")');
    const alone = toSearchSql(terms("-b after:2025-01-02"));
    expect(alone.match).toBeNull();
    expect(alone.where).toContain("m.seq NOT IN");
    expect(alone.where).toContain(
      "m.seq >= coalesce((SELECT min(seq) FROM messages INDEXED BY messages_received_at",
    );
    expect(alone.params).toEqual([Date.UTC(2025, 0, 3), '"b"', Date.UTC(2025, 0, 3)]);
    expect(toSearchSql(terms("x before:2025-01-02")).where).toContain("f.rowid <= coalesce");
  });
});
