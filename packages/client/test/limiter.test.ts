import { describe, expect, it } from "vitest";
import { DailyLimitError } from "../src/errors.ts";
import { InMemoryRateLimiter, nextMidnightUtc, parseRateLimitHeaders } from "../src/rate-limit/limiter.ts";

/**
 * Virtual time: sleeps register timers, and run() jumps the clock to the next timer only once every
 * pending promise chain has settled, so results depend on the limiter's logic, never on the machine.
 */
class VirtualTime {
  t = 0;
  private seq = 0;
  private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  sleepCalls = 0;

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleepCalls++;
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        "abort",
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };

  async settle(): Promise<void> {
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  }

  /** Advance through timers until `done()` or no timer is left; refuses to pass `limit`. */
  async run(done: () => boolean, limit = Number.POSITIVE_INFINITY): Promise<void> {
    for (;;) {
      await this.settle();
      if (done()) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) return;
      if (next.at > limit) {
        this.timers.unshift(next);
        return;
      }
      this.t = Math.max(this.t, next.at);
      next.resolve();
    }
  }

  /** Advance the clock to `until`, firing timers on the way. */
  async advanceTo(until: number): Promise<void> {
    await this.run(() => false, until);
    this.t = Math.max(this.t, until);
    await this.settle();
  }
}

function makeLimiter(vt: VirtualTime, opts: ConstructorParameters<typeof InMemoryRateLimiter>[0] = {}) {
  return new InMemoryRateLimiter({ now: vt.now, sleep: vt.sleep, ...opts });
}

