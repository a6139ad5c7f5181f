// What the flows list shows beside each flow: its last run and its success rate over the last 24 h.
// Counted by paging the run history (index-backed keyset pages); a flow with more than MAX_COUNTED
// runs in a day is rated on its latest MAX_COUNTED.
import type { Engine } from "@hlconnect/engine/engine";
import type { RunQuery, RunRecord } from "@hlconnect/engine/store/types";

const DAY_MS = 86_400_000;
export const MAX_COUNTED = 2_000;

export interface FlowListExtras {
  lastRun?: { id: string; status: string; createdAt: string };
  /** Succeeded / finished (succeeded, failed, needs attention) in the last 24 h; absent with none. */
  successRate24h?: number;
}

export async function flowListExtras(engine: Engine, ids: string[], now = Date.now()) {
  const out = new Map<string, FlowListExtras>();
  for (const id of ids) {
    const extras: FlowListExtras = {};
    const [last] = (await engine.store.listRuns({ flowId: id, limit: 1 })).runs;
    if (last)
      extras.lastRun = {
        id: last.id,
        status: last.status,
        createdAt: new Date(last.createdAt).toISOString(),
      };
    if (last && last.createdAt >= now - DAY_MS) {
      const counts = await countRuns(engine, { flowId: id, since: now - DAY_MS });
      const finished = counts.succeeded + counts.failed + counts.needs_attention;
      if (finished > 0) extras.successRate24h = counts.succeeded / finished;
    }
    out.set(id, extras);
  }
  return out;
}

/** Runs matching `query` by status (at most `max` of the newest are looked at; `capped` says so). */
export async function countRuns(
  engine: Engine,
  query: Omit<RunQuery, "cursor" | "limit">,
  max = MAX_COUNTED,
): Promise<Record<RunRecord["status"], number> & { capped: boolean }> {
  const counts = {
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    needs_attention: 0,
    skipped: 0,
    capped: false,
  };
  let cursor: string | undefined;
  let seen = 0;
  do {
    const page = await engine.store.listRuns({ ...query, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const run of page.runs) counts[run.status]++;
    seen += page.runs.length;
    cursor = page.nextCursor;
    if (cursor && seen >= max) {
      counts.capped = true;
      break;
    }
  } while (cursor);
  return counts;
}
