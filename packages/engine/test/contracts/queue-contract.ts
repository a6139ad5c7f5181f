// The JobQueue contract: every adapter (SQLite now, BullMQ next) runs this suite. The factory gets a fake
// clock and must return a fresh, empty queue that uses it for availability and leases. With `reopen`,
// tests that need another process's view open a second instance over the same data.
import { afterEach, describe, expect, it } from "vitest";
import type { JobQueue } from "../../src/queue/types.ts";

export interface QueueContractEnv {
  now: () => number;
}

export interface QueueContractOptions {
  reopen?: (queue: JobQueue, env: QueueContractEnv) => Promise<JobQueue>;
}

const T0 = 1_750_000_000_000;
const LEASE = 30_000;

export function queueContract(
  name: string,
  makeQueue: (env: QueueContractEnv) => Promise<JobQueue>,
  options: QueueContractOptions = {},
): void {
  describe(`JobQueue contract: ${name}`, () => {
    let opened: JobQueue[] = [];
    let clock = T0;
    const env: QueueContractEnv = { now: () => clock };

    async function fresh(): Promise<JobQueue> {
      clock = T0;
      const queue = await makeQueue(env);
      opened.push(queue);
      return queue;
    }

    async function sibling(queue: JobQueue): Promise<JobQueue> {
      const other = await options.reopen!(queue, env);
      opened.push(other);
      return other;
    }

    afterEach(async () => {
      for (const queue of opened.reverse()) await queue.close();
      opened = [];
    });

    it("hands out an enqueued job once, with a lease", async () => {
      const queue = await fresh();
      const job = await queue.enqueue({ runId: "run-1" });
      expect(job).toMatchObject({ runId: "run-1", attempts: 0, availableAt: T0 });
      const reserved = await queue.reserve("w1", LEASE);
      expect(reserved).toMatchObject({
        id: job.id,
        runId: "run-1",
        attempts: 1,
        workerId: "w1",
        leaseUntil: T0 + LEASE,
      });
      expect(reserved!.leaseId).toBeTruthy();
      expect(await queue.reserve("w2", LEASE)).toBeUndefined();
    });

    it("enqueue is idempotent per run and does not move a waiting job", async () => {
      const queue = await fresh();
      const first = await queue.enqueue({ runId: "run-1", availableAt: T0 + 5000 });
      const again = await queue.enqueue({ runId: "run-1" });
      expect(again.id).toBe(first.id);
      expect(again.availableAt).toBe(T0 + 5000);
      expect(await queue.reserve("w", LEASE)).toBeUndefined();
      expect(await queue.getByRun("run-1")).toMatchObject({ id: first.id });
    });

    it("keeps a job back until its availableAt, and serves the oldest available first", async () => {
      const queue = await fresh();
      await queue.enqueue({ runId: "later", availableAt: T0 + 1000 });
      await queue.enqueue({ runId: "first" });
      await queue.enqueue({ runId: "second" });
      expect((await queue.reserve("w", LEASE))!.runId).toBe("first");
      expect((await queue.reserve("w", LEASE))!.runId).toBe("second");
      expect(await queue.reserve("w", LEASE)).toBeUndefined();
      clock = T0 + 1000;
      expect((await queue.reserve("w", LEASE))!.runId).toBe("later");
    });

    it("re-delivers a job whose lease ran out, and the old holder can no longer finish it", async () => {
      const queue = await fresh();
      await queue.enqueue({ runId: "run-1" });
      const first = (await queue.reserve("dead-worker", LEASE))!;
      clock += LEASE - 1;
      expect(await queue.reserve("w2", LEASE)).toBeUndefined();
      clock += 1;
      const second = (await queue.reserve("w2", LEASE))!;
      expect(second).toMatchObject({ id: first.id, runId: "run-1", attempts: 2, workerId: "w2" });
      expect(second.leaseId).not.toBe(first.leaseId);
      expect(await queue.complete(first.id, first.leaseId)).toBe(false);
      expect(await queue.extendLease(first.id, LEASE, first.leaseId)).toBe(false);
      expect(await queue.fail(first.id, clock, "stale", first.leaseId)).toBe(false);
      expect(await queue.complete(second.id, second.leaseId)).toBe(true);
      expect(await queue.get(first.id)).toBeUndefined();
    });

    it("extending the lease keeps the job from being re-delivered", async () => {
      const queue = await fresh();
      await queue.enqueue({ runId: "run-1" });
      const job = (await queue.reserve("w1", LEASE))!;
      clock += LEASE - 10;
      expect(await queue.extendLease(job.id, LEASE, job.leaseId)).toBe(true);
      clock += 20;
      expect(await queue.reserve("w2", LEASE)).toBeUndefined();
      expect((await queue.get(job.id))!.leaseUntil).toBe(T0 + 2 * LEASE - 10);
    });

    it("a completed job is gone for good", async () => {
      const queue = await fresh();
      await queue.enqueue({ runId: "run-1" });
      const job = (await queue.reserve("w", LEASE))!;
      expect(await queue.complete(job.id, job.leaseId)).toBe(true);
      clock += 10 * LEASE;
      expect(await queue.reserve("w", LEASE)).toBeUndefined();
      expect(await queue.getByRun("run-1")).toBeUndefined();
      expect(await queue.complete(job.id)).toBe(false);
      // The run can be queued again later (a replay or a resume).
      const again = await queue.enqueue({ runId: "run-1" });
      expect(again.id).not.toBe(job.id);
    });

    it("fail releases the job until retryAt and remembers the error", async () => {
      const queue = await fresh();
      await queue.enqueue({ runId: "run-1" });
      const job = (await queue.reserve("w", LEASE))!;
      expect(await queue.fail(job.id, T0 + 60_000, "HTTP 503", job.leaseId)).toBe(true);
      expect(await queue.reserve("w", LEASE)).toBeUndefined();
      clock = T0 + 60_000;
      const retry = (await queue.reserve("w", LEASE))!;
      expect(retry).toMatchObject({ id: job.id, attempts: 2, lastError: "HTTP 503" });
    });

    it("counts ready, scheduled and leased jobs", async () => {
      const queue = await fresh();
      await queue.enqueue({ runId: "a" });
      await queue.enqueue({ runId: "b" });
      await queue.enqueue({ runId: "c", availableAt: T0 + 1000 });
      await queue.reserve("w", LEASE);
      expect(await queue.stats()).toEqual({ ready: 1, scheduled: 1, leased: 1 });
    });

    it("tells subscribers about enqueued and released jobs", async () => {
      const queue = await fresh();
      let calls = 0;
      const unsubscribe = queue.subscribe(() => calls++);
      await queue.enqueue({ runId: "a" });
      const job = (await queue.reserve("w", LEASE))!;
      await queue.fail(job.id, clock, "again", job.leaseId);
      expect(calls).toBe(2);
      unsubscribe();
      await queue.enqueue({ runId: "b" });
      expect(calls).toBe(2);
    });

    it("rejects bad arguments with clear messages", async () => {
      const queue = await fresh();
      await expect(queue.enqueue({ runId: "" })).rejects.toThrow(/runId must be a non-empty string/);
      await expect(queue.enqueue({ runId: "r", availableAt: Number.NaN })).rejects.toThrow(/availableAt/);
      await expect(queue.reserve("w", 0)).rejects.toThrow(/leaseMs must be a positive number/);
    });

    it.runIf(options.reopen)(
      "jobs survive a restart and a dead worker's job goes to another process",
      async () => {
        const one = await fresh();
        await one.enqueue({ runId: "run-1" });
        await one.reserve("process-1", LEASE);
        await one.close();
        const two = await sibling(one);
        expect(await two.reserve("process-2", LEASE)).toBeUndefined();
        clock += LEASE;
        expect(await two.reserve("process-2", LEASE)).toMatchObject({ runId: "run-1", attempts: 2 });
      },
    );

    it.runIf(options.reopen)("two instances never get the same job", async () => {
      const one = await fresh();
      const two = await sibling(one);
      for (let i = 0; i < 20; i++) await one.enqueue({ runId: `run-${i}` });
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 2 ? one : two).reserve(`w${i}`, LEASE)),
      );
      const runIds = results.filter((job) => job !== undefined).map((job) => job.runId);
      expect(runIds).toHaveLength(20);
      expect(new Set(runIds).size).toBe(20);
    });
  });
}
