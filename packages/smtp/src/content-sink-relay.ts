/**
 * One streamed message's content sink, as both engine drivers use it (the socket listener and the
 * in-memory session), so the rules live once:
 * - a failure of `openContent` or of a `write` is kept, not thrown: the content is still read, and at
 *   its end the sink is aborted and the failure becomes the reply (451, or its SmtpReplyError);
 * - a `write` that returns a promise is tracked, so the driver can stop reading until it settles;
 * - `end` waits for the writes still in flight before it ends the sink.
 * No sockets, no timers.
 */
import type { DataSummary } from "@mailpen/shared";
import type { SmtpBackend, SmtpContentInfo, SmtpContentSink } from "./backend.ts";

export class ContentSinkRelay {
  private sink: SmtpContentSink | null = null;
  private pending: Promise<void> | null = null;
  private failed: { error: unknown } | null = null;

  /** `onDrained` runs when the writes in flight have settled (the driver may read again). */
  constructor(
    private readonly logger: Pick<Console, "error">,
    private readonly onDrained: () => void = () => {},
  ) {}

  /** True while a write the sink returned a promise for has not settled. */
  get writing(): boolean {
    return this.pending !== null;
  }

  open(backend: SmtpBackend, info: SmtpContentInfo): void {
    this.sink = null;
    this.pending = null;
    this.failed = null;
    if (backend.openContent === undefined) return;
    try {
      this.sink = backend.openContent(info);
    } catch (error) {
      this.failed = { error };
    }
  }

  /** Hand one chunk to the sink; returns the writes still in flight, if the sink asked to wait. */
  write(data: Buffer): Promise<void> | undefined {
    const sink = this.sink;
    if (sink === null || this.failed !== null) return undefined;
    let result: void | Promise<void>;
    try {
      result = sink.write(data);
    } catch (error) {
      this.failed = { error };
      return undefined;
    }
    if (result === undefined || typeof result.then !== "function") return this.pending ?? undefined;
    const pending: Promise<void> = Promise.all([this.pending, result]).then(
      () => this.settled(pending),
      (error: unknown) => {
        this.failed ??= { error };
        this.settled(pending);
      },
    );
    this.pending = pending;
    return pending;
  }

  /** The content is complete: end the sink, or reject with the failure to reply with. */
  async end(summary: DataSummary): Promise<void> {
    const sink = this.sink;
    const pending = this.pending;
    this.sink = null;
    this.pending = null;
    if (pending !== null) await pending;
    const failed = this.failed;
    this.failed = null;
    if (failed !== null) {
      if (sink !== null) this.abortQuietly(sink, "content sink failed");
      throw failed.error;
    }
    if (sink === null) throw new Error("no content sink");
    await sink.end(summary);
  }

  /** The transaction was abandoned (client gone, RSET, size limit, timeout, shutdown). */
  abort(reason: string): void {
    const sink = this.sink;
    this.sink = null;
    this.pending = null;
    this.failed = null;
    if (sink !== null) this.abortQuietly(sink, reason);
  }

  private settled(pending: Promise<void>): void {
    if (this.pending !== pending) return;
    this.pending = null;
    this.onDrained();
  }

  private abortQuietly(sink: SmtpContentSink, reason: string): void {
    try {
      sink.abort(reason);
    } catch (error) {
      this.logger.error("SMTP content sink abort failed", error);
    }
  }
}
