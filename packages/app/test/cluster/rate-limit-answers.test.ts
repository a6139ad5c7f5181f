// The Redis rate limiter counts a request from its answer, not its grant: a request holds its place
// while in flight (however long past the window), and its place frees one window after the answer,
// read on the Redis server's clock. That is what keeps a late-delivered request from being counted
// twice in one of the server's windows (a 429), whatever the delivery delay.
import { HighLevelClient, RedisRateLimiter } from "@hlconnect/client";
import { startSandbox } from "@hlconnect/sandbox";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { dropRedisPrefixes, TEST_REDIS_URL, uniqueName } from "../../../engine/test/support/services.ts";

const prefix = uniqueName("t_rlans");
const redis = new Redis(TEST_REDIS_URL);
afterAll(async () => {
  redis.disconnect();
  await dropRedisPrefixes([prefix]);
});

async function redisNow(): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

describe("RedisRateLimiter places", () => {
  it("a request in flight keeps its place past the window; answered, it counts from the answer", async () => {
    const windowMs = 300;
    const limiter = new RedisRateLimiter({ redis, prefix, maxPerWindow: 2, windowMs, slackMs: 0 });
    await limiter.acquire("b");
    await limiter.acquire("b");
    let third = false;
    const abort = new AbortController();
    const waiting = limiter.acquire("b", { signal: abort.signal }).then(() => {
      third = true;
    });
    // Three windows go by with both requests unanswered: no third place.
    await new Promise((resolve) => setTimeout(resolve, 3 * windowMs));
    expect(third).toBe(false);

    const before = await redisNow();
    await limiter.update("b", { "X-RateLimit-Max": "2", "X-RateLimit-Remaining": "1" });
    const after = await redisNow();
    const scores = (await redis.zrange(`${prefix}:rl:b:grants`, 0, -1, "WITHSCORES")).filter(
      (_, i) => i % 2 === 1,
    );
    const answered = scores.map(Number).filter((score) => score <= after);
    expect(answered).toHaveLength(1);
    expect(answered[0]).toBeGreaterThanOrEqual(before);
    // The other is still in flight: scored past now, so it keeps its place.
    expect(scores.map(Number).filter((score) => score > after)).toHaveLength(1);

    // The answered place frees one window after the answer.
    await waiting;
    expect(third).toBe(true);
    expect(await redisNow()).toBeGreaterThanOrEqual(answered[0]! + windowMs);
    abort.abort();
  });

  it("a Remaining of 0 that our own requests explain does not hold the bucket; one they do not, does", async () => {
    const [one, two] = [0, 1].map(
      () => new RedisRateLimiter({ redis, prefix, maxPerWindow: 2, windowMs: 60_000, slackMs: 0 }),
    );
    // Our two requests fill the window, and the server says so: nothing new to learn, no hold.
    await one!.acquire("own");
    await one!.acquire("own");
    await one!.update("own", { "X-RateLimit-Max": "2", "X-RateLimit-Remaining": "0" });
    expect(await redis.hget(`${prefix}:rl:own:state`, "holdUntil")).toBeNull();
    // One request of ours, and the server counted two: someone else spends this budget; hold.
    await two!.acquire("shared");
    await two!.update("shared", { "X-RateLimit-Max": "2", "X-RateLimit-Remaining": "0" });
    expect(Number(await redis.hget(`${prefix}:rl:shared:state`, "holdUntil"))).toBeGreaterThan(
      await redisNow(),
    );
  });

  it("requests delivered late, by 0.9 of a window, never make a window overflow (no 429)", async () => {
    const sandbox = await startSandbox({ port: 0, seed: 5, rateLimit: { max: 10, windowMs: 1000 } });
    const connections: Redis[] = [];
    try {
      const i = sandbox.info;
      const mark = sandbox.requests().at(-1)?.id ?? 0;
      // As separate processes would be: three limiters, each with its own Redis connection, and a
      // network that holds every other request (at random) for 900 ms before the sandbox sees (and
      // counts) it. Counted from their grants (with the former 250 ms slack), 3 to 6 of these 60 calls
      // were answered 429: a late request and the one that took its place a window after its grant
      // arrived within one of the sandbox's windows.
      const late: typeof fetch = async (input, init) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() < 0.5 ? 0 : 900));
        return fetch(input, init);
      };
      const clients = [0, 1, 2].map(() => {
        const redis = new Redis(TEST_REDIS_URL);
        connections.push(redis);
        const limiter = new RedisRateLimiter({ redis, prefix, maxPerWindow: 10, windowMs: 1000 });
        return new HighLevelClient({
          credentials: i.locationToken,
          locationId: i.locationId,
          baseUrl: i.baseUrl,
          limiter,
          fetch: late,
        });
      });
      const calls = clients.flatMap((client) =>
        Array.from({ length: 20 }, () => client.call("get-location", { locationId: i.locationId })),
      );
      const settled = await Promise.allSettled(calls);
      expect(settled.filter((r) => r.status === "rejected")).toEqual([]);
      const answered = sandbox.requests({ after: mark }).filter((r) => r.path.startsWith("/locations/"));
      expect(answered.filter((r) => r.status === 429).map((r) => r.time)).toEqual([]);
      expect(answered).toHaveLength(60);
    } finally {
      for (const redis of connections) redis.disconnect();
      await sandbox.close();
    }
  }, 60_000);
});
