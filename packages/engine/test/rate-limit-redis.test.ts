// The Redis-backed RateLimiter: several limiter instances, each with its own connection (as separate
// processes would be), share one budget per bucket; answers' X-RateLimit-* headers re-sync it.
import { DailyLimitError, RedisRateLimiter } from "@hlconnect/client";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { dropRedisPrefixes, TEST_REDIS_URL, uniqueName } from "./support/services.ts";

const prefixes: string[] = [];
const connections: Redis[] = [];
afterAll(async () => {
  for (const redis of connections) redis.disconnect();
  await dropRedisPrefixes(prefixes);
});

function limiters(count: number, options: { maxPerWindow: number; windowMs: number; dailyLimit?: number }) {
  const prefix = uniqueName("t_rl");
  prefixes.push(prefix);
  return Array.from({ length: count }, () => {
    const redis = new Redis(TEST_REDIS_URL);
    connections.push(redis);
    return new RedisRateLimiter({ redis, prefix, slackMs: 0, ...options });
  });
}

/** Resolves once `count` of the promises have resolved. */
function firstN(promises: Promise<unknown>[], count: number): Promise<void> {
  let done = 0;
  return new Promise((resolve) => {
    for (const p of promises)
      p.then(
        () => ++done === count && resolve(),
        () => {},
      );
  });
}

describe("RedisRateLimiter", () => {
  it("four instances together grant no more than the window allows for a bucket", async () => {
    const all = limiters(4, { maxPerWindow: 20, windowMs: 60_000 });
    const abort = new AbortController();
    let granted = 0;
    const calls = Array.from({ length: 30 }, (_, i) =>
      all[i % 4]!.acquire("app:loc-1", { signal: abort.signal }).then(() => {
        granted++;
      }),
    );
    await firstN(calls, 20);
    // The other ten wait for a window that is a minute long: give them every chance to slip through.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(granted).toBe(20);
    // Another bucket (another location) has its own budget.
    await all[0]!.acquire("app:loc-2");
    abort.abort();
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === "rejected")).toHaveLength(10);
  });

  it("a Remaining of 0 in an answer holds the bucket in every instance", async () => {
    const [one, two] = limiters(2, { maxPerWindow: 100, windowMs: 60_000 });
    await one!.acquire("b");
    await one!.update("b", { "X-RateLimit-Remaining": "0", "X-RateLimit-Max": "100" });
    const abort = new AbortController();
    let passed = false;
    const waiting = two!.acquire("b", { signal: abort.signal }).then(() => {
      passed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passed).toBe(false);
    abort.abort();
    await expect(waiting).rejects.toThrow();
  });

  it("the daily budget reported by the server is shared, and spent means DailyLimitError", async () => {
    const [one, two] = limiters(2, { maxPerWindow: 100, windowMs: 10_000, dailyLimit: 1000 });
    await one!.acquire("d");
    await one!.update("d", { "X-RateLimit-Limit-Daily": "1000", "X-RateLimit-Daily-Remaining": "0" });
    await expect(two!.acquire("d")).rejects.toBeInstanceOf(DailyLimitError);
  });
});
