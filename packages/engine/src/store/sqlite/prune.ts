// Retention: history older than a cutoff goes, except what still needs someone (needs_attention runs,
// runs not finished, webhooks not routed).
import type { PruneResult } from "../types.ts";
import { requireTime } from "../validate.ts";
import type { SqliteContext } from "./context.ts";

export function sqlitePrune(ctx: SqliteContext): (olderThanMs: number) => Promise<PruneResult> {
  const { db } = ctx;
  return async (olderThanMs) => {
    const cutoff = requireTime(olderThanMs, "pruneHistory cutoff");
    return ctx.tx(() => ({
      // Steps go with their runs (ON DELETE CASCADE).
      runs: db
        .prepare(`DELETE FROM runs WHERE status IN ('succeeded', 'failed', 'skipped') AND finished_at < ?`)
        .run(cutoff).changes,
      webhooks: db
        .prepare(`DELETE FROM webhooks WHERE status IN ('routed', 'ignored') AND routed_at < ?`)
        .run(cutoff).changes,
      alerts: db.prepare("DELETE FROM alerts WHERE sent_at < ?").run(cutoff).changes,
    }));
  };
}
