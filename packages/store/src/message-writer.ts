/**
 * A message whose bytes arrive in pieces (SMTP DATA), stored with bounded memory.
 *
 * - Up to CHUNK_BYTES the content stays in memory, in one page that doubles from FIRST_PAGE_BYTES
 *   (or starts at the size the client declared), and the message is stored as one raw blob, exactly
 *   as `addMessage` stores it. The raw handed over is a view of that page, not a copy, and a first
 *   page comes from the store's PagePool and goes back to it once the message's commit is over, so
 *   a small message allocates no buffer of its own.
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

export const CHUNK_BYTES = 256 * 1024;
const FIRST_PAGE_BYTES = 16 * 1024;
/** What the header scan of a spooled message sees: headers beyond it wait for the full parse. */
const HEAD_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/** A spooled message at its end: the chunks already queued and the last one, not yet queued. */
export interface SpooledContent {
  spool: number;
  /** Chunks 0..queued-1 were handed to writeChunk; `tail` becomes chunk `queued`. */
  queued: number;
  tail: Buffer;
  size: number;
}

/** What a writer needs of the store. */
export interface SpoolHost {
  newSpool(): number;
  /** Queue one chunk for the next group commit. The host owns `bytes` from now on. */
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
    /** Called once the message's write is over (committed or failed): `message.raw` is free again. */
    written: (() => void) | null,
  ): Promise<MessageSummary>;
}

/** First pages, reused from one message to the next (about one in use per session receiving). */
export class PagePool {
  private readonly pages: Buffer[] = [];

  constructor(private readonly max = 64) {}

  take(): Buffer {
    return this.pages.pop() ?? Buffer.allocUnsafeSlow(FIRST_PAGE_BYTES);
  }

  give(page: Buffer): void {
    if (this.pages.length < this.max) this.pages.push(page);
  }
}

type WriterEnd = Parameters<MessageWriter["end"]>[0];

export class SpoolingMessageWriter implements MessageWriter {
  private page: Buffer;
  /** Whether `page` came from the pool (and goes back to it). */
  private pooled: boolean;
  private used = 0;
  private size = 0;
  private spool: number | null = null;
  private queued = 0;
  private head: Buffer = EMPTY;
  private done = false;

  constructor(
    private readonly host: SpoolHost,
    private readonly pool: PagePool,
    sizeHint = 0,
  ) {
    this.pooled = !(Number.isSafeInteger(sizeHint) && sizeHint > FIRST_PAGE_BYTES);
    this.page = this.pooled ? pool.take() : Buffer.allocUnsafeSlow(Math.min(sizeHint, CHUNK_BYTES));
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
    this.size += bytes.length;
  }

  end(message: WriterEnd): Promise<MessageSummary> {
    if (this.done) return Promise.reject(new Error("message writer already ended"));
    this.done = true;
    const page = this.page;
    this.page = EMPTY;
    if (this.spool === null) {
      const written = this.pooled ? () => this.pool.give(page) : null;
      return this.host.addMessage({ ...message, raw: page.subarray(0, this.used) }, null, written);
    }
    // The tail is a chunk of its own: copied to its size unless the page is full.
    const tail = this.used === page.length ? page : Buffer.from(page.subarray(0, this.used));
    const spooled = { spool: this.spool, queued: this.queued, tail, size: this.size };
    return this.host.addMessage({ ...message, raw: this.head }, spooled, null);
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    if (this.pooled) this.pool.give(this.page);
    this.page = EMPTY;
    if (this.spool !== null) this.host.dropSpool(this.spool);
  }

  /** The page is full: grow it up to a chunk, or send the full chunk to the database. */
  private makeRoom(): void {
    if (this.page.length < CHUNK_BYTES) {
      const bigger = Buffer.allocUnsafeSlow(
        Math.min(Math.max(this.page.length * 2, FIRST_PAGE_BYTES), CHUNK_BYTES),
      );
      this.page.copy(bigger, 0, 0, this.used);
      if (this.pooled) this.pool.give(this.page);
      this.pooled = false;
      this.page = bigger;
      return;
    }
    this.spool ??= this.host.newSpool();
    if (this.queued === 0) this.head = Buffer.from(this.page.subarray(0, HEAD_BYTES));
    this.host.writeChunk(this.spool, this.queued++, this.page);
    this.page = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.used = 0;
  }
}
