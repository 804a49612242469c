/**
 * A message whose bytes arrive in pieces (SMTP DATA), stored with bounded memory.
 *
 * - Up to CHUNK_BYTES the content stays in memory, in one page that doubles from FIRST_PAGE_BYTES
 *   (or starts at the size the client declared, rounded up to such a size), and the message is
 *   stored as one raw blob, exactly as `addMessage` stores it. The raw handed over is a view of that
 *   page, not a copy.
 * - Every page comes from the store's PagePool and goes back to it once done with (outgrown, or its
 *   commit over), chunks too: a stream of messages reuses the same few buffers instead of allocating
 *   and freeing them (which cost CPU, and with large messages fragmented the C heap).
 * - Beyond that, each full CHUNK_BYTES page goes to the database as a chunk of a spool (migration
 *   004) with the next group commit, and its memory is freed once committed: a message of any size
 *   holds about one chunk in memory. The last chunk is written in the message's own transaction,
 *   which also checks that every earlier chunk is there, so a message is never stored with a hole.
 * - The header scan of a spooled message reads its first HEAD_BYTES (copied when the first chunk
 *   leaves); the deferred full parse reads every chunk.
 *
 * No SQL here: the store (open-store.ts) implements SpoolHost.
 */
import type { MessageSummary } from "@mailpen/shared";
import type { MessageWriter, NewMessage } from "./mail-store.ts";
import { releaseMemory } from "./owned-buffer.ts";

export const CHUNK_BYTES = 256 * 1024;
const FIRST_PAGE_BYTES = 16 * 1024;
/** What the header scan of a spooled message sees: headers beyond it wait for the full parse. */
const HEAD_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** A spooled message at its end: the chunks already queued and the last one, not yet queued. */
export interface SpooledContent {
  spool: number;
  /** Chunks 0..queued-1 were handed to writeChunk; `tail` (a view of a page) becomes chunk `queued`. */
  queued: number;
  tail: Buffer;
  size: number;
}

/** What a writer needs of the store. */
export interface SpoolHost {
  newSpool(): number;
  /** Queue one chunk (a whole page) for the next group commit; the host gives the page back to the pool once it is written. */
  writeChunk(spool: number, n: number, bytes: Buffer): void;
  /** Delete a spool's chunks (queued or committed) that no message will link. */
  dropSpool(spool: number): void;
  /**
   * Store the message. Spooled: `message.raw` is the head (for the header scan only) and the bytes
   * are the spool's; the host drops the spool should the message not be stored.
   */
  addMessage(
    message: NewMessage,
    spooled: SpooledContent | null,
    /** Called once the message's write is over (committed or failed): its page is free again. */
    written: () => void,
  ): Promise<MessageSummary>;
}

/**
 * Pages of FIRST_PAGE_BYTES doubled up to CHUNK_BYTES, reused from one message to the next (about
 * one in use per session receiving). Up to `maxBytes` wait here; a page beyond that is freed at once.
 */
export class PagePool {
  private readonly free = new Map<number, Buffer[]>();
  private pooledBytes = 0;

  constructor(private readonly maxBytes = 4 * 1024 * 1024) {}

  /** A page of the smallest size that holds `bytes` (at most CHUNK_BYTES). */
  take(bytes = 0): Buffer {
    let size = FIRST_PAGE_BYTES;
    while (size < bytes && size < CHUNK_BYTES) size *= 2;
    const page = this.free.get(size)?.pop();
    if (page === undefined) return Buffer.allocUnsafeSlow(size);
    this.pooledBytes -= size;
    return page;
  }

  /** Nothing may use `page` afterwards. */
  give(page: Buffer): void {
    if (this.pooledBytes + page.length > this.maxBytes) return releaseMemory(page);
    let pages = this.free.get(page.length);
    if (pages === undefined) this.free.set(page.length, (pages = []));
    pages.push(page);
    this.pooledBytes += page.length;
  }
}

type WriterEnd = Parameters<MessageWriter["end"]>[0];

export class SpoolingMessageWriter implements MessageWriter {
  private page: Buffer;
  private used = 0;
  private spool: number | null = null;
  private queued = 0;
  private head: Buffer = EMPTY;
  private done = false;

  constructor(
    private readonly host: SpoolHost,
    private readonly pool: PagePool,
    sizeHint = 0,
  ) {
    this.page = pool.take(Number.isSafeInteger(sizeHint) ? sizeHint : 0);
  }

  write(bytes: Uint8Array): void {
    if (this.done) throw new Error("message writer already ended");
    let at = 0;
    while (at < bytes.length) {
      if (this.used === this.page.length) this.makeRoom();
      const n = Math.min(bytes.length - at, this.page.length - this.used);
      this.page.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
    }
  }

  end(message: WriterEnd): Promise<MessageSummary> {
    if (this.done) return Promise.reject(new Error("message writer already ended"));
    this.done = true;
    const page = this.page;
    this.page = EMPTY;
    const written = () => this.pool.give(page);
    const content = page.subarray(0, this.used);
    if (this.spool === null) return this.host.addMessage({ ...message, raw: content }, null, written);
    // Every chunk before the tail is a full page.
    const size = this.queued * CHUNK_BYTES + this.used;
    const spooled = { spool: this.spool, queued: this.queued, tail: content, size };
    return this.host.addMessage({ ...message, raw: this.head }, spooled, written);
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.pool.give(this.page);
    this.page = EMPTY;
    if (this.spool !== null) this.host.dropSpool(this.spool);
  }

  /** The page is full: grow it up to a chunk, or send the full chunk to the database. */
  private makeRoom(): void {
    if (this.page.length < CHUNK_BYTES) {
      const bigger = this.pool.take(this.page.length * 2);
      this.page.copy(bigger, 0, 0, this.used);
      this.pool.give(this.page);
      this.page = bigger;
      return;
    }
    this.spool ??= this.host.newSpool();
    if (this.queued === 0) this.head = Buffer.from(this.page.subarray(0, HEAD_BYTES));
    this.host.writeChunk(this.spool, this.queued++, this.page);
    this.page = this.pool.take(CHUNK_BYTES);
    this.used = 0;
  }
}
