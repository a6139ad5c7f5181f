// `flows run-once` of a polling flow: the poll queued a run per new item; they run here, in this
// process, like every other `run-once` (a server need not be running). Each run's job is taken off the
// queue as it is executed; a server that claimed one meanwhile finds the run's steps already recorded
// (the step ledger), so nothing is done twice.
import type { Engine } from "@hlconnect/engine/engine";
import { executeRun } from "@hlconnect/engine/runner/run-executor";
import type { RunRecord } from "@hlconnect/engine/store/types";

export interface PolledRun {
  run: RunRecord;
  /** A step's retry wait was long: the run stays queued for `hlconnect serve`. */
  retryAt?: number;
}

export async function runPolledHere(engine: Engine, runs: RunRecord[]): Promise<PolledRun[]> {
  const done: PolledRun[] = [];
  for (const queued of runs) {
    const job = await engine.queue.getByRun(queued.id);
    const outcome = await executeRun(engine.env, queued.id);
    if (outcome.status === "retry") {
      if (job) await engine.queue.fail(job.id, outcome.retryAt);
    } else if (job) await engine.queue.complete(job.id);
    const run = (await engine.store.getRun(queued.id)) ?? queued;
    done.push({ run, ...(outcome.status === "retry" ? { retryAt: outcome.retryAt } : {}) });
  }
  return done;
}
