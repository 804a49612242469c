/**
 * A small FIFO of deferred jobs keyed by message id, at most `concurrency` at a time, started from
 * a macrotask so that ingest batches (setImmediate) and I/O are never starved by a run of parses.
 * `waitFor(id)` lets a reader jump the queue for the message it needs.
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

export function createParseQueue(
  run: (key: string) => Promise<void>,
  onError: (error: unknown) => void,
  concurrency = 1,
): ParseQueue {
  const jobs = new Map<string, Job>();
  const order: string[] = [];
  let running = 0;
  let stopped = false;
  let idle: (() => void) | null = null;
  let scheduled = false;

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
    if (scheduled || running >= concurrency || stopped) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void pump();
    });
  };

  const pump = async (): Promise<void> => {
    if (running >= concurrency || stopped) return;
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
      if (jobs.size > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          idle = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      stopped = true;
      // Jobs that never started stay pending in the database and resume at the next open.
      for (const job of jobs.values()) if (!job.started) job.resolve();
    },
  };
}
