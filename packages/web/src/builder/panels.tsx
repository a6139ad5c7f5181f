// The editor beside the list: flow settings, the trigger, or one step (with its test).
import { useState } from "react";
import { api, type FlowProblem, messageOf } from "../api/client.ts";
import type {
  CatalogEntry,
  CatalogSummary,
  ConnectionView,
  FlowDocument,
  StepDocument,
} from "../api/types.ts";
import { fieldLabel } from "../components/schema.ts";
import { Json, Scroll } from "../components/ui.tsx";
import { mappingContext, useBuilder } from "./builder-context.ts";
import { CatalogPicker } from "./catalog-picker.tsx";
import { ExpressionInput } from "./expression-input.tsx";
import { cleanInput, problemsUnder, slugify } from "./flow-doc.ts";
import { SchemaForm } from "./schema-form.tsx";
import { type StepTestResult, TestResult } from "./test-panel.tsx";
import { TriggerSampleSection, type TriggerSampleState } from "./trigger-sample.tsx";

const EVERY = ["1m", "2m", "5m", "10m", "15m"];

export function SettingsPanel({
  doc,
  isNew,
  source,
  connections,
  problems,
  onChange,
  onIdTouched,
  idFollowsName,
  onTouched,
}: {
  doc: FlowDocument;
  isNew: boolean;
  source: string | undefined;
  connections: ConnectionView[];
  problems: FlowProblem[];
  onChange: (fn: (d: FlowDocument) => FlowDocument) => void;
  onIdTouched: () => void;
  /** A new flow's id follows its name until the id is edited by hand. */
  idFollowsName: boolean;
  /** Focus left a field (its path, e.g. "name"): its "required" problem shows from then on. */
  onTouched?: (path: string) => void;
}) {
  const errs = problemsUnder(problems, "");
  const filterText = typeof doc.filter === "string" ? doc.filter : undefined;
  return (
    <div>
      <h2>Flow settings</h2>
      <div className="field">
        <label htmlFor="flow-name">
          Name
          <span className="req" aria-hidden="true">
            *
          </span>
          <span className="sr-only"> (required)</span>
        </label>
        <input
          id="flow-name"
          value={doc.name}
          onBlur={() => onTouched?.("name")}
          onChange={(e) => {
            const name = e.target.value;
            onChange((d) => ({ ...d, name, ...(idFollowsName ? { id: slugify(name) } : {}) }));
          }}
        />
        {errs.get("name") ? <div className="error">{errs.get("name")!.join("; ")}</div> : null}
      </div>
      <div className="field">
        <label htmlFor="flow-id">
          Id
          <span className="req" aria-hidden="true">
            *
          </span>
          <span className="sr-only"> (required)</span>
        </label>
        <input
          id="flow-id"
          value={doc.id}
          readOnly={!isNew}
          onBlur={() => onTouched?.("id")}
          aria-describedby="flow-id-hint"
          onChange={(e) => {
            onIdTouched();
            onChange((d) => ({ ...d, id: e.target.value }));
          }}
        />
        <div className="hint" id="flow-id-hint">
          {isNew
            ? "Lowercase letters, digits and dashes; also the file name."
            : "The id names the file and cannot change."}
        </div>
        {errs.get("id") ? <div className="error">{errs.get("id")!.join("; ")}</div> : null}
      </div>
      <div className="field">
        <label htmlFor="flow-description">Description</label>
        <textarea
          id="flow-description"
          value={doc.description ?? ""}
          onChange={(e) => onChange((d) => ({ ...d, description: e.target.value || undefined }))}
        />
      </div>
      <div className="field">
        <label htmlFor="flow-connection">Connection</label>
        <select
          id="flow-connection"
          value={doc.connection ?? ""}
          onChange={(e) => onChange((d) => ({ ...d, connection: e.target.value || undefined }))}
        >
          <option value="">{defaultConnectionLabel(connections)}</option>
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label} ({c.id})
            </option>
          ))}
        </select>
        {errs.get("connection") ? <div className="error">{errs.get("connection")!.join("; ")}</div> : null}
      </div>
      <div className="field">
        <label htmlFor="flow-filter">Only run when (filter)</label>
        {filterText !== undefined || doc.filter === undefined ? (
          <ExpressionInput
            id="flow-filter"
            value={filterText ?? ""}
            condition
            placeholder='e.g. trigger.email exists and trigger.source != "import"'
            onChange={(v) => onChange((d) => ({ ...d, filter: v.trim() ? v : undefined }))}
            describedBy="flow-filter-hint"
          />
        ) : (
          <Json value={doc.filter} label="Filter (edit it in the YAML file)" />
        )}
        <div className="hint" id="flow-filter-hint">
          A condition on the trigger's data, written as in the YAML (docs/mapping.md › Conditions).
        </div>
        {errs.get("filter") ? <div className="error">{errs.get("filter")!.join("; ")}</div> : null}
      </div>
      {source ? (
        <details>
          <summary>The saved YAML file</summary>
          <Scroll label="Saved YAML">{source}</Scroll>
        </details>
      ) : null}
    </div>
  );
}

