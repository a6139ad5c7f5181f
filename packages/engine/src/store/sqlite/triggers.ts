// Polling trigger state. recordTriggerEvents is the crash-safety point of polling: cursor and runs are
// committed together, so after a crash either both happened or neither did, and a re-poll of the same
// window finds the events' runs already there.
import { InvalidInputError, NotFoundError } from "../errors.ts";
import type { TriggerEvent, TriggerStore } from "../types.ts";
import { requireText, toJson } from "../validate.ts";
import type { SqliteContext } from "./context.ts";
import { runInserter, runToRecord } from "./runs.ts";

export function sqliteTriggers(ctx: SqliteContext): TriggerStore {
  const { db } = ctx;
  const insertRun = runInserter(ctx);
  const flowExists = db.prepare("SELECT 1 FROM flows WHERE id = ?");
  const upsertCursor = db.prepare(
    `INSERT INTO trigger_state (flow_id, cursor, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (flow_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
  );

  function setCursor(flowId: string, cursorJson: string): void {
    if (!flowExists.get(flowId)) throw new NotFoundError("flow", flowId);
    upsertCursor.run(flowId, cursorJson, ctx.now());
  }

  return {
    async getTriggerState(flowId) {
      const row = db.prepare("SELECT * FROM trigger_state WHERE flow_id = ?").get(flowId) as
        | { flow_id: string; cursor: string; updated_at: number }
        | undefined;
      return row && { flowId: row.flow_id, cursor: JSON.parse(row.cursor), updatedAt: row.updated_at };
    },

    async setTriggerCursor(flowId, cursor) {
      const json = toJson(cursor, `flow "${flowId}": trigger cursor`);
      ctx.tx(() => setCursor(flowId, json));
    },

    async recordTriggerEvents(flowId, cursor, events: TriggerEvent[]) {
      requireText(flowId, "flow id");
      const json = toJson(cursor, `flow "${flowId}": trigger cursor`);
      if (!Array.isArray(events))
        throw new InvalidInputError(`flow "${flowId}": trigger events must be a list`);
      const runs = ctx.tx(() => {
        setCursor(flowId, json);
        const created = [];
        for (const [i, event] of events.entries()) {
          const eventKey = requireText(event?.eventKey, `flow "${flowId}": trigger event ${i}: eventKey`);
          const result = insertRun({ flowId, trigger: event.payload, eventKey });
          if (result.created) created.push(result.row);
        }
        return created;
      });
      return runs.map(runToRecord);
    },
  };
}
