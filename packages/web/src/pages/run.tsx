// One run: its trigger and each step's input after mapping, output, error, attempts and timing;
// replay it, or settle a step that stopped for a person ("needs attention") with a recorded reason.
import { useCallback, useState } from "react";
import { api } from "../api/client.ts";
import type { DryRunOutput, RunView, StepView } from "../api/types.ts";
import { count } from "../components/count.ts";
import {
  attempt,
  errorText,
  Json,
  LoadState,
  Modal,
  PageHead,
  StatusBadge,
  Time,
  toast,
  useLoad,
} from "../components/ui.tsx";
import { useLiveRuns } from "../live.ts";
import { Link, navigate } from "../router.tsx";
import { listSteps, replayPlan, replayStarted } from "./replay-plan.ts";

function took(a?: string, b?: string): string {
  if (!a || !b) return "—";
  return `${new Date(b).getTime() - new Date(a).getTime()} ms`;
}

export function RunPage({ runId }: { runId: string }) {
  const loaded = useLoad(
    (signal) =>
      api<{
        run: RunView;
        steps: StepView[];
        resolutions?: Array<{ stepId: string; action: string; reason: string; at: string }>;
      }>(`/runs/${runId}`, { signal }),
    [runId],
  );
  const reload = loaded.reload;
  const live = loaded.data && ["queued", "running"].includes(loaded.data.run.status);
  useLiveRuns(
    useCallback(() => {
      if (live) void reload();
    }, [live, reload]),
  );
  const [resolving, setResolving] = useState<StepView>();
  const [replaying, setReplaying] = useState(false);

  const run = loaded.data?.run;
  return (
    <LoadState loaded={loaded}>
      {run ? (
        <>
          <PageHead
            title={`Run of ${run.flowId}`}
            sub={
              <>
                <span className="mono">{run.id}</span> · started <Time iso={run.createdAt} />
                {run.replayOf ? (
                  <>
                    {" "}
                    · replay of <Link to={`/runs/${run.replayOf}`}>{run.replayOf.slice(0, 12)}</Link>
                  </>
                ) : null}
              </>
            }
          >
            <Link className="button" to={`/flows/${run.flowId}`}>
              Open flow
            </Link>
            <button type="button" className="primary" onClick={() => setReplaying(true)} data-testid="replay">
              Replay…
            </button>
          </PageHead>
          <div className="card">
            <div className="row">
              <StatusBadge status={run.status} testid="run-status" />
              {run.dryRun ? (
                <span
                  className="badge"
                  data-testid="dry-run-badge"
                  title="Reads were made; writes were only listed"
                >
                  dry run: nothing written
                </span>
              ) : null}
              <span className="muted">
                {run.durationMs !== undefined ? `in ${run.durationMs} ms · ` : ""}
                {count(run.attempts, "attempt")}
              </span>
            </div>
            {run.error ? (
              <p className="error-text" role="alert" style={{ marginTop: 8 }}>
                {errorText(run.error)}
              </p>
            ) : null}
          </div>
          <section className="card">
            <h2>Trigger</h2>
            <Json value={run.trigger} label="Trigger data" />
          </section>
          {loaded.data?.steps.map((s, i) => (
            <section className="card" key={s.stepId} data-testid={`step-${s.stepId}`}>
              <div className="row spread">
                <h2>
                  {i + 1}. {s.stepId} <StatusBadge status={s.status} />
                </h2>
                <span className="muted small">
                  {count(s.attempts, "attempt")} · {took(s.startedAt, s.finishedAt)}
                </span>
              </div>
              {s.error ? (
                <p className="error-text" role="alert">
                  {errorText(s.error)}
                </p>
              ) : null}
              {loaded.data?.resolutions
                ?.filter((r) => r.stepId === s.stepId)
                .map((r) => (
                  <p className="muted" key={r.at}>
                    Resolved <Time iso={r.at} />: {r.action.replace("-", " ")} — “{r.reason}”
                  </p>
                ))}
              {run.status === "needs_attention" &&
              ["needs_attention", "unknown_outcome", "failed"].includes(s.status) ? (
                <button type="button" onClick={() => setResolving(s)}>
                  Resolve…
                </button>
              ) : null}
              <div className="grid cols-2" style={{ marginTop: 8 }}>
                <div>
                  <h3>Input (after mapping)</h3>
                  <Json value={s.input} label={`Input of ${s.stepId}`} />
                </div>
                <div>
                  {isDryRunOutput(s.output) ? (
                    <>
                      <h3>Would send ({s.output.writes.length})</h3>
                      {s.output.writes.length ? (
                        s.output.writes.map((w, n) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: a recorded list, never reordered; one write may repeat
                          <div key={`${w.operation}-${n}`} data-testid="planned-write">
                            <p>
                              <code>
                                {w.method} {w.path}
                              </code>{" "}
                              <span className="muted small">{w.operation}</span>
                            </p>
                            {w.body !== undefined ? (
                              <Json value={w.body} label={`Body ${w.method} ${w.path}`} />
                            ) : null}
                          </div>
                        ))
                      ) : (
                        <p className="muted">No write: this step only reads.</p>
                      )}
                    </>
                  ) : (
                    <>
                      <h3>Output</h3>
                      <Json value={s.output} label={`Output of ${s.stepId}`} />
                    </>
                  )}
                </div>
              </div>
            </section>
          ))}
          {replaying && loaded.data ? (
            <ReplayDialog run={run} steps={loaded.data.steps} onClose={() => setReplaying(false)} />
          ) : null}
          {resolving ? (
            <ResolveDialog
              runId={run.id}
              step={resolving}
              onClose={() => setResolving(undefined)}
              onDone={() => {
                setResolving(undefined);
                void reload();
              }}
            />
          ) : null}
        </>
      ) : null}
    </LoadState>
  );
}

