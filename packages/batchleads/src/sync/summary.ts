// What an import did (or, in a dry run, would do), as one object and as lines for a terminal.
import type { FieldReport } from "./custom-fields.ts";
import type { VerifyResult } from "./verify.ts";

export interface ImportSummary {
  file: string;
  importId: string;
  locationId: string;
  dryRun: boolean;
  /** False when the import was stopped before the end (run it again to finish). */
  complete: boolean;
  /** This run continued an import that had been stopped or killed; the counts cover all of it. */
  resumed: boolean;
  rowsRead: number;
  leads: number;
  rowsRejected: number;
  /** Where the rejected rows were written (none when no row was rejected). */
  rejectedFile?: string;
  /** `joined`: leads whose property went onto another lead's contact (same owner's email or phone). */
  contacts: { created: number; updated: number; unchanged: number; joined: number };
  /** The joined leads (the first 1,000): their rows, the contact and the lead whose contact it is. */
  joined: Array<{ key: string; rows: number[]; contactId: string; homeKey: string; by: string }>;
  /** Per custom field: values mapped onto options, options added, values left out and why. */
  fields: FieldReport[];
  /** With --verify: remembered contacts read back, the missing ones (recreated), hand changes. */
  verify?: VerifyResult;
  /** The per-row report (--report). */
  reportFile?: string;
  leadsFailed: number;
  notesCreated: number;
  tasksCreated: number;
  /** Hot transitions of litigator / opt-out leads: no call task, by rule. */
  complianceSkips: number;
  tagCalls: number;
  tagsAdded: number;
  customFieldsCreated: number;
  /** Calls to HighLevel over the whole import (all its runs); per operation for this run. */
  apiCalls: number;
  apiCallsByOperation: Record<string, number>;
  durationMs: number;
  warnings: string[];
  failures: Array<{ rows: number[]; error: string }>;
}

export function formatSummary(s: ImportSummary): string {
  const would = s.dryRun ? " (would be)" : "";
  const rows: Array<[string, string]> = [
    ["rows read", `${s.rowsRead}`],
    ["leads", `${s.leads}`],
    ["rows rejected", `${s.rowsRejected}${s.rejectedFile ? `  -> ${s.rejectedFile}` : ""}`],
    [`contacts created${would}`, `${s.contacts.created}`],
    [`contacts updated${would}`, `${s.contacts.updated}`],
    ["contacts unchanged", `${s.contacts.unchanged}`],
    [
      "joined another lead's contact",
      `${s.contacts.joined}${s.contacts.joined ? ' (same owner: a "Property:" note each on the owner\'s contact)' : ""}`,
    ],
    [`notes created${would}`, `${s.notesCreated}`],
    [`tasks created${would}`, `${s.tasksCreated}`],
    ["compliance skips", `${s.complianceSkips} (no call task for litigator / opt-out leads)`],
    [`tag calls${would}`, `${s.tagCalls} (${s.tagsAdded} contact tags)`],
  ];
  if (!s.dryRun) rows.push(["custom fields created", `${s.customFieldsCreated}`]);
  if (s.leadsFailed) rows.push(["leads failed", `${s.leadsFailed}`]);
  for (const f of s.fields) {
    const mapped = Object.entries(f.mapped).map(([m, n]) => `${m} (${n})`);
    const dropped = f.dropped.reduce((n, d) => n + d.leads, 0);
    const parts = [
      mapped.length ? `mapped ${mapped.join(", ")}` : "",
      f.added.length ? `options added: ${f.added.join(", ")}` : "",
      dropped ? `${dropped} left out` : "",
    ].filter(Boolean);
    rows.push([`field "${f.field}"`, parts.join("; ")]);
  }
  if (s.verify) {
    const hand = s.verify.handChanged.length;
    rows.push([
      "verified",
      `${s.verify.checked} contacts read back (${s.verify.calls} calls): ${s.verify.missing} missing (created again), ${hand} changed by hand (left as they are)`,
    ]);
  }
  if (s.reportFile) rows.push(["row report", s.reportFile]);
  const perLead = s.leads ? ` (${(s.apiCalls / s.leads).toFixed(2)} per lead)` : "";
  rows.push(["API calls", `${s.apiCalls}${perLead}`], ["duration", `${(s.durationMs / 1000).toFixed(1)} s`]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const head = s.dryRun
    ? "Dry run, nothing was written"
    : s.complete
      ? "Import finished"
      : "Import stopped before the end";
  return [
    `${head}${s.resumed ? " (resumed)" : ""}: ${s.file}`,
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    ...s.warnings.map((w) => `  warning: ${w}`),
    ...s.failures.map((f) => `  failed (row ${f.rows.join(", ")}): ${f.error}`),
  ].join("\n");
}
