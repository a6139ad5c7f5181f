// The flow builder: the trigger and the steps as a vertical list of cards, the selected one edited in
// the panel beside it (only that one's form is mounted, so long flows stay quick). Saving sends the
// document with the version it was based on: if the file changed meanwhile the server says so (409)
// and the person sees the difference and chooses; nothing is silently overwritten.
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, api, type FlowProblem, flowProblems, messageOf } from "../api/client.ts";
import type {
  CatalogEntry,
  CatalogSummary,
  ConnectionView,
  FlowDetail,
  FlowDocument,
  StepDocument,
  Transform,
} from "../api/types.ts";
import { count } from "../components/count.ts";
import { LoadState, StatusBadge, toast, useConfirm, useLoad } from "../components/ui.tsx";
import { Link, navigate, useLeaveGuard } from "../router.tsx";
import { BuilderContext, type BuilderContextValue } from "./builder-context.ts";
import { CatalogPicker } from "./catalog-picker.tsx";
import { type Conflict, ConflictDialog } from "./conflict-dialog.tsx";
import { blankFlow, moveStep, newStepId, problemsOf, slugify } from "./flow-doc.ts";
import { SettingsPanel, StepPanel, TriggerPanel } from "./panels.tsx";
import { fieldKey, placeOf, visibleProblems } from "./problem-words.ts";
import type { StepTestResult } from "./test-panel.tsx";
import type { TriggerSampleState } from "./trigger-sample.tsx";
import { YamlTab } from "./yaml-tab.tsx";

type Selection =
  | { kind: "settings" }
  | { kind: "trigger" }
  | { kind: "step"; index: number }
  | { kind: "add"; at: number };

interface Loaded {
  detail?: FlowDetail;
  doc: FlowDocument;
}

/**
 * A new flow's trigger sample and step tests, handed to the page its first save opens (a page of its
 * own), so the real record it was tested on is still the one steps map from.
 */
let handedOver:
  | { flowId: string; sample?: TriggerSampleState; tests: Record<string, StepTestResult> }
  | undefined;

function takeHandedOver(flowId: string | undefined) {
  const h = handedOver && handedOver.flowId === flowId ? handedOver : undefined;
  if (h) handedOver = undefined;
  return h;
}

export default function BuilderPage({ flowId }: { flowId?: string }) {
  const loaded = useLoad<Loaded>(
    async (signal) => {
      if (!flowId) return { doc: blankFlow() };
      const { flow } = await api<{ flow: FlowDetail }>(`/flows/${encodeURIComponent(flowId)}`, { signal });
      if (!flow.document)
        throw new Error("this server sends no flow document: update hlconnect to edit flows here");
      return { detail: flow, doc: flow.document };
    },
    [flowId],
  );
  const catalog = useLoad((signal) => api<{ entries: CatalogSummary[] }>("/catalog", { signal }), []);
  return (
    <LoadState loaded={loaded}>
      {loaded.data && catalog.data ? (
        <Builder initial={loaded.data} entries={catalog.data.entries} />
      ) : loaded.data ? (
        <p className="muted">Loading the catalog…</p>
      ) : null}
    </LoadState>
  );
}