/** Asks before a replay, saying which steps run again and which are kept (and the risk of duplicates). */
function ReplayDialog({ run, steps, onClose }: { run: RunView; steps: StepView[]; onClose: () => void }) {
  const plan = replayPlan(run, steps);
  const [busy, setBusy] = useState(false);
  const start = (from?: "start" | "stopped-step") =>
    attempt(async () => {
      setBusy(true);
      try {
        const answer = await api<{ run: RunView; replayFrom?: string | null; carriedOver?: string[] }>(
          `/runs/${run.id}/replay`,
          { method: "POST", ...(from ? { body: { from } } : {}) },
        );
        // Said on the new run's page: what the server did, which is what counts.
        toast(replayStarted(answer), false, { carry: true });
        navigate(`/runs/${answer.run.id}`);
      } finally {
        setBusy(false);
      }
    });
  const again = plan.rerunOnRestart;
  const repeatWarning = again.length ? (
    <p className="banner warn small" data-testid="replay-repeats">
      {listSteps(again)} already ran and will run again: whatever {again.length === 1 ? "it" : "they"} did in
      HighLevel (a task, a note, a message…) may happen a second time.
    </p>
  ) : null;
  return (
    <Modal
      title="Replay this run?"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          {plan.resumeAt ? (
            <>
              <button
                type="button"
                disabled={busy}
                onClick={() => void start("start")}
                data-testid="replay-all"
              >
                Run every step again
              </button>
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => void start("stopped-step")}
                data-testid="replay-confirm"
              >
                Resume at “{plan.resumeAt}”
              </button>
            </>
          ) : (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => void start()}
              data-testid="replay-confirm"
            >
              Run it again
            </button>
          )}
        </>
      }
    >
      <div data-testid="replay-plan">
        <p>A new run starts with the same trigger data.</p>
        {plan.resumeAt ? (
          <>
            <p>
              <strong>Resume</strong> starts at step “{plan.resumeAt}”, where this run stopped, and runs the
              steps after it.{" "}
              {plan.kept.length
                ? `${listSteps(plan.kept)} finished and ${plan.kept.length === 1 ? "is" : "are"} kept as ${plan.kept.length === 1 ? "it is" : "they are"}: not sent again.`
                : "No step before it finished, so nothing is kept."}
            </p>
            {again.length ? (
              <p className="muted small">
                <strong>Run every step again</strong> starts over at the first step.
              </p>
            ) : null}
            {repeatWarning}
          </>
        ) : (
          <>
            <p>Every step of the flow runs again, from the first.</p>
            {repeatWarning}
          </>
        )}
      </div>
    </Modal>
  );
}

function ResolveDialog({
  runId,
  step,
  onClose,
  onDone,
}: {
  runId: string;
  step: StepView;
  onClose: () => void;
  onDone: () => void;
}) {
  const [action, setAction] = useState("mark-done");
  const [reason, setReason] = useState("");
  const submit = () =>
    attempt(async () => {
      await api(`/runs/${runId}/steps/${step.stepId}/resolve`, { body: { action, reason } });
      onDone();
    }, "Step resolved");
  return (
    <Modal
      title={`Resolve step “${step.stepId}”`}
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={!reason.trim()} onClick={() => void submit()}>
            Resolve
          </button>
        </>
      }
    >
      <p className="muted">
        The outcome of this step is unknown (it may have happened in HighLevel). Check HighLevel, then say
        what to do.
      </p>
      <fieldset>
        <legend>What to do</legend>
        {[
          ["mark-done", "It happened: mark it done and go on"],
          ["retry", "It did not happen: try it once more"],
          ["skip", "Skip it and go on"],
        ].map(([v, label]) => (
          <label key={v} className="toggle">
            <input
              type="radio"
              name="action"
              value={v}
              checked={action === v}
              onChange={() => setAction(v!)}
            />
            {label}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor="reason">Reason (kept with the run)</label>
        <input id="reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
      </div>
    </Modal>
  );
}

function isDryRunOutput(output: unknown): output is DryRunOutput {
  return (
    typeof output === "object" &&
    output !== null &&
    (output as { dryRun?: unknown }).dryRun === true &&
    Array.isArray((output as { writes?: unknown }).writes)
  );
}
