import { describe, expect, it } from "vitest";
import { makeSummary } from "../../test/fixtures.ts";
import { initialInboxState, matchesLocally, reduceInbox, toInboxQuery } from "./inbox-state.ts";

const page = (messages: ReturnType<typeof makeSummary>[], nextCursor: string | null = null) => ({
  messages,
  total: messages.length,
  unread: 0,
  nextCursor,
});

describe("reduceInbox", () => {
  it("replaces on a first page and appends later pages without duplicates", () => {
    const [a, b, c] = [makeSummary(), makeSummary(), makeSummary()];
    let state = reduceInbox(initialInboxState, { type: "page", page: page([c!, b!], "x"), append: false });
    state = reduceInbox(state, { type: "page", page: { ...page([b!, a!]), total: 3 }, append: true });
    expect(state.messages.map((m) => m.id)).toEqual([c!.id, b!.id, a!.id]);
    expect(state.nextCursor).toBeNull();
    expect(state.total).toBe(3);
  });

  it("inserts a live arrival by id order, once, and marks it fresh until settled", () => {
    const [a, b] = [makeSummary(), makeSummary()];
    let state = reduceInbox(initialInboxState, { type: "page", page: page([a!]), append: false });
    state = reduceInbox(state, { type: "created", message: b! });
    state = reduceInbox(state, { type: "created", message: b! });
    expect(state.messages.map((m) => m.id)).toEqual([b!.id, a!.id]);
    expect(state.total).toBe(2);
    expect(state.fresh.has(b!.id)).toBe(true);
    state = reduceInbox(state, { type: "settled", ids: [b!.id] });
    expect(state.fresh.size).toBe(0);
  });

  it("merges only newer messages from a refetched first page", () => {
    const [a, b, c] = [makeSummary(), makeSummary(), makeSummary()];
    let state = reduceInbox(initialInboxState, { type: "page", page: page([b!]), append: false });
    state = reduceInbox(state, { type: "head", page: page([c!, b!, a!]) });
    expect(state.messages.map((m) => m.id)).toEqual([c!.id, b!.id]);
  });

  it("applies updates, deletions and a clear", () => {
    const [a, b] = [makeSummary(), makeSummary()];
    let state = reduceInbox(initialInboxState, { type: "page", page: page([b!, a!]), append: false });
    state = reduceInbox(state, { type: "updated", message: { ...a!, read: true } });
    expect(state.messages[1]?.read).toBe(true);
    state = reduceInbox(state, { type: "deleted", ids: [b!.id, "unknown"] });
    expect(state.messages.map((m) => m.id)).toEqual([a!.id]);
    expect(state.total).toBe(1);
    state = reduceInbox(state, { type: "cleared" });
    expect(state.messages).toEqual([]);
    expect(state.loaded).toBe(true);
  });
});

describe("quick filters", () => {
  it("become store search syntax after the search text", () => {
    expect(toInboxQuery("  hello ", { unread: true, attachments: true })).toBe(
      "hello is:unread has:attachment",
    );
    expect(toInboxQuery("", { unread: false, attachments: false })).toBe("");
  });

  it("decide live arrivals locally unless a free-text search needs the server", () => {
    const read = makeSummary({ read: true, attachmentCount: 0 });
    expect(matchesLocally(read, "", { unread: false, attachments: false })).toBe(true);
    expect(matchesLocally(read, "", { unread: true, attachments: false })).toBe(false);
    expect(matchesLocally(read, "", { unread: false, attachments: true })).toBe(false);
    expect(matchesLocally(read, "from:x", { unread: false, attachments: false })).toBeUndefined();
  });
});
