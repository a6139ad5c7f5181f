// Client-side shaping of HighLevel's rate limits (per app and location/company): a burst window
// (100 requests / 10 s by default) and a daily budget (200,000). The goal is to run close to the
// ceiling without provoking 429s, and to re-sync from the headers every answer carries.
import { DailyLimitError } from "../errors.ts";
import { sleep as realSleep, type Sleep } from "../retry.ts";

/** Response headers as a fetch Headers object or a plain record (e.g. node's IncomingHttpHeaders). */
export type HeadersLike = Headers | Record<string, string | string[] | number | undefined>;

/**
 * A shared budget per bucket. Kept small so that a Redis-backed limiter can serve many processes;
 * update/onRateLimited/release may then be async, so callers await them.
 */
export interface RateLimiter {
  /** Resolves when one more request may go out for the bucket (FIFO). Rejects with DailyLimitError. */
  acquire(bucket: string, opts?: { signal?: AbortSignal }): Promise<void>;
  /** Re-sync from the X-RateLimit-* headers of an answer; every answer to a granted request should be reported. */
  update(bucket: string, headers: HeadersLike | undefined): void | Promise<void>;
  /** A 429 arrived: hold the bucket for one window before anything else goes out. */
  onRateLimited(bucket: string, headers?: HeadersLike): void | Promise<void>;
  /** A granted request ended without an answer (network error, timeout): it is no longer in flight. */
  release?(bucket: string): void | Promise<void>;
}

export interface InMemoryRateLimiterOptions {
  /** Requests per burst window (default 100). Replaced by X-RateLimit-Max once an answer reports it. */
  maxPerWindow?: number;
  /** Burst window length in ms (default 10,000). Replaced by X-RateLimit-Interval-Milliseconds. */
  windowMs?: number;
  /** Daily budget (default 200,000). Replaced by X-RateLimit-Limit-Daily. */
  dailyLimit?: number;
  /** Requests per window kept unused, as slack for clock skew and latency jitter (default 0). */
  safetyMargin?: number;
  /**
   * When the daily budget comes back, as epoch ms, for a given now. HighLevel documents no reset time
   * and sends no reset header, so the default ASSUMES the daily budget resets at the next midnight UTC.
   */
  nextDailyReset?: (now: number) => number;
  /** After this long a granted request that was never reported back stops counting as in flight (default 60 s). */
  inflightTtlMs?: number;
  /**
   * Answers arriving this close together may be out of order (default 2,000 ms, above a typical round
   * trip): within it the lowest report wins, so an older, higher Remaining cannot raise the budget.
   */
  reorderWindowMs?: number;
  now?: () => number;
  sleep?: Sleep;
}

/** Default daily reset assumption: the next midnight UTC strictly after `now`. */
export function nextMidnightUtc(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export interface RateLimitHeaders {
  max?: number;
  remaining?: number;
  intervalMs?: number;
  dailyLimit?: number;
  dailyRemaining?: number;
}

function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower || v === undefined) continue;
    return Array.isArray(v) ? v[0] : String(v);
  }
  return undefined;
}

