// Alerts already sent, and the retention of history, in PostgreSQL.
import type { AlertRecord, AlertStore, PruneResult } from "../types.ts";
import { optionalText, requireText, requireTime } from "../validate.ts";
import { opt, type PgContext } from "./context.ts";

interface AlertRow {
  key: string;
  channel: string;
  message: string;
  flow_id: string | null;
  run_id: string | null;
  sent_at: number;
}

function toRecord(row: AlertRow): AlertRecord {
  return {
    key: row.key,
    channel: row.channel,
    message: row.message,
    ...opt("flowId", row.flow_id),
    ...opt("runId", row.run_id),
    sentAt: row.sent_at,
  };
}

export function pgAlerts(ctx: PgContext): AlertStore {
  const { pool } = ctx;
  return {
    async recordAlert(input) {
      const key = requireText(input?.key, "alert key");
      const result = await pool.query(
        `INSERT INTO alerts (key, channel, message, flow_id, run_id, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING`,
        [
          key,
          requireText(input.channel, `alert "${key}": channel`),
          typeof input.message === "string" ? input.message : String(input.message),
          optionalText(input.flowId, `alert "${key}": flowId`) ?? null,
          optionalText(input.runId, `alert "${key}": runId`) ?? null,
          ctx.now(),
        ],
      );
      return { inserted: (result.rowCount ?? 0) > 0 };
    },

    async listAlerts(query = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      if (query.flowId !== undefined) where.push(`flow_id = ${param(query.flowId)}`);
      if (query.since !== undefined)
        where.push(`sent_at >= ${param(requireTime(query.since, "alerts query: since"))}`);
      const limit = Math.min(500, Math.max(1, Math.floor(query.limit ?? 50)));
      const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY sent_at DESC, key DESC LIMIT ${Number.isFinite(limit) ? limit : 50}`;
      return (await pool.query<AlertRow>(sql, params)).rows.map(toRecord);
    },
  };
}

/** History older than the cutoff goes, except what still needs someone. Steps go with their runs. */
export function pgPrune(ctx: PgContext): (olderThanMs: number) => Promise<PruneResult> {
  return async (olderThanMs) => {
    const cutoff = requireTime(olderThanMs, "pruneHistory cutoff");
    return ctx.tx(async (q) => ({
      runs:
        (
          await q.query(
            "DELETE FROM runs WHERE status IN ('succeeded', 'failed', 'skipped') AND finished_at < $1",
            [cutoff],
          )
        ).rowCount ?? 0,
      webhooks:
        (
          await q.query("DELETE FROM webhooks WHERE status IN ('routed', 'ignored') AND routed_at < $1", [
            cutoff,
          ])
        ).rowCount ?? 0,
      alerts: (await q.query("DELETE FROM alerts WHERE sent_at < $1", [cutoff])).rowCount ?? 0,
    }));
  };
}
