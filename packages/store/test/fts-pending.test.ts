import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import type { MailStore } from "../src/index.ts";
import { newMessage, textMessage } from "./message-builder.ts";

/**
 * A message's header-scan FTS row waits in memory until a search needs it, and the full parse
 * writes the message's complete row in its place. Whatever the order of ingest, parse, search,
 * delete and restart, a search finds each message exactly once.
 */
const dir = mkdtempSync(path.join(tmpdir(), "mailpen-fts-pending-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const open = (file = path.join(dir, `m${++files}.sqlite`)): { store: MailStore; file: string } => ({
  store: openStore({ path: file, parseInWorker: false }),
  file,
});

// The word "zebra" is past the snippet (the header scan indexes the snippet), so only the full
// parse's row finds it; "alpha" is in the subject, so both rows find it.
const message = () =>
  newMessage(textMessage({ subject: "Alpha notice", body: `${"filler words here ".repeat(40)}zebra\r\n` }));
const total = (store: MailStore, query: string) => store.listMessages({ query }).total;

describe("FTS rows of the header scan", () => {
  it("are found by a search before the parse, then replaced by the parse's row", async () => {
    const { store } = open();
    const added = await store.addMessage(message());
    expect(total(store, "alpha")).toBe(1); // the search wrote the waiting row first
    expect(total(store, "zebra")).toBe(0); // not in the header scan's row
    await store.getMessage(added.id); // waits for the full parse
    expect(total(store, "alpha")).toBe(1); // replaced, not added
    expect(total(store, "zebra")).toBe(1);
    await store.close();
  });

  it("are never written for a message parsed before any search", async () => {
    const { store } = open();
    const added = await store.addMessage(message());
    await store.getMessage(added.id);
    expect(total(store, "alpha")).toBe(1);
    expect(total(store, "zebra")).toBe(1);
    expect(store.deleteMessage(added.id)).toBe(true);
    expect(total(store, "alpha")).toBe(0);
    await store.close();
  });

  it("are dropped with a message deleted before they were written", async () => {
    const { store } = open();
    const gone = await store.addMessage(message());
    const kept = await store.addMessage(message());
    expect(store.deleteMessage(gone.id)).toBe(true);
    expect(store.listMessages({ query: "alpha" }).messages.map((m) => m.id)).toEqual([kept.id]);
    await store.close();
  });

  it("are written at close, so a search after a reopen finds the message", async () => {
    const first = open();
    const added = await first.store.addMessage(message());
    await first.store.close();
    const again = openStore({ path: first.file, parseInWorker: false });
    expect(again.listMessages({ query: "alpha" }).messages.map((m) => m.id)).toEqual([added.id]);
    await again.getMessage(added.id);
    expect(total(again, "alpha")).toBe(1);
    expect(total(again, "zebra")).toBe(1);
    await again.close();
  });

  it("deleted by query while waiting: the search that selects them sees them", async () => {
    const { store } = open();
    await store.addMessage(message());
    await store.addMessage(newMessage(textMessage({ subject: "Other" })));
    expect(store.deleteMessages("alpha")).toBe(1);
    expect(store.stats().total).toBe(1);
    expect(total(store, "alpha")).toBe(0);
    await store.close();
  });

  it("leave nothing of the header scan's row in the index once the parse replaced a written one", async () => {
    const { store } = open();
    // format=flowed with DelSp: the parse joins "zebr " and "acorn" into one word, the header scan
    // (which does not decode flowed text) indexes "zebr" and "acorn" on their own.
    const raw = Buffer.from(
      "Subject: flowed\r\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\r\n\r\nzebr \r\nacorn\r\n",
    );
    const added = await store.addMessage(newMessage(raw));
    expect(total(store, "zebr")).toBe(1); // written by this search
    await store.getMessage(added.id); // the parse's row replaces it
    expect(total(store, "zebracorn")).toBe(1);
    expect(total(store, "zebr")).toBe(0); // an FTS5 insert over a rowid would keep the old terms
    await store.close();
  });

  it("go with every message when all are deleted, so a new message reusing a seq is not found by them", async () => {
    const { store } = open();
    // Seqs start again at 1 once the table is empty: a stale waiting row for seq 2 would be written
    // by the next search and then describe whatever message gets seq 2.
    await store.addMessage(newMessage(textMessage({ subject: "Kiwi one" })));
    await store.addMessage(newMessage(textMessage({ subject: "Kiwi two" })));
    expect(store.deleteMessages()).toBe(2);
    const mango = await store.addMessage(newMessage(textMessage({ subject: "Mango" })));
    expect(store.listMessages({ query: "mango" }).messages.map((m) => m.id)).toEqual([mango.id]);
    const papaya = await store.addMessage(newMessage(textMessage({ subject: "Papaya" })));
    expect(store.listMessages({ query: "papaya" }).messages.map((m) => m.id)).toEqual([papaya.id]);
    expect(store.listMessages({ query: "kiwi" }).total).toBe(0);
    await store.close();
  });
});
