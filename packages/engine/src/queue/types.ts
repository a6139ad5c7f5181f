// The job queue port: one job per run waiting to be executed. Adapters (SQLite now, BullMQ later) must
// pass test/contracts/queue-contract.ts. A reserved job carries a lease; a worker that dies stops renewing
// it, the lease runs out and the job is handed out again: that is how a killed process's run resumes.

export interface Job {
  id: string;
  runId: string;
  /** Epoch ms from which the job may be reserved. */
  availableAt: number;
  /** How many times it was reserved (1 on the first delivery). */
  attempts: number;
  /** Identifies the current reservation; complete/fail/extendLease with an older one do nothing. */
  leaseId?: string;
  leaseUntil?: number;
  workerId?: string;
  /** The error given to the last fail(). */
  lastError?: string;
  createdAt: number;
}

export interface EnqueueInput {
  runId: string;
  /** Default now. */
  availableAt?: number;
}

export interface QueueStats {
  /** Reservable now. */
  ready: number;
  /** Waiting for availableAt (e.g. retries with backoff). */
  scheduled: number;
  /** Reserved, lease not expired. */
  leased: number;
}

export interface JobQueue {
  /**
   * Idempotent per run: while a job for the run exists (waiting or leased), that job is returned unchanged,
   * so re-enqueueing every queued run after a restart is always safe.
   */
  enqueue(input: EnqueueInput): Promise<Job>;
  /** Atomically claim the oldest available job for leaseMs, or undefined when none is available. */
  reserve(workerId: string, leaseMs: number): Promise<Job | undefined>;
  /** Done: the job is removed. False when leaseId is given and the job is no longer held with it. */
  complete(jobId: string, leaseId?: string): Promise<boolean>;
  /** Release the job to be reserved again from retryAt. False as for complete. */
  fail(jobId: string, retryAt: number, error?: string, leaseId?: string): Promise<boolean>;
  /** Push the lease to now + leaseMs. False when the job is gone or was reserved again by someone else. */
  extendLease(jobId: string, leaseMs: number, leaseId?: string): Promise<boolean>;
  get(jobId: string): Promise<Job | undefined>;
  getByRun(runId: string): Promise<Job | undefined>;
  stats(): Promise<QueueStats>;
  /**
   * Called (without arguments) when this queue instance enqueued or released a job, so idle workers of the
   * same process wake up at once; jobs from other processes are found by polling. Returns unsubscribe.
   */
  subscribe(listener: () => void): () => void;
  close(): Promise<void>;
}
