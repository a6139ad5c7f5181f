// Executes one run of a flow, step by step, recording every step in the ledger first. A restarted
// run skips the steps that finished; a step interrupted mid-call is retried only when its action is
// safe to repeat, reconciled when it can be looked up, and otherwise stops the run as "needs
// attention" so nothing is ever done twice.
import {
  type ActionEntry,
  type CatalogEntry,
  type createContext,
  getEntry,
  parseInput,
  runEntry,
} from "@hlconnect/catalog";
import { HighLevelError, TransportError } from "@hlconnect/client";
import type { Flow, FlowStep } from "../flows/index.ts";
import { longerThan } from "../mapping/evaluate.ts";
import { evaluateCondition, type MappingScope, renderValue } from "../mapping/index.ts";
import type { RunError, RunRecord, StepRecord, Store } from "../store/types.ts";
import { mappedOutput, runMaybeDry } from "./dry-run.ts";
import type { RunEnvironment } from "./environment.ts";

export type RunOutcome =
  | { status: "succeeded" | "failed" | "skipped" | "needs_attention" }
  | { status: "retry"; retryAt: number; error: string };

const DEFAULT_RETRY = { attempts: 3, backoffMs: 2_000 };
/**
 * When HighLevel cannot be reached at all (nothing was sent: connection refused, DNS, a connect
 * timeout), a step's own retries are soon used up by an outage of a minute; then the run goes back
 * to the queue with these waits (about 34 minutes in all) before it fails. Short first, as most
 * failures to connect are brief; eight, so a run stays within MAX_RUN_DELIVERIES. Nothing was sent,
 * so this is safe for every action, even one that is never repeated after an answerless send.
 */
const OUTAGE_WAITS_MS = [5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000];
/** A run whose job kept crashing the process is given up after this many deliveries. */
export const MAX_RUN_DELIVERIES = 10;
/** Waits up to this long happen inside the job; longer ones go back to the queue with a due time. */
const IN_PROCESS_BACKOFF_MS = 5_000;

/** Thrown when the worker lost its hold on the run's job: another worker may be running it now. */
export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`run ${runId} stopped: this worker lost its lease on the job (another worker may run it)`);
    this.name = "LeaseLostError";
  }
}

