// The export file as leads: part A's streaming reader and row normaliser, with unreadable rows turned
// into rejected rows (kept for the report) instead of stopping the import. What the person should know
// about the file as a whole (its encoding, skipped title rows, odd columns, values left out) is said
// through `onNotice`, once each, with a row and column for the examples.
import { isRowError, readExportRows } from "../file/read.ts";
import type { Lead, LeadMapping, RejectedRow } from "../lead.ts";
import { isRejected, normalizeRow } from "../normalize/row.ts";

/** Examples of values left out named in the notice (every one is in the --report file). */
const EXAMPLES = 3;

export async function* readLeads(
  file: string,
  mapping: LeadMapping,
  onBytes?: (read: number, total: number) => void,
  onNotice?: (message: string) => void,
): AsyncGenerator<Lead | RejectedRow> {
  let rowsWithProblems = 0;
  let problems = 0;
  const examples: string[] = [];
  for await (const item of readExportRows(file, {
    mapping,
    ...(onBytes ? { onProgress: onBytes } : {}),
    ...(onNotice ? { onNotice } : {}),
  })) {
    if (isRowError(item)) {
      yield { row: item.row, reason: `unreadable row: ${item.error}`, values: { raw: item.raw ?? "" } };
      continue;
    }
    const lead = normalizeRow(item.values, item.row, mapping);
    if (!isRejected(lead) && lead.problems.length) {
      rowsWithProblems++;
      problems += lead.problems.length;
      for (const p of lead.problems) if (examples.length < EXAMPLES) examples.push(`row ${item.row}: ${p}`);
    }
    yield lead;
  }
  if (rowsWithProblems && onNotice) {
    onNotice(
      `${problems} value(s) in ${rowsWithProblems} row(s) were left out or read with a safe default (${examples.join("; ")}${problems > examples.length ? "; ..." : ""}); --report FILE lists them row by row`,
    );
  }
}
