/**
 * One message's content as the engine keeps it until delivery. The engine's input is borrowed (the
 * socket listener reads every connection into one shared buffer), so content is copied here as it
 * arrives, and handed over as one Buffer that owns its memory: never a slice of Node's shared pool,
 * never uninitialized memory (a structured clone of the raw copies its whole ArrayBuffer).
 *
 * - With a declared SIZE (RFC 1870): one zeroed buffer of that size, filled in place; the raw is a
 *   view of it, so the message is held once. Zeroing costs no RSS up front: large buffers are
 *   calloc'ed, their pages touched as written. Content beyond the declared size continues in pages.
 * - Without: pages that double from 16 KiB up to 1 MiB, copied once into an exact raw at the end,
 *   and then freed at once (not left for the collector). The first page is kept for the
 *   connection's next message, so a small message allocates only its raw.
 */
import { MessageChannel } from "node:worker_threads";

const FIRST_PAGE = 16 * 1024;
const MAX_PAGE = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export class ContentBuffer {
  /** The buffer of a declared SIZE (then also the first of `pages`), or null. */
  private declared: Buffer | null = null;
  private firstPage: Buffer | null = null;
  private readonly pages: Buffer[] = [];
  /** The page being filled (the last of `pages`) and how much of it is used; the others are full. */
  private page: Buffer = EMPTY;
  private pageUsed = 0;
  private length = 0;

  /** Start a message; `declaredSize` 0 when none was declared (or it is over the limit). */
  start(declaredSize: number): void {
    this.clear();
    if (declaredSize > 0) this.usePage((this.declared = Buffer.alloc(declaredSize)));
  }

  get byteLength(): number {
    return this.length;
  }

  /** Copy one segment of content (a view of borrowed input: nothing of it is kept). */
  append(segment: Buffer): void {
    let at = 0;
    while (at < segment.length) {
      if (this.pageUsed === this.page.length) this.addPage();
      const copied = segment.copy(this.page, this.pageUsed, at);
      this.pageUsed += copied;
      at += copied;
    }
    this.length += segment.length;
  }

  /** The content so far as one Buffer of its own; the buffer is empty afterwards. */
  take(): Buffer {
    let raw: Buffer;
    const declared = this.declared;
    if (declared !== null && this.pages.length === 1) {
      raw = declared.subarray(0, this.length);
    } else {
      raw = Buffer.allocUnsafeSlow(this.length);
      let at = 0;
      const last = this.pages.length - 1;
      for (let i = 0; i <= last; i++) {
        const page = this.pages[i]!;
        at += page.copy(raw, at, 0, i === last ? this.pageUsed : page.length);
        if (page !== this.firstPage) release(page);
      }
    }
    this.clear();
    return raw;
  }

  /** Drop the content (a reset, an abort, the size limit). */
  clear(): void {
    this.declared = null;
    this.pages.length = 0;
    this.page = EMPTY;
    this.pageUsed = 0;
    this.length = 0;
  }

  private addPage(): void {
    if (this.pages.length === 0) this.usePage((this.firstPage ??= Buffer.allocUnsafeSlow(FIRST_PAGE)));
    else this.usePage(Buffer.allocUnsafeSlow(Math.min(Math.max(this.page.length * 2, FIRST_PAGE), MAX_PAGE)));
  }

  private usePage(page: Buffer): void {
    this.pages.push(page);
    this.page = page;
    this.pageUsed = 0;
  }
}

/**
 * Frees a large page within a turn of the event loop instead of at V8's next collection, which waits
 * for tens of megabytes of garbage: moved into a message channel closed with the message unread,
 * which drops it. (The store has the same for its buffers; the two packages share no runtime code.)
 */
function release(page: Buffer): void {
  if (page.length < 256 * 1024) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [page.buffer as ArrayBuffer]);
  port1.close();
  port2.close();
}
