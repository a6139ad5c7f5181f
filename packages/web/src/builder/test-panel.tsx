// The result of testing a trigger or a step: what was sent (after mapping), what came back, the
// request and how long it took. Tabs so the button stays in view.
import { useState } from "react";
import { Json } from "../components/ui.tsx";

export interface StepTestResult {
  input?: unknown;
  output?: unknown;
  ms?: number;
  request?: { method: string; path: string; status?: number; ms?: number } | null;
  error?: { message: string; status?: number };
}

export function TestResult({ result, exampleSample }: { result: StepTestResult; exampleSample?: boolean }) {
  const [tab, setTab] = useState<"output" | "input" | "request">(result.error ? "input" : "output");
  const tabs: Array<[typeof tab, string]> = [
    ["output", "Output"],
    ["input", "Input"],
    ["request", "Request"],
  ];
  return (
    <div data-testid="test-result">
      {result.error ? (
        <p className="error-text" role="alert">
          Failed{result.error.status ? ` (${result.error.status})` : ""}: {result.error.message}
          {exampleSample && result.request ? (
            <span className="muted">
              {" "}
              The trigger's sample is example data, so its ids do not exist in your account: test the trigger
              on a real record, or map fixed values to try the step.
            </span>
          ) : null}
        </p>
      ) : (
        <p className="small">
          <span className="badge ok">tested</span>{" "}
          {result.request ? (
            <span className="mono">
              {result.request.method} {result.request.path} → {result.request.status ?? "ok"}
            </span>
          ) : null}{" "}
          {result.ms !== undefined ? <span className="muted">in {result.ms} ms</span> : null}
        </p>
      )}
      <div className="tabs" role="tablist" aria-label="Test result">
        {tabs.map(([k, label]) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} onClick={() => setTab(k)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel">
        {tab === "output" ? <Json value={result.output} label="Output" /> : null}
        {tab === "input" ? <Json value={result.input} label="Input after mapping" /> : null}
        {tab === "request" ? <Json value={{ ...result.request, ms: result.ms }} label="Request" /> : null}
      </div>
    </div>
  );
}
