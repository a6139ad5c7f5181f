// A worker loop over a JobQueue: reserve, handle while renewing the lease, then complete or reschedule.
// Idle workers sleep until the queue says a job was enqueued in this process, or pollMs passes (jobs
// enqueued by other processes, retries coming due).
import type { Job, JobQueue } from "./types.ts";

// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing completes its job.
export type JobOutcome = void | { retryAt: number; error?: string };

export interface WorkerOptions {
  queue: JobQueue;
  /** Unique per worker loop; shows who holds a job. */
  workerId: string;
  /**
   * Do the job. Resolve to complete it, or to { retryAt } to run it again later. The signal aborts when
   * the lease was lost (another worker may have the job now): stop without recording anything more.
   */
  handle(job: Job, signal: AbortSignal): Promise<JobOutcome>;
  /** Default 60 s; renewed every third of it while the handler runs. */
  leaseMs?: number;
  /** Default 1000 ms. */
  pollMs?: number;
  /** How long to wait before taking the next job (0: at once); lets a busy process give way. */
  pauseMs?(): number;
  /** Delay before a job whose handler threw is tried again. Default 2^attempts s, at most 5 min. */
  retryDelayMs?(attempts: number): number;
  onError?(error: unknown, job?: Job): void;
  now?(): number;
}

export interface Worker {
  /** Stop taking jobs; resolves once the job in hand (if any) is finished. */
  stop(): Promise<void>;
}

const defaultRetryDelay = (attempts: number) => Math.min(300_000, 1000 * 2 ** Math.min(attempts, 20));

export function startWorker(options: WorkerOptions): Worker {
  const { queue, workerId, handle } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 1000;
  const now = options.now ?? Date.now;
  const retryDelay = options.retryDelayMs ?? defaultRetryDelay;
  const onError = options.onError ?? (() => {});
  let stopped = false;
  let wake: (() => void) | undefined;
  let pending = false;
  const unsubscribe = queue.subscribe(() => {
    pending = true;
    wake?.();
  });

  function idle(): Promise<void> {
    if (pending || stopped) {
      pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        pending = false;
        resolve();
      }
      wake = done;
    });
  }

  async function run(job: Job): Promise<void> {
    const lease = new AbortController();
    const heartbeat = setInterval(
      () => {
        queue.extendLease(job.id, leaseMs, job.leaseId).then(
          (kept) => kept || lease.abort(new Error(`lost the lease on job ${job.id}`)),
          (error) => onError(error, job),
        );
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      const outcome = await handle(job, lease.signal);
      if (lease.signal.aborted) return;
      if (outcome) await queue.fail(job.id, outcome.retryAt, outcome.error, job.leaseId);
      else await queue.complete(job.id, job.leaseId);
    } catch (error) {
      onError(error, job);
      if (lease.signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      await queue
        .fail(job.id, now() + retryDelay(job.attempts), message, job.leaseId)
        .catch((e) => onError(e, job));
    } finally {
      clearInterval(heartbeat);
    }
  }

  const loop = (async () => {
    while (!stopped) {
      const pause = options.pauseMs?.() ?? 0;
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      if (stopped) break;
      let job: Job | undefined;
      try {
        job = await queue.reserve(workerId, leaseMs);
      } catch (error) {
        onError(error);
      }
      if (job) await run(job);
      else await idle();
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
      unsubscribe();
    },
  };
}
