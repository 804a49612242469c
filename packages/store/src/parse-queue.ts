/**
 * A small FIFO of deferred jobs keyed by message id, at most `concurrency` at a time, started from
 * a macrotask so that ingest batches (setImmediate) and I/O are never starved by a run of parses.
 * An optional `delay` gate holds jobs back (idle priority: the store parses when ingest is quiet).
 * `waitFor(id)` lets a reader jump the queue (and the gate) for the message it needs.
 */

export interface ParseQueue {
  /** Queues a job for `key` (ignored when one is queued or running already). */
  push(key: string): void;
  /** Resolves when the job for `key` has finished; at once when none is queued. Runs it now if queued. */
  waitFor(key: string): Promise<void>;
  /** Queued or running jobs. */
  size(): number;
  /** Waits until the queue is empty or `timeoutMs` passed; stops starting jobs afterwards. */
  stop(timeoutMs: number): Promise<void>;
}

interface Job {
  promise: Promise<void>;
  resolve: () => void;
  started: boolean;
}

export interface ParseQueueOptions {
  /**
   * Milliseconds to wait before starting the job for `next`; 0 starts it now. Asked before every
   * start, so the answer may change (a quiet spell, a starvation guard).
   */
  delay?: (next: string) => number;
}

export function createParseQueue(
  run: (key: string) => Promise<void>,
  onError: (error: unknown) => void,
  concurrency = 1,
  options: ParseQueueOptions = {},
): ParseQueue {
  const delay = options.delay ?? (() => 0);
  const jobs = new Map<string, Job>();
  const order: string[] = [];
  let running = 0;
  let stopped = false;
  let idle: (() => void) | null = null;
  let scheduled = false;
  let timer: NodeJS.Timeout | null = null;

  const execute = async (key: string, job: Job): Promise<void> => {
    job.started = true;
    try {
      await run(key);
    } catch (error) {
      onError(error);
    } finally {
      jobs.delete(key);
      job.resolve();
      if (jobs.size === 0 && idle) idle();
    }
  };

  const schedule = (): void => {
    if (scheduled || timer !== null || running >= concurrency || stopped) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void pump();
    });
  };

  const pump = async (): Promise<void> => {
    if (running >= concurrency || stopped) return;
    // Keys a reader started (waitFor) or that finished are skipped: the gate is asked for the next.
    while (order.length > 0 && jobs.get(order[0]!)?.started !== false) order.shift();
    const next = order[0];
    const wait = next === undefined ? 0 : delay(next);
    if (wait > 0) {
      if (timer === null) {
        timer = setTimeout(() => {
          timer = null;
          schedule();
        }, wait);
        timer.unref();
      }
      return;
    }
    let key: string | undefined;
    while ((key = order.shift()) !== undefined) {
      const job = jobs.get(key);
      if (job && !job.started) break;
    }
    if (key === undefined) return;
    const job = jobs.get(key);
    if (!job) return;
    running++;
    if (order.length > 0) schedule(); // fill the other slots, one per macrotask
    await execute(key, job);
    running--;
    if (order.length > 0) schedule();
  };

  return {
    push(key) {
      if (stopped || jobs.has(key)) return;
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      jobs.set(key, { promise, resolve, started: false });
      order.push(key);
      schedule();
    },
    waitFor(key) {
      const job = jobs.get(key);
      if (!job) return Promise.resolve();
      if (!job.started && !stopped) void execute(key, job);
      return job.promise;
    },
    size: () => jobs.size,
    async stop(timeoutMs) {
      // Ask the gate again now rather than when its timer fires (a closing store opens it).
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
        schedule();
      }
      if (jobs.size > 0) {
        await new Promise<void>((resolve) => {
          const deadline = setTimeout(resolve, timeoutMs);
          idle = () => {
            clearTimeout(deadline);
            resolve();
          };
        });
      }
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      // Jobs that never started stay pending in the database and resume at the next open.
      for (const job of jobs.values()) if (!job.started) job.resolve();
    },
  };
}
