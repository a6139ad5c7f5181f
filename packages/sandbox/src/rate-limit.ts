// HighLevel's two budgets: a burst limit (max requests per fixed window) and a daily limit,
// both per app (or PIT) and location. Windows are aligned to multiples of windowMs on the
// injected clock, so tests can step time instead of sleeping.

export interface RateLimitConfig {
  max: number;
  windowMs: number;
  daily: number;
}

export interface RateLimitState {
  allowed: boolean;
  /** Which budget refused the request. */
  exhausted: "burst" | "daily" | null;
  headers: Record<string, string>;
}

interface Bucket {
  window: number;
  used: number;
  day: number;
  usedToday: number;
}

const DAY_MS = 86_400_000;

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number,
  ) {}

  private bucket(key: string): Bucket {
    const t = this.now();
    const window = Math.floor(t / this.config.windowMs);
    const day = Math.floor(t / DAY_MS);
    let b = this.buckets.get(key);
    if (!b) {
      b = { window, used: 0, day, usedToday: 0 };
      this.buckets.set(key, b);
    }
    if (b.window !== window) {
      b.window = window;
      b.used = 0;
    }
    if (b.day !== day) {
      b.day = day;
      b.usedToday = 0;
    }
    return b;
  }

  private headers(used: number, usedToday: number): Record<string, string> {
    return {
      "X-RateLimit-Max": String(this.config.max),
      "X-RateLimit-Remaining": String(Math.max(0, this.config.max - used)),
      "X-RateLimit-Interval-Milliseconds": String(this.config.windowMs),
      "X-RateLimit-Limit-Daily": String(this.config.daily),
      "X-RateLimit-Daily-Remaining": String(Math.max(0, this.config.daily - usedToday)),
    };
  }

  /** Count one request against `key`; refused requests are not counted. */
  take(key: string): RateLimitState {
    const b = this.bucket(key);
    if (b.usedToday >= this.config.daily) {
      return { allowed: false, exhausted: "daily", headers: this.headers(b.used, b.usedToday) };
    }
    if (b.used >= this.config.max) {
      return { allowed: false, exhausted: "burst", headers: this.headers(b.used, b.usedToday) };
    }
    b.used++;
    b.usedToday++;
    return { allowed: true, exhausted: null, headers: this.headers(b.used, b.usedToday) };
  }

  /** The headers of a bucket without counting (for responses refused before counting). */
  peek(key: string | null): Record<string, string> {
    if (!key) return this.headers(0, 0);
    const b = this.bucket(key);
    return this.headers(b.used, b.usedToday);
  }

  reset(): void {
    this.buckets.clear();
  }
}
