// The trigger's sample, which steps map from and previews evaluate on: "Test trigger" reads recent
// records through the flow's connection (an instant trigger through the same sampler dry runs use),
// the person picks one, and each choice says what it is, so example data is never taken for a real
// record.
import { useState } from "react";
import { api, messageOf } from "../api/client.ts";
import { Json } from "../components/ui.tsx";
import { sampleFromAnswer, type TestTriggerAnswer, type TriggerSampleState } from "./sample-labels.ts";

export type { TriggerSampleState };

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
