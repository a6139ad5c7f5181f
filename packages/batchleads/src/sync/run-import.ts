// One import, start to end: identify the file (same file = same import, resumed if unfinished),
// stage its leads, sync them, write the rejected rows, and sum it all up.
import type { HighLevelClient } from "@hlconnect/client";
import type { Lead, LeadMapping, RejectedRow } from "../lead.ts";
import { mergeLeads } from "../normalize/merge.ts";
import { clientImportApi, type ImportApi } from "./api.ts";
import { ImportStoppedError } from "./errors.ts";
import { type SyncOutcome, syncStagedLeads } from "./executor.ts";
import { importIdentity } from "./identity.ts";
import { acquireImportLock, type ImportLock } from "./lock.ts";
import { defaultRejectedPath, writeRejectedFile } from "./rejected-report.ts";
import { writeRowReport } from "./row-report.ts";
import { syncSettings } from "./settings.ts";
import { readLeads } from "./source.ts";
import { stageLeads } from "./stage.ts";
import { type ImportRecord, SyncState } from "./state.ts";
import { stateScope } from "./state-location.ts";
import type { ImportSummary } from "./summary.ts";
import { sampleRemembered, type VerifyResult, verifyImport } from "./verify.ts";

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
  /** A JSON line per row of the file: what was written for it and what was skipped, and why. */
  reportFile?: string;
  /** Read every remembered contact of the file back from HighLevel first (recreate the missing). */
  verify?: boolean;
  /** Never add options to a picklist field; values no option means are left out (and reported). */
  noNewOptions?: boolean;
  /** The API base URL the state names this account by (default: the client's). */
  baseUrl?: string;
  concurrency?: number;
  now?: () => Date;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /**
   * Who runs this import, named in the refusal another import gets while this one holds the state file
   * (default "an import of <file>"). A real import with a state file holds it from start to end.
   */
  holder?: string;
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

/** Joined leads listed in the summary (the count covers all of them). */
const JOINED_LISTED = 1000;

export async function runImport(opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const dryRun = opts.dryRun ?? false;
  const mapping = opts.mapping ?? {};
  const api = dryRun
    ? undefined
    : (opts.api ?? (opts.client ? clientImportApi(opts.client, opts.locationId) : undefined));
  if (!dryRun && !api) throw new Error("runImport needs a HighLevel client (or dryRun)");
  if (opts.verify && dryRun)
    throw new Error("--verify reads HighLevel: it cannot be combined with a dry run");
  const identity = await importIdentity(opts.file);
  // What was written is remembered per account: API base URL + location.
  const scope = stateScope(opts.baseUrl ?? opts.client?.baseUrl, opts.locationId);
  // A dry run only reads the state (its work is in TEMP tables): it needs no lock and takes none.
  const lock: ImportLock | undefined =
    !dryRun && opts.stateFile
      ? acquireImportLock(opts.stateFile, opts.holder ?? `an import of ${identity.file}`)
      : undefined;
  let state: SyncState;
  try {
    state = SyncState.open({ ...(opts.stateFile ? { file: opts.stateFile } : {}), dryRun });
  } catch (err) {
    lock?.release();
    throw err;
  }
  try {
    let record = state.beginImport(identity, scope);
    // What the reader says about the file as a whole (encoding, title rows, columns, values left out).
    const notices: string[] = [];
    if (record.status === "staging") {
      const rows =
        opts.source?.(identity.file, mapping) ??
        readLeads(
          identity.file,
          mapping,
          (done, total) => opts.onProgress?.({ phase: "reading", done, total }),
          (notice) => notices.push(notice),
        );
      const staged = await stageLeads(state, record.id, rows, mergeLeads, opts.signal);
      if (staged) state.setImportStatus(record.id, "syncing");
      record = state.getImport(record.id)!;
    }

    const callsBefore = { ...(api?.calls.byOperation ?? {}) };
    // Stopped while reading: nothing synced yet (the next run reads the file again).
    let outcome: SyncOutcome = { fieldWarnings: [], tagRefusals: [], aborted: true };
    let stop: ImportStoppedError | undefined;
    let verified: VerifyResult | undefined;
    const callsAtStart = api?.calls.total ?? 0;
    const checks: string[] = [];
    if (record.status === "syncing") {
      try {
        if (api && opts.verify) verified = await verifyImport(state, api, scope, record.id);
        else if (api) {
          // One read: do the contacts this account remembers still exist?
          const sample = await sampleRemembered(state, api, scope);
          if (sample.missing) {
            checks.push(
              `${sample.missing} of ${sample.checked} remembered contacts checked are gone from HighLevel (deleted, or the account was reset or restored): leads remembered as unchanged are not written again. Run with --verify to find and recreate them`,
            );
          }
        }
        // The checks' reads count as the import's calls too.
        record.totals.apiCalls += (api?.calls.total ?? 0) - callsAtStart;
        outcome = await syncStagedLeads({
          state,
          api,
          settings: syncSettings(mapping),
          importId: record.id,
          locationId: scope,
          totals: record.totals,
          keepReports: opts.reportFile !== undefined,
          fieldOptions: {
            ...(mapping.fieldValues ? { fieldValues: mapping.fieldValues } : {}),
            ...(opts.noNewOptions ? { noNewOptions: true } : {}),
          },
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
    let rowReportProblem: string | undefined;
    if (opts.reportFile) {
      try {
        writeRowReport(opts.reportFile, state, record.id, scope);
      } catch (err) {
        rowReportProblem = `the row report could not be written to ${opts.reportFile} (${(err as Error).message})`;
      }
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
      ...(verified ? { verified } : {}),
    });
    if (opts.reportFile && !rowReportProblem) summary.reportFile = opts.reportFile;
    summary.warnings.unshift(...notices, ...checks);
    if (reportProblem) summary.warnings.unshift(reportProblem);
    if (rowReportProblem) summary.warnings.unshift(rowReportProblem);
    if (stop) throw new ImportIncompleteError(stop, summary);
    return summary;
  } finally {
    state.close();
    lock?.release();
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
    verified?: VerifyResult;
  },
): ImportSummary {
  const c = state.leadCounts(record.id);
  const warnings: string[] = [];
  for (const f of run.outcome.fieldReports ?? []) {
    const dropped = f.dropped.reduce((n, d) => n + d.leads, 0);
    if (!dropped) continue;
    const values = f.dropped
      .slice(0, 5)
      .map((d) => `"${d.value}" (${d.leads}): ${d.why}`)
      .join("; ");
    warnings.push(
      `${f.field}: ${dropped} value(s) left out. ${values}${f.dropped.length > 5 ? "; ..." : ""}`,
    );
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
    contacts: {
      created: c.contactsCreated,
      updated: c.contactsUpdated,
      unchanged: c.contactsUnchanged,
      joined: c.contactsJoined,
    },
    joined: state.joinedLeads(record.id, JOINED_LISTED),
    fields: run.outcome.fieldReports ?? [],
    ...(run.verified ? { verify: run.verified } : {}),
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
