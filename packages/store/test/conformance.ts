/**
 * The MailStore conformance suite: written against the interface only, so any implementation
 * (SQLite today, PostgreSQL later) runs the same tests. `open` must return a fresh, empty store
 * each time it is called; the suite closes every store it opens.
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoreEvent } from "@mailpen/shared";
import type { SessionStart } from "@mailpen/shared";
import type { MailStore } from "../src/index.ts";
import { PNG_BYTES, envelopeFor, newMessage, richMessage, textMessage } from "./message-builder.ts";

const day = (iso: string) => new Date(`${iso}T12:00:00.000Z`);

function session(id: string): SessionStart {
  return {
    id,
    startedAt: new Date("2025-07-01T10:00:00.000Z"),
    remoteAddress: "127.0.0.1",
    remotePort: 50000,
    localAddress: "127.0.0.1",
    localPort: 1025,
    tls: null,
  };
}

const state = {
  heloName: "client.example.test",
  tls: null,
  authMechanism: null,
  authUser: null,
  messageCount: 1,
  errorCount: 0,
  warnings: [],
};

/** Polls `done` every 5 ms, for at most 5 s (the assertion after it says what was missing). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

export function runStoreConformance(open: () => MailStore): void {
  let store: MailStore;
  let events: StoreEvent[];

  beforeEach(() => {
    store = open();
    events = [];
    store.subscribe((e) => events.push(e));
  });
  afterEach(async () => {
    await store.close();
  });

  describe("adding and reading messages", () => {
    it("stores the raw bytes exactly and lists the summary at once", async () => {
      const raw = Buffer.concat([
        textMessage({ subject: "=?utf-8?q?Gr=C3=BC=C3=9Fe?=" }),
        Buffer.from([0, 0xff, 0x0a]),
      ]);
      const summary = await store.addMessage(newMessage(raw));
      expect(summary.id).toMatch(/^[0-9A-Z]{26}$/);
      expect(summary.subject).toBe("Grüße");
      expect(summary.from).toEqual({ name: "Alice Example", address: "alice@example.test" });
      expect(summary.size).toBe(raw.length);
      expect(summary.read).toBe(false);
      expect(store.getRaw(summary.id)?.equals(raw)).toBe(true);
      const pieces = store.openRaw(summary.id);
      expect(pieces?.size).toBe(raw.length);
      expect(Buffer.concat([...pieces!.pieces]).equals(raw)).toBe(true);
      const list = store.listMessages();
      expect(list.messages.map((m) => m.id)).toEqual([summary.id]);
      expect(list.total).toBe(1);
      expect(list.unread).toBe(1);
      expect(store.getMessageSummary(summary.id)?.subject).toBe("Grüße");
    });

    it("keeps the given id and envelope, and generates sortable ids otherwise", async () => {
      const given = await store.addMessage(newMessage(textMessage(), { id: "01J0000000000000000000GIVN" }));
      expect(given.id).toBe("01J0000000000000000000GIVN");
      const env = envelopeFor(["x@example.test", "hidden@example.test"], "bounce@example.test", {
        BODY: "8BITMIME",
      });
      const a = await store.addMessage(newMessage(textMessage(), { envelope: env }));
      const b = await store.addMessage(newMessage(textMessage()));
      expect(a.id < b.id).toBe(true);
      expect(store.getMessageSummary(a.id)?.envelope).toEqual(env);
    });

    it("lists newest first by arrival, never by the Date header", async () => {
      const first = await store.addMessage(
        newMessage(textMessage({ date: "Fri, 01 Jan 2999 00:00:00 +0000" })),
      );
      const second = await store.addMessage(
        newMessage(textMessage({ date: "Thu, 01 Jan 1970 00:00:00 +0000" })),
      );
      expect(store.listMessages().messages.map((m) => m.id)).toEqual([second.id, first.id]);
      expect(store.getMessageSummary(first.id)?.date).toBe("2999-01-01T00:00:00.000Z");
    });

    it("shares one commit between messages added together and resolves each", async () => {
      const all = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.addMessage(newMessage(textMessage({ subject: `batch ${i}` }))),
        ),
      );
      expect(new Set(all.map((s) => s.id)).size).toBe(20);
      expect(store.listMessages({ limit: 100 }).total).toBe(20);
      for (const s of all) expect(store.getMessageSummary(s.id)?.subject).toBe(s.subject);
    });

    it("paginates with a cursor and reports the total", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++)
        ids.push((await store.addMessage(newMessage(textMessage({ subject: `m${i}` })))).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = store.listMessages({ limit: 3, ...(cursor ? { cursor } : {}) });
        expect(page.total).toBe(7);
        seen.push(...page.messages.map((m) => m.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());
      expect(store.listMessages({ afterId: ids[4] }).messages.map((m) => m.id)).toEqual([ids[6], ids[5]]);
    });

    it("parses in full for the detail: headers in order, text, html, parts with checksums", async () => {
      const raw = richMessage();
      const summary = await store.addMessage(newMessage(raw));
      const detail = await store.getMessage(summary.id);
      expect(detail?.parseState).toBe("parsed");
      expect(detail?.parseError).toBeNull();
      expect(detail?.headers.map((h) => h.name)).toEqual([
        "From",
        "To",
        "Subject",
        "Date",
        "MIME-Version",
        "Content-Type",
      ]);
      expect(detail?.text).toContain("Quarterly numbers are attached.");
      expect(detail?.html).toContain('src="cid:logo@example.test"');
      expect(detail?.hasHtml).toBe(true);
      expect(detail?.hasText).toBe(true);
      expect(detail?.attachmentCount).toBe(1);
      const logo = detail?.attachments.find((p) => p.filename === "logo.png");
      const pdf = detail?.attachments.find((p) => p.filename === "report.pdf");
      expect(logo).toMatchObject({
        contentType: "image/png",
        disposition: "inline",
        contentId: "logo@example.test",
      });
      expect(logo?.size).toBe(PNG_BYTES.length);
      expect(logo?.checksum).toBe(createHash("sha256").update(PNG_BYTES).digest("hex"));
      expect(pdf).toMatchObject({ contentType: "application/pdf", disposition: "attachment" });
      const byPart = await store.getPart(summary.id, pdf?.partId ?? "");
      expect(byPart?.content.toString()).toContain("%PDF-1.4");
      const byCid = await store.getPart(summary.id, "cid:logo@example.test");
      expect(byCid?.content.equals(PNG_BYTES)).toBe(true);
      expect(byCid?.contentType).toBe("image/png");
      expect(await store.getPart(summary.id, "no-such-part")).toBeUndefined();
      // The summary now carries the parse results too.
      expect(store.getMessageSummary(summary.id)).toMatchObject({ parseState: "parsed", attachmentCount: 1 });
      expect(store.getRaw(summary.id)?.equals(raw)).toBe(true);
    });

    it("decodes header values and keeps the raw ones", async () => {
      const s = await store.addMessage(newMessage(textMessage({ subject: "=?ISO-8859-1?Q?caf=E9?=" })));
      const detail = await store.getMessage(s.id);
      expect(detail?.headers.find((h) => h.name === "Subject")).toEqual({
        name: "Subject",
        value: "café",
        raw: "=?ISO-8859-1?Q?caf=E9?=",
      });
    });

    it("keeps and lists a message whose parse fails, with its parse error", async () => {
      const raw = Buffer.from(`Subject: huge header\r\nX-Big: ${"a".repeat(1_200_000)}\r\n\r\nbody\r\n`);
      const s = await store.addMessage(newMessage(raw));
      const detail = await store.getMessage(s.id);
      expect(detail?.parseState).toBe("failed");
      expect(detail?.flags).toContain("parse-error");
      expect(detail?.parseError).toMatch(/header/i);
      expect(detail?.subject).toBe("huge header");
      expect(store.listMessages().messages[0]?.parseState).toBe("failed");
      expect(store.getRaw(s.id)?.equals(raw)).toBe(true);
    });

    it("flags bare LF, 8-bit without 8BITMIME and SMTPUTF8", async () => {
      const raw = Buffer.from("Subject: x\nFrom: a@b\n\nCaf\xc3\xa9\n", "latin1");
      const a = await store.addMessage(newMessage(raw));
      expect(a.flags).toEqual(expect.arrayContaining(["bare-lf", "8bit-without-8bitmime"]));
      const b = await store.addMessage(
        newMessage(textMessage(), { envelope: envelopeFor(["ü@example.test"], "a@b", { SMTPUTF8: true }) }),
      );
      expect(b.flags).toContain("smtputf8");
      expect(b.flags).not.toContain("bare-lf");
    });

    it("answers undefined or false for what does not exist", async () => {
      expect(store.getMessageSummary("nope")).toBeUndefined();
      expect(await store.getMessage("nope")).toBeUndefined();
      expect(store.getRaw("nope")).toBeUndefined();
      expect(store.openRaw("nope")).toBeUndefined();
      expect(await store.getPart("nope", "1")).toBeUndefined();
      expect(store.updateMessage("nope", { read: true })).toBeUndefined();
      expect(store.deleteMessage("nope")).toBe(false);
      expect(store.getSession("nope")).toBeUndefined();
      expect(store.deleteSession("nope")).toBe(false);
    });
  });

  describe("changing and deleting messages", () => {
    it("marks read and unread, and sets tags", async () => {
      const s = await store.addMessage(newMessage(textMessage()));
      expect(store.updateMessage(s.id, { read: true })?.read).toBe(true);
      expect(store.stats().unread).toBe(0);
      expect(store.listMessages().unread).toBe(0);
      const tagged = store.updateMessage(s.id, { tags: ["urgent", " urgent ", "", "qa"] });
      expect(tagged?.tags).toEqual(["urgent", "qa"]);
      expect(tagged?.read).toBe(true);
      expect(store.updateMessage(s.id, { read: false })?.read).toBe(false);
      expect(store.stats().unread).toBe(1);
      expect(store.listMessages({ query: "tag:qa" }).total).toBe(1);
      const updates = events.filter((e) => e.type === "message.updated" && e.message.id === s.id);
      expect(updates.length).toBeGreaterThanOrEqual(3);
    });

    it("deletes one, many by query, and all", async () => {
      const a = await store.addMessage(newMessage(textMessage({ subject: "keep me" })));
      const b = await store.addMessage(newMessage(textMessage({ subject: "drop me" })));
      const c = await store.addMessage(newMessage(textMessage({ subject: "drop me too" })));
      expect(store.deleteMessage(a.id)).toBe(true);
      expect(store.getRaw(a.id)).toBeUndefined();
      expect(store.deleteMessage(a.id)).toBe(false);
      expect(store.deleteMessages("subject:drop")).toBe(2);
      expect(events).toContainEqual({ type: "message.deleted", ids: [a.id] });
      expect(events).toContainEqual({ type: "message.deleted", ids: [b.id, c.id] });
      await store.addMessage(newMessage(textMessage()));
      await store.addMessage(newMessage(textMessage()));
      expect(store.deleteMessages()).toBe(2);
      expect(events.at(-1)).toEqual({ type: "messages.cleared" });
      expect(store.listMessages().total).toBe(0);
      expect(store.stats()).toMatchObject({ total: 0, unread: 0, bytes: 0 });
    });
  });

  describe("search", () => {
    async function seed() {
      const ids = {
        invoice: (
          await store.addMessage(
            newMessage(
              textMessage({ subject: "Invoice 42 for July", body: "Please pay the invoice soon." }),
              {
                envelope: envelopeFor(["bob@example.test", "secret-bcc@hidden.test"]),
                receivedAt: day("2025-07-01"),
              },
            ),
          )
        ).id,
        newsletter: (
          await store.addMessage(
            newMessage(
              textMessage({
                from: "News <news@letters.test>",
                subject: "Weekly news",
                body: "Big sale on shoes",
              }),
              { receivedAt: day("2025-07-10") },
            ),
          )
        ).id,
        report: (
          await store.addMessage(
            newMessage(richMessage("Quarterly report"), { receivedAt: day("2025-07-20") }),
          )
        ).id,
      };
      for (const id of Object.values(ids)) await store.getMessage(id); // wait for the full parse
      return ids;
    }
    const find = (query: string) =>
      store
        .listMessages({ query })
        .messages.map((m) => m.id)
        .sort();

    it("matches words, phrases, and fields", async () => {
      const ids = await seed();
      expect(find("invoice")).toEqual([ids.invoice]);
      expect(find("INVOI*")).toEqual([ids.invoice]); // explicit prefix
      expect(find("invoi")).toEqual([]); // whole tokens otherwise
      expect(find("invoice -pay")).toEqual([]);
      expect(find("invoice -shoes")).toEqual([ids.invoice]);
      expect(find("-invoice -shoes")).toEqual([ids.report]);
      expect(find('"pay the invoice"')).toEqual([ids.invoice]);
      expect(find('"invoice the pay"')).toEqual([]);
      expect(find("shoes")).toEqual([ids.newsletter]); // body text
      expect(find("from:news@letters.test")).toEqual([ids.newsletter]);
      expect(find("from:letters")).toEqual([ids.newsletter]);
      expect(find("to:carol@example.test")).toEqual([ids.report]);
      expect(find("to:secret-bcc@hidden.test")).toEqual([ids.invoice]); // envelope only: Bcc
      expect(find("subject:weekly")).toEqual([ids.newsletter]);
      expect(find("subject:shoes")).toEqual([]);
      expect(find("quarterly numbers")).toEqual([ids.report]);
    });

    it("filters on state, attachments, dates and sizes, with negation", async () => {
      const ids = await seed();
      store.updateMessage(ids.newsletter, { read: true });
      expect(find("is:read")).toEqual([ids.newsletter]);
      expect(find("is:unread")).toEqual([ids.invoice, ids.report].sort());
      expect(find("has:attachment")).toEqual([ids.report]);
      expect(find("-has:attachment")).toEqual([ids.invoice, ids.newsletter].sort());
      expect(find("before:2025-07-10")).toEqual([ids.invoice]);
      expect(find("after:2025-07-10")).toEqual([ids.report]);
      expect(find("after:2025-07-01 before:2025-07-20")).toEqual([ids.newsletter]);
      const reportSize = store.getMessageSummary(ids.report)?.size ?? 0;
      expect(find(`larger:${reportSize - 1}`)).toEqual([ids.report]);
      expect(find(`smaller:${reportSize}`)).toEqual([ids.invoice, ids.newsletter].sort());
      expect(find("smaller:1M").length).toBe(3);
      expect(find("larger:1M")).toEqual([]);
      expect(find("-invoice")).toEqual([ids.newsletter, ids.report].sort());
      expect(find("-from:news")).toEqual([ids.invoice, ids.report].sort());
      expect(find("-from:news -subject:quarterly")).toEqual([ids.invoice]);
      expect(store.listMessages({ query: "is:unread", limit: 1 }).total).toBe(2);
    });

    it("keeps search totals right across writes", async () => {
      const ids = await seed();
      const total = (query: string) => store.listMessages({ query }).total;
      expect(total("invoice")).toBe(1);
      expect(total("is:unread invoice")).toBe(1);
      const another = await store.addMessage(newMessage(textMessage({ subject: "Second invoice" })));
      expect(total("invoice")).toBe(2);
      store.updateMessage(ids.invoice, { read: true });
      expect(total("is:unread invoice")).toBe(1);
      store.deleteMessage(another.id);
      expect(total("invoice")).toBe(1);
      store.deleteMessages("invoice");
      expect(total("invoice")).toBe(0);
    });

    it("rejects a bad query with a clear message", () => {
      for (const bad of ['"open', "is:maybe", "has:dog", "before:yesterday", "larger:lots", "from:"]) {
        const result = store.validateQuery(bad);
        expect(result.ok, bad).toBe(false);
        if (!result.ok) expect(result.message).toMatch(/invalid search/);
        expect(() => store.listMessages({ query: bad })).toThrow();
      }
      expect(store.validateQuery('from:a "b c" -d is:unread')).toEqual({ ok: true });
    });
  });

  describe("sessions", () => {
    it("shows a session in progress with its growing transcript, then closed", async () => {
      store.startSession(session("s1"));
      expect(store.getSession("s1")).toMatchObject({ id: "s1", endedAt: null, outcome: null, entryCount: 0 });
      store.appendTranscript("s1", [
        { seq: 1, atMs: 0, dir: "server", text: "220 mailpen ESMTP" },
        { seq: 2, atMs: 3, dir: "client", text: "EHLO client.example.test" },
      ]);
      expect(store.getSession("s1")?.transcript.map((e) => e.seq)).toEqual([1, 2]);
      const msg = await store.addMessage(newMessage(textMessage(), { sessionId: "s1" }));
      store.appendTranscript(
        "s1",
        [
          {
            seq: 3,
            atMs: 10,
            dir: "event",
            text: "DATA 120 octets",
            data: { bytes: 120, lines: 5, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 },
            messageId: msg.id,
          },
          { seq: 4, atMs: 11, dir: "client", text: "AUTH PLAIN ****", masked: true },
        ],
        state,
      );
      store.endSession("s1", { ...state, endedAt: new Date("2025-07-01T10:00:01.000Z"), outcome: "quit" });
      const detail = store.getSession("s1");
      expect(detail).toMatchObject({
        heloName: "client.example.test",
        messageCount: 1,
        outcome: "quit",
        entryCount: 4,
      });
      expect(detail?.endedAt).toBe("2025-07-01T10:00:01.000Z");
      expect(detail?.messageIds).toEqual([msg.id]);
      expect(detail?.transcript[2]).toMatchObject({ messageId: msg.id, data: { bytes: 120 } });
      expect(detail?.transcript[3]?.masked).toBe(true);
      expect(store.getMessageSummary(msg.id)?.sessionId).toBe("s1");
    });

    it("shows transcript writes to the next read at once, before their group commit ran", () => {
      store.startSession(session("now"));
      store.appendTranscript("now", [{ seq: 1, atMs: 0, dir: "server", text: "220 hi" }]);
      store.appendTranscript("now", [{ seq: 2, atMs: 1, dir: "client", text: "EHLO x" }], state);
      // No tick in between: the read commits what is waiting first.
      expect(store.getSession("now")).toMatchObject({ entryCount: 2, heloName: "client.example.test" });
      expect(store.getSession("now")?.transcript.map((e) => e.text)).toEqual(["220 hi", "EHLO x"]);
      expect(store.listSessions().sessions.map((s) => s.id)).toEqual(["now"]);
      expect(store.stats().sessions).toBe(1);
    });

    it("counts transcript entries across group commits and ignores an entry sent twice", async () => {
      store.startSession(session("long"));
      for (let i = 0; i < 50; i++) {
        store.appendTranscript("long", [{ seq: i, atMs: i, dir: "client", text: `c${i}` }]);
        if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
      }
      store.appendTranscript("long", [{ seq: 7, atMs: 99, dir: "server", text: "again" }]);
      const detail = store.getSession("long");
      expect(detail?.entryCount).toBe(50);
      expect(detail?.transcript).toHaveLength(50);
      expect(detail?.transcript[7]?.text).toBe("c7");
    });

    it("announces the transcript writes of one group commit in one session.updated, in order", async () => {
      store.startSession(session("co"));
      for (let i = 1; i <= 3; i++)
        store.appendTranscript("co", [{ seq: i, atMs: i, dir: "server", text: `l${i}` }]);
      store.endSession("co", { ...state, endedAt: new Date(), outcome: "quit" });
      await until(() => events.some((e) => e.type === "session.closed"));
      const mine = events.filter((e) => e.type.startsWith("session."));
      expect(mine.map((e) => e.type)).toEqual(["session.started", "session.updated", "session.closed"]);
      expect(mine[1]).toMatchObject({ entries: [{ text: "l1" }, { text: "l2" }, { text: "l3" }] });
      expect(mine[2]).toMatchObject({ session: { id: "co", entryCount: 3, outcome: "quit" } });
    });

    it("keeps sessions that delivered nothing, lists them newest first with a cursor, deletes them", () => {
      for (let i = 0; i < 5; i++) store.startSession(session(`s${i}`));
      store.endSession("s0", { ...state, messageCount: 0, endedAt: new Date(), outcome: "rejected" });
      const first = store.listSessions({ limit: 2 });
      expect(first.total).toBe(5);
      expect(first.sessions.map((s) => s.id)).toEqual(["s4", "s3"]);
      const second = store.listSessions({ limit: 2, cursor: first.nextCursor ?? "" });
      expect(second.sessions.map((s) => s.id)).toEqual(["s2", "s1"]);
      const third = store.listSessions({ limit: 2, cursor: second.nextCursor ?? "" });
      expect(third.sessions.map((s) => s.id)).toEqual(["s0"]);
      expect(third.nextCursor).toBeNull();
      expect(third.sessions[0]?.outcome).toBe("rejected");
      expect(store.deleteSession("s0")).toBe(true);
      expect(store.getSession("s0")).toBeUndefined();
      expect(store.stats().sessions).toBe(4);
      expect(events).toContainEqual({ type: "session.deleted", ids: ["s0"] });
    });
  });

  describe("events", () => {
    it("emits the write path's events in order, after commit", async () => {
      const seen: string[] = [];
      store.subscribe((e) => {
        seen.push(e.type);
        // After commit: what an event announces is readable from inside the listener.
        if (e.type === "message.created") expect(store.getRaw(e.message.id)).toBeDefined();
        if (e.type === "session.started") expect(store.getSession(e.session.id)).toBeDefined();
      });
      store.startSession(session("ev"));
      store.appendTranscript("ev", [{ seq: 1, atMs: 0, dir: "server", text: "220 hi" }]);
      const promise = store.addMessage(newMessage(textMessage(), { sessionId: "ev" }));
      expect(seen).not.toContain("message.created"); // not before the commit
      const s = await promise;
      expect(seen).toContain("message.created");
      await store.getMessage(s.id);
      store.endSession("ev", { ...state, endedAt: new Date(), outcome: "quit" });
      // Session writes are committed in batches after the messages: announced after their own
      // commit, not before (within a few milliseconds, or at the next read).
      expect(seen).not.toContain("session.closed");
      await until(() => seen.includes("session.closed"));
      // In order per message and per session; a message may be announced before its session.
      expect(seen.filter((t) => t.startsWith("session."))).toEqual([
        "session.started",
        "session.updated",
        "session.closed",
      ]);
      expect(seen.filter((t) => t.startsWith("message."))).toEqual(["message.created", "message.updated"]);
      const updated = events.find((e) => e.type === "session.updated");
      expect(updated).toMatchObject({ entries: [{ seq: 1, text: "220 hi" }] });
    });

    it("finishes the deferred parse of every message without any read asking for it", async () => {
      const done = new Set<string>();
      store.subscribe((e) => {
        if (e.type === "message.updated" && e.message.parseState !== "pending") done.add(e.message.id);
      });
      const added = await Promise.all([1, 2, 3].map(() => store.addMessage(newMessage(textMessage()))));
      // Nothing reads these messages: the idle-priority parse must get to them on its own.
      for (let i = 0; i < 1000 && !added.every((m) => done.has(m.id)); i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(added.map((m) => store.getMessageSummary(m.id)?.parseState)).toEqual([
        "parsed",
        "parsed",
        "parsed",
      ]);
    });

    it("parses a pending message at once when it is read", async () => {
      const summary = await store.addMessage(newMessage(richMessage()));
      expect(summary.parseState).toBe("pending");
      const detail = await store.getMessage(summary.id);
      expect(detail?.parseState).toBe("parsed");
      expect(detail?.attachments.length).toBeGreaterThan(0);
    });

    it("throttles stats events and reports the counters", async () => {
      for (let i = 0; i < 10; i++) await store.addMessage(newMessage(textMessage()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no stats event")), 5000);
        const stop = store.subscribe((e) => {
          if (e.type === "stats" && e.stats.total === 10) {
            clearTimeout(timer);
            stop();
            resolve();
          }
        });
      });
      const stats = events.filter((e) => e.type === "stats");
      expect(stats.length).toBeGreaterThan(0);
      expect(stats.length).toBeLessThan(10);
      expect(store.stats()).toMatchObject({ total: 10, unread: 10 });
    });

    it("stops delivering to an unsubscribed listener", async () => {
      const seen: StoreEvent[] = [];
      const stop = store.subscribe((e) => seen.push(e));
      stop();
      await store.addMessage(newMessage(textMessage()));
      expect(seen).toEqual([]);
    });
  });
}
