// A fixed-window count of failed attempts per client address (client-address.ts says who that is):
// enough to make guessing the API token through the sign-in form hopeless, with nothing to configure.
export class RateLimiter {
  readonly #hits = new Map<string, { windowStart: number; count: number }>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    readonly now: () => number = Date.now,
  ) {}

  /** Whether this key used up its window (then even a right answer is turned away). */
  blocked(key: string): boolean {
    const entry = this.#hits.get(key);
    return Boolean(entry && this.now() - entry.windowStart < this.windowMs && entry.count >= this.max);
  }

  /** Count one failed attempt. */
  fail(key: string): void {
    const now = this.now();
    const entry = this.#hits.get(key);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      if (this.#hits.size > 10_000) this.#sweep(now);
      this.#hits.set(key, { windowStart: now, count: 1 });
    } else entry.count++;
  }

  /** Seconds until the key's window ends (for Retry-After). */
  retryAfterS(key: string): number {
    const entry = this.#hits.get(key);
    if (!entry) return 0;
    return Math.max(1, Math.ceil((entry.windowStart + this.windowMs - this.now()) / 1000));
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#hits)
      if (now - entry.windowStart >= this.windowMs) this.#hits.delete(key);
  }
}
