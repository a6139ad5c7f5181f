// Alerts already sent, so the same alert is not sent twice (e.g. after a restart).
import type { AlertRecord, AlertStore } from "../types.ts";
import { optionalText, requireText, requireTime } from "../validate.ts";
import { opt, type SqliteContext } from "./context.ts";

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

export function sqliteAlerts(ctx: SqliteContext): AlertStore {
  const { db } = ctx;
  return {
    async recordAlert(input) {
      const key = requireText(input?.key, "alert key");
      const params = {
        key,
        channel: requireText(input.channel, `alert "${key}": channel`),
        message: typeof input.message === "string" ? input.message : String(input.message),
        flowId: optionalText(input.flowId, `alert "${key}": flowId`) ?? null,
        runId: optionalText(input.runId, `alert "${key}": runId`) ?? null,
        now: ctx.now(),
      };
      const { changes } = db
        .prepare(
          `INSERT INTO alerts (key, channel, message, flow_id, run_id, sent_at)
           VALUES (@key, @channel, @message, @flowId, @runId, @now) ON CONFLICT (key) DO NOTHING`,
        )
        .run(params);
      return { inserted: changes > 0 };
    },

    async listAlerts(query = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (query.flowId !== undefined) {
        where.push("flow_id = @flowId");
        params.flowId = query.flowId;
      }
      if (query.since !== undefined) {
        where.push("sent_at >= @since");
        params.since = requireTime(query.since, "alerts query: since");
      }
      const limit = Math.min(500, Math.max(1, Math.floor(query.limit ?? 50)));
      const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY sent_at DESC, key DESC LIMIT ${Number.isFinite(limit) ? limit : 50}`;
      return (db.prepare(sql).all(params) as AlertRow[]).map(toRecord);
    },
  };
}
