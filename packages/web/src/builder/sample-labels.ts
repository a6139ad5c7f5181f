// What a trigger test read, as the builder offers it: each record named for what it is ("latest contact
// from HighLevel: Ann Lee, created …"), and the catalog's example named as example data with the reason
// there is no real record. No DOM here, so the labels are tested without a browser.

/** What the test read, and which of it steps map from (kept by the builder across panels). */
export interface TriggerSampleState {
  items: unknown[];
  /** One per item, as the badge and the picker show it. */
  labels: string[];
  index: number;
  /** The catalog's example: its ids exist in no account. */
  example: boolean;
}

/** The record one sampled item is, as the server describes it. */
export interface SampleRecord {
  noun: string;
  name: string;
  createdAt?: string;
}

export interface TestTriggerAnswer {
  items?: unknown[];
  source?: "live" | "example";
  records?: SampleRecord[];
  reason?: "not-readable" | "no-connection" | "none-found";
  note?: string;
  error?: { message: string };
}

const EXAMPLE_REASONS: Record<NonNullable<TestTriggerAnswer["reason"]>, string> = {
  "none-found": "no recent record found",
  "not-readable": "HighLevel has no way to read this event back",
  "no-connection": "no connection to read through yet",
};

const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "latest contact from HighLevel: Ann Lee, created 7 Dec 2026, 14:20" and the like. */
export function recordLabel(r: SampleRecord, i: number): string {
  const created = r.createdAt ? `, created ${when(r.createdAt)}` : "";
  return `${i === 0 ? "latest" : `#${i + 1}`} ${r.noun} from HighLevel: ${r.name}${created}`;
}

/** The answer of POST /api/flows/test-trigger as the sample to use (the first item), or an error. */
export function sampleFromAnswer(r: TestTriggerAnswer): TriggerSampleState | string {
  if (r.error || !r.items)
    return `The trigger could not be read: ${r.error?.message ?? "no items in the answer"}`;
  if (!r.items.length)
    return "Nothing found: create a record in HighLevel (or the sandbox), then test again. Mapping uses the example data meanwhile.";
  if (r.source === "example") {
    const why = r.reason ? EXAMPLE_REASONS[r.reason] : "nothing to read";
    return { items: r.items, labels: [`example data (${why})`], index: 0, example: true };
  }
  const labels = r.records
    ? r.records.map(recordLabel)
    : r.items.map((_, i) => `Result #${i + 1} from HighLevel`);
  return { items: r.items, labels, index: 0, example: false };
}
