// Executing one run inside the CLI process, so `flows run-once` and `runs replay` work without a server.
// The run is created without a queue job, so a server sharing the data dir cannot pick it up at the
// same time; if this process dies mid-run, the next `hlconnect serve` resumes it (queued and running
// runs are re-queued at start) with the step ledger preventing repeats.
import type { Engine } from "@hlconnect/engine/engine";
import { executeRun } from "@hlconnect/engine/runner/run-executor";
import type { RunRecord } from "@hlconnect/engine/store/types";

export interface RunHereResult {
  run: RunRecord;
  /** When a step's retry wait was long: the run went back to the queue for a server to finish. */
  retryAt?: number;
}

export async function runHere(
  engine: Engine,
  flowId: string,
  trigger: unknown,
  replayOf?: string,
  options: { dryRun?: boolean } = {},
): Promise<RunHereResult> {
  const { run } = await engine.store.createRun({
    flowId,
    trigger,
    ...(replayOf ? { replayOf } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  return executeHere(engine, run);
}

/**
 * Replay a run in this process: a failed run resumes at the step it stopped at (the engine carries
 * the finished steps over), or every step runs again with from: "start".
 */
export async function replayHere(
  engine: Engine,
  runId: string,
  from?: "start",
): Promise<RunHereResult & { replayFrom?: string }> {
  const replay = await engine.replay(runId, { enqueue: false, ...(from ? { from } : {}) });
  const result = await executeHere(engine, replay);
  return { ...result, ...(replay.replayFrom ? { replayFrom: replay.replayFrom } : {}) };
}

async function executeHere(engine: Engine, run: RunRecord): Promise<RunHereResult> {
  const outcome = await executeRun(engine.env, run.id);
  if (outcome.status === "retry") {
    await engine.queue.enqueue({ runId: run.id, availableAt: outcome.retryAt });
  }
  const after = (await engine.store.getRun(run.id)) ?? run;
  return { run: after, ...(outcome.status === "retry" ? { retryAt: outcome.retryAt } : {}) };
}
