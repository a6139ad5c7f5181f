// How late the event loop runs: the one signal that covers every cause of slow answers in one
// process (a busy CPU, a slow disk under synchronous SQLite, a burst of runs, garbage collection).
// Ingest answers 429 at once while it is high (the sender redelivers; answering late would make it
// time out), and the run workers slow down so acknowledgements keep the loop. Only lag that lasts
// counts: one stall (a big sync task, a start-up) is over by the time anyone could act on it.
//
// Measured with a timer of our own (how late each tick comes) rather than perf_hooks'
// monitorEventLoopDelay: that histogram needs two of its samples in a window, so a loop busy enough
// to take one turn per window shows no delay at all once the window is reset.

export interface EventLoopLagOptions {
  /** How often the loop is checked. Default 100 ms. */
  intervalMs?: number;
}

export class EventLoopLag {
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #expected = 0;
  #last = 0;
  #beforeLast = 0;

  constructor(options: EventLoopLagOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 100;
  }

  start(): void {
    if (this.#timer) return;
    this.#expected = performance.now() + this.#intervalMs;
    this.#timer = setInterval(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#last = 0;
    this.#beforeLast = 0;
  }

  /** Lag that lasted: the smaller of how late the last two ticks came (ms). */
  get lagMs(): number {
    return Math.min(this.#last, this.#beforeLast);
  }

  #tick(): void {
    const now = performance.now();
    this.#beforeLast = this.#last;
    this.#last = Math.max(0, now - this.#expected);
    this.#expected = now + this.#intervalMs;
  }
}