export async function executeRun(
  env: RunEnvironment,
  runId: string,
  delivery = 1,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const { store } = env;
  const run = await store.getRun(runId);
  if (!run || !["queued", "running"].includes(run.status)) return { status: "succeeded" };
  const record = await store.getFlow(run.flowId);
  if (!record) {
    await store.finishRun(runId, "failed", { message: `flow ${run.flowId} no longer exists` });
    return { status: "failed" };
  }
  if (delivery > MAX_RUN_DELIVERIES) {
    // Not "failed": a step may have happened in one of those deliveries, so a person must look.
    return finish(env, run, "needs_attention", {
      message: `the run was delivered ${delivery - 1} times without finishing (the process stopped or lost its hold on it each time); given up so it cannot loop. Check in HighLevel what its steps did, then replay or dismiss it.`,
      code: "UNKNOWN_OUTCOME",
    });
  }
  let flow: Flow;
  try {
    flow = env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`);
  } catch (err) {
    return finish(env, run, "failed", { message: `the flow no longer validates: ${message(err)}` });
  }
  await store.startRun(runId);

  let ctxFor: (step: FlowStep) => Promise<ReturnType<typeof createContext>>;
  try {
    ctxFor = await env.contextFor(flow, run);
  } catch (err) {
    return handleConnectionError(env, run, flow, err);
  }

  const scope: MappingScope = {
    trigger: run.trigger,
    steps: {},
    vars: flow.vars,
    tables: flow.tables,
    env: env.flowEnv,
    now: () => new Date(env.now()),
    defaultCountry: env.defaultCountry,
    timeZone: env.timeZone,
    maxValueLength: env.maxValueLength,
  };
  try {
    if (flow.filter && !evaluateCondition(flow.filter, scope)) {
      return finish(env, run, "skipped", { message: "the flow's filter did not match" });
    }
  } catch (err) {
    return finish(env, run, "failed", { message: `the filter could not be evaluated: ${message(err)}` });
  }

  // A run never started before has no steps yet (steps are only written after startRun): no read.
  // A replay is the exception: the steps it carries over from the run it replays are already there.
  const steps = run.attempts === 0 && !run.replayOf ? [] : await store.listSteps(runId);
  const ledger = new Map<string, StepRecord>(steps.map((s) => [s.stepId, s]));
  for (const step of flow.steps) {
    // Two workers must never run one run: after a lost lease, record nothing more.
    if (signal?.aborted) throw new LeaseLostError(runId);
    const prior = ledger.get(step.id);
    if (prior?.status === "succeeded") {
      scope.steps[step.id] = { output: mappedOutput(prior.output) };
      continue;
    }
    if (prior?.status === "skipped") continue;
    if (prior?.status === "failed" && step.continueOnError) continue;

    const entry = getEntry(step.op);
    if (step.when && !evaluateCondition(step.when, scope)) {
      await store.startStep(runId, step.id, null);
      await store.finishStep(runId, step.id, { status: "skipped" });
      continue;
    }
    // A step interrupted mid-call resumes with the input recorded before that call, byte for byte: a
    // fresh render could differ (`now`, a changed flow) and the lookup would then miss what was done.
    const interrupted = prior?.status === "running" || prior?.status === "unknown_outcome";
    let input: Record<string, unknown>;
    try {
      input =
        interrupted && isRecord(prior.input)
          ? prior.input
          : parseInput(entry, renderValue(step.input, scope));
      if (longerThan(input, env.maxValueLength)) {
        throw new Error(
          `the rendered input of step "${step.id}" is over the limit of ${env.maxValueLength} characters (set HLCONNECT_MAX_VALUE_BYTES to change it)`,
        );
      }
    } catch (err) {
      await store.startStep(runId, step.id, step.input);
      await store.finishStep(runId, step.id, { status: "failed", error: errorOf(err, step.id) });
      if (step.continueOnError) continue;
      return finish(env, run, "failed", errorOf(err, step.id), flow);
    }
    const ctx = await ctxFor(step);

    // A step left "running" means the process stopped during its call: the outcome is unknown.
    if (interrupted) {
      const resolved = await resolveInterrupted(env, run, step, entry, ctx, input);
      if (resolved === "stop") return { status: "needs_attention" };
      if (resolved !== "retry") {
        scope.steps[step.id] = { output: resolved.output };
        continue;
      }
    }

    const outcome = await runStep(
      env,
      run,
      step,
      entry,
      ctx,
      input,
      prior?.status === "failed" ? prior.attempts : 0,
    );
    if (outcome.kind === "retry")
      return { status: "retry", retryAt: outcome.retryAt, error: outcome.error.message };
    if (outcome.kind === "done") {
      scope.steps[step.id] = { output: mappedOutput(outcome.output) };
      await pauseForCrashTest(env, run, step.id);
      continue;
    }
    if (outcome.kind === "needs_attention") return finish(env, run, "needs_attention", outcome.error, flow);
    if (outcome.kind === "reconnect") return handleConnectionError(env, run, flow, outcome.cause);
    if (step.continueOnError) continue;
    return finish(env, run, "failed", outcome.error, flow);
  }
  return finish(env, run, "succeeded");
}

type StepOutcome =
  | { kind: "done"; output: unknown }
  | { kind: "retry"; retryAt: number; error: RunError }
  | { kind: "failed"; error: RunError }
  | { kind: "needs_attention"; error: RunError }
  | { kind: "reconnect"; cause: unknown };

async function runStep(
  env: RunEnvironment,
  run: RunRecord,
  step: FlowStep,
  entry: CatalogEntry,
  ctx: ReturnType<typeof createContext>,
  input: Record<string, unknown>,
  attemptsSoFar: number,
): Promise<StepOutcome> {
  const retry = step.retry ?? DEFAULT_RETRY;
  const idempotency = entry.kind === "action" ? entry.idempotency : "safe";
  for (let attempt = attemptsSoFar + 1; ; attempt++) {
    await env.store.startStep(run.id, step.id, input);
    try {
      const output = await runMaybeDry(ctx, entry.key, input, () => runEntry(entry, ctx, input));
      await env.store.finishStep(run.id, step.id, { status: "succeeded", output });
      return { kind: "done", output };
    } catch (err) {
      const error = errorOf(err, step.id);
      if (err instanceof HighLevelError && err.code === "RECONNECT_NEEDED") {
        await env.store.finishStep(run.id, step.id, { status: "failed", error });
        return { kind: "reconnect", cause: err };
      }
      if (err instanceof HighLevelError && err.code === "UNKNOWN_OUTCOME") {
        if (idempotency === "reconcilable") {
          const looked = await reconcile(env, step, entry, ctx, input);
          if (looked.kind === "found") {
            await env.store.finishStep(run.id, step.id, { status: "succeeded", output: looked.output });
            return { kind: "done", output: looked.output };
          }
          if (looked.kind === "unknown") {
            await env.store.finishStep(run.id, step.id, { status: "unknown_outcome", error: looked.error });
            return { kind: "needs_attention", error: looked.error };
          }
          // Known absent: sending it again cannot make a second one.
        } else if (idempotency !== "safe") {
          await env.store.finishStep(run.id, step.id, { status: "unknown_outcome", error });
          return {
            kind: "needs_attention",
            error: { ...error, message: `${error.message} (not repeated: ${idempotency})` },
          };
        }
      }
      const notSent = err instanceof TransportError && !err.sentUncertain;
      const retryable =
        err instanceof HighLevelError ? err.retryable || err.code === "UNKNOWN_OUTCOME" : false;
      // Unsafe actions are never repeated automatically, unless nothing was sent at all.
      if (notSent && attempt >= retry.attempts) {
        const wait = OUTAGE_WAITS_MS[attempt - retry.attempts];
        if (wait === undefined) {
          const total = Math.round(OUTAGE_WAITS_MS.reduce((a, b) => a + b, 0) / 60_000);
          const failed = {
            ...error,
            message: `${error.message}; HighLevel could not be reached for about ${total} minutes, tried ${attempt} times (nothing was sent: replaying the run is safe)`,
          };
          await env.store.finishStep(run.id, step.id, { status: "failed", error: failed });
          return { kind: "failed", error: failed };
        }
        await env.store.finishStep(run.id, step.id, { status: "failed", error });
        env.logger.warn(
          { runId: run.id, flowId: run.flowId, stepId: step.id, attempt, waitMs: wait, error: error.message },
          "HighLevel cannot be reached; the run waits and tries again",
        );
        return { kind: "retry", retryAt: env.now() + wait, error };
      }
      if (!retryable || attempt >= retry.attempts || (idempotency === "unsafe" && !notSent)) {
        // The client's words for an answerless send ("it was not repeated") are about one request;
        // a safe step was repeated, and says so.
        const repeated =
          retryable &&
          idempotency === "safe" &&
          err instanceof HighLevelError &&
          err.code === "UNKNOWN_OUTCOME";
        const failed = repeated
          ? {
              ...error,
              message: `${entry.key}: no answer after ${attempt} tries (last: ${err.cause instanceof Error ? err.cause.message : "no answer"}); the step is safe to repeat, so replaying the run is safe`,
            }
          : error;
        await env.store.finishStep(run.id, step.id, { status: "failed", error: failed });
        return { kind: "failed", error: failed };
      }
      const wait = retry.backoffMs * 2 ** (attempt - 1);
      env.logger.warn(
        { runId: run.id, flowId: run.flowId, stepId: step.id, attempt, waitMs: wait, error: error.message },
        "step failed; retrying",
      );
      if (wait > IN_PROCESS_BACKOFF_MS) {
        // A long wait should not hold a worker: the step is recorded failed-for-now and the run re-queued.
        await env.store.finishStep(run.id, step.id, { status: "failed", error });
        return { kind: "retry", retryAt: env.now() + wait, error };
      }
      await env.sleep(wait);
    }
  }
}

/** What to do with a step the process stopped in the middle of. */
async function resolveInterrupted(
  env: RunEnvironment,
  run: RunRecord,
  step: FlowStep,
  entry: CatalogEntry,
  ctx: ReturnType<typeof createContext>,
  input: Record<string, unknown>,
): Promise<"retry" | "stop" | { output: unknown }> {
  const idempotency = entry.kind === "action" ? entry.idempotency : "safe";
  if (idempotency === "safe") return "retry";
  if (idempotency === "reconcilable") {
    const looked = await reconcile(env, step, entry, ctx, input);
    if (looked.kind === "found") {
      await env.store.startStep(run.id, step.id, input);
      await env.store.finishStep(run.id, step.id, { status: "succeeded", output: looked.output });
      return { output: looked.output };
    }
    if (looked.kind === "absent") return "retry";
    await env.store.startStep(run.id, step.id, input).catch(() => {});
    await env.store.finishStep(run.id, step.id, { status: "unknown_outcome", error: looked.error });
    await finish(env, run, "needs_attention", looked.error);
    return "stop";
  }
  const error: RunError = {
    message: `step "${step.id}" (${entry.key}) was interrupted mid-call; it may or may not have happened, and it is not safe to repeat. Check HighLevel, then replay or dismiss the run.`,
    code: "UNKNOWN_OUTCOME",
    stepId: step.id,
  };
  await env.store.startStep(run.id, step.id, input).catch(() => {});
  await env.store.finishStep(run.id, step.id, { status: "unknown_outcome", error });
  await finish(env, run, "needs_attention", error);
  return "stop";
}

/** Lookups of a reconcile are retried this many times, waiting 500 ms, 1 s, 2 s... in between. */
const RECONCILE_ATTEMPTS = 4;
const RECONCILE_BACKOFF_MS = 500;

type Lookup = { kind: "found"; output: unknown } | { kind: "absent" } | { kind: "unknown"; error: RunError };

/**
 * Did the create already happen? A lookup that fails (5xx, timeout) says nothing either way: it is
 * retried with backoff, and if it still cannot tell, the answer is "unknown", never "absent", so the
 * create is not sent a second time on a guess.
 */
async function reconcile(
  env: RunEnvironment,
  step: FlowStep,
  entry: CatalogEntry,
  ctx: ReturnType<typeof createContext>,
  input: Record<string, unknown>,
): Promise<Lookup> {
  const action = entry as ActionEntry;
  const unknown = (why: string): Lookup => ({
    kind: "unknown",
    error: {
      message: `could not tell whether step "${step.id}" (${entry.key}) happened: ${why}. Check HighLevel, then replay or dismiss the run.`,
      code: "UNKNOWN_OUTCOME",
      stepId: step.id,
    },
  });
  if (!action.reconcile) return unknown("the action has no lookup");
  let last: unknown;
  for (let attempt = 1; attempt <= RECONCILE_ATTEMPTS; attempt++) {
    try {
      const found = await action.reconcile(ctx, input);
      return found === undefined ? { kind: "absent" } : { kind: "found", output: found };
    } catch (err) {
      last = err;
      env.logger.warn(
        { stepId: step.id, op: entry.key, attempt, error: message(err) },
        "reconcile lookup failed; retrying",
      );
      if (attempt < RECONCILE_ATTEMPTS) await env.sleep(RECONCILE_BACKOFF_MS * 2 ** (attempt - 1));
    }
  }
  return unknown(`the lookup failed ${RECONCILE_ATTEMPTS} times (last: ${message(last)})`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function handleConnectionError(
  env: RunEnvironment,
  run: RunRecord,
  flow: Flow,
  err: unknown,
): Promise<RunOutcome> {
  const error = errorOf(err);
  if (err instanceof HighLevelError && err.code === "RECONNECT_NEEDED")
    await env.pauseForReconnect(flow, error.message);
  return finish(env, run, "failed", error, flow);
}

async function finish(
  env: RunEnvironment,
  run: RunRecord,
  status: "succeeded" | "failed" | "skipped" | "needs_attention",
  error?: RunError,
  flow?: Flow,
): Promise<RunOutcome> {
  await env.store.finishRun(run.id, status, error);
  env.events.emit("run", { runId: run.id, flowId: run.flowId, status });
  if ((status === "failed" || status === "needs_attention") && error)
    await env.alert(run, status, error, flow);
  return { status };
}

/**
 * Test hook, for the crash-and-restart acceptance test only: with HLCONNECT_TEST_PAUSE_AFTER_STEP set
 * to a step id, a run stops for good right after that step succeeded (its ledger entry is written), so
 * the test can kill the process at exactly that point. Never set it in production.
 */
async function pauseForCrashTest(env: RunEnvironment, run: RunRecord, stepId: string): Promise<void> {
  if (process.env.HLCONNECT_TEST_PAUSE_AFTER_STEP !== stepId) return;
  env.logger.warn({ runId: run.id, stepId }, "HLCONNECT_TEST_PAUSE_AFTER_STEP: run paused for good");
  await new Promise<never>(() => {});
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function errorOf(err: unknown, stepId?: string): RunError {
  const e: RunError = { message: message(err) };
  if (err instanceof HighLevelError) {
    e.code = err.code;
    if (err.status !== undefined || err.messages.length)
      e.details = { status: err.status, messages: err.messages };
  }
  if (stepId) e.stepId = stepId;
  return e;
}

export type { Store };
