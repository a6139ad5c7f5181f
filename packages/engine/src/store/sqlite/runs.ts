// Runs and their steps in SQLite.
import { ConflictError, InvalidInputError, NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import {
  COMPLETED_STEP_STATUSES,
  type FinishedRunStatus,
  type FinishedStepStatus,
  type NewRun,
  RUN_STATUSES,
  type RunError,
  type RunQuery,
  type RunRecord,
  type RunStatus,
  type RunStore,
  type StepRecord,
  type StepStatus,
} from "../types.ts";
import { optionalText, requireOneOf, requireText, requireTime, toJson } from "../validate.ts";
import { opt, type SqliteContext } from "./context.ts";

export interface RunRow {
  id: string;
  flow_id: string;
  status: RunStatus;
  trigger: string;
  event_key: string | null;
  replay_of: string | null;
  dry_run: number;
  attempts: number;
  error: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

interface StepRow {
  run_id: string;
  step_id: string;
  status: StepStatus;
  input: string | null;
  output: string | null;
  attempts: number;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export function runToRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    flowId: row.flow_id,
    status: row.status,
    trigger: JSON.parse(row.trigger),
    ...opt("eventKey", row.event_key),
    ...opt("replayOf", row.replay_of),
    ...(row.dry_run === 1 ? { dryRun: true as const } : {}),
    attempts: row.attempts,
    createdAt: row.created_at,
    ...opt("startedAt", row.started_at),
    ...opt("finishedAt", row.finished_at),
    updatedAt: row.updated_at,
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as RunError }),
  };
}

function stepToRecord(row: StepRow): StepRecord {
  return {
    runId: row.run_id,
    stepId: row.step_id,
    status: row.status,
    // A stored JSON null is a real value (a step may output null), so only SQL NULL means absent.
    ...(row.input === null ? {} : { input: JSON.parse(row.input) }),
    ...(row.output === null ? {} : { output: JSON.parse(row.output) }),
    attempts: row.attempts,
    ...opt("startedAt", row.started_at),
    ...opt("finishedAt", row.finished_at),
    updatedAt: row.updated_at,
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as RunError }),
  };
}

const FINISHED_RUN: readonly FinishedRunStatus[] = ["succeeded", "failed", "needs_attention", "skipped"];
const FINISHED_STEP: readonly FinishedStepStatus[] = ["succeeded", "failed", "unknown_outcome", "skipped"];

function errorJson(error: RunError | undefined, what: string): string | null {
  if (error === undefined) return null;
  if (!error || typeof error !== "object")
    throw new InvalidInputError(`${what} must be an object with a message`);
  requireText(error.message, `${what}: message`);
  return toJson(error, what);
}

/**
 * Creates runs inside the caller's transaction; the unique (flow_id, event_key) index makes an event's
 * second run a no-op, which is what keeps re-polls and re-routed webhooks from repeating work.
 */
export function runInserter(ctx: SqliteContext): (input: NewRun) => { row: RunRow; created: boolean } {
  const { db } = ctx;
  const flowExists = db.prepare("SELECT 1 FROM flows WHERE id = ?");
  const insert = db.prepare(
    `INSERT INTO runs (id, flow_id, status, trigger, event_key, replay_of, dry_run, created_at, updated_at)
     VALUES (@id, @flowId, 'queued', @trigger, @eventKey, @replayOf,
             coalesce(@dryRun, (SELECT dry_run FROM flows WHERE id = @flowId)), @now, @now)
     ON CONFLICT (flow_id, event_key) WHERE event_key IS NOT NULL DO NOTHING`,
  );
  const byEvent = db.prepare("SELECT * FROM runs WHERE flow_id = ? AND event_key = ?");
  const byId = db.prepare("SELECT * FROM runs WHERE id = ?");
  return (input) => {
    const flowId = requireText(input?.flowId, "run flowId");
    const eventKey = optionalText(input.eventKey, `run of flow "${flowId}": eventKey`) ?? null;
    const replayOf = optionalText(input.replayOf, `run of flow "${flowId}": replayOf`) ?? null;
    const trigger = toJson(input.trigger, `run of flow "${flowId}": trigger payload`);
    if (!flowExists.get(flowId)) throw new NotFoundError("flow", flowId);
    const id = newId("run", ctx.now());
    const dryRun = input.dryRun === undefined ? null : input.dryRun ? 1 : 0;
    const { changes } = insert.run({ id, flowId, trigger, eventKey, replayOf, dryRun, now: ctx.now() });
    if (changes > 0) return { row: byId.get(id) as RunRow, created: true };
    return { row: byEvent.get(flowId, eventKey) as RunRow, created: false };
  };
}

