// What the import page says about an import: its progress as the phase's own share (17 of 300 leads
// sent is 5 %, whatever the server's overall figure weighs the reading in at), and the summary's
// figures in words that fit a dry run ("would create") or a real import ("created").
import type { ImportView } from "../api/types.ts";
import { count } from "../components/count.ts";

export interface ShownProgress {
  /** 0–100, the same share as `detail` says. */
  percent: number;
  /** "reading the file", "sending to HighLevel: 17 of 300 leads"; empty when done. */
  detail: string;
}

export function shownProgress(view: ImportView): ShownProgress {
  if (view.status === "succeeded") return { percent: 100, detail: "" };
  const p = view.progress;
  if (!p) return { percent: 0, detail: "" };
  const share = p.total > 0 ? Math.max(0, Math.min(1, p.done / p.total)) : 0;
  // Rounded down, so 100 % only shows when everything is done.
  const percent = Math.floor(share * 100);
  if (view.status === "failed") return { percent, detail: "" };
  if (p.phase === "reading") return { percent, detail: "reading the file" };
  if (p.phase === "syncing")
    return {
      percent,
      detail: `${view.dryRun ? "checking" : "sending to HighLevel"}: ${p.done.toLocaleString("en-US")} of ${count(p.total, "lead")}`,
    };
  return { percent, detail: "" };
}

/** The figures a person reads first, in order: key, label after an import, label for a dry run. */
export const FIGURES: Array<[key: string, done: string, would: string]> = [
  ["rowsRead", "Rows read", "Rows read"],
  ["leads", "Leads", "Leads"],
  ["rowsRejected", "Rows rejected", "Rows rejected"],
  ["contacts.created", "Contacts created", "Contacts it would create"],
  ["contacts.updated", "Contacts updated", "Contacts it would update"],
  ["contacts.unchanged", "Contacts unchanged", "Contacts it would leave unchanged"],
  ["contacts.joined", "Leads joined onto another contact", "Leads it would join onto another contact"],
  ["notesCreated", "Notes created", "Notes it would create"],
  ["tasksCreated", "Tasks created", "Tasks it would create"],
  ["tagsAdded", "Tags added", "Tags it would add"],
  ["complianceSkips", "Call tasks skipped (compliance)", "Call tasks it would skip (compliance)"],
  ["leadsFailed", "Leads failed", "Leads that would fail"],
];