/** Largest number of sends within any half-open window [t, t + windowMs). */
function maxInAnyWindow(times: number[], windowMs: number): number {
  const s = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < s.length; i++) {
    while ((s[i] as number) - (s[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** Start `n` acquires at once; resolves to the virtual send times once all of them went out. */
async function burst(vt: VirtualTime, limiter: InMemoryRateLimiter, bucket: string, n: number) {
  const sends: number[] = [];
  const all = Promise.all(
    Array.from({ length: n }, (_, i) =>
      limiter.acquire(bucket).then(() => {
        sends.push(vt.now());
        return i;
      }),
    ),
  );
  await vt.run(() => sends.length === n);
  return { sends, order: await all };
}

describe("InMemoryRateLimiter", () => {
  it("shapes a burst of 300 to at most 100 per window and finishes in about 3 windows", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt);
    const order: number[] = [];
    const sends: number[] = [];
    const done = Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        limiter.acquire("loc").then(() => {
          order.push(i);
          sends.push(vt.now());
        }),
      ),
    );
    await vt.run(() => sends.length === 300);
    await done;

    expect(sends).toHaveLength(300);
    expect(maxInAnyWindow(sends, 10_000)).toBe(100);
    // Three windows' worth of sends: the first at 0, the last as soon as the window allows, at 20 s.
    expect(Math.max(...sends)).toBe(20_000);
    expect(order).toEqual(Array.from({ length: 300 }, (_, i) => i)); // FIFO
    // It slept, it did not spin: a handful of timers, not one per waiter or per millisecond.
    expect(vt.sleepCalls).toBeLessThan(10);
  });

  it("keeps the safety margin unused", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { safetyMargin: 10 });
    const { sends } = await burst(vt, limiter, "loc", 180);
    expect(maxInAnyWindow(sends, 10_000)).toBe(90);
    expect(Math.max(...sends)).toBe(10_000);
  });

  it("uses configured limits", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { maxPerWindow: 5, windowMs: 1_000 });
    const { sends } = await burst(vt, limiter, "loc", 12);
    expect(sends.filter((t) => t === 0)).toHaveLength(5);
    expect(sends.filter((t) => t === 1_000)).toHaveLength(5);
    expect(sends.filter((t) => t === 2_000)).toHaveLength(2);
  });

  it("separate buckets do not share budgets", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { maxPerWindow: 3 });
    const a = await burst(vt, limiter, "owner:locA", 3);
    const b = await burst(vt, limiter, "owner:locB", 3);
    expect(a.sends).toEqual([0, 0, 0]);
    expect(b.sends).toEqual([0, 0, 0]);
    expect(limiter.inspect("owner:locA").inWindow).toBe(3);
    expect(limiter.inspect("owner:locC").inWindow).toBe(0);
  });

  it("re-syncs from headers: a lower Remaining lowers the budget, for one interval", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt);
    await limiter.acquire("loc");
    // Another process shares this location: the server has only 10 left for us.
    limiter.update("loc", { "X-RateLimit-Max": "100", "X-RateLimit-Remaining": "10" });
    const { sends } = await burst(vt, limiter, "loc", 15);
    expect(sends.filter((t) => t === 0)).toHaveLength(10);
    // The report is trusted for one interval; after it the local sliding window rules again.
    expect(sends.filter((t) => t === 10_000)).toHaveLength(5);
  });

  it("re-syncs from headers: counts its own in-flight requests against the server's Remaining", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt);
    for (let i = 0; i < 40; i++) await limiter.acquire("loc");
    // Another process already used 55 of this window. The first answer says 44 left, but 39 of ours
    // are still on their way and may not be counted yet: only 5 more may go.
    limiter.update("loc", { "x-ratelimit-remaining": "44" });
    expect(limiter.inspect("loc").allowance).toBe(5);
    const sends: number[] = [];
    for (let i = 0; i < 6; i++) void limiter.acquire("loc").then(() => sends.push(vt.now()));
    await vt.settle();
    expect(sends).toEqual([0, 0, 0, 0, 0]);
    // The other answers agree (43 ... 5 left) once the 5 new in-flight requests are counted as well.
    vt.t = 300;
    for (let k = 1; k < 40; k++) limiter.update("loc", { "x-ratelimit-remaining": String(44 - k) });
    await vt.settle();
    expect(limiter.inspect("loc").allowance).toBe(0);
    expect(sends).toHaveLength(5);
    // The last 5 answers bring the server to 0: the sixth waits one interval from that report, no longer.
    for (let k = 4; k >= 0; k--) limiter.update("loc", { "x-ratelimit-remaining": String(k) });
    await vt.run(() => sends.length === 6);
    expect(sends[5]).toBe(10_300);
  });

  it("re-syncs from headers: a higher Max raises the budget, and the interval is taken over", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { maxPerWindow: 50 });
    await limiter.acquire("loc");
    limiter.update("loc", {
      "X-RateLimit-Max": "200",
      "X-RateLimit-Remaining": "199",
      "X-RateLimit-Interval-Milliseconds": "5000",
    });
    const { sends } = await burst(vt, limiter, "loc", 250);
    expect(sends.filter((t) => t === 0)).toHaveLength(199);
    expect(sends.filter((t) => t === 5_000)).toHaveLength(51);
    expect(limiter.inspect("loc")).toMatchObject({ max: 200, intervalMs: 5_000 });
  });

  it("a later, higher Remaining raises a lowered budget, once it cannot be an out-of-order answer", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { reorderWindowMs: 1_000 });
    await limiter.acquire("loc");
    limiter.update("loc", new Headers({ "X-RateLimit-Remaining": "2" }));
    await limiter.acquire("loc");
    // Within the reorder window a higher report may be older news: the lower one (2, less the one
    // request granted since) stands.
    vt.t = 200;
    limiter.update("loc", new Headers({ "X-RateLimit-Remaining": "9" }));
    expect(limiter.inspect("loc").allowance).toBe(1);
    await limiter.acquire("loc");
    vt.t = 1_500;
    limiter.update("loc", new Headers({ "X-RateLimit-Remaining": "50" }));
    expect(limiter.inspect("loc").allowance).toBe(50);
    const { sends } = await burst(vt, limiter, "loc", 50);
    expect(sends.filter((t) => t === 1_500)).toHaveLength(50);
  });

  it("Remaining=0 holds every send for one interval, and a stale higher report does not lift it", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt);
    await limiter.acquire("loc");
    await limiter.acquire("loc");
    vt.t = 1_000;
    limiter.update("loc", { "X-RateLimit-Remaining": "0", "X-RateLimit-Interval-Milliseconds": "10000" });
    // An answer that left the server earlier, arriving late (after the reorder window, even).
    vt.t = 4_000;
    limiter.update("loc", { "X-RateLimit-Remaining": "5" });
    const { sends } = await burst(vt, limiter, "loc", 3);
    expect(sends).toEqual([11_000, 11_000, 11_000]);
  });

  it("a 429 blocks the bucket for the header's interval, else the configured window", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt);
    await limiter.acquire("a");
    limiter.onRateLimited("a", { "X-RateLimit-Interval-Milliseconds": "3000" });
    await limiter.acquire("b");
    limiter.onRateLimited("b");
    const a = await burst(vt, limiter, "a", 2);
    const b = await burst(vt, limiter, "b", 2);
    expect(a.sends).toEqual([3_000, 3_000]);
    expect(b.sends).toEqual([10_000, 10_000]);
  });

  it("a 429 arriving while callers wait pushes them back", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { maxPerWindow: 1 });
    await limiter.acquire("loc");
    const sends: number[] = [];
    void limiter.acquire("loc").then(() => sends.push(vt.now()));
    await vt.advanceTo(4_000);
    limiter.onRateLimited("loc");
    await vt.run(() => sends.length === 1);
    expect(sends).toEqual([14_000]);
  });

  it("throws DailyLimitError with resetAt at the next midnight UTC when the daily budget is spent", async () => {
    const vt = new VirtualTime();
    vt.t = Date.UTC(2026, 2, 14, 15, 30);
    const limiter = makeLimiter(vt, { dailyLimit: 5 });
    for (let i = 0; i < 5; i++) {
      await limiter.acquire("loc");
      limiter.update("loc", {});
    }
    const err = await limiter.acquire("loc").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DailyLimitError);
    expect((err as DailyLimitError).code).toBe("DAILY_LIMIT_EXHAUSTED");
    expect((err as DailyLimitError).resetAt.toISOString()).toBe("2026-03-15T00:00:00.000Z");
    // Another bucket is untouched; after the reset the budget is back.
    await expect(limiter.acquire("other")).resolves.toBeUndefined();
    vt.t = Date.UTC(2026, 2, 15, 0, 0, 1);
    await expect(limiter.acquire("loc")).resolves.toBeUndefined();
  });

  it("takes the daily budget from the headers, and rejects queued callers once it is gone", async () => {
    const vt = new VirtualTime();
    vt.t = Date.UTC(2026, 0, 31, 23, 0);
    const limiter = makeLimiter(vt, { nextDailyReset: (now) => now + 3_600_000 });
    await limiter.acquire("loc");
    limiter.update("loc", { "X-RateLimit-Limit-Daily": "1000", "X-RateLimit-Daily-Remaining": "2" });
    const outcomes: string[] = [];
    const calls = [1, 2, 3].map((i) =>
      limiter.acquire("loc").then(
        () => outcomes.push(`${i} granted`),
        (e: unknown) => {
          outcomes.push(`${i} rejected`);
          return e;
        },
      ),
    );
    await vt.settle();
    expect(outcomes).toEqual(["1 granted", "2 granted"]);
    // The two answers confirm the budget is gone.
    limiter.update("loc", { "X-RateLimit-Daily-Remaining": "1" });
    limiter.update("loc", { "X-RateLimit-Daily-Remaining": "0" });
    await vt.settle();
    expect(outcomes).toEqual(["1 granted", "2 granted", "3 rejected"]);
    const reason = (await calls[2]) as unknown as DailyLimitError;
    expect(reason).toBeInstanceOf(DailyLimitError);
    expect(reason.resetAt.getTime()).toBe(Date.UTC(2026, 1, 1, 0, 0));
    expect(limiter.inspect("loc").dailyLimit).toBe(1000);
    expect(vt.now()).toBe(Date.UTC(2026, 0, 31, 23, 0));
  });

  it("gives up on in-flight requests that are never reported back", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { dailyLimit: 1, inflightTtlMs: 30_000 });
    await limiter.acquire("loc");
    const err = limiter.acquire("loc").catch((e: unknown) => e);
    await vt.run(() => false);
    expect(await err).toBeInstanceOf(DailyLimitError);
    expect(vt.now()).toBe(30_000);
  });

  it("waits for in-flight answers before declaring the daily budget spent", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt);
    for (let i = 0; i < 3; i++) await limiter.acquire("loc");
    // 2 left by the server's count, 2 others in flight: maybe spent, maybe not.
    limiter.update("loc", { "X-RateLimit-Daily-Remaining": "2" });
    let outcome = "pending";
    limiter.acquire("loc").then(
      () => (outcome = "granted"),
      () => (outcome = "rejected"),
    );
    await vt.settle();
    expect(outcome).toBe("pending");
    limiter.update("loc", { "X-RateLimit-Daily-Remaining": "1" });
    limiter.update("loc", { "X-RateLimit-Daily-Remaining": "1" });
    await vt.settle();
    expect(outcome).toBe("granted");
  });

  it("honours an abort signal while queued, without blocking the callers behind", async () => {
    const vt = new VirtualTime();
    const limiter = makeLimiter(vt, { maxPerWindow: 1 });
    await limiter.acquire("loc");
    const ac = new AbortController();
    const aborted = limiter.acquire("loc", { signal: ac.signal }).catch((e: unknown) => e);
    const sends: number[] = [];
    void limiter.acquire("loc").then(() => sends.push(vt.now()));
    await vt.settle();
    ac.abort(new Error("caller gave up"));
    expect(((await aborted) as Error).message).toBe("caller gave up");
    await vt.run(() => sends.length === 1);
    expect(sends).toEqual([10_000]);
  });

  // A model of HighLevel's side: a rolling window, or a fixed one whose phase the client does not know
  // (9,990 puts a window boundary in the middle of each burst's arrivals), with random latency each way.
  it.each([
    { server: "rolling", phase: 0, minLatency: 20, spread: 100 },
    { server: "fixed", phase: 3_333, minLatency: 20, spread: 100 },
    { server: "fixed", phase: 9_990, minLatency: 5, spread: 10 },
    { server: "fixed", phase: 50, minLatency: 50, spread: 200 },
  ] as const)(
    "stays under a simulated $server-window server's limit near the ceiling (phase $phase)",
    async ({ server, phase, minLatency, spread }) => {
      const vt = new VirtualTime();
      const limiter = makeLimiter(vt);
      const windowMs = 10_000;
      const arrivals: number[] = [];
      const fixedCounts = new Map<number, number>();
      let rejected = 0;
      let seed = 42;
      const latency = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return minLatency + (seed % spread);
      };
      const serve = (at: number) => {
        let used: number;
        if (server === "rolling") {
          used = arrivals.filter((a) => a > at - windowMs).length;
        } else {
          const w = Math.floor((at + phase) / windowMs);
          used = fixedCounts.get(w) ?? 0;
          if (used < 100) fixedCounts.set(w, used + 1);
        }
        if (used >= 100) {
          rejected++;
          return { status: 429, remaining: 0 };
        }
        arrivals.push(at);
        return { status: 200, remaining: 100 - used - 1 };
      };
      const sendTimes: number[] = [];
      const call = async (): Promise<void> => {
        await limiter.acquire("loc");
        sendTimes.push(vt.now());
        await vt.sleep(latency());
        const res = serve(vt.now());
        await vt.sleep(latency());
        const headers = {
          "X-RateLimit-Max": "100",
          "X-RateLimit-Remaining": String(res.remaining),
          "X-RateLimit-Interval-Milliseconds": String(windowMs),
        };
        limiter.update("loc", headers);
        if (res.status === 429) {
          limiter.onRateLimited("loc", headers);
          return call();
        }
      };
      let finished = 0;
      for (let i = 0; i < 1_000; i++) void call().then(() => finished++);
      await vt.run(() => finished === 1_000);

      expect(finished).toBe(1_000);
      expect(rejected).toBe(0);
      // The 1000th request could go at 90 s at the earliest (ten full windows); >= 95% of that pace.
      expect(Math.max(...sendTimes)).toBeLessThanOrEqual(90_000 / 0.95);
    },
  );
});