/** Run status moves and step results: not flushed at once (TxOptions.flush in context.ts says why). */
const BOOKKEEPING = { flush: false } as const;

export function sqliteRuns(ctx: SqliteContext): Omit<RunStore, "pruneHistory"> {
  const { db } = ctx;
  const insertRun = runInserter(ctx);
  const selectRun = db.prepare("SELECT * FROM runs WHERE id = ?");
  const mustGetRun = (id: string) => {
    const row = selectRun.get(id) as RunRow | undefined;
    if (!row) throw new NotFoundError("run", id);
    return row;
  };
  const selectStep = db.prepare("SELECT * FROM steps WHERE run_id = ? AND step_id = ?");
  const getStepRow = (runId: string, stepId: string) => selectStep.get(runId, stepId) as StepRow | undefined;

  /** Move a run between statuses, refusing moves from a status not in `from`. */
  function transition(
    id: string,
    from: readonly RunStatus[],
    verb: string,
    sql: string,
    params: object,
  ): RunRecord {
    return ctx.tx(() => {
      const row = mustGetRun(id);
      if (!from.includes(row.status)) {
        throw new ConflictError(
          `run "${id}" is ${row.status}: only a ${from.join(" or ")} run can be ${verb}`,
        );
      }
      db.prepare(sql).run({ ...params, id, now: ctx.now() });
      return runToRecord(mustGetRun(id));
    }, BOOKKEEPING);
  }

  return {
    async createRun(input) {
      const { row, created } = ctx.tx(() => insertRun(input));
      return { run: runToRecord(row), created };
    },

    async getRun(id) {
      const row = selectRun.get(id) as RunRow | undefined;
      return row && runToRecord(row);
    },

    async listRuns(query: RunQuery = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (query.flowId !== undefined) {
        where.push("flow_id = @flowId");
        params.flowId = query.flowId;
      }
      if (query.status !== undefined) {
        const statuses = (Array.isArray(query.status) ? query.status : [query.status]).map((s) =>
          requireOneOf(s, RUN_STATUSES, "run status filter"),
        );
        where.push(`status IN (${statuses.map((_, i) => `@status${i}`).join(", ") || "NULL"})`);
        statuses.forEach((s, i) => {
          params[`status${i}`] = s;
        });
      }
      if (query.since !== undefined) {
        where.push("created_at >= @since");
        params.since = requireTime(query.since, "runs query: since");
      }
      if (query.until !== undefined) {
        where.push("created_at < @until");
        params.until = requireTime(query.until, "runs query: until");
      }
      if (query.cursor !== undefined) {
        where.push("id < @cursor");
        params.cursor = requireText(query.cursor, "runs query: cursor");
      }
      const limit = Math.min(500, Math.max(1, Math.floor(query.limit ?? 50)));
      if (!Number.isFinite(limit)) throw new InvalidInputError("runs query: limit must be a number");
      const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ${limit + 1}`;
      const rows = db.prepare(sql).all(params) as RunRow[];
      const more = rows.length > limit;
      const runs = rows.slice(0, limit).map(runToRecord);
      return more ? { runs, nextCursor: runs[runs.length - 1]!.id } : { runs };
    },

    async startRun(id) {
      return transition(
        id,
        ["queued", "running"],
        "started",
        `UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, @now),
           updated_at = @now WHERE id = @id`,
        {},
      );
    },

    async requeueRun(id, error) {
      const json = errorJson(error, `run "${id}": error`);
      return transition(
        id,
        ["running", "failed", "needs_attention"],
        "requeued",
        `UPDATE runs SET status = 'queued', finished_at = NULL, error = coalesce(@error, error), updated_at = @now
         WHERE id = @id`,
        { error: json },
      );
    },

    async finishRun(id, status, error) {
      requireOneOf(status, FINISHED_RUN, `run "${id}": finished status`);
      const json = errorJson(error, `run "${id}": error`);
      return transition(
        id,
        ["queued", "running"],
        "finished",
        `UPDATE runs SET status = @status, finished_at = @now, error = @error, updated_at = @now WHERE id = @id`,
        { status, error: json },
      );
    },

    async startStep(runId, stepId, input) {
      requireText(stepId, `run "${runId}": step id`);
      const inputJson = toJson(input, `run "${runId}" step "${stepId}": input`);
      return ctx.tx(() => {
        mustGetRun(runId);
        const existing = getStepRow(runId, stepId);
        if (existing && COMPLETED_STEP_STATUSES.includes(existing.status)) {
          throw new ConflictError(
            `run "${runId}" step "${stepId}" is already ${existing.status}: it must not run again`,
          );
        }
        db.prepare(
          `INSERT INTO steps (run_id, step_id, status, input, attempts, started_at, updated_at)
           VALUES (@runId, @stepId, 'running', @input, 1, @now, @now)
           ON CONFLICT (run_id, step_id) DO UPDATE SET
             status = 'running', input = excluded.input, output = NULL, error = NULL,
             attempts = steps.attempts + 1, started_at = excluded.started_at, finished_at = NULL,
             updated_at = excluded.updated_at`,
        ).run({ runId, stepId, input: inputJson, now: ctx.now() });
        return stepToRecord(getStepRow(runId, stepId)!);
      });
    },

    async finishStep(runId, stepId, result) {
      requireText(stepId, `run "${runId}": step id`);
      const where = `run "${runId}" step "${stepId}"`;
      const status = requireOneOf(result?.status, FINISHED_STEP, `${where}: status`);
      const output = result.output === undefined ? null : toJson(result.output, `${where}: output`);
      const error = errorJson(result.error, `${where}: error`);
      return ctx.tx(() => {
        mustGetRun(runId);
        const existing = getStepRow(runId, stepId);
        if (existing && COMPLETED_STEP_STATUSES.includes(existing.status)) {
          throw new ConflictError(`${where} is already ${existing.status}`);
        }
        db.prepare(
          `INSERT INTO steps (run_id, step_id, status, output, error, finished_at, updated_at)
           VALUES (@runId, @stepId, @status, @output, @error, @now, @now)
           ON CONFLICT (run_id, step_id) DO UPDATE SET
             status = excluded.status, output = excluded.output, error = excluded.error,
             finished_at = excluded.finished_at, updated_at = excluded.updated_at`,
        ).run({ runId, stepId, status, output, error, now: ctx.now() });
        return stepToRecord(getStepRow(runId, stepId)!);
        // A step's result is bookkeeping: its recorded input (startStep, flushed before the call) is what
        // a restart needs to reconcile the call if a power cut takes this commit back.
      }, BOOKKEEPING);
    },

    async getStep(runId, stepId) {
      const row = getStepRow(runId, stepId);
      return row && stepToRecord(row);
    },

    async listSteps(runId) {
      // rowid follows first insertion, so a retried step keeps its place.
      const rows = db.prepare("SELECT * FROM steps WHERE run_id = ? ORDER BY rowid").all(runId) as StepRow[];
      return rows.map(stepToRecord);
    },
  };
}
