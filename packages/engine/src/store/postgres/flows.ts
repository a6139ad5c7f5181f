// Flows in PostgreSQL.
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import { FLOW_STATUSES, type FlowFilter, type FlowInput, type FlowRecord, type FlowStore } from "../types.ts";
import { optionalText, requireOneOf, requireText, textList } from "../validate.ts";
import { opt, type PgContext } from "./context.ts";

interface FlowRow {
  id: string;
  name: string;
  source: string;
  file_path: string | null;
  enabled: boolean;
  dry_run: boolean;
  status: FlowRecord["status"];
  status_reason: string | null;
  trigger_key: string | null;
  connection_ids: string[];
  sealed_hook_secret: string | null;
  created_at: number;
  updated_at: number;
}

const FLOW_COLUMNS =
  "id, name, source, file_path, enabled, dry_run, status, status_reason, trigger_key, connection_ids, sealed_hook_secret, created_at, updated_at";

function toRecord(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    ...opt("filePath", row.file_path),
    enabled: row.enabled,
    ...(row.dry_run ? { dryRun: true as const } : {}),
    status: row.status,
    ...opt("statusReason", row.status_reason),
    ...opt("triggerKey", row.trigger_key),
    connectionIds: row.connection_ids,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const hookContext = (id: string) => `flow:${id}:hook-secret`;

export function pgFlows(ctx: PgContext): FlowStore {
  const { pool } = ctx;
  // Read for every run: prepared once per connection, so its columns are named (see RUN_COLUMNS).
  const get = async (id: string) =>
    (
      await pool.query<FlowRow>({
        name: "hl_flow_get",
        text: `SELECT ${FLOW_COLUMNS} FROM flows WHERE id = $1`,
        values: [id],
      })
    ).rows[0];
  const updated = (row: FlowRow | undefined, id: string) => {
    if (!row) throw new NotFoundError("flow", id);
    return toRecord(row);
  };

  return {
    async saveFlow(input: FlowInput) {
      const id = input.id === undefined ? newId("flw", ctx.now()) : requireText(input.id, "flow id");
      const name = requireText(input.name, `flow "${id}": name`);
      if (typeof input.source !== "string")
        throw new InvalidInputError(`flow "${id}": source must be the YAML text`);
      const filePath = optionalText(input.filePath, `flow "${id}": filePath`) ?? null;
      const triggerKey = optionalText(input.triggerKey, `flow "${id}": triggerKey`) ?? null;
      const connectionIds = textList(input.connectionIds, `flow "${id}": connectionIds`);
      const enabled = input.enabled === undefined ? null : Boolean(input.enabled);
      const { rows } = await pool.query<FlowRow>(
        `INSERT INTO flows (id, name, source, file_path, enabled, trigger_key, connection_ids, created_at, updated_at)
         VALUES ($1, $2, $3, $4, coalesce($5::boolean, TRUE), $6, $7, $8, $8)
         ON CONFLICT (id) DO UPDATE SET
           name = excluded.name, source = excluded.source, file_path = excluded.file_path,
           enabled = coalesce($5::boolean, flows.enabled), trigger_key = excluded.trigger_key,
           connection_ids = excluded.connection_ids, updated_at = excluded.updated_at
         RETURNING *`,
        [id, name, input.source, filePath, enabled, triggerKey, connectionIds, ctx.now()],
      );
      return toRecord(rows[0]!);
    },

    async getFlow(id) {
      const row = await get(id);
      return row && toRecord(row);
    },

    async listFlows(filter: FlowFilter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      if (filter.enabled !== undefined) where.push(`enabled = ${param(Boolean(filter.enabled))}`);
      if (filter.status !== undefined)
        where.push(`status = ${param(requireOneOf(filter.status, FLOW_STATUSES, "flow status filter"))}`);
      if (filter.triggerKey !== undefined) where.push(`trigger_key = ${param(filter.triggerKey)}`);
      if (filter.connectionId !== undefined)
        where.push(`connection_ids @> ARRAY[${param(filter.connectionId)}]::text[]`);
      const sql = `SELECT * FROM flows ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id`;
      return (await pool.query<FlowRow>(sql, params)).rows.map(toRecord);
    },

    async setFlowEnabled(id, enabled, options) {
      const { rows } = await pool.query<FlowRow>(
        "UPDATE flows SET enabled = $1, dry_run = $2, updated_at = $3 WHERE id = $4 RETURNING *",
        [Boolean(enabled), Boolean(enabled && options?.dryRun), ctx.now(), id],
      );
      return updated(rows[0], id);
    },

    async setFlowStatus(id, status, reason) {
      requireOneOf(status, FLOW_STATUSES, `flow "${id}": status`);
      const why = status === "active" ? null : (reason ?? null);
      const { rows } = await pool.query<FlowRow>(
        "UPDATE flows SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4 RETURNING *",
        [status, why, ctx.now(), id],
      );
      return updated(rows[0], id);
    },

    async deleteFlow(id) {
      return ((await pool.query("DELETE FROM flows WHERE id = $1", [id])).rowCount ?? 0) > 0;
    },

    async setFlowHookSecret(id, secret) {
      const sealed =
        secret === undefined
          ? null
          : ctx.vault().seal(requireText(secret, `flow "${id}": hook secret`), hookContext(id));
      const result = await pool.query(
        "UPDATE flows SET sealed_hook_secret = $1, updated_at = $2 WHERE id = $3",
        [sealed, ctx.now(), id],
      );
      if (!result.rowCount) throw new NotFoundError("flow", id);
    },

    async getFlowHookSecret(id) {
      const row = await get(id);
      if (!row) throw new NotFoundError("flow", id);
      return row.sealed_hook_secret === null
        ? undefined
        : ctx.vault().open(row.sealed_hook_secret, hookContext(id));
    },
  };
}
