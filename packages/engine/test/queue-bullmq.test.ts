// The JobQueue contract against BullMQ on Redis, each queue under its own key prefix. BullMQ reads the
// time from Date.now (delays, promotion of delayed jobs), so the contract's fake clock is installed there
// for these tests, and given to the adapter as the clock of its lease deadlines (which otherwise are
// Redis' own, checked at the end).
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { type BullJobQueue, openBullJobQueue } from "../src/queue/bullmq.ts";
import { queueContract } from "./contracts/queue-contract.ts";
import { dropRedisPrefixes, TEST_REDIS_URL, uniqueName } from "./support/services.ts";

const prefixes: string[] = [];
const prefixOf = new WeakMap<object, string>();
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(() => dropRedisPrefixes(prefixes));

queueContract(
  "BullMQ",
  async ({ now }) => {
    vi.spyOn(Date, "now").mockImplementation(now);
    const prefix = uniqueName("t_q");
    prefixes.push(prefix);
    const queue: BullJobQueue = await openBullJobQueue({ url: TEST_REDIS_URL, prefix, now, leaseClock: now });
    prefixOf.set(queue, prefix);
    return queue;
  },
  {
    reopen: async (queue, { now }) => {
      const prefix = prefixOf.get(queue)!;
      const other = await openBullJobQueue({ url: TEST_REDIS_URL, prefix, now, leaseClock: now });
      prefixOf.set(other, prefix);
      return other;
    },
  },
);

describe("BullMQ lease deadlines", () => {
  it("are on Redis' clock: a worker whose clock is an hour ahead does not take back a live lease", async () => {
    const prefix = uniqueName("t_q");
    prefixes.push(prefix);
    const hour = 3_600_000;
    const behind = await openBullJobQueue({ url: TEST_REDIS_URL, prefix });
    const ahead = await openBullJobQueue({ url: TEST_REDIS_URL, prefix, now: () => Date.now() + hour });
    try {
      const job = await behind.enqueue({ runId: "run_1" });
      const held = await behind.reserve("w-behind", 60_000);
      expect(held?.id).toBe(job.id);
      // The deadline is Redis' time plus the lease, whatever either process's clock says.
      const [seconds] = await redisTime();
      expect(held!.leaseUntil).toBeGreaterThan(seconds * 1000);
      expect(held!.leaseUntil).toBeLessThanOrEqual((seconds + 1) * 1000 + 60_000);
      expect(await ahead.reserve("w-ahead", 60_000)).toBeUndefined();
      expect(await ahead.extendLease(held!.id, 60_000, held!.leaseId)).toBe(true);
      expect(await ahead.stats()).toMatchObject({ leased: 1 });
      expect(await behind.complete(held!.id, held!.leaseId)).toBe(true);
    } finally {
      await behind.close();
      await ahead.close();
    }
  });
});

async function redisTime(): Promise<[number, number]> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const [s, us] = await redis.time();
    return [Number(s), Number(us)];
  } finally {
    redis.disconnect();
  }
}