export function TriggerPanel({
  doc,
  entries,
  entry,
  hook,
  problems,
  sample,
  connectionId,
  onSample,
  onChange,
  onNameSuggestion,
  onTouched,
}: {
  doc: FlowDocument;
  entries: CatalogSummary[];
  entry: CatalogEntry | undefined;
  hook: { path: string; secret: string } | undefined;
  problems: FlowProblem[];
  sample: TriggerSampleState | undefined;
  connectionId: string | undefined;
  onSample: (s: TriggerSampleState | undefined) => void;
  onChange: (t: FlowDocument["trigger"]) => void;
  onNameSuggestion: (name: string) => void;
  /** Focus left a field (its path): its "required" problem shows from then on. */
  onTouched?: (path: string) => void;
}) {
  const [choosing, setChoosing] = useState(!doc.trigger.op && !doc.trigger.webhook);
  const errs = problemsUnder(problems, "trigger.input");
  const own = problemsUnder(problems, "trigger");

  if (choosing) {
    return (
      <CatalogPicker
        entries={entries}
        kind="trigger"
        allowWebhook
        onPick={(key) => {
          setChoosing(false);
          onSample(undefined);
          if (key === "webhook") {
            onChange({ webhook: {} });
            onNameSuggestion("Webhook flow");
          } else {
            const e = entries.find((x) => x.key === key);
            onChange({ op: key, ...(e?.mode === "polling" ? { every: "5m" } : {}) });
            if (e) onNameSuggestion(e.name.replace(/\s*\(instant\)$/, ""));
          }
        }}
        {...(doc.trigger.op || doc.trigger.webhook ? { onCancel: () => setChoosing(false) } : {})}
      />
    );
  }

  if (doc.trigger.webhook) {
    const url = hook ? `${window.location.origin}${hook.path}` : undefined;
    return (
      <div>
        <div className="row spread">
          <h2>Its own webhook</h2>
          <button type="button" className="small" onClick={() => setChoosing(true)}>
            Change
          </button>
        </div>
        <p className="muted">Any JSON posted to this URL starts a run; the body becomes “trigger”.</p>
        {url && hook ? (
          <>
            <CopyField id="hook-url" label="URL" value={url} />
            <CopyField
              id="hook-secret"
              label="Secret (send as ?secret= or the x-hlconnect-secret header)"
              value={hook.secret}
              secret
            />
          </>
        ) : (
          <p className="banner">Save the flow to get its URL and secret.</p>
        )}
      </div>
    );
  }

  const mode = entries.find((e) => e.key === doc.trigger.op)?.mode;
  return (
    <div>
      <div className="row spread">
        <h2>{entry?.name ?? doc.trigger.op}</h2>
        <button type="button" className="small" onClick={() => setChoosing(true)}>
          Change
        </button>
      </div>
      <p className="muted">{entry?.description}</p>
      {own.get("op")?.length ? <div className="error">{own.get("op")!.join("; ")}</div> : null}
      {mode === "polling" ? (
        <div className="field">
          <label htmlFor="trigger-every">Check every</label>
          <select
            id="trigger-every"
            value={doc.trigger.every ?? "5m"}
            onChange={(e) => onChange({ ...doc.trigger, every: e.target.value })}
          >
            {EVERY.map((v) => (
              <option key={v} value={v}>
                {v.replace("m", " min")}
              </option>
            ))}
          </select>
          <div className="hint">Each check costs one request when nothing is new.</div>
        </div>
      ) : mode === "instant" ? (
        <p className="banner small">
          Instant: runs the moment HighLevel sends the {entry?.event ?? ""} event to this server's{" "}
          <code>/webhooks/highlevel</code>.
        </p>
      ) : null}
      {entry ? (
        <SchemaForm
          schema={entry.input}
          value={doc.trigger.input ?? {}}
          idPrefix="trigger"
          entryKey={doc.trigger.op}
          errors={errs}
          onFieldBlur={(name) => onTouched?.(`trigger.input.${name}`)}
          onChange={(v) => {
            const input = cleanInput(v);
            const { input: _old, ...rest } = doc.trigger;
            onChange(Object.keys(input).length ? { ...rest, input } : rest);
          }}
        />
      ) : null}
      {doc.trigger.op ? (
        <TriggerSampleSection
          op={doc.trigger.op}
          input={doc.trigger.input}
          polling={mode === "polling"}
          connectionId={connectionId}
          sample={sample}
          exampleValue={entry?.output.sample}
          onSample={onSample}
        />
      ) : null}
    </div>
  );
}

