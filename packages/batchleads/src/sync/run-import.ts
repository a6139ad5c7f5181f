// One import, start to end: identify the file (same file = same import, resumed if unfinished),
// stage its leads, sync them, write the rejected rows, and sum it all up.
import type { HighLevelClient } from "@hlconnect/client";
import type { Lead, LeadMapping, RejectedRow } from "../lead.ts";
import { mergeLeads } from "../normalize/merge.ts";
import { clientImportApi, type ImportApi } from "./api.ts";
import { ImportStoppedError } from "./errors.ts";
import { type SyncOutcome, syncStagedLeads } from "./executor.ts";
import { importIdentity } from "./identity.ts";
import { defaultRejectedPath, writeRejectedFile } from "./rejected-report.ts";
import { syncSettings } from "./settings.ts";
import { readLeads } from "./source.ts";
import { stageLeads } from "./stage.ts";
import { type ImportRecord, SyncState } from "./state.ts";
import type { ImportSummary } from "./summary.ts";

export interface ImportProgress {
  /** Reading counts bytes of the file; syncing counts leads. */
  phase: "reading" | "syncing";
  done: number;
  total: number;
}

export interface ImportOptions {
  file: string;
  locationId: string;
  /** Needed unless `dryRun` (or `api` is given). */
  client?: HighLevelClient;
  /** The operations to use instead of the client's (tests). */
  api?: ImportApi;
  mapping?: LeadMapping;
  /** No call at all; the summary says what would be written. */
  dryRun?: boolean;
  /** The state file; undefined = a temporary one (a dry run's default). */
  stateFile?: string;
  /** Where rejected rows go (default: `<input>.rejected.csv` next to the input). */
  rejectedFile?: string;
  concurrency?: number;
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** Rows read from the file (default: the export reader); tests may feed their own. */
  source?: (file: string, mapping: LeadMapping) => AsyncIterable<Lead | RejectedRow>;
}

/** Thrown when the import stops before the end; `summary` says how far it got. */
export class ImportIncompleteError extends ImportStoppedError {
  constructor(
    readonly stop: ImportStoppedError,
    readonly summary: ImportSummary,
  ) {
    super(stop.message, stop.code, { cause: stop.cause });
    this.name = "ImportIncompleteError";
  }
}

export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const dryRun = opts.dryRun ?? false;
  const mapping = opts.mapping ?? {};
  const api = dryRun
    ? undefined
    : (opts.api ?? (opts.client ? clientImportApi(opts.client, opts.locationId) : undefined));
  if (!dryRun && !api) throw new Error("runImport needs a HighLevel client (or dryRun)");
  const identity = await importIdentity(opts.file);
  const state = SyncState.open({ ...(opts.stateFile ? { file: opts.stateFile } : {}), dryRun });
  try {
    let record = state.beginImport(identity, opts.locationId);
    if (record.status === "staging") {
      const rows =
        opts.source?.(identity.file, mapping) ??
        readLeads(identity.file, mapping, (done, total) =>
          opts.onProgress?.({ phase: "reading", done, total }),
        );
      const staged = await stageLeads(state, record.id, rows, mergeLeads, opts.signal);
      if (staged) state.setImportStatus(record.id, "syncing");
      record = state.getImport(record.id)!;
    }

    const callsBefore = { ...(api?.calls.byOperation ?? {}) };
    // Stopped while reading: nothing synced yet (the next run reads the file again).
    let outcome: SyncOutcome = { fieldWarnings: [], tagRefusals: [], aborted: true };
    let stop: ImportStoppedError | undefined;
    if (record.status === "syncing") {
      try {
        outcome = await syncStagedLeads({
          state,
          api,
          settings: syncSettings(mapping),
          importId: record.id,
          locationId: opts.locationId,
          totals: record.totals,
          ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
          ...(opts.now ? { now: opts.now } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          onProgress: (done) => opts.onProgress?.({ phase: "syncing", done, total: record.leads }),
        });
        if (!outcome.aborted) state.setImportStatus(record.id, "done");
      } catch (err) {
        if (!(err instanceof ImportStoppedError)) throw err;
        stop = err;
        outcome = { fieldWarnings: [], tagRefusals: [], aborted: false };
      }
    }

    const rejectedFile = opts.rejectedFile ?? defaultRejectedPath(identity.file);
    let rejected = 0;
    let reportProblem: string | undefined;
    try {
      if (record.rejected > 0)
        rejected = writeRejectedFile(rejectedFile, () => state.rejectedRows(record.id));
    } catch (err) {
      // The import itself is done: say where the report could not go instead of failing it.
      reportProblem = `the rejected rows could not be written to ${rejectedFile} (${(err as Error).message}); pass --rejected FILE`;
    }
    const summary = summarize(state, state.getImport(record.id)!, {
      dryRun,
      complete: !stop && !outcome.aborted,
      outcome,
      callsByOperation: Object.fromEntries(
        Object.entries(api?.calls.byOperation ?? {})
          .map(([op, n]) => [op, n - (callsBefore[op] ?? 0)] as const)
          .filter(([, n]) => n > 0),
      ),
      durationMs: Date.now() - started,
      ...(rejected ? { rejectedFile } : {}),
    });
    if (reportProblem) summary.warnings.unshift(reportProblem);
    if (stop) throw new ImportIncompleteError(stop, summary);
    return summary;
  } finally {
    state.close();
  }
}

function summarize(
  state: SyncState,
  record: ImportRecord,
  run: {
    dryRun: boolean;
    complete: boolean;
    outcome: SyncOutcome;
    callsByOperation: Record<string, number>;
    durationMs: number;
    rejectedFile?: string;
  },
): ImportSummary {
  const c = state.leadCounts(record.id);
  const warnings: string[] = [];
  for (const w of run.outcome.fieldWarnings) {
    warnings.push(`${w.count} lead(s): a value was left out. ${w.example}`);
  }
  for (const r of run.outcome.tagRefusals) {
    warnings.push(`contact ${r.contactId} refused tags (${r.message}); it will be written again next import`);
  }
  return {
    file: record.file,
    importId: record.id,
    locationId: record.locationId,
    dryRun: run.dryRun,
    complete: run.complete,
    resumed: record.runs > 1,
    rowsRead: record.rowsRead,
    leads: record.leads,
    rowsRejected: record.rejected,
    ...(run.rejectedFile ? { rejectedFile: run.rejectedFile } : {}),
    contacts: { created: c.contactsCreated, updated: c.contactsUpdated, unchanged: c.contactsUnchanged },
    leadsFailed: c.leadsFailed,
    notesCreated: c.notesCreated,
    tasksCreated: c.tasksCreated,
    complianceSkips: c.complianceSkips,
    tagCalls: record.totals.tagCalls,
    tagsAdded: record.totals.tagsAdded,
    customFieldsCreated: record.totals.fieldsCreated,
    apiCalls: record.totals.apiCalls,
    apiCallsByOperation: run.callsByOperation,
    durationMs: run.durationMs,
    warnings,
    failures: state.failures(record.id, 20).map((f) => ({ rows: f.rows, error: f.error })),
  };
}
