// The JobQueue contract against BullMQ on Redis, each queue under its own key prefix. BullMQ reads the
// time from Date.now (delays, promotion of delayed jobs), so the contract's fake clock is installed there
// for these tests; the adapter's own lease deadlines use the clock it is given.
import { afterAll, afterEach, vi } from "vitest";
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
    const queue: BullJobQueue = await openBullJobQueue({ url: TEST_REDIS_URL, prefix, now });
    prefixOf.set(queue, prefix);
    return queue;
  },
  {
    reopen: async (queue, { now }) => {
      const prefix = prefixOf.get(queue)!;
      const other = await openBullJobQueue({ url: TEST_REDIS_URL, prefix, now });
      prefixOf.set(other, prefix);
      return other;
    },
  },
);