function CopyField({
  id,
  label,
  value,
  secret,
}: {
  id: string;
  label: string;
  value: string;
  secret?: boolean;
}) {
  const [shown, setShown] = useState(!secret);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="row" style={{ flexWrap: "nowrap" }}>
        <input id={id} readOnly value={shown ? value : "•".repeat(24)} className="mono" />
        {secret ? (
          <button type="button" className="small" onClick={() => setShown(!shown)}>
            {shown ? "Hide" : "Show"}
          </button>
        ) : null}
        <button type="button" className="small" onClick={() => void navigator.clipboard.writeText(value)}>
          Copy
        </button>
      </div>
    </div>
  );
}

export function StepPanel({
  index,
  step,
  entry,
  problems,
  test,
  onTest,
  onChange,
  onRemove,
  onTouched,
  onReveal,
}: {
  index: number;
  step: StepDocument;
  entry: CatalogEntry | undefined;
  problems: FlowProblem[];
  test: StepTestResult | undefined;
  onTest: (r: StepTestResult) => void;
  onChange: (s: StepDocument) => void;
  onRemove: () => void;
  /** Focus left a field (its path): its "required" problem shows from then on. */
  onTouched?: (path: string) => void;
  /** Show every problem of this step (Test was pressed). */
  onReveal?: () => void;
}) {
  const b = useBuilder();
  const [busy, setBusy] = useState(false);
  const prefix = `steps[${index}]`;
  const errs = problemsUnder(problems, `${prefix}.input`);
  const own = problemsUnder(problems, prefix);
  const whenText = typeof step.when === "string" ? step.when : undefined;

  const runTest = async () => {
    onReveal?.();
    // What is missing is now shown at its fields; nothing is sent until it is filled in.
    if (missing.length) return;
    setBusy(true);
    try {
      const r = await api<StepTestResult>("/flows/test-step", {
        body: {
          step: { op: step.op, input: step.input ?? {} },
          context: mappingContext(b),
          connectionId: b.connectionId,
        },
      });
      onTest(r);
    } catch (err) {
      onTest({ error: { message: messageOf(err) } });
    } finally {
      setBusy(false);
    }
  };
  const missing = entry ? (entry.input.required ?? []).filter((k) => step.input?.[k] === undefined) : [];
  const missingLabels = missing.map((k) => fieldLabel(k, entry?.input.properties?.[k] ?? {}));

  return (
    <div>
      <div className="row spread">
        <h2>
          {index + 1}. {entry?.name ?? step.op}
        </h2>
        <button type="button" className="small danger" onClick={onRemove}>
          Remove step
        </button>
      </div>
      <p className="muted">{entry?.description}</p>
      {own.get("op")?.length ? <div className="error">{own.get("op")!.join("; ")}</div> : null}
      <div className="field">
        <label htmlFor={`step-${index}-id`}>Step id</label>
        <input
          id={`step-${index}-id`}
          value={step.id}
          aria-describedby={`step-${index}-id-hint`}
          onChange={(e) => onChange({ ...step, id: e.target.value.replace(/[^A-Za-z0-9_]/g, "_") })}
        />
        <div className="hint" id={`step-${index}-id-hint`}>
          Later steps read this step's answer as <code>steps.{step.id}.output</code>.
        </div>
        {own.get("id")?.length ? <div className="error">{own.get("id")!.join("; ")}</div> : null}
      </div>
      {entry ? (
        <SchemaForm
          schema={entry.input}
          value={step.input ?? {}}
          idPrefix={`step-${index}`}
          entryKey={step.op}
          errors={errs}
          onFieldBlur={(name) => onTouched?.(`${prefix}.input.${name}`)}
          onChange={(v) => onChange({ ...step, input: cleanInput(v) })}
        />
      ) : (
        <p className="muted">Loading the fields…</p>
      )}
      {errs.get("")?.length ? <div className="error">{errs.get("")!.join("; ")}</div> : null}
      <details open={whenText !== undefined && whenText !== ""}>
        <summary>Run only when…</summary>
        <div className="field">
          <label htmlFor={`step-${index}-when`}>Condition</label>
          {whenText !== undefined || step.when === undefined ? (
            <ExpressionInput
              id={`step-${index}-when`}
              value={whenText ?? ""}
              condition
              placeholder="e.g. trigger.phone exists"
              onChange={(v) => {
                const { when: _w, ...rest } = step;
                onChange(v.trim() ? { ...rest, when: v } : rest);
              }}
            />
          ) : (
            <Json value={step.when} label="Condition (edit it in the YAML file)" />
          )}
          {own.get("when")?.length ? <div className="error">{own.get("when")!.join("; ")}</div> : null}
        </div>
      </details>
      <h3 style={{ marginTop: 12 }}>Test this step</h3>
      <p className="muted small">
        Runs it once for real through the connection{b.connectionId ? "" : " (none chosen yet)"}, with the
        sample data mapped in. It may create records in HighLevel.
      </p>
      <button
        type="button"
        onClick={() => void runTest()}
        disabled={busy}
        title={missing.length ? `Fill in first: ${missingLabels.join(", ")}` : undefined}
        aria-describedby={missing.length ? `step-${index}-test-why` : undefined}
        data-testid="test-step"
      >
        {busy ? "Testing…" : "Test step"}
      </button>
      {missing.length ? (
        <span id={`step-${index}-test-why`} className="muted small">
          {" "}
          Fill in first: {missingLabels.join(", ")}
        </span>
      ) : null}
      {test ? (
        <div style={{ marginTop: 10 }}>
          <TestResult result={test} exampleSample={b.exampleTrigger} />
        </div>
      ) : null}
    </div>
  );
}

/**
 * What a flow naming no connection uses: the default connection (the first added; the API marks it),
 * else the first listed (the API lists the oldest first).
 */
function defaultConnectionLabel(connections: ConnectionView[]): string {
  const marked = connections as Array<ConnectionView & { default?: boolean }>;
  const fallback = marked.find((c) => c.default) ?? marked[0];
  return fallback ? `Default: ${fallback.label}` : "Default (no connection yet)";
}
