// Flows in SQLite.
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import { FLOW_STATUSES, type FlowFilter, type FlowInput, type FlowRecord, type FlowStore } from "../types.ts";
import { optionalText, requireOneOf, requireText, textList } from "../validate.ts";
import { opt, type SqliteContext } from "./context.ts";

interface FlowRow {
  id: string;
  name: string;
  source: string;
  file_path: string | null;
  enabled: number;
  dry_run: number;
  status: FlowRecord["status"];
  status_reason: string | null;
  trigger_key: string | null;
  connection_ids: string;
  sealed_hook_secret: string | null;
  created_at: number;
  updated_at: number;
}

function toRecord(row: FlowRow): FlowRecord {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    ...opt("filePath", row.file_path),
    enabled: row.enabled === 1,
    ...(row.dry_run === 1 ? { dryRun: true as const } : {}),
    status: row.status,
    ...opt("statusReason", row.status_reason),
    ...opt("triggerKey", row.trigger_key),
    connectionIds: JSON.parse(row.connection_ids) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const hookContext = (id: string) => `flow:${id}:hook-secret`;

export function sqliteFlows(ctx: SqliteContext): FlowStore {
  const { db } = ctx;
  const select = db.prepare("SELECT * FROM flows WHERE id = ?");
  const get = (id: string) => select.get(id) as FlowRow | undefined;
  const mustGet = (id: string) => {
    const row = get(id);
    if (!row) throw new NotFoundError("flow", id);
    return row;
  };

  return {
    async saveFlow(input: FlowInput) {
      const id = input.id === undefined ? newId("flw", ctx.now()) : requireText(input.id, "flow id");
      const name = requireText(input.name, `flow "${id}": name`);
      if (typeof input.source !== "string")
        throw new InvalidInputError(`flow "${id}": source must be the YAML text`);
      const filePath = optionalText(input.filePath, `flow "${id}": filePath`) ?? null;
      const triggerKey = optionalText(input.triggerKey, `flow "${id}": triggerKey`) ?? null;
      const connectionIds = JSON.stringify(textList(input.connectionIds, `flow "${id}": connectionIds`));
      const enabled = input.enabled === undefined ? null : input.enabled ? 1 : 0;
      const now = ctx.now();
      return ctx.tx(() => {
        db.prepare(
          `INSERT INTO flows (id, name, source, file_path, enabled, trigger_key, connection_ids, created_at, updated_at)
           VALUES (@id, @name, @source, @filePath, coalesce(@enabled, 1), @triggerKey, @connectionIds, @now, @now)
           ON CONFLICT (id) DO UPDATE SET
             name = excluded.name, source = excluded.source, file_path = excluded.file_path,
             enabled = coalesce(@enabled, flows.enabled), trigger_key = excluded.trigger_key,
             connection_ids = excluded.connection_ids, updated_at = excluded.updated_at`,
        ).run({ id, name, source: input.source, filePath, enabled, triggerKey, connectionIds, now });
        return toRecord(mustGet(id));
      });
    },

    async getFlow(id) {
      const row = get(id);
      return row && toRecord(row);
    },

    async listFlows(filter: FlowFilter = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (filter.enabled !== undefined) {
        where.push("enabled = @enabled");
        params.enabled = filter.enabled ? 1 : 0;
      }
      if (filter.status !== undefined) {
        where.push("status = @status");
        params.status = requireOneOf(filter.status, FLOW_STATUSES, "flow status filter");
      }
      if (filter.triggerKey !== undefined) {
        where.push("trigger_key = @triggerKey");
        params.triggerKey = filter.triggerKey;
      }
      if (filter.connectionId !== undefined) {
        where.push("EXISTS (SELECT 1 FROM json_each(flows.connection_ids) WHERE value = @connectionId)");
        params.connectionId = filter.connectionId;
      }
      const sql = `SELECT * FROM flows ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id`;
      return (db.prepare(sql).all(params) as FlowRow[]).map(toRecord);
    },

    async setFlowEnabled(id, enabled, options) {
      return ctx.tx(() => {
        mustGet(id);
        db.prepare("UPDATE flows SET enabled = ?, dry_run = ?, updated_at = ? WHERE id = ?").run(
          enabled ? 1 : 0,
          enabled && options?.dryRun ? 1 : 0,
          ctx.now(),
          id,
        );
        return toRecord(mustGet(id));
      });
    },

    async setFlowStatus(id, status, reason) {
      requireOneOf(status, FLOW_STATUSES, `flow "${id}": status`);
      const why = status === "active" ? null : (reason ?? null);
      return ctx.tx(() => {
        mustGet(id);
        db.prepare("UPDATE flows SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?").run(
          status,
          why,
          ctx.now(),
          id,
        );
        return toRecord(mustGet(id));
      });
    },

    async deleteFlow(id) {
      return db.prepare("DELETE FROM flows WHERE id = ?").run(id).changes > 0;
    },

    async setFlowHookSecret(id, secret) {
      const sealed =
        secret === undefined
          ? null
          : ctx.vault().seal(requireText(secret, `flow "${id}": hook secret`), hookContext(id));
      const changes = db
        .prepare("UPDATE flows SET sealed_hook_secret = ?, updated_at = ? WHERE id = ?")
        .run(sealed, ctx.now(), id).changes;
      if (changes === 0) throw new NotFoundError("flow", id);
    },

    async getFlowHookSecret(id) {
      const row = mustGet(id);
      return row.sealed_hook_secret === null
        ? undefined
        : ctx.vault().open(row.sealed_hook_secret, hookContext(id));
    },
  };
}
