// Polling trigger state. recordTriggerEvents commits the cursor and the events' runs together, so a
// crash leaves both or neither, and a re-poll of the same window finds the runs already there.
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { TriggerEvent, TriggerStore } from "../types.ts";
import { requireText, toJson } from "../validate.ts";
import type { PgContext } from "./context.ts";
import type { Queryable } from "./db.ts";
import { insertRun, type RunRow, runToRecord } from "./runs.ts";

export function pgTriggers(ctx: PgContext): TriggerStore {
  async function setCursor(q: Queryable, flowId: string, cursorJson: string): Promise<void> {
    const flow = await q.query("SELECT 1 FROM flows WHERE id = $1", [flowId]);
    if (!flow.rowCount) throw new NotFoundError("flow", flowId);
    await q.query(
      `INSERT INTO trigger_state (flow_id, cursor, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (flow_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      [flowId, cursorJson, ctx.now()],
    );
  }

  return {
    async getTriggerState(flowId) {
      const { rows } = await ctx.pool.query<{ flow_id: string; cursor: string; updated_at: number }>(
        "SELECT * FROM trigger_state WHERE flow_id = $1",
        [flowId],
      );
      const row = rows[0];
      return row && { flowId: row.flow_id, cursor: JSON.parse(row.cursor), updatedAt: row.updated_at };
    },

    async setTriggerCursor(flowId, cursor) {
      const json = toJson(cursor, `flow "${flowId}": trigger cursor`);
      await ctx.tx((q) => setCursor(q, flowId, json));
    },

    async recordTriggerEvents(flowId, cursor, events: TriggerEvent[]) {
      requireText(flowId, "flow id");
      const json = toJson(cursor, `flow "${flowId}": trigger cursor`);
      if (!Array.isArray(events))
        throw new InvalidInputError(`flow "${flowId}": trigger events must be a list`);
      const keys = events.map((event, i) =>
        requireText(event?.eventKey, `flow "${flowId}": trigger event ${i}: eventKey`),
      );
      const created = await ctx.tx(async (q) => {
        await setCursor(q, flowId, json);
        const rows: RunRow[] = [];
        for (const [i, event] of events.entries()) {
          const result = await insertRun(ctx, q, { flowId, trigger: event.payload, eventKey: keys[i] });
          if (result.created) rows.push(result.row);
        }
        return rows;
      });
      return created.map(runToRecord);
    },
  };
}
