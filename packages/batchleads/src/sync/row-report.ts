// The per-row audit (`--report FILE`): one JSON line per data row of the export, so any row can be
// followed to HighLevel: its lead, the contact it is on, what was written and what was skipped and why.
// Rows merged into one lead (the same property twice) each get the lead's line, naming the others.
// Written page by page from the state: constant memory whatever the file size.
import { closeSync, openSync, writeSync } from "node:fs";
import type { LeadReport } from "./executor.ts";
import type { SyncState } from "./state.ts";

export interface RowReportLine {
  row: number;
  key: string | null;
  contactId: string | null;
  /** created | updated | unchanged | joined (same owner: on another lead's contact) | failed | rejected | pending */
  outcome: string;
  written: string[];
  skipped: Array<{ what: string; why: string }>;
  /** The other rows of the same property, merged into this lead. */
  mergedWith?: number[];
  joinedLead?: string;
}

export function writeRowReport(file: string, state: SyncState, importId: string, scope: string): number {
  const fd = openSync(file, "w");
  let lines = 0;
  const put = (line: RowReportLine) => {
    writeSync(fd, `${JSON.stringify(line)}\n`);
    lines++;
  };
  try {
    for (const s of state.stagedReports(importId)) {
      const report = (s.report ?? { written: [], skipped: [] }) as LeadReport;
      const w = state.getWritten(scope, s.lead.key);
      const contactId = w?.contactId && !w.contactId.startsWith("dry:") ? w.contactId : null;
      const outcome =
        s.state === "failed" ? "failed" : s.state === "done" ? (s.contact ?? "unchanged") : "pending";
      const skipped = s.error ? [...report.skipped, { what: "lead", why: s.error }] : report.skipped;
      for (const row of s.lead.rows) {
        const others = s.lead.rows.filter((r) => r !== row);
        put({
          row,
          key: s.lead.key,
          contactId,
          outcome,
          written: report.written,
          skipped,
          ...(others.length ? { mergedWith: others } : {}),
          ...(w?.role === "joined" && w.homeKey ? { joinedLead: w.homeKey } : {}),
        });
      }
    }
    for (const r of state.rejectedRows(importId)) {
      put({
        row: r.row,
        key: null,
        contactId: null,
        outcome: "rejected",
        written: [],
        skipped: [{ what: "row", why: r.reason }],
      });
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}