describe("rate-limit helpers", () => {
  it("parses headers case-insensitively from Headers or records", () => {
    const expected = {
      max: 100,
      remaining: 7,
      intervalMs: 10_000,
      dailyLimit: 200_000,
      dailyRemaining: 1234,
    };
    const record = {
      "x-ratelimit-max": "100",
      "X-RATELIMIT-REMAINING": ["7"],
      "X-RateLimit-Interval-Milliseconds": 10_000,
      "x-ratelimit-limit-daily": "200000",
      "x-ratelimit-daily-remaining": "1234",
    };
    expect(parseRateLimitHeaders(record)).toEqual(expected);
    const headers = new Headers();
    for (const [k, v] of Object.entries(record)) headers.set(k, String(v));
    expect(parseRateLimitHeaders(headers)).toEqual(expected);
    expect(parseRateLimitHeaders({ "x-ratelimit-max": "lots" })).toEqual({});
    expect(parseRateLimitHeaders(undefined)).toEqual({});
  });

  it("assumes the daily budget resets at the next midnight UTC", () => {
    expect(nextMidnightUtc(Date.UTC(2026, 11, 31, 23, 59))).toBe(Date.UTC(2027, 0, 1));
    expect(nextMidnightUtc(Date.UTC(2026, 5, 1, 0, 0))).toBe(Date.UTC(2026, 5, 2));
  });
});

