// Back to BatchLeads: HighLevel changes as a CSV in BatchLeads' import format. The CSV is written
// before the state that remembers it, so a run killed half way exports the same rows again next time
// (nothing is lost; BatchLeads' import matches rows by property address, so a repeat is harmless).
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { BATCHLEADS_IMPORT_HEADERS } from "@hlconnect/catalog/entries/batchdata";
import type { HighLevelClient } from "@hlconnect/client";
import {
  type CollectOptions,
  type CollectResult,
  collectLeadUpdates,
  type ExportState,
  emptyState,
} from "./collect.ts";
import { toCsv } from "./csv.ts";

export {
  type CollectOptions,
  type CollectResult,
  collectLeadUpdates,
  type ExportState,
  emptyState,
} from "./collect.ts";
export { csvField, csvLine, toCsv } from "./csv.ts";
export { BATCHLEADS_IMPORT_HEADERS };

export class ExportStateError extends Error {
  constructor(file: string, why: string) {
    super(`${file}: ${why}; fix or delete the file (deleting it exports every contact again)`);
    this.name = "ExportStateError";
  }
}

export function readExportState(file: string): ExportState {
  if (!existsSync(file)) return emptyState();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ExportStateError(file, `not JSON (${(err as Error).message})`);
  }
  const s = parsed as Partial<ExportState>;
  if (s?.version !== 1 || !s.rows || typeof s.rows !== "object")
    throw new ExportStateError(file, "not an export state");
  return s as ExportState;
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Rows as BatchLeads imports them (the export's headers), one line per changed contact. */
export function importCsv(result: Pick<CollectResult, "rows">): string {
  return toCsv(BATCHLEADS_IMPORT_HEADERS, result.rows);
}

/**
 * Collect the changes, write them to `file` (nothing is written when nothing changed) and remember
 * them in `stateFile` so the next run sends only what changed after.
 */
export async function exportLeadUpdates(
  client: HighLevelClient,
  options: Omit<CollectOptions, "state"> & { file: string; stateFile?: string },
): Promise<Omit<CollectResult, "state"> & { file?: string }> {
  const { file, stateFile, ...collect } = options;
  const state = stateFile ? readExportState(stateFile) : undefined;
  const result = await collectLeadUpdates(client, { ...collect, ...(state ? { state } : {}) });
  if (result.rows.length) writeAtomically(file, importCsv(result));
  if (stateFile) writeAtomically(stateFile, `${JSON.stringify(result.state)}\n`);
  const { state: _s, ...summary } = result;
  return { ...summary, ...(result.rows.length ? { file } : {}) };
}
