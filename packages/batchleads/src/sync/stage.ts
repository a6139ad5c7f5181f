// Filling the staging table: rows stream in, are batched, and each batch is merged into the staged
// leads in one transaction (rows of the same property merge, the later row winning). Memory holds
// one batch, whatever the file size. Resolves false when stopped before the end of the file.
import type { Lead, RejectedRow } from "../lead.ts";
import { isRejected } from "../normalize/row.ts";
import type { SyncState } from "./state.ts";

export async function stageLeads(
  state: SyncState,
  importId: string,
  items: AsyncIterable<Lead | RejectedRow>,
  merge: (earlier: Lead, later: Lead) => Lead,
  signal?: AbortSignal,
  // Small batches: a batch waits across many awaits, and a smaller one is less often promoted to V8's old
  // generation; a transaction per 100 rows costs nothing measurable.
  batchSize = 100,
): Promise<boolean> {
  let leads: Lead[] = [];
  let rejected: RejectedRow[] = [];
  const flush = () => {
    state.stageBatch(importId, leads, rejected, leads.length + rejected.length, merge);
    leads = [];
    rejected = [];
  };
  for await (const item of items) {
    if (isRejected(item)) rejected.push(item);
    else leads.push(item);
    if (leads.length + rejected.length >= batchSize) flush();
    // Stopped while reading: staging writes nothing to HighLevel, the next run stages again.
    if (signal?.aborted) return false;
  }
  flush();
  return true;
}
