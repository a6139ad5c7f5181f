// Resolving a step that needs attention (its outcome is unknown and it is not safe to repeat blindly):
// the person checked HighLevel and says it was done, should be tried once more, or should be skipped.
// The step's ledger entry is set accordingly and the run resumes from there. The reason is kept in
// the store's alert log (channel "resolution"), which every Store adapter already has, so it stays
// with the run's history.
import type { Engine } from "@hlconnect/engine/engine";
import type { RunRecord } from "@hlconnect/engine/store/types";
import type { Context } from "hono";
import { HttpError, readJsonObject, requireString } from "./http-errors.ts";

export const RESOLVE_ACTIONS = ["mark-done", "retry", "skip"] as const;
type ResolveAction = (typeof RESOLVE_ACTIONS)[number];
const CHANNEL = "resolution";

export async function resolveStep(
  engine: Engine,
  runId: string,
  stepId: string,
  c: Context,
): Promise<RunRecord> {
  const body = await readJsonObject(c);
  const action = body.action as ResolveAction;
  if (!RESOLVE_ACTIONS.includes(action)) {
    throw new HttpError(400, `"action" must be one of ${RESOLVE_ACTIONS.join(", ")}`);
  }
  const reason = requireString(body, "reason").trim().slice(0, 2000);
  const run = await engine.store.getRun(runId);
  if (!run) throw new HttpError(404, `no run "${runId}"`);
  if (run.status !== "needs_attention") {
    throw new HttpError(
      409,
      `run "${runId}" is ${run.status}: only a run that needs attention can be resolved`,
    );
  }
  const step = await engine.store.getStep(runId, stepId);
  if (!step) throw new HttpError(404, `run "${runId}" has no step "${stepId}"`);
  if (step.status !== "unknown_outcome" && step.status !== "failed") {
    throw new HttpError(
      409,
      `step "${stepId}" is ${step.status}: only a step whose outcome is unknown or failed can be resolved`,
    );
  }
  const at = Date.now();
  if (action === "mark-done") {
    // What the step would have answered, when the person knows it (later steps may map from it).
    await engine.store.finishStep(runId, stepId, { status: "succeeded", output: body.output ?? null });
  } else if (action === "skip") {
    await engine.store.finishStep(runId, stepId, { status: "skipped" });
  } else {
    // A failed step is tried again when the run resumes: once, for an action not safe to repeat.
    await engine.store.finishStep(runId, stepId, {
      status: "failed",
      error: { message: `retry requested: ${reason}`, code: "RETRY_REQUESTED", stepId },
    });
  }
  await engine.store.recordAlert({
    key: `resolution:${runId}:${stepId}:${at}`,
    channel: CHANNEL,
    message: JSON.stringify({ stepId, action, reason }),
    flowId: run.flowId,
    runId,
  });
  const requeued = await engine.store.requeueRun(runId);
  await engine.queue.enqueue({ runId });
  return requeued;
}

/** The resolutions recorded for a run, oldest first. */
export async function listResolutions(engine: Engine, run: RunRecord) {
  const alerts = await engine.store.listAlerts({ flowId: run.flowId, since: run.createdAt, limit: 500 });
  return alerts
    .filter((a) => a.channel === CHANNEL && a.runId === run.id)
    .map((a) => {
      const m = JSON.parse(a.message) as { stepId: string; action: ResolveAction; reason: string };
      return { ...m, at: new Date(a.sentAt).toISOString() };
    })
    .reverse();
}
