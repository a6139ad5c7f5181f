// A worker asks how long to give way before each job it takes (the engine answers from the event
// loop's lag), so acknowledgements keep the loop while runs wait.
import { describe, expect, it } from "vitest";
import type { Job, JobQueue } from "../../src/queue/types.ts";
import { startWorker } from "../../src/queue/worker.ts";

describe("worker pause", () => {
  it("waits the pause it is given before each reservation, and takes jobs at once when it is 0", async () => {
    const log: string[] = [];
    const jobs: Job[] = [1, 2, 3].map((n) => ({
      id: `job-${n}`,
      runId: `run-${n}`,
      availableAt: 0,
      attempts: 1,
      createdAt: 0,
      leaseId: `lease-${n}`,
    }));
    let finished: () => void = () => {};
    const allDone = new Promise<void>((r) => (finished = r));
    const queue = {
      async reserve() {
        log.push("reserve");
        return jobs.shift();
      },
      async complete(id: string) {
        log.push(`complete ${id}`);
        if (id === "job-3") finished();
        return true;
      },
      async fail() {
        return true;
      },
      async extendLease() {
        return true;
      },
      subscribe() {
        return () => {};
      },
    } as unknown as JobQueue;
    const pauses = [40, 0, 40];
    const worker = startWorker({
      queue,
      workerId: "w",
      pollMs: 10_000,
      pauseMs: () => {
        const ms = pauses.shift() ?? 0;
        log.push(`pause ${ms}`);
        return ms;
      },
      handle: async (job) => {
        log.push(`run ${job.runId}`);
      },
    });
    await allDone;
    await worker.stop();
    expect(log.slice(0, 9)).toEqual([
      "pause 40",
      "reserve",
      "run run-1",
      "complete job-1",
      "pause 0",
      "reserve",
      "run run-2",
      "complete job-2",
      "pause 40",
    ]);
  });
});
