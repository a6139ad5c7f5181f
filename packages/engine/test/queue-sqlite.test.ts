import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteJobQueue } from "../src/queue/sqlite.ts";
import type { Job, JobQueue } from "../src/queue/types.ts";
import { startWorker } from "../src/queue/worker.ts";
import { openEmbedded } from "../src/store/sqlite/embedded.ts";
import { queueContract } from "./contracts/queue-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "hlconnect-queue-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tempFile = () => join(dir, `queue-${++counter}.db`);

const files = new WeakMap<JobQueue, string>();

queueContract(
  "SQLite",
  async ({ now }) => {
    const file = tempFile();
    const queue = openSqliteJobQueue({ file, now });
    files.set(queue, file);
    return queue;
  },
  {
    reopen: async (queue, { now }) => {
      const file = files.get(queue)!;
      const other = openSqliteJobQueue({ file, now });
      files.set(other, file);
      return other;
    },
  },
);

/** Resolves with the next value pushed. */
function channel<T>() {
  const waiting: Array<(value: T) => void> = [];
  const buffered: T[] = [];
  return {
    push(value: T) {
      const next = waiting.shift();
      if (next) next(value);
      else buffered.push(value);
    },
    next(): Promise<T> {
      const value = buffered.shift();
      if (value !== undefined) return Promise.resolve(value);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

describe("SQLite job queue with the store", () => {
  it("shares one file with the store; a queued run's job is found after a restart", async () => {
    const file = tempFile();
    const first = await openEmbedded({ file, secret: "embedded test secret" });
    await first.store.saveFlow({ id: "f", name: "f", source: "" });
    const [run] = await first.store.recordTriggerEvents("f", 1, [{ eventKey: "e", payload: {} }]);
    await first.queue.enqueue({ runId: run!.id });
    await first.close();

    const second = await openEmbedded({ file, secret: "embedded test secret" });
    // After a restart the runner re-enqueues every queued run: harmless for those that have a job.
    const { runs } = await second.store.listRuns({ status: "queued" });
    for (const queued of runs) await second.queue.enqueue({ runId: queued.id });
    const job = await second.queue.reserve("w", 1000);
    expect(job?.runId).toBe(run!.id);
    expect(await second.queue.reserve("w", 1000)).toBeUndefined();
    await second.close();
  });
});

describe("worker loop", () => {
  it("wakes up for a job enqueued in the same process and completes it", async () => {
    const queue = openSqliteJobQueue({ file: tempFile() });
    const handled = channel<Job>();
    // pollMs far beyond the test timeout: only the enqueue notification can wake it.
    const worker = startWorker({
      queue,
      workerId: "w1",
      pollMs: 3_600_000,
      handle: async (job) => handled.push(job),
    });
    await queue.enqueue({ runId: "run-1" });
    const job = await handled.next();
    expect(job).toMatchObject({ runId: "run-1", attempts: 1, workerId: "w1" });
    await worker.stop();
    expect(await queue.getByRun("run-1")).toBeUndefined();
    await queue.close();
  });

  it("reschedules a job when the handler asks for it or throws", async () => {
    const clock = 1_000_000;
    const queue = openSqliteJobQueue({ file: tempFile(), now: () => clock });
    const errors = channel<unknown>();
    const seen = channel<Job>();
    const worker = startWorker({
      queue,
      workerId: "w1",
      pollMs: 3_600_000,
      now: () => clock,
      retryDelayMs: (attempts) => attempts * 1000,
      onError: (error) => errors.push(error),
      handle: async (job) => {
        seen.push(job);
        if (job.runId === "retry-later") return { retryAt: clock + 60_000, error: "rate limited" };
        throw new Error("handler broke");
      },
    });
    await queue.enqueue({ runId: "retry-later" });
    await seen.next();
    await queue.enqueue({ runId: "broken" });
    await seen.next();
    expect(((await errors.next()) as Error).message).toBe("handler broke");
    await worker.stop();
    expect(await queue.getByRun("retry-later")).toMatchObject({
      availableAt: 1_060_000,
      lastError: "rate limited",
    });
    // The throw is recorded once fail() ran, which stop() waited for.
    expect(await queue.getByRun("broken")).toMatchObject({
      availableAt: 1_001_000,
      lastError: "handler broke",
    });
    await queue.close();
  });

  it("stop() waits for the job in hand", async () => {
    const queue = openSqliteJobQueue({ file: tempFile() });
    const started = channel<Job>();
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const worker = startWorker({
      queue,
      workerId: "w",
      pollMs: 3_600_000,
      handle: async (job) => {
        started.push(job);
        await gate;
      },
    });
    await queue.enqueue({ runId: "r" });
    await started.next();
    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(await queue.getByRun("r")).toBeUndefined();
    await queue.close();
  });
});
