// The webhook inbox: deliveries are stored before the HTTP answer, then claimed and routed to runs.
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
import { opt, type SqliteContext } from "./context.ts";
import { withoutFlush } from "./db.ts";
import { runInserter, runToRecord } from "./runs.ts";

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

export function sqliteWebhooks(ctx: SqliteContext): WebhookInbox {
  const { db } = ctx;
  const insertRun = runInserter(ctx);
  const select = db.prepare("SELECT * FROM webhooks WHERE id = ?");

  const insertOne = (input: WebhookInput) => {
    const params = insertParams(input);
    const { changes } = insert.run(params);
    if (changes > 0) return { inserted: true, id: params.id };
    const first = selectByKey.get(params.source, params.webhookId) as { id: string };
    return { inserted: false, id: first.id };
  };
  const insert = db.prepare(
    `INSERT INTO webhooks (id, source, webhook_id, location_id, flow_id, payload, received_at)
     VALUES (@id, @source, @webhookId, @locationId, @flowId, @payload, @receivedAt)
     ON CONFLICT (source, webhook_id) DO NOTHING`,
  );
  const selectByKey = db.prepare("SELECT id FROM webhooks WHERE source = ? AND webhook_id = ?");
  const insertParams = (input: WebhookInput) => {
    const source = requireText(input?.source, "webhook source");
    const webhookId = requireText(input.webhookId, `${source} webhook: webhookId`);
    return {
      id: newId("whk", ctx.now()),
      source,
      webhookId,
      locationId: optionalText(input.locationId, `${source} webhook "${webhookId}": locationId`) ?? null,
      flowId: optionalText(input.flowId, `${source} webhook "${webhookId}": flowId`) ?? null,
      payload: toJson(input.payload, `${source} webhook "${webhookId}": payload`),
      receivedAt: requireTime(input.receivedAt, `${source} webhook "${webhookId}": receivedAt`),
    };
  };

  return {
    async insertWebhooks(inputs) {
      if (!Array.isArray(inputs)) throw new InvalidInputError("insertWebhooks: inputs must be a list");
      return ctx.tx(() => inputs.map(insertOne));
    },

    async insertWebhook(input) {
      const source = requireText(input?.source, "webhook source");
      const webhookId = requireText(input.webhookId, `${source} webhook: webhookId`);
      const params = {
        id: newId("whk", ctx.now()),
        source,
        webhookId,
        locationId: optionalText(input.locationId, `${source} webhook "${webhookId}": locationId`) ?? null,
        flowId: optionalText(input.flowId, `${source} webhook "${webhookId}": flowId`) ?? null,
        payload: toJson(input.payload, `${source} webhook "${webhookId}": payload`),
        receivedAt: requireTime(input.receivedAt, `${source} webhook "${webhookId}": receivedAt`),
      };
      return ctx.tx(() => {
        const { changes } = db
          .prepare(
            `INSERT INTO webhooks (id, source, webhook_id, location_id, flow_id, payload, received_at)
             VALUES (@id, @source, @webhookId, @locationId, @flowId, @payload, @receivedAt)
             ON CONFLICT (source, webhook_id) DO NOTHING`,
          )
          .run(params);
        if (changes > 0) return { inserted: true, id: params.id };
        const first = db
          .prepare("SELECT id FROM webhooks WHERE source = ? AND webhook_id = ?")
          .get(source, webhookId) as { id: string };
        return { inserted: false, id: first.id };
      });
    },

    async claimWebhooks(workerId, options = {}) {
      requireText(workerId, "webhook claim: workerId");
      const limit = Math.floor(requirePositive(options.limit ?? 10, "webhook claim: limit"));
      const leaseMs = requirePositive(options.leaseMs ?? 60_000, "webhook claim: leaseMs");
      const now = ctx.now();
      // One statement: the row choice and the claim are atomic, even across processes.
      // A claim is bookkeeping (not flushed at once): if a power cut takes it back the row is pending again.
      const rows = withoutFlush(db, () =>
        db
          .prepare(
            `UPDATE webhooks SET status = 'claimed', claimed_by = @workerId, lease_until = @leaseUntil,
             attempts = attempts + 1
           WHERE id IN (
             SELECT id FROM webhooks
             WHERE status = 'pending' OR (status = 'claimed' AND lease_until <= @now)
             ORDER BY received_at, id LIMIT @limit)
           RETURNING *`,
          )
          .all({ workerId, leaseUntil: now + leaseMs, now, limit }),
      ) as WebhookRow[];
      return rows.sort((a, b) => a.received_at - b.received_at || (a.id < b.id ? -1 : 1)).map(toRecord);
    },

    async routeWebhook(id, runs: NewRun[], note) {
      if (!Array.isArray(runs)) throw new InvalidInputError(`webhook "${id}": runs must be a list`);
      const created = ctx.tx(
        () => {
          if (!select.get(id)) throw new NotFoundError("webhook", id);
          const rows = [];
          for (const run of runs) {
            const result = insertRun(run);
            if (result.created) rows.push(result.row);
          }
          db.prepare(
            `UPDATE webhooks SET status = @status, routed_at = @now, lease_until = NULL, note = @note WHERE id = @id`,
          ).run({ id, status: runs.length ? "routed" : "ignored", now: ctx.now(), note: note ?? null });
          return rows;
          // Not flushed at once: taken back by a power cut, the webhook is routed again to the same runs.
        },
        { flush: false },
      );
      return created.map(runToRecord) as RunRecord[];
    },

    async getWebhook(id) {
      const row = select.get(id) as WebhookRow | undefined;
      return row && toRecord(row);
    },
  };
}