describe("holds after Remaining=0 end when the server's window has surely reset", () => {
  const headers = (remaining: number) => ({
    "x-ratelimit-max": "10",
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-interval-milliseconds": "1000",
  });

  it("holds until one interval (plus the round trip) after the window's first send when our sends filled it", async () => {
    const vt = new VirtualTime();
    const limiter = new InMemoryRateLimiter({
      maxPerWindow: 10,
      windowMs: 1000,
      now: vt.now,
      sleep: vt.sleep,
    });
    // Ten sends 10 ms apart, each answered 5 ms later; the tenth answer says the window is spent.
    for (let i = 0; i < 10; i++) {
      vt.t = i * 10;
      await limiter.acquire("b");
      vt.t = i * 10 + 5;
      limiter.update("b", headers(9 - i));
    }
    let sentAt = -1;
    const next = limiter.acquire("b").then(() => {
      sentAt = vt.t;
    });
    await vt.run(() => sentAt >= 0);
    await next;
    // One interval after the first send plus the 5 ms round trip (t=1005), not one interval after
    // the report (t=1095): holding from the report would drift by the burst's length every window.
    expect(sentAt).toBe(1005);
  });

  it("does not let a report from before the reset hold back the new window", async () => {
    const vt = new VirtualTime();
    const limiter = new InMemoryRateLimiter({
      maxPerWindow: 10,
      windowMs: 1000,
      now: vt.now,
      sleep: vt.sleep,
    });
    await limiter.acquire("b");
    vt.t = 990;
    limiter.update("b", headers(1));
    await limiter.acquire("b");
    vt.t = 1300; // the new window: the server says 9 left
    limiter.update("b", headers(9));
    let sent = 0;
    const burst = Array.from({ length: 8 }, () => limiter.acquire("b").then(() => sent++));
    await vt.run(() => sent === 8, 1300);
    await Promise.all(burst);
    expect(vt.t).toBe(1300); // all eight went at once: the stale "1 left" was not merged in
  });
});