function Builder({ initial, entries }: { initial: Loaded; entries: CatalogSummary[] }) {
  const [doc, setDoc] = useState<FlowDocument>(initial.doc);
  const [detail, setDetail] = useState<FlowDetail | undefined>(initial.detail);
  const isNew = !detail;
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [selected, setSelected] = useState<Selection>({ kind: "trigger" });
  const [problems, setProblems] = useState<FlowProblem[]>([]);
  const [entryCache, setEntryCache] = useState<Record<string, CatalogEntry>>({});
  const [kept] = useState(() => takeHandedOver(initial.detail?.id));
  const [triggerSample, setTriggerSample] = useState<TriggerSampleState | undefined>(kept?.sample);
  const [tests, setTests] = useState<Record<string, StepTestResult>>(kept?.tests ?? {});
  const [conflict, setConflict] = useState<Conflict>();
  const [idTouched, setIdTouched] = useState(!isNew);
  // What the person has had a chance to fill in: "required" problems show only there. A saved flow's
  // cards count as seen; a new step, field by field as focus leaves it, or whole when tested; all on Save.
  const [revealed, setRevealed] = useState<ReadonlySet<string>>(
    () => new Set(isNew ? [] : ["settings", "trigger", ...initial.doc.steps.map((s) => `step:${s.id}`)]),
  );
  const reveal = (key: string) => setRevealed((r) => (r.has(key) ? r : new Set([...r, key])));
  const [ask, confirmNode] = useConfirm();
  const [view, setView] = useState<"steps" | "yaml">("steps");
  /** The YAML tab's edited text; undefined while the file is as saved. */
  const [yamlText, setYamlText] = useState<string>();
  const unsaved = dirty || yamlText !== undefined;
  useLeaveGuard(unsaved);

  const transforms = useLoad(
    (signal) =>
      api<{ transforms: Transform[] }>("/mapping/transforms", { signal }).catch(() => ({
        transforms: [] as Transform[],
      })),
    [],
  );
  const connections = useLoad(
    (signal) => api<{ connections: ConnectionView[] }>("/connections", { signal }),
    [],
  );

  // Catalog entries in full, fetched once each as cards need them.
  const entry = useCallback((key: string | undefined) => (key ? entryCache[key] : undefined), [entryCache]);
  const wanted = [doc.trigger.op, ...doc.steps.map((s) => s.op)].filter((k): k is string => Boolean(k));
  const wantedKey = wanted.join(",");
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by the ops in use
  useEffect(() => {
    for (const key of new Set(wanted)) {
      if (entryCache[key] || !entries.some((e) => e.key === key)) continue;
      void api<CatalogEntry>(`/catalog/${key}`).then((e) => setEntryCache((c) => ({ ...c, [key]: e })));
    }
  }, [wantedKey, entries]);

  const update = (fn: (d: FlowDocument) => FlowDocument) => {
    setDoc((d) => fn(d));
    setDirty(true);
  };

  // Checked as it changes, with the same messages `flows validate` prints (server-side, debounced).
  const docKey = JSON.stringify(doc);
  const hasTrigger = Boolean(doc.trigger.op || doc.trigger.webhook);
  useEffect(() => {
    if (!hasTrigger) return;
    const ctrl = new AbortController();
    const t = setTimeout(async () => {
      try {
        const r = await api<{ ok: boolean; errors?: FlowProblem[] }>("/flows/validate", {
          body: { document: JSON.parse(docKey) },
          signal: ctrl.signal,
        });
        setProblems(r.ok ? [] : (r.errors ?? []));
      } catch (err) {
        const p = flowProblems(err);
        if (p.length) setProblems(p);
      }
    }, 500);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [docKey, hasTrigger]);

  const connectionList = connections.data?.connections ?? [];
  const connection =
    connectionList.find((c) => c.id === doc.connection) ?? (doc.connection ? undefined : connectionList[0]);

  /** Samples that steps can map from: a tested output, else the catalog's example. */
  const sampleOf = (s: StepDocument) => tests[s.id]?.output ?? entry(s.op)?.output.sample;
  const picked = triggerSample ? triggerSample.items[triggerSample.index] : undefined;
  const triggerValue = doc.trigger.webhook
    ? (picked ?? {})
    : (picked ?? entry(doc.trigger.op)?.output.sample);

  const contextFor = (stepIndex: number): BuilderContextValue => ({
    trigger: stepIndex < 0 ? undefined : triggerValue,
    steps: Object.fromEntries(doc.steps.slice(0, Math.max(stepIndex, 0)).map((s) => [s.id, sampleOf(s)])),
    vars: (doc.vars as Record<string, unknown>) ?? {},
    transforms: transforms.data?.transforms ?? [],
    connectionId: connection?.id,
    locationId: connection?.locationIds[0],
    exampleTrigger: !triggerSample || triggerSample.example,
  });

  const save = async (overwrite?: { version: string | undefined }) => {
    if (saving) return;
    reveal("all");
    setSaving(true);
    try {
      if (isNew) {
        const { flow } = await api<{ flow: FlowDetail }>("/flows", { body: { document: doc } });
        setDirty(false);
        handedOver = { flowId: flow.id, ...(triggerSample ? { sample: triggerSample } : {}), tests };
        // Carried to the flow's page, where it is read.
        toast("Flow saved. Turn it on when you are ready.", false, { carry: true });
        // The page for the saved flow (the guard is off: nothing is unsaved).
        setTimeout(() => navigate(`/flows/${flow.id}`, { replace: true }), 0);
        return;
      }
      const baseVersion = overwrite ? overwrite.version : detail.version;
      // The YAML tab's text as written, else the form's document written into the saved YAML.
      const { flow } = await api<{ flow: FlowDetail }>(`/flows/${encodeURIComponent(detail.id)}`, {
        method: "PUT",
        body: yamlText !== undefined ? { source: yamlText, baseVersion } : { document: doc, baseVersion },
      });
      setDetail(flow);
      if (flow.document) setDoc(flow.document);
      setYamlText(undefined);
      setDirty(false);
      setProblems([]);
      toast("Saved");
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.details && typeof err.details === "object") {
        setConflict(err.details as Conflict);
      } else if (err instanceof ApiError && err.status === 422) {
        const p = flowProblems(err);
        setProblems(p);
        toast(`Not saved: ${count(p.length, "problem")} to fix first`, true);
      } else {
        toast(`Not saved: ${messageOf(err)}`, true);
      }
    } finally {
      setSaving(false);
    }
  };

  // Ctrl/Cmd+S saves from anywhere on the page.
  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        void saveRef.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const setEnabled = async (on: boolean, dryRun = false) => {
    if (!detail) return;
    try {
      await api(`/flows/${encodeURIComponent(detail.id)}/${on ? "enable" : "disable"}`, {
        method: "POST",
        ...(on && dryRun ? { body: { dryRun: true } } : {}),
      });
      setDetail({ ...detail, enabled: on, dryRun: on && dryRun });
      toast(
        !on
          ? "The flow is off"
          : dryRun
            ? "The flow is on in dry-run mode: its runs read and show what they would write, without writing"
            : "The flow is on: it runs when its trigger fires",
      );
    } catch (err) {
      toast(messageOf(err), true);
    }
  };

  // One run now against the real connection with its writes held back; its page lists them.
  const dryRunOnce = async () => {
    if (!detail) return;
    try {
      const { run } = await api<{ run: { id: string } }>(`/flows/${encodeURIComponent(detail.id)}/run-once`, {
        method: "POST",
        body: { dryRun: true },
      });
      navigate(`/runs/${run.id}`);
    } catch (err) {
      toast(messageOf(err), true);
    }
  };

  const addStep = (at: number, op: string) => {
    const id = newStepId(
      op,
      doc.steps.map((s) => s.id),
    );
    update((d) => {
      const steps = [...d.steps];
      steps.splice(at, 0, { id, op, input: {} });
      return { ...d, steps };
    });
    setSelected({ kind: "step", index: at });
  };

  const removeStep = async (index: number) => {
    const s = doc.steps[index]!;
    const ok = await ask({
      title: `Remove step ${index + 1} (${s.id})?`,
      body: <p>Later steps that map from “{s.id}” will need new values.</p>,
      confirm: "Remove step",
    });
    if (!ok) return;
    update((d) => ({ ...d, steps: d.steps.filter((_, i) => i !== index) }));
    setSelected({ kind: "trigger" });
  };

  const move = (index: number, by: number) => {
    update((d) => ({ ...d, steps: moveStep(d.steps, index, index + by) }));
    setSelected({ kind: "step", index: index + by });
  };

  const name = doc.name || (isNew ? "New flow" : detail.id);
  // The form's problems in plain words at their fields; the YAML tab shows the file's own.
  const shown = visibleProblems(problems, doc, revealed);
  const touched = (path: string) => reveal(fieldKey(path, doc));
  const general = shown.filter((p) => !p.path?.startsWith("steps") && !p.path?.startsWith("trigger"));
  const enabled = detail?.enabled ?? false;

  return (
    <div>
      <div className="page-head">
        <div>
          <p className="small">
            <Link to="/flows">Flows</Link> ›
          </p>
          <h1>{name}</h1>
          <p className="muted small" aria-live="polite" data-testid="save-state">
            {saving
              ? "Saving…"
              : unsaved
                ? "Unsaved changes"
                : isNew
                  ? "Not saved yet"
                  : `Saved · ${detail.file ?? detail.id}`}
          </p>
        </div>
        <div className="row">
          {!isNew ? (
            <label className="toggle" title={unsaved ? "Save first" : undefined}>
              <input
                type="checkbox"
                role="switch"
                aria-checked={enabled}
                checked={enabled}
                disabled={unsaved}
                onChange={(e) => void setEnabled(e.target.checked)}
                data-testid="enable-flow"
              />
              {enabled ? (detail.dryRun ? "On (dry run)" : "On") : "Off"}
            </label>
          ) : null}
          {!isNew && !enabled ? (
            <button
              type="button"
              onClick={() => void setEnabled(true, true)}
              disabled={unsaved}
              title="Runs on live events make their reads and show what they would write, without writing"
              data-testid="enable-dry-run"
            >
              On in dry-run mode
            </button>
          ) : null}
          {!isNew ? (
            <button
              type="button"
              onClick={() => void dryRunOnce()}
              disabled={unsaved}
              title={unsaved ? "Save first" : "Run once now: reads are made, writes are only listed"}
              data-testid="dry-run-flow"
            >
              Dry run
            </button>
          ) : null}
          {!isNew ? (
            <Link className="button" to={`/runs?flow=${encodeURIComponent(detail.id)}`}>
              Runs
            </Link>
          ) : null}
          <button
            type="button"
            className="primary"
            onClick={() => void save()}
            disabled={saving}
            data-testid="save-flow"
          >
            Save{" "}
            <span className="kbd" aria-hidden="true">
              Ctrl S
            </span>
          </button>
        </div>
      </div>
      <ViewTabs
        view={view}
        onView={setView}
        yamlBlocked={isNew ? "save the flow first" : dirty ? "save the form's changes first" : undefined}
        stepsBlocked={yamlText !== undefined ? "save or undo the YAML edits first" : undefined}
      />
      {view === "yaml" && problems.length ? (
        <section aria-label="Problems" className="card" style={{ marginBottom: 12 }}>
          <h2>
            {count(problems.length, "problem")} (as <code>flows validate</code> reports them)
          </h2>
          <ul className="problems" data-testid="problems">
            {problems.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity
              <li key={i}>{p.text ?? `${p.line}:${p.column}: ${p.message}`}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {view === "steps" && shown.length ? (
        <section aria-label="Problems" className="card" style={{ marginBottom: 12 }}>
          <h2>{count(shown.length, "problem")} to fix</h2>
          <ul className="problems plain" data-testid="problems">
            {shown.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity
              <li key={i}>
                <strong>{placeOf(p.path ?? "", doc)}:</strong> {p.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {view === "yaml" && detail ? (
        <YamlTab
          saved={detail.source}
          text={yamlText}
          file={detail.file?.split(/[\\/]/).pop() ?? `${detail.id}.yaml`}
          problems={problems}
          onChange={setYamlText}
          onProblems={setProblems}
          onDiscard={() => {
            setYamlText(undefined);
            setProblems([]);
          }}
        />
      ) : (
        <div className="builder">
          <ol className="builder-list" aria-label="Trigger and steps">
            <li>
              <CardButton
                num="⚙"
                title="Flow settings"
                sub={`${doc.id || "id not set"}${connection ? ` · ${connection.label}` : ""}`}
                current={selected.kind === "settings"}
                onClick={() => setSelected({ kind: "settings" })}
                problems={general.length}
              />
              <div className="connector" />
            </li>
            <li>
              <CardButton
                num="⚡"
                title={
                  doc.trigger.webhook
                    ? "Its own webhook"
                    : (entries.find((e) => e.key === doc.trigger.op)?.name ?? "Choose a trigger")
                }
                sub={
                  doc.trigger.op
                    ? `Trigger · ${doc.trigger.op}`
                    : doc.trigger.webhook
                      ? "Trigger · POST /hooks/…"
                      : "What starts the flow"
                }
                current={selected.kind === "trigger"}
                onClick={() => setSelected({ kind: "trigger" })}
                problems={problemsOf(shown, "trigger").length}
                testid="card-trigger"
              />
            </li>
            {doc.steps.map((s, i) => (
              <li key={s.id + String(i)}>
                <AddButton
                  onClick={() => setSelected({ kind: "add", at: i })}
                  label={`Add a step before step ${i + 1}`}
                />
                <div className="row" style={{ width: "100%", flexWrap: "nowrap" }}>
                  <CardButton
                    num={String(i + 1)}
                    title={entries.find((e) => e.key === s.op)?.name ?? s.op}
                    sub={`${s.id}${tests[s.id] ? (tests[s.id]?.error ? " · test failed" : " · tested") : ""}`}
                    current={selected.kind === "step" && selected.index === i}
                    onClick={() => setSelected({ kind: "step", index: i })}
                    problems={problemsOf(shown, `steps[${i}]`).length}
                    testid={`card-step-${i + 1}`}
                  />
                  <div className="stack" style={{ gap: 2 }}>
                    <button
                      type="button"
                      className="small ghost"
                      aria-label={`Move step ${i + 1} up`}
                      disabled={i === 0}
                      onClick={() => move(i, -1)}
                    >
                      ↑
                    </button>
                    <button
                      type="button"
                      className="small ghost"
                      aria-label={`Move step ${i + 1} down`}
                      disabled={i === doc.steps.length - 1}
                      onClick={() => move(i, 1)}
                    >
                      ↓
                    </button>
                  </div>
                </div>
              </li>
            ))}
            <li>
              <div className="connector" />
              <button
                type="button"
                className="step-card add-step"
                onClick={() => setSelected({ kind: "add", at: doc.steps.length })}
                aria-current={
                  selected.kind === "add" && selected.at === doc.steps.length ? "true" : undefined
                }
                data-testid="add-step"
              >
                <span className="step-num" aria-hidden="true">
                  +
                </span>
                <span>Add a step</span>
                <span />
              </button>
            </li>
          </ol>
          <section className="card panel" aria-label="Editor">
            {selected.kind === "settings" ? (
              <BuilderContext.Provider value={contextFor(0)}>
                <SettingsPanel
                  doc={doc}
                  isNew={isNew}
                  source={detail?.source}
                  connections={connectionList}
                  problems={shown}
                  onChange={(fn) => update(fn)}
                  onTouched={touched}
                  onIdTouched={() => setIdTouched(true)}
                  idFollowsName={isNew && !idTouched}
                />
              </BuilderContext.Provider>
            ) : null}
            {selected.kind === "trigger" ? (
              <BuilderContext.Provider value={contextFor(-1)}>
                <TriggerPanel
                  doc={doc}
                  entries={entries}
                  entry={entry(doc.trigger.op)}
                  hook={detail?.hook}
                  problems={shown}
                  onTouched={touched}
                  sample={triggerSample}
                  connectionId={connection?.id}
                  onSample={setTriggerSample}
                  onChange={(trigger) => {
                    // Another trigger is a fresh form: its empty fields wait until the person has been there.
                    if (trigger.op !== doc.trigger.op)
                      setRevealed(
                        (r) => new Set([...r].filter((k) => k !== "trigger" && !k.startsWith("trigger."))),
                      );
                    update((d) => ({ ...d, trigger }));
                  }}
                  onNameSuggestion={(n) => {
                    if (!doc.name)
                      update((d) => ({ ...d, name: n, ...(idTouched ? {} : { id: slugify(n) }) }));
                  }}
                />
              </BuilderContext.Provider>
            ) : null}
            {selected.kind === "step" && doc.steps[selected.index] ? (
              <BuilderContext.Provider value={contextFor(selected.index)}>
                <StepPanel
                  key={selected.index}
                  index={selected.index}
                  step={doc.steps[selected.index]!}
                  entry={entry(doc.steps[selected.index]!.op)}
                  problems={shown}
                  onTouched={touched}
                  onReveal={() => reveal(`step:${doc.steps[selected.index]!.id}`)}
                  test={tests[doc.steps[selected.index]!.id]}
                  onTest={(r) => setTests((t) => ({ ...t, [doc.steps[selected.index]!.id]: r }))}
                  onChange={(step) =>
                    update((d) => ({ ...d, steps: d.steps.map((s, i) => (i === selected.index ? step : s)) }))
                  }
                  onRemove={() => void removeStep(selected.index)}
                />
              </BuilderContext.Provider>
            ) : null}
            {selected.kind === "add" ? (
              <CatalogPicker
                entries={entries}
                kind="action"
                onPick={(key) => addStep(selected.at, key)}
                onCancel={() => setSelected({ kind: "trigger" })}
              />
            ) : null}
          </section>
        </div>
      )}
      {conflict ? (
        <ConflictDialog
          conflict={conflict}
          onClose={() => setConflict(undefined)}
          onReload={() => {
            setDirty(false);
            setYamlText(undefined);
            setConflict(undefined);
            setTimeout(() => window.location.reload(), 0);
          }}
          onOverwrite={() => {
            const version = conflict.currentVersion ?? undefined;
            setConflict(undefined);
            void save({ version });
          }}
        />
      ) : null}
      {confirmNode}
      {view === "yaml" || (isNew && !doc.trigger.op && !doc.trigger.webhook) ? null : <Hint />}
    </div>
  );
}

function Hint() {
  return (
    <p className="muted small" style={{ marginTop: 16 }}>
      Tip: type <code>{"{{"}</code> in a field to map data from the trigger or an earlier step;{" "}
      <span className="kbd">Ctrl Space</span> opens the suggestions, <span className="kbd">Ctrl S</span>{" "}
      saves.
    </p>
  );
}

/** Steps (the form) or YAML (the file as text); one is closed while the other has unsaved edits. */
function ViewTabs({
  view,
  onView,
  yamlBlocked,
  stepsBlocked,
}: {
  view: "steps" | "yaml";
  onView: (v: "steps" | "yaml") => void;
  yamlBlocked: string | undefined;
  stepsBlocked: string | undefined;
}) {
  const blocked = view === "steps" ? yamlBlocked : stepsBlocked;
  return (
    <div className="tabs" role="tablist" aria-label="Edit the flow as">
      {(
        [
          ["steps", "Steps", stepsBlocked],
          ["yaml", "YAML", yamlBlocked],
        ] as const
      ).map(([v, label, why]) => (
        <button
          key={v}
          type="button"
          role="tab"
          aria-selected={view === v}
          disabled={view !== v && why !== undefined}
          title={view !== v && why ? `To switch: ${why}` : undefined}
          onClick={() => onView(v)}
          data-testid={`view-${v}`}
        >
          {label}
        </button>
      ))}
      {blocked ? <span className="muted small tabs-note">To switch: {blocked}</span> : null}
    </div>
  );
}

function CardButton({
  num,
  title,
  sub,
  current,
  onClick,
  problems,
  testid,
}: {
  num: string;
  title: string;
  sub: string;
  current: boolean;
  onClick: () => void;
  problems: number;
  testid?: string;
}) {
  return (
    <button
      type="button"
      className="step-card"
      aria-current={current ? "true" : undefined}
      onClick={onClick}
      data-testid={testid}
    >
      <span className="step-num" aria-hidden="true">
        {num}
      </span>
      <span>
        <span className="step-title">{title}</span>
        <span className="step-sub" style={{ display: "block" }}>
          {sub}
        </span>
      </span>
      {problems ? <StatusBadge status={count(problems, "problem")} /> : <span />}
    </button>
  );
}

function AddButton({ onClick, label }: { onClick: () => void; label: string }) {
  return (
    <>
      <div className="connector" />
      <button type="button" className="small ghost" onClick={onClick} aria-label={label} title={label}>
        +
      </button>
      <div className="connector" />
    </>
  );
}
