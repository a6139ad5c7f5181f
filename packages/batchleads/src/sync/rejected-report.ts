// The rejected-rows file: one CSV line per row that could not become a lead, with the reason and
// the row's original values, so nothing is silently lost and the rows can be fixed and re-imported.
import { closeSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import type { RejectedRow } from "../lead.ts";

/** `export.csv` -> `export.rejected.csv`, next to the input. */
export function defaultRejectedPath(input: string): string {
  const ext = path.extname(input);
  return path.join(path.dirname(input), `${path.basename(input, ext)}.rejected.csv`);
}

export function csvCell(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * Write the report. `rows` is called twice (columns first, then the lines), so the rows can be
 * paged from the state instead of held in memory.
 */
export function writeRejectedFile(file: string, rows: () => Iterable<RejectedRow>): number {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows()) {
    for (const k of Object.keys(r.values)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  const fd = openSync(file, "w");
  let count = 0;
  try {
    writeSync(fd, `${["row", "reason", ...columns].map(csvCell).join(",")}\r\n`);
    for (const r of rows()) {
      const cells = [String(r.row), r.reason, ...columns.map((c) => r.values[c] ?? "")];
      writeSync(fd, `${cells.map(csvCell).join(",")}\r\n`);
      count++;
    }
  } finally {
    closeSync(fd);
  }
  return count;
}
