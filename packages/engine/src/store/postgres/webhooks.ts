// The webhook inbox in PostgreSQL: stored before the HTTP answer, then claimed (SKIP LOCKED, so routers
// in several processes never wait on each other) and routed to runs.
import { InvalidInputError, NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import type {
  NewRun,
  RunRecord,
  WebhookInbox,
  WebhookInput,
  WebhookRecord,
  WebhookStatus,
} from "../types.ts";
import { optionalText, requirePositive, requireText, requireTime, toJson } from "../validate.ts";
import { ASYNC_COMMIT, opt, type PgContext } from "./context.ts";
import type { Queryable } from "./db.ts";
import { insertRun, type RunRow, runToRecord } from "./runs.ts";

interface WebhookRow {
  id: string;
  source: string;
  webhook_id: string;
  location_id: string | null;
  flow_id: string | null;
  payload: string;
  received_at: number;
  status: WebhookStatus;
  attempts: number;
  claimed_by: string | null;
  lease_until: number | null;
  routed_at: number | null;
  note: string | null;
}

function toRecord(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    source: row.source,
    webhookId: row.webhook_id,
    ...opt("locationId", row.location_id),
    ...opt("flowId", row.flow_id),
    payload: JSON.parse(row.payload),
    receivedAt: row.received_at,
    status: row.status,
    attempts: row.attempts,
    ...opt("claimedBy", row.claimed_by),
    ...opt("leaseUntil", row.lease_until),
    ...opt("routedAt", row.routed_at),
    ...opt("note", row.note),
  };
}

const BOOKKEEPING = { durable: false } as const;

export function pgWebhooks(ctx: PgContext): WebhookInbox {
  const { pool } = ctx;

  /** Checked values of one delivery, in column order. */
  function insertParams(input: WebhookInput): unknown[] {
    const source = requireText(input?.source, "webhook source");
    const webhookId = requireText(input.webhookId, `${source} webhook: webhookId`);
    return [
      newId("whk", ctx.now()),
      source,
      webhookId,
      optionalText(input.locationId, `${source} webhook "${webhookId}": locationId`) ?? null,
      optionalText(input.flowId, `${source} webhook "${webhookId}": flowId`) ?? null,
      toJson(input.payload, `${source} webhook "${webhookId}": payload`),
      requireTime(input.receivedAt, `${source} webhook "${webhookId}": receivedAt`),
    ];
  }

  async function insertOne(q: Queryable, params: unknown[]): Promise<{ inserted: boolean; id: string }> {
    const inserted = await q.query(
      `INSERT INTO webhooks (id, source, webhook_id, location_id, flow_id, payload, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source, webhook_id) DO NOTHING`,
      params,
    );
    if (inserted.rowCount) return { inserted: true, id: params[0] as string };
    const first = await q.query<{ id: string }>(
      "SELECT id FROM webhooks WHERE source = $1 AND webhook_id = $2",
      [params[1], params[2]],
    );
    return { inserted: false, id: first.rows[0]!.id };
  }

  return {
    async insertWebhook(input) {
      return insertOne(pool, insertParams(input));
    },

    // Group commit: many deliveries, one transaction (one WAL flush for many acknowledgements).
    async insertWebhooks(inputs) {
      if (!Array.isArray(inputs)) throw new InvalidInputError("insertWebhooks: inputs must be a list");
      const all = inputs.map(insertParams);
      return ctx.tx(async (q) => {
        const results = [];
        for (const params of all) results.push(await insertOne(q, params));
        return results;
      });
    },

    async claimWebhooks(workerId, options = {}) {
      requireText(workerId, "webhook claim: workerId");
      const limit = Math.floor(requirePositive(options.limit ?? 10, "webhook claim: limit"));
      const leaseMs = requirePositive(options.leaseMs ?? 60_000, "webhook claim: leaseMs");
      const now = ctx.now();
      // Bookkeeping (ASYNC_COMMIT): a claim taken back by a crash leaves the delivery pending again.
      const { rows } = await pool.query<WebhookRow>(
        `${ASYNC_COMMIT}
         UPDATE webhooks SET status = 'claimed', claimed_by = $1, lease_until = $2, attempts = attempts + 1
         FROM async_commit
         WHERE id IN (
           SELECT id FROM webhooks
           WHERE status = 'pending' OR (status = 'claimed' AND lease_until <= $3)
           ORDER BY received_at, id LIMIT $4
           FOR UPDATE SKIP LOCKED)
         RETURNING webhooks.*`,
        [workerId, now + leaseMs, now, limit],
      );
      return rows.sort((a, b) => a.received_at - b.received_at || (a.id < b.id ? -1 : 1)).map(toRecord);
    },

    async routeWebhook(id, runs: NewRun[], note) {
      if (!Array.isArray(runs)) throw new InvalidInputError(`webhook "${id}": runs must be a list`);
      const created = await ctx.tx(async (q) => {
        const hook = await q.query("SELECT 1 FROM webhooks WHERE id = $1 FOR UPDATE", [id]);
        if (!hook.rowCount) throw new NotFoundError("webhook", id);
        const rows: RunRow[] = [];
        for (const run of runs) {
          const result = await insertRun(ctx, q, run);
          if (result.created) rows.push(result.row);
        }
        await q.query(
          "UPDATE webhooks SET status = $2, routed_at = $3, lease_until = NULL, note = $4 WHERE id = $1",
          [id, runs.length ? "routed" : "ignored", ctx.now(), note ?? null],
        );
        return rows;
        // Bookkeeping: taken back by a crash, the delivery is routed again to the same runs (event keys).
      }, BOOKKEEPING);
      return created.map(runToRecord) as RunRecord[];
    },

    async getWebhook(id) {
      const row = (await pool.query<WebhookRow>("SELECT * FROM webhooks WHERE id = $1", [id])).rows[0];
      return row && toRecord(row);
    },
  };
}
