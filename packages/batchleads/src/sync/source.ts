// The export file as leads: part A's streaming reader and row normaliser, with unreadable rows turned
// into rejected rows (kept for the report) instead of stopping the import.
import { isRowError, readExportRows } from "../file/read.ts";
import type { Lead, LeadMapping, RejectedRow } from "../lead.ts";
import { normalizeRow } from "../normalize/row.ts";

export async function* readLeads(
  file: string,
  mapping: LeadMapping,
  onBytes?: (read: number, total: number) => void,
): AsyncGenerator<Lead | RejectedRow> {
  for await (const item of readExportRows(file, { mapping, ...(onBytes ? { onProgress: onBytes } : {}) })) {
    if (isRowError(item)) {
      yield { row: item.row, reason: `unreadable row: ${item.error}`, values: { raw: item.raw ?? "" } };
    } else {
      yield normalizeRow(item.values, item.row, mapping);
    }
  }
}
