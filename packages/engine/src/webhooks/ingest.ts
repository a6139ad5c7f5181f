// The write queue in front of the webhook inbox. An acknowledgement (200) promises the event is on
// disk, so each one waits for its commit; but deliveries that arrive together share ONE transaction
// (group commit: one fsync for many events, with synchronous=FULL kept), so a burst costs a few
// commits instead of one per event. When the queue is deeper than the disk keeps up with, a new
// delivery is refused at once (IngestBusyError -> 429, which HighLevel redelivers) instead of
// making every sender wait into its timeout.
import { InvalidInputError } from "../store/errors.ts";
import type { Store, WebhookInput } from "../store/types.ts";
import { WebhookPayloadError } from "./payload.ts";

export class IngestBusyError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    waiting: number,
  ) {
    super(`too many deliveries waiting to be stored (${waiting}); deliver it again shortly`);
    this.name = "IngestBusyError";
  }
}

export interface IngestOptions {
  /** Deliveries waiting for their commit beyond which new ones are refused. Default 1000. */
  maxPending?: number;
  /** The most inserted in one transaction. Default 200. */
  maxBatch?: number;
}

interface Waiting {
  input: WebhookInput;
  resolve(result: { inserted: boolean; id: string }): void;
  reject(error: unknown): void;
}

export class WebhookIngest {
  readonly #store: Store;
  readonly #maxPending: number;
  readonly #maxBatch: number;
  #queue: Waiting[] = [];
  #flushing = false;
  /** Transactions committed (for the metrics and the tests of grouping). */
  commits = 0;

  constructor(store: Store, options: IngestOptions = {}) {
    this.#store = store;
    this.#maxPending = options.maxPending ?? 1000;
    this.#maxBatch = options.maxBatch ?? 200;
  }

  /** Deliveries waiting for a commit now. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves once the webhook is committed; rejects at once with IngestBusyError when the queue is full. */
  insert(input: WebhookInput): Promise<{ inserted: boolean; id: string }> {
    if (this.#queue.length >= this.#maxPending) {
      return Promise.reject(new IngestBusyError(1, this.#queue.length));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
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
        const batch = this.#queue.splice(0, this.#maxBatch);
        await this.#commit(batch);
      }
    } finally {
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
