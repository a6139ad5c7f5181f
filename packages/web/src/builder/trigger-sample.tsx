// The trigger's sample, which steps map from and previews evaluate on: "Test trigger" reads recent
// records through the flow's connection (an instant trigger through the same sampler dry runs use),
// the person picks one, and each choice says what it is, so example data is never taken for a real
// record.
import { useState } from "react";
import { api, messageOf } from "../api/client.ts";
import { Json } from "../components/ui.tsx";

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
interface SampleRecord {
  noun: string;
  name: string;
  createdAt?: string;
}

interface TestTriggerAnswer {
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

export function TriggerSampleSection({
  op,
  input,
  polling,
  connectionId,
  sample,
  exampleValue,
  onSample,
}: {
  op: string;
  input: Record<string, unknown> | undefined;
  polling: boolean;
  connectionId: string | undefined;
  sample: TriggerSampleState | undefined;
  /** The catalog's example, used until a test reads something. */
  exampleValue: unknown;
  onSample: (s: TriggerSampleState | undefined) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const test = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<TestTriggerAnswer>("/flows/test-trigger", {
        body: { trigger: { op, input: input ?? {} }, ...(connectionId ? { connectionId } : {}) },
      });
      const next = sampleFromAnswer(r);
      if (typeof next === "string") setError(next);
      else onSample(next);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const label = sample?.labels[sample.index];
  return (
    <>
      <h3 style={{ marginTop: 12 }}>Sample data</h3>
      <p className="muted small">
        Steps map from this sample.{" "}
        <span className={sample && !sample.example ? "badge info" : "badge"} data-testid="sample-source">
          using {label ?? "the catalog's example data"}
        </span>
      </p>
      <div className="row">
        <button type="button" onClick={() => void test()} disabled={busy} data-testid="test-trigger">
          {busy ? "Testing…" : polling ? "Load recent records" : "Test trigger"}
        </button>
        <button type="button" className="ghost" onClick={() => onSample(undefined)}>
          Use example data
        </button>
      </div>
      {sample && sample.items.length > 1 ? (
        <div className="field" style={{ marginTop: 8 }}>
          <label htmlFor="trigger-item">Record to use</label>
          <select
            id="trigger-item"
            value={sample.index}
            onChange={(e) => onSample({ ...sample, index: Number(e.target.value) })}
          >
            {sample.labels.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: results in the order read
              <option key={i} value={i}>
                {l}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      <details style={{ marginTop: 8 }}>
        <summary>Show the sample</summary>
        <Json value={sample ? sample.items[sample.index] : exampleValue} label="Trigger sample" />
      </details>
    </>
  );
}