function headerNumber(headers: HeadersLike, name: string): number | undefined {
  const raw = headerValue(headers, name)?.trim();
  if (!raw || !/^-?\d+(\.\d+)?$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** Read HighLevel's rate-limit headers (names are case-insensitive); absent or malformed ones stay undefined. */
export function parseRateLimitHeaders(headers: HeadersLike | undefined): RateLimitHeaders {
  if (!headers) return {};
  const out: RateLimitHeaders = {};
  const max = headerNumber(headers, "X-RateLimit-Max");
  const remaining = headerNumber(headers, "X-RateLimit-Remaining");
  const intervalMs = headerNumber(headers, "X-RateLimit-Interval-Milliseconds");
  const dailyLimit = headerNumber(headers, "X-RateLimit-Limit-Daily");
  const dailyRemaining = headerNumber(headers, "X-RateLimit-Daily-Remaining");
  if (max !== undefined && max > 0) out.max = max;
  if (remaining !== undefined) out.remaining = Math.max(0, remaining);
  if (intervalMs !== undefined && intervalMs > 0) out.intervalMs = intervalMs;
  if (dailyLimit !== undefined && dailyLimit > 0) out.dailyLimit = dailyLimit;
  if (dailyRemaining !== undefined) out.dailyRemaining = Math.max(0, dailyRemaining);
  return out;
}

/** A FIFO of numbers (timestamps) with O(1) push/shift. */
class NumberQueue {
  private items: number[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(v: number): void {
    this.items.push(v);
  }
  peek(i = 0): number | undefined {
    return this.items[this.head + i];
  }
  shift(): number | undefined {
    if (this.length === 0) return undefined;
    const v = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return v;
  }
  /** Drop leading entries <= limit (the queue is sorted ascending). */
  dropUpTo(limit: number): void {
    while (this.length > 0 && (this.peek() as number) <= limit) this.shift();
  }
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  settled: boolean;
  cleanup: () => void;
}

interface BucketState {
  max: number;
  intervalMs: number;
  dailyLimit: number;
  dailyRemaining: number;
  dailyResetAt: number;
  /** Grant times of the current sliding window. */
  sends: NumberQueue;
  /** Grant times of requests not yet reported back by update()/release(). */
  inflight: NumberQueue;
  /** Slowest recent round trip (decaying), ms. */
  rttMs: number;
  /** Nothing goes out before this (a 429, or the server said Remaining=0). */
  holdUntil: number;
  /** Sends the server's last report still allows (undefined when no fresh report). */
  allowance: number | undefined;
  allowanceUntil: number;
  /** Recent Remaining reports as allowances at the time (est) and the grant count then. */
  reports: Array<{ at: number; est: number; grants: number }>;
  grants: number;
  waiters: Waiter[];
  waitersHead: number;
  pumping: boolean;
  wake: AbortController | undefined;
}

/**
 * Single-process limiter. Three constraints decide when the next request may go:
 * 1. a sliding window over our own grant times: at most max - margin grants in any window;
 * 2. the server's last report: its Remaining, minus the requests of ours still in flight (the server
 *    may not have counted those yet), minus grants since; valid for one interval after the report.
 *    Answers can arrive out of order, so reports within reorderWindowMs of each other count by the lowest;
 * 3. a hold after a 429 or a Remaining=0 report, for one interval from when it was seen, because the
 *    server's window start is unknown and a full interval is the shortest wait that is always enough.
 */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, BucketState>();
  private readonly maxPerWindow: number;
  private readonly windowMs: number;
  private readonly dailyLimit: number;
  private readonly margin: number;
  private readonly inflightTtlMs: number;
  private readonly reorderWindowMs: number;
  private readonly nextDailyReset: (now: number) => number;
  private readonly now: () => number;
  private readonly sleep: Sleep;

  constructor(opts: InMemoryRateLimiterOptions = {}) {
    this.maxPerWindow = opts.maxPerWindow ?? 100;
    this.windowMs = opts.windowMs ?? 10_000;
    this.dailyLimit = opts.dailyLimit ?? 200_000;
    this.margin = Math.max(0, opts.safetyMargin ?? 0);
    this.inflightTtlMs = opts.inflightTtlMs ?? 60_000;
    this.reorderWindowMs = opts.reorderWindowMs ?? 2_000;
    this.nextDailyReset = opts.nextDailyReset ?? nextMidnightUtc;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
  }

  acquire(bucket: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const b = this.bucket(bucket);
    const now = this.now();
    this.rollDaily(b, now);
    // Fail fast unless an answer still to come could correct the estimate.
    if (this.dailySpent(b, now)) return Promise.reject(new DailyLimitError(new Date(b.dailyResetAt)));
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        settled: false,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
        resolve: () => {
          waiter.settled = true;
          waiter.cleanup();
          resolve();
        },
        reject: (err) => {
          waiter.settled = true;
          waiter.cleanup();
          reject(err);
        },
      };
      const onAbort = () => {
        if (waiter.settled) return;
        waiter.reject(signal?.reason);
        // Let a sleeping pump notice that nobody may be waiting any more.
        b.wake?.abort();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      b.waiters.push(waiter);
      if (!b.pumping) void this.pump(b);
    });
  }

  update(bucket: string, headers: HeadersLike | undefined): void {
    const b = this.bucket(bucket);
    const now = this.now();
    // This answer belongs to one of our in-flight requests; which one is unknown, and only the count matters.
    b.inflight.dropUpTo(now - this.inflightTtlMs);
    const sentAt = b.inflight.shift();
    // The server counts a request when it arrives, later than we sent it: remember the slowest recent
    // round trip, decaying, so windows are reckoned on the server's side of the wire.
    if (sentAt !== undefined) b.rttMs = Math.max(now - sentAt, b.rttMs * 0.9);
    const othersInFlight = b.inflight.length;
    const h = parseRateLimitHeaders(headers);
    if (h.max !== undefined) b.max = h.max;
    if (h.intervalMs !== undefined) b.intervalMs = h.intervalMs;
    if (h.remaining !== undefined) {
      // Requests still in flight may or may not be counted in Remaining yet; assuming they are not
      // can only under-use the budget until the next report, never overshoot it. Reports that may be
      // out of order with this one are merged by taking the lowest, each net of the grants made since.
      const est = h.remaining - othersInFlight - this.margin;
      // Out-of-order answers arrive within a few round trips; a report older than a fraction of the
      // window may describe the window before a reset, and merging it would stall the new one.
      const reorder = Math.min(this.reorderWindowMs, b.intervalMs / 5);
      while (b.reports.length > 0 && (b.reports[0] as { at: number }).at < now - reorder) {
        b.reports.shift();
      }
      let allowance = est;
      for (const r of b.reports) allowance = Math.min(allowance, r.est - (b.grants - r.grants));
      b.reports.push({ at: now, est, grants: b.grants });
      b.allowance = allowance;
      // The report speaks of the server's current window: it is void once that window has reset.
      b.allowanceUntil = this.resetAtLatest(b, now);
      // A hold is never lifted by a later report: a Remaining>0 arriving after a 0 may be older news.
      if (h.remaining <= 0) b.holdUntil = Math.max(b.holdUntil, this.resetAtLatest(b, now));
    }
    if (h.dailyLimit !== undefined) b.dailyLimit = h.dailyLimit;
    if (h.dailyRemaining !== undefined) b.dailyRemaining = h.dailyRemaining - othersInFlight;
    b.wake?.abort();
  }

  onRateLimited(bucket: string, headers?: HeadersLike): void {
    const b = this.bucket(bucket);
    const interval = parseRateLimitHeaders(headers).intervalMs ?? b.intervalMs;
    b.holdUntil = Math.max(b.holdUntil, this.now() + interval);
    b.allowance = 0;
    b.allowanceUntil = Math.max(b.allowanceUntil, b.holdUntil);
    b.wake?.abort();
  }

  release(bucket: string): void {
    const b = this.buckets.get(bucket);
    if (!b) return;
    b.inflight.shift();
    b.wake?.abort();
  }

  /** The bucket's current view, for metrics and tests. */
  inspect(bucket: string): {
    max: number;
    intervalMs: number;
    inWindow: number;
    inFlight: number;
    allowance: number | undefined;
    holdUntil: number;
    dailyLimit: number;
    dailyRemaining: number;
    dailyResetAt: number;
    queued: number;
  } {
    const b = this.bucket(bucket);
    const now = this.now();
    b.sends.dropUpTo(now - b.intervalMs);
    return {
      max: b.max,
      intervalMs: b.intervalMs,
      inWindow: b.sends.length,
      inFlight: b.inflight.length,
      allowance: now < b.allowanceUntil ? b.allowance : undefined,
      holdUntil: b.holdUntil,
      dailyLimit: b.dailyLimit,
      dailyRemaining: b.dailyRemaining,
      dailyResetAt: b.dailyResetAt,
      queued: b.waiters.slice(b.waitersHead).filter((w) => !w.settled).length,
    };
  }

  private bucket(key: string): BucketState {
    let b = this.buckets.get(key);
    if (!b) {
      b = {
        max: this.maxPerWindow,
        intervalMs: this.windowMs,
        dailyLimit: this.dailyLimit,
        dailyRemaining: this.dailyLimit,
        dailyResetAt: this.nextDailyReset(this.now()),
        sends: new NumberQueue(),
        inflight: new NumberQueue(),
        rttMs: 0,
        holdUntil: 0,
        allowance: undefined,
        allowanceUntil: 0,
        reports: [],
        grants: 0,
        waiters: [],
        waitersHead: 0,
        pumping: false,
        wake: undefined,
      };
      this.buckets.set(key, b);
    }
    return b;
  }

  private rollDaily(b: BucketState, now: number): void {
    if (now < b.dailyResetAt) return;
    b.dailyRemaining = b.dailyLimit;
    b.dailyResetAt = this.nextDailyReset(now);
  }

  /** Daily budget gone for sure: none left and no request in flight whose answer could say otherwise. */
  private dailySpent(b: BucketState, now: number): boolean {
    if (b.dailyRemaining > 0) return false;
    b.inflight.dropUpTo(now - this.inflightTtlMs);
    return b.inflight.length === 0;
  }

  /**
   * When the server's window has surely reset after it reported nothing left. When our own sends fill
   * the window, its first send started it, so one interval after that send is enough (holding from the
   * report instead drifts by the burst's length every window). Otherwise others share the budget and
   * the window's start is unknown: one full interval from now.
   */
  private resetAtLatest(b: BucketState, now: number): number {
    b.sends.dropUpTo(now - b.intervalMs);
    const cap = Math.max(1, b.max - this.margin);
    const n = b.sends.length;
    if (n >= cap)
      return Math.min(now + b.intervalMs, (b.sends.peek(n - cap) as number) + b.intervalMs + b.rttMs);
    return now + b.intervalMs;
  }

  /** Milliseconds until the bucket may send once more (<= 0: now). */
  private waitMs(b: BucketState, now: number): number {
    let until = Math.max(now, b.holdUntil);
    b.sends.dropUpTo(now - b.intervalMs);
    const cap = Math.max(1, b.max - this.margin);
    const n = b.sends.length;
    // The (n - cap)-th oldest grant has to leave the window before the count drops below cap.
    if (n >= cap) until = Math.max(until, (b.sends.peek(n - cap) as number) + b.intervalMs);
    if (b.allowance !== undefined) {
      if (now >= b.allowanceUntil) b.allowance = undefined;
      else if (b.allowance <= 0) until = Math.max(until, b.allowanceUntil);
    }
    return until - now;
  }

  private nextWaiter(b: BucketState): Waiter | undefined {
    while (b.waitersHead < b.waiters.length) {
      const w = b.waiters[b.waitersHead] as Waiter;
      if (!w.settled) return w;
      b.waitersHead++;
    }
    b.waiters = [];
    b.waitersHead = 0;
    return undefined;
  }

  private takeWaiter(b: BucketState): void {
    b.waitersHead++;
    if (b.waitersHead > 1024 && b.waitersHead * 2 > b.waiters.length) {
      b.waiters = b.waiters.slice(b.waitersHead);
      b.waitersHead = 0;
    }
  }

  /** One loop per bucket serves the queue head first; it sleeps (never spins) while the bucket is full. */
  private async pump(b: BucketState): Promise<void> {
    b.pumping = true;
    try {
      for (let w = this.nextWaiter(b); w; w = this.nextWaiter(b)) {
        const now = this.now();
        this.rollDaily(b, now);
        if (this.dailySpent(b, now)) {
          this.takeWaiter(b);
          w.reject(new DailyLimitError(new Date(b.dailyResetAt)));
          continue;
        }
        let wait = this.waitMs(b, now);
        if (b.dailyRemaining <= 0) {
          // The estimate counted requests still in flight as spent; their answers (or their expiry) decide.
          wait = Math.max(wait, (b.inflight.peek() as number) + this.inflightTtlMs - now);
        }
        if (wait <= 0) {
          this.takeWaiter(b);
          b.sends.push(now);
          b.inflight.push(now);
          if (b.allowance !== undefined) b.allowance--;
          b.grants++;
          b.dailyRemaining--;
          w.resolve();
          continue;
        }
        const wake = new AbortController();
        b.wake = wake;
        try {
          await this.sleep(wait, wake.signal);
        } catch {
          // Woken early by update()/onRateLimited()/an abort: recompute.
        } finally {
          if (b.wake === wake) b.wake = undefined;
        }
      }
    } finally {
      b.pumping = false;
    }
  }
}
