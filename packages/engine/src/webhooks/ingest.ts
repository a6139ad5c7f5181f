// The write queue in front of the webhook inbox. An acknowledgement (200) promises the event is on
// disk, so each one waits for its commit; but deliveries that arrive together share ONE transaction
// (group commit: one fsync for many events, with synchronous=FULL kept), so a burst costs a few
// commits instead of one per event. When commits fall behind, a new delivery is refused at once
// (IngestBusyError -> 429, which HighLevel redelivers) instead of making every sender wait into its
// timeout: when too many deliveries wait (the queue and the batch being committed), or when the
// oldest of them has waited longer than a sender should (a time budget catches a slow disk or a busy
// server long before a count does).
import { InvalidInputError } from "../store/errors.ts";
import type { Store, WebhookInput } from "../store/types.ts";
import { WebhookPayloadError } from "./payload.ts";

export class IngestBusyError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    why: string,
  ) {
    super(`not taken now: ${why}; deliver it again shortly`);
    this.name = "IngestBusyError";
  }
}

export interface IngestOptions {
  /** Deliveries waiting for their commit beyond which new ones are refused. Default 1000. */
  maxPending?: number;
  /** The most inserted in one transaction. Default 200. */
  maxBatch?: number;
  /** Refuse new deliveries while the oldest waiting one has waited longer than this. Default 500 ms. */
  maxWaitMs?: number;
  /** The event loop's lasting lag (ms); with maxLagMs, new deliveries are refused while it is high. */
  lagMs?: () => number;
  /** Default 500 ms: past it, answers are late already; refusing sheds the work of routing and running. */
  maxLagMs?: number;
  /** Clock (ms, monotonic), for tests. */
  now?: () => number;
}

interface Waiting {
  input: WebhookInput;
  /** When it arrived (options.now). */
  since: number;
  resolve(result: { inserted: boolean; id: string }): void;
  reject(error: unknown): void;
}

export class WebhookIngest {
  readonly #store: Store;
  readonly #maxPending: number;
  readonly #maxBatch: number;
  readonly #maxWaitMs: number;
  readonly #now: () => number;
  readonly #lagMs: () => number;
  readonly #maxLagMs: number;
  #queue: Waiting[] = [];
  /** The batch being committed now. */
  #committing: Waiting[] = [];
  #flushing = false;
  /** Transactions committed (for the metrics and the tests of grouping). */
  commits = 0;

  constructor(store: Store, options: IngestOptions = {}) {
    this.#store = store;
    this.#maxPending = options.maxPending ?? 1000;
    this.#maxBatch = options.maxBatch ?? 200;
    this.#maxWaitMs = options.maxWaitMs ?? 500;
    this.#now = options.now ?? (() => performance.now());
    this.#lagMs = options.lagMs ?? (() => 0);
    this.#maxLagMs = options.maxLagMs ?? 500;
  }

  /** Deliveries waiting for their commit now (queued, and in the transaction being committed). */
  get pending(): number {
    return this.#queue.length + this.#committing.length;
  }

  /** How long the oldest delivery still waiting for its commit has waited (ms; 0 when none). */
  get oldestWaitMs(): number {
    const oldest = this.#committing[0] ?? this.#queue[0];
    return oldest ? this.#now() - oldest.since : 0;
  }

  /**
   * Throws IngestBusyError when a delivery would be refused now: cheap, so a caller checks it before
   * the work of verifying and parsing a delivery that cannot be taken anyway.
   */
  admit(): void {
    const waiting = this.pending;
    if (waiting >= this.#maxPending || (waiting > 0 && this.oldestWaitMs > this.#maxWaitMs)) {
      throw new IngestBusyError(1, `${waiting} deliveries are waiting to be stored`);
    }
    const lag = this.#lagMs();
    if (lag > this.#maxLagMs) {
      throw new IngestBusyError(1, `the server is busy (answers run ${Math.round(lag)} ms late)`);
    }
  }

  /** Resolves once the webhook is committed; rejects at once with IngestBusyError when it must wait. */
  insert(input: WebhookInput): Promise<{ inserted: boolean; id: string }> {
    try {
      this.admit();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, since: this.#now(), resolve, reject });
      if (!this.#flushing) {
        this.#flushing = true;
        // After the current I/O callbacks: deliveries that arrived together are committed together.
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length) {
        this.#committing = this.#queue.splice(0, this.#maxBatch);
        await this.#commit(this.#committing);
        this.#committing = [];
      }
    } finally {
      this.#committing = [];
      this.#flushing = false;
    }
  }

  async #commit(batch: Waiting[]): Promise<void> {
    const store = this.#store;
    if (store.insertWebhooks && batch.length > 1) {
      try {
        const results = await store.insertWebhooks(batch.map((w) => w.input));
        this.commits++;
        for (const [i, w] of batch.entries()) w.resolve(results[i]!);
        return;
      } catch {
        // One bad delivery must not fail the others: store them one by one to find it.
      }
    }
    for (const w of batch) {
      try {
        const result = await store.insertWebhook(w.input);
        this.commits++;
        w.resolve(result);
      } catch (err) {
        // A delivery the store refuses as malformed is the sender's to fix (400), not a storage failure.
        w.reject(err instanceof InvalidInputError ? new WebhookPayloadError(err.message) : err);
      }
    }
  }
}
