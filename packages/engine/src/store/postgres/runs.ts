// Runs and their steps in PostgreSQL.
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
import { ASYNC_COMMIT, opt, type PgContext } from "./context.ts";
import type { Queryable } from "./db.ts";

export interface RunRow {
  id: string;
  flow_id: string;
  status: RunStatus;
  trigger: string;
  event_key: string | null;
  replay_of: string | null;
  dry_run: boolean;
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
    ...(row.dry_run ? { dryRun: true as const } : {}),
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
 * Creates a run inside the caller's transaction; the unique (flow_id, event_key) index makes an event's
 * second run a no-op, which keeps re-polls and re-routed webhooks from repeating work.
 */
export async function insertRun(
  ctx: PgContext,
  q: Queryable,
  input: NewRun,
): Promise<{ row: RunRow; created: boolean }> {
  const flowId = requireText(input?.flowId, "run flowId");
  const eventKey = optionalText(input.eventKey, `run of flow "${flowId}": eventKey`) ?? null;
  const replayOf = optionalText(input.replayOf, `run of flow "${flowId}": replayOf`) ?? null;
  const trigger = toJson(input.trigger, `run of flow "${flowId}": trigger payload`);
  const flow = await q.query("SELECT 1 FROM flows WHERE id = $1", [flowId]);
  if (!flow.rowCount) throw new NotFoundError("flow", flowId);
  const now = ctx.now();
  const inserted = await q.query<RunRow>(
    `INSERT INTO runs (id, flow_id, status, trigger, event_key, replay_of, dry_run, created_at, updated_at)
     VALUES ($1, $2, 'queued', $3, $4, $5,
             coalesce($7::boolean, (SELECT dry_run FROM flows WHERE id = $2)), $6, $6)
     ON CONFLICT (flow_id, event_key) WHERE event_key IS NOT NULL DO NOTHING
     RETURNING *`,
    [
      newId("run", now),
      flowId,
      trigger,
      eventKey,
      replayOf,
      now,
      input.dryRun === undefined ? null : Boolean(input.dryRun),
    ],
  );
  if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
  const existing = await q.query<RunRow>("SELECT * FROM runs WHERE flow_id = $1 AND event_key = $2", [
    flowId,
    eventKey,
  ]);
  return { row: existing.rows[0]!, created: false };
}

/**
 * The columns read back (not `*`): the hot statements below are prepared once per connection, and a
 * prepared `RETURNING *` would fail in an older process once a migration added a column.
 */
const RUN_COLUMNS =
  "id, flow_id, status, trigger, event_key, replay_of, dry_run, attempts, error, created_at, started_at, finished_at, updated_at";
const STEP_COLUMNS =
  "run_id, step_id, status, input, output, attempts, error, started_at, finished_at, updated_at";

/** Postgres' foreign_key_violation: a step of a run that does not exist. */
const FOREIGN_KEY_VIOLATION = "23503";

export function pgRuns(ctx: PgContext): Omit<RunStore, "pruneHistory"> {
  const { pool } = ctx;

  /**
   * Move a run between statuses, refusing moves from a status not in `from`: one bookkeeping statement
   * (ASYNC_COMMIT; the row lock of the UPDATE makes the check and the move atomic). Only when nothing
   * moved is the run read again, to say why.
   */
  async function transition(
    name: string,
    id: string,
    from: readonly RunStatus[],
    verb: string,
    set: string,
    params: unknown[],
  ): Promise<RunRecord> {
    const fromParam = `$${params.length + 3}`;
    const statement = {
      name: `hl_run_${name}`,
      text: `${ASYNC_COMMIT}
        UPDATE runs SET ${set}, updated_at = $2 FROM async_commit
        WHERE id = $1 AND status = ANY(${fromParam}::text[])
        RETURNING ${qualified("runs", RUN_COLUMNS)}`,
    };
    for (let attempt = 1; ; attempt++) {
      const { rows } = await pool.query<RunRow>({ ...statement, values: [id, ctx.now(), ...params, from] });
      if (rows[0]) return runToRecord(rows[0]);
      const current = await pool.query<{ status: RunStatus }>("SELECT status FROM runs WHERE id = $1", [id]);
      const row = current.rows[0];
      if (!row) throw new NotFoundError("run", id);
      // Moved into an allowed status between the two statements: try the move again (a few times).
      if (from.includes(row.status) && attempt < 5) continue;
      throw new ConflictError(`run "${id}" is ${row.status}: only a ${from.join(" or ")} run can be ${verb}`);
    }
  }

  /**
   * One upsert of a step, refused (no row back) when the step already completed; then the reason is
   * read: the run is missing (the foreign key says so) or the step completed.
   */
  async function stepWrite(
    runId: string,
    stepId: string,
    statement: { name: string; text: string; values: unknown[] },
    refused: (status: StepStatus) => Error,
  ): Promise<StepRecord> {
    try {
      const { rows } = await pool.query<StepRow>(statement);
      if (rows[0]) return stepToRecord(rows[0]);
    } catch (error) {
      if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw new NotFoundError("run", runId);
      throw error;
    }
    const existing = await pool.query<{ status: StepStatus }>(
      "SELECT status FROM steps WHERE run_id = $1 AND step_id = $2",
      [runId, stepId],
    );
    throw refused(existing.rows[0]?.status ?? "pending");
  }

  return {
    async createRun(input) {
      const { row, created } = await ctx.tx((q) => insertRun(ctx, q, input));
      return { run: runToRecord(row), created };
    },

    async getRun(id) {
      const row = (
        await pool.query<RunRow>({
          name: "hl_run_get",
          text: `SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`,
          values: [id],
        })
      ).rows[0];
      return row && runToRecord(row);
    },

    async listRuns(query: RunQuery = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      if (query.flowId !== undefined) where.push(`flow_id = ${param(query.flowId)}`);
      if (query.status !== undefined) {
        const statuses = (Array.isArray(query.status) ? query.status : [query.status]).map((s) =>
          requireOneOf(s, RUN_STATUSES, "run status filter"),
        );
        where.push(`status = ANY(${param(statuses)}::text[])`);
      }
      if (query.since !== undefined)
        where.push(`created_at >= ${param(requireTime(query.since, "runs query: since"))}`);
      if (query.until !== undefined)
        where.push(`created_at < ${param(requireTime(query.until, "runs query: until"))}`);
      // Keyset: ids sort by creation time, so the next page starts below the last id seen.
      if (query.cursor !== undefined)
        where.push(`id < ${param(requireText(query.cursor, "runs query: cursor"))}`);
      const limit = Math.min(500, Math.max(1, Math.floor(query.limit ?? 50)));
      if (!Number.isFinite(limit)) throw new InvalidInputError("runs query: limit must be a number");
      const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY id DESC LIMIT ${limit + 1}`;
      const rows = (await pool.query<RunRow>(sql, params)).rows;
      const more = rows.length > limit;
      const runs = rows.slice(0, limit).map(runToRecord);
      return more ? { runs, nextCursor: runs[runs.length - 1]!.id } : { runs };
    },

    async startRun(id) {
      return transition(
        "start",
        id,
        ["queued", "running"],
        "started",
        "status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, $2)",
        [],
      );
    },

    async requeueRun(id, error) {
      const json = errorJson(error, `run "${id}": error`);
      return transition(
        "requeue",
        id,
        ["running", "failed", "needs_attention"],
        "requeued",
        "status = 'queued', finished_at = NULL, error = coalesce($3, error)",
        [json],
      );
    },

    async finishRun(id, status, error) {
      requireOneOf(status, FINISHED_RUN, `run "${id}": finished status`);
      const json = errorJson(error, `run "${id}": error`);
      return transition(
        "finish",
        id,
        ["queued", "running"],
        "finished",
        "status = $3, finished_at = $2, error = $4",
        [status, json],
      );
    },

    async startStep(runId, stepId, input) {
      requireText(stepId, `run "${runId}": step id`);
      const inputJson = toJson(input, `run "${runId}" step "${stepId}": input`);
      // Durable: the input recorded before the call is what a restart reconciles the call with.
      return stepWrite(
        runId,
        stepId,
        {
          name: "hl_step_start",
          text: `INSERT INTO steps (run_id, step_id, status, input, attempts, started_at, updated_at)
           VALUES ($1, $2, 'running', $3, 1, $4, $4)
           ON CONFLICT (run_id, step_id) DO UPDATE SET
             status = 'running', input = excluded.input, output = NULL, error = NULL,
             attempts = steps.attempts + 1, started_at = excluded.started_at, finished_at = NULL,
             updated_at = excluded.updated_at
           WHERE steps.status <> ALL($5::text[])
           RETURNING ${STEP_COLUMNS}`,
          values: [runId, stepId, inputJson, ctx.now(), COMPLETED_STEP_STATUSES],
        },
        (status) =>
          new ConflictError(`run "${runId}" step "${stepId}" is already ${status}: it must not run again`),
      );
    },

    async finishStep(runId, stepId, result) {
      requireText(stepId, `run "${runId}": step id`);
      const where = `run "${runId}" step "${stepId}"`;
      const status = requireOneOf(result?.status, FINISHED_STEP, `${where}: status`);
      const output = result.output === undefined ? null : toJson(result.output, `${where}: output`);
      const error = errorJson(result.error, `${where}: error`);
      // Bookkeeping (ASYNC_COMMIT): taken back by a crash, the step is "running" again with its input,
      // and the restart reconciles it.
      return stepWrite(
        runId,
        stepId,
        {
          name: "hl_step_finish",
          text: `${ASYNC_COMMIT}
           INSERT INTO steps (run_id, step_id, status, output, error, finished_at, updated_at)
           SELECT $1, $2, $3, $4, $5, $6::bigint, $6::bigint FROM async_commit
           ON CONFLICT (run_id, step_id) DO UPDATE SET
             status = excluded.status, output = excluded.output, error = excluded.error,
             finished_at = excluded.finished_at, updated_at = excluded.updated_at
           WHERE steps.status <> ALL($7::text[])
           RETURNING ${STEP_COLUMNS}`,
          values: [runId, stepId, status, output, error, ctx.now(), COMPLETED_STEP_STATUSES],
        },
        (existing) => new ConflictError(`${where} is already ${existing}`),
      );
    },

    async getStep(runId, stepId) {
      const row = (
        await pool.query<StepRow>("SELECT * FROM steps WHERE run_id = $1 AND step_id = $2", [runId, stepId])
      ).rows[0];
      return row && stepToRecord(row);
    },

    async listSteps(runId) {
      const { rows } = await pool.query<StepRow>({
        name: "hl_steps_list",
        text: `SELECT ${STEP_COLUMNS} FROM steps WHERE run_id = $1 ORDER BY seq`,
        values: [runId],
      });
      return rows.map(stepToRecord);
    },
  };
}

/** "a, b" -> "t.a, t.b" (a statement reading from async_commit too must say whose columns). */
function qualified(table: string, columns: string): string {
  return columns
    .split(", ")
    .map((c) => `${table}.${c}`)
    .join(", ");
}
