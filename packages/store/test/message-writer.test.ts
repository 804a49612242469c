import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { DataSummary } from "@mailpen/shared";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../src/index.ts";
import type { MailStore, MessageWriter } from "../src/index.ts";
import { envelopeFor, textMessage } from "./message-builder.ts";
import { seededRandom } from "./seeded-random.ts";

/**
 * beginMessage: a message written in pieces, as SMTP DATA arrives. Small ones are stored as one
 * blob like addMessage; one over a chunk (256 KiB) goes to the database chunk by chunk while it
 * arrives, and reads back byte-exact.
 */
const dir = mkdtempSync(path.join(tmpdir(), "mailpen-writer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => path.join(dir, `w${++files}.sqlite`);
const open = (file: string, maxMessages?: number): MailStore =>
  openStore({ path: file, parseInWorker: false, ...(maxMessages === undefined ? {} : { maxMessages }) });

const CHUNK = 256 * 1024;

/** A text message of about `size` bytes, lines of printable ASCII from a seeded generator. */
function bigMessage(size: number, subject = "Big one"): Buffer {
  const random = seededRandom(size);
  const lines: string[] = [];
  let length = 0;
  while (length < size) {
    const line = Array.from({ length: 70 }, () => String.fromCharCode(0x21 + Math.floor(random() * 94))).join(
      "",
    );
    lines.push(line);
    length += line.length + 2;
  }
  return textMessage({ subject, body: lines.join("\r\n") });
}

/** The engine's counts of plain CRLF ASCII content: no flags. */
function summaryOf(raw: Buffer): DataSummary {
  let lines = 0;
  for (let i = raw.indexOf(10); i !== -1; i = raw.indexOf(10, i + 1)) lines++;
  return { bytes: raw.length, lines, bareLf: 0, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 };
}

/** What a writer's `end` gets for `raw`, as the SMTP side sends it. */
function endOf(raw: Buffer): Parameters<MessageWriter["end"]>[0] {
  return {
    sessionId: null,
    receivedAt: new Date(0),
    envelope: envelopeFor(["bob@example.test"]),
    contentSummary: summaryOf(raw),
  };
}

/** Writes `raw` in pieces of `piece` bytes (the last shorter), then ends the message. */
async function writeInPieces(store: MailStore, raw: Buffer, piece: number, sizeHint?: number) {
  const writer = store.beginMessage({ sizeHint });
  for (let at = 0; at < raw.length; at += piece) writer.write(raw.subarray(at, at + piece));
  return writer.end(endOf(raw));
}

function spoolRows(file: string): { chunks: number; links: number; emptyRaws: number } {
  const db = new Database(file, { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      chunks: count("SELECT count(*) AS n FROM raw_spool_chunk"),
      links: count("SELECT count(*) AS n FROM message_spool"),
      emptyRaws: count("SELECT count(*) AS n FROM message_raw WHERE length(raw) = 0"),
    };
  } finally {
    db.close();
  }
}

/** Lets a tick pass, so the group commit of what was written runs. */
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("beginMessage", () => {
  it("stores a small message as one blob, byte-exact, with or without a size hint", async () => {
    const file = newFile();
    const store = open(file);
    const raw = textMessage({ subject: "Small" });
    const plain = await writeInPieces(store, raw, 7);
    const hinted = await writeInPieces(store, raw, 100, raw.length);
    const wrongHint = await writeInPieces(store, raw, 3, 10);
    for (const summary of [plain, hinted, wrongHint]) {
      expect(summary.subject).toBe("Small");
      expect(summary.size).toBe(raw.length);
      expect(store.getRaw(summary.id)?.equals(raw)).toBe(true);
    }
    await store.close();
    expect(spoolRows(file)).toEqual({ chunks: 0, links: 0, emptyRaws: 0 });
  });

  it("never lets messages in flight share a page, though pages are reused", async () => {
    const store = open(newFile());
    for (let round = 0; round < 3; round++) {
      // Five messages at once, written in turns: one grows past its first page, one is spooled.
      const raws = Array.from({ length: 5 }, (_, i) =>
        textMessage({
          subject: `Round ${round} message ${i}`,
          body: `body ${i} `.repeat(i === 2 ? 3000 : i === 4 ? 80_000 : 20),
        }),
      );
      const writers = raws.map(() => store.beginMessage());
      for (let at = 0; raws.some((raw) => at < raw.length); at += 1000) {
        raws.forEach((raw, i) => {
          if (at < raw.length) writers[i]!.write(raw.subarray(at, at + 1000));
        });
        if (at % 100_000 === 0) await nextTick(); // chunks are committed and their pages reused
      }
      const ended = Promise.all(writers.map((writer, i) => writer.end(endOf(raws[i]!))));
      // A message begun before those are committed must not get one of their pages.
      const late = store.beginMessage();
      late.write(Buffer.alloc(16 * 1024, "x"));
      late.abort();
      const summaries = await ended;
      summaries.forEach((summary, i) => {
        expect(summary.subject).toBe(`Round ${round} message ${i}`);
        expect(store.getRaw(summary.id)?.equals(raws[i]!)).toBe(true);
      });
    }
    await store.close();
  });

  it("stores a large message in chunks as it arrives and reads it back byte-exact", async () => {
    const file = newFile();
    const store = open(file);
    const raw = bigMessage(CHUNK * 3 + 1234, "Spooled");
    const writer = store.beginMessage();
    let at = 0;
    for (; at < CHUNK * 2 + 10; at += 65_536) writer.write(raw.subarray(at, at + 65_536));
    await nextTick();
    // Two chunks left memory before the message ended.
    expect(spoolRows(file).chunks).toBe(2);
    for (; at < raw.length; at += 65_536) writer.write(raw.subarray(at, at + 65_536));
    const summary = await writer.end(endOf(raw));
    expect(summary.subject).toBe("Spooled");
    expect(summary.size).toBe(raw.length);
    expect(store.getRaw(summary.id)?.equals(raw)).toBe(true);
    const detail = await store.getMessage(summary.id);
    expect(detail?.parseState).toBe("parsed");
    expect(detail?.headers.find((h) => h.name.toLowerCase() === "subject")?.value).toBe("Spooled");
    const body = raw.subarray(raw.indexOf("\r\n\r\n") + 4).toString();
    expect(detail?.text?.trimEnd()).toBe(body.replaceAll("\r\n", "\n").trimEnd());
    expect(store.stats().bytes).toBe(raw.length);
    await store.close();
    expect(spoolRows(file)).toEqual({ chunks: 4, links: 1, emptyRaws: 1 });
  });

  it("commits chunks within the tick once 8 MiB of them wait, so one tick's reads are not all held", async () => {
    // One turn of the event loop can read megabytes from each of many sockets; the chunks must not
    // all wait in memory for the commit at its end.
    const file = newFile();
    const store = open(file);
    const raws = [0, 1, 2, 3, 4].map((i) => bigMessage(CHUNK * 10, `Burst ${i}`));
    const writers = raws.map(() => store.beginMessage());
    for (let at = 0; at < raws[0]!.length; at += 65_536)
      writers.forEach((writer, i) => writer.write(raws[i]!.subarray(at, at + 65_536)));
    // Still the same tick: 5 x 10 full chunks were handed over (12.5 MiB); the first 32 (8 MiB)
    // are committed already, the rest wait for the end of the tick.
    expect(spoolRows(file).chunks).toBe(32);
    await nextTick();
    expect(spoolRows(file).chunks).toBe(50);
    const summaries = await Promise.all(writers.map((writer, i) => writer.end(endOf(raws[i]!))));
    summaries.forEach((summary, i) => expect(store.getRaw(summary.id)?.equals(raws[i]!)).toBe(true));
    await store.close();
  });

  it("is byte-exact whatever the piece size, at chunk boundaries too", async () => {
    const store = open(newFile());
    const raw = bigMessage(CHUNK * 2);
    for (const piece of [1 << 20, CHUNK, CHUNK - 1, CHUNK + 1, 4093, raw.length]) {
      const summary = await writeInPieces(store, raw, piece);
      expect(store.getRaw(summary.id)?.equals(raw), `pieces of ${piece}`).toBe(true);
    }
    await store.close();
  });

  it("hands a raw out piece by piece (openRaw), each chunk read when asked for", async () => {
    const file = newFile();
    const store = open(file);
    const small = textMessage({ subject: "One blob" });
    const large = bigMessage(CHUNK * 3 + 777, "Four chunks");
    const smallId = (await writeInPieces(store, small, 100)).id;
    const largeId = (await writeInPieces(store, large, 65_536)).id;

    const one = store.openRaw(smallId)!;
    expect(one.size).toBe(small.length);
    expect([...one.pieces].map((p) => p.equals(small))).toEqual([true]);

    const four = store.openRaw(largeId)!;
    expect(four.size).toBe(large.length);
    const pieces = [...four.pieces];
    expect(pieces.map((p) => p.length)).toEqual([CHUNK, CHUNK, CHUNK, large.length - CHUNK * 3]);
    expect(Buffer.concat(pieces).equals(large)).toBe(true);
    expect(store.openRaw("01J0000000000000000000NONE")).toBeUndefined();

    // Deleted while it is read: the next piece is an error, never a quiet end after a part.
    const reading = store.openRaw(largeId)!.pieces;
    expect(reading.next().value?.equals(large.subarray(0, CHUNK))).toBe(true);
    expect(store.deleteMessage(largeId)).toBe(true);
    expect(() => reading.next()).toThrow(/chunk 1 is gone after 262144 of/);
    await store.close();
  });

  it("drops the chunks of an aborted message", async () => {
    const file = newFile();
    const store = open(file);
    const writer = store.beginMessage();
    writer.write(bigMessage(CHUNK * 2 + 5));
    await nextTick();
    expect(spoolRows(file).chunks).toBe(2);
    writer.abort();
    writer.abort(); // once is enough
    expect(() => writer.write(Buffer.from("more"))).toThrow(/ended/);
    store.listMessages(); // a read commits what waits
    expect(spoolRows(file).chunks).toBe(0);
    expect(store.stats().total).toBe(0);
    await store.close();
  });

  it("deletes the chunks with the message: one, all, or by retention", async () => {
    const file = newFile();
    const store = open(file, 2);
    const raw = bigMessage(CHUNK + 10);
    const first = await writeInPieces(store, raw, 65_536);
    expect(store.deleteMessage(first.id)).toBe(true);
    expect(spoolRows(file)).toEqual({ chunks: 0, links: 0, emptyRaws: 0 });

    await writeInPieces(store, raw, 65_536);
    // A message still arriving keeps its chunks through a delete of all messages.
    const arriving = store.beginMessage();
    arriving.write(raw.subarray(0, CHUNK + 1));
    await nextTick();
    expect(store.deleteMessages()).toBe(1);
    expect(spoolRows(file)).toEqual({ chunks: 1, links: 0, emptyRaws: 0 });
    arriving.write(raw.subarray(CHUNK + 1));
    const survivor = await arriving.end(endOf(raw));
    expect(store.getRaw(survivor.id)?.equals(raw)).toBe(true);

    // Retention (at most 2 messages) removes the oldest with its chunks.
    await writeInPieces(store, raw, 65_536);
    await writeInPieces(store, raw, 65_536);
    expect(store.getRaw(survivor.id)).toBeUndefined();
    expect(spoolRows(file)).toEqual({ chunks: 4, links: 2, emptyRaws: 2 });
    await store.close();
  });

  it("fails a message one of whose chunks is missing, instead of storing it with a hole", async () => {
    const file = newFile();
    const store = open(file);
    const raw = bigMessage(CHUNK * 2 + 10);
    const writer = store.beginMessage();
    writer.write(raw.subarray(0, CHUNK + 1));
    await nextTick();
    const other = new Database(file);
    other.prepare("DELETE FROM raw_spool_chunk").run();
    other.close();
    writer.write(raw.subarray(CHUNK + 1));
    await expect(writer.end(endOf(raw))).rejects.toThrow(/message content incomplete/);
    expect(store.stats().total).toBe(0);
    await store.close();
    expect(spoolRows(file)).toEqual({ chunks: 0, links: 0, emptyRaws: 0 });
  });

  it("deletes the chunks of a message still arriving at a stop when it opens again", async () => {
    const file = newFile();
    const raw = bigMessage(CHUNK * 2 + 10);
    const first = open(file);
    const kept = await writeInPieces(first, raw, 65_536);
    const cut: MessageWriter = first.beginMessage();
    cut.write(raw.subarray(0, CHUNK * 2 + 1)); // two chunks full, so both leave memory
    await nextTick();
    await first.close();
    expect(spoolRows(file)).toEqual({ chunks: 5, links: 1, emptyRaws: 1 });

    const second = open(file);
    expect(spoolRows(file)).toEqual({ chunks: 3, links: 1, emptyRaws: 1 });
    // New spools do not collide with the ones kept.
    const next = await writeInPieces(second, raw, 65_536);
    expect(second.getRaw(kept.id)?.equals(raw)).toBe(true);
    expect(second.getRaw(next.id)?.equals(raw)).toBe(true);
    await second.close();
  });
});
