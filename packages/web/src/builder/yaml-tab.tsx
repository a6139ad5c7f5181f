// The YAML tab: the flow's file as text, edited in place. Checked as it changes by the server with the
// same messages `flows validate` prints (line and column included), and saved by the builder's one
// versioned save, so a file changed elsewhere meanwhile is a 409 with its difference, as for the form.
// It edits the saved file: form edits are saved (or undone) before it opens, and its edits before the
// form reopens, so neither silently overwrites the other.
import { useEffect, useId } from "react";
import { api, type FlowProblem, flowProblems } from "../api/client.ts";

export function YamlTab({
  saved,
  text,
  file,
  problems,
  onChange,
  onProblems,
  onDiscard,
}: {
  /** The saved file's text. */
  saved: string;
  /** The edited text; undefined while it is the saved text. */
  text: string | undefined;
  /** The file name the problems are reported against, as `flows validate FILE` would. */
  file: string;
  problems: FlowProblem[];
  onChange: (text: string | undefined) => void;
  onProblems: (p: FlowProblem[]) => void;
  onDiscard: () => void;
}) {
  const hintId = useId();
  const value = text ?? saved;

  // Validated on the server as it changes (debounced); stale answers are aborted.
  useEffect(() => {
    if (text === undefined) return;
    const ctrl = new AbortController();
    const t = setTimeout(async () => {
      try {
        const r = await api<{ ok: boolean; errors?: FlowProblem[] }>("/flows/validate", {
          body: { source: text, file },
          signal: ctrl.signal,
        });
        onProblems(r.ok ? [] : (r.errors ?? []));
      } catch (err) {
        const p = flowProblems(err);
        if (p.length) onProblems(p);
      }
    }, 500);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [text, file, onProblems]);

  const lines = value.split("\n").length;
  return (
    <section className="card yaml-tab" aria-label="YAML">
      <div className="row spread">
        <h2>
          <label htmlFor="flow-yaml">The flow's YAML ({file})</label>
        </h2>
        {text !== undefined ? (
          <button type="button" className="small" onClick={onDiscard} data-testid="discard-yaml">
            Undo YAML edits
          </button>
        ) : null}
      </div>
      <p className="muted small" id={hintId}>
        Edit the file as text; <span className="kbd">Ctrl S</span> saves it as written, comments and all.
        Problems are listed above with their line and column, as <code>flows validate</code> reports them.{" "}
        <span className="kbd">Tab</span> indents; <span className="kbd">Esc</span> then{" "}
        <span className="kbd">Tab</span> moves on.
      </p>
      <textarea
        id="flow-yaml"
        className="mono"
        value={value}
        rows={Math.min(Math.max(lines + 1, 12), 40)}
        spellCheck={false}
        autoComplete="off"
        aria-describedby={hintId}
        aria-invalid={text !== undefined && problems.length > 0 ? true : undefined}
        onChange={(e) => onChange(e.target.value === saved ? undefined : e.target.value)}
        onKeyDown={(e) => {
          // Tab indents (YAML is indentation) instead of leaving the field; Escape then Tab leaves it.
          if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
          const el = e.currentTarget;
          if (el.dataset.tabLeaves === "1") return;
          e.preventDefault();
          const { selectionStart: s, selectionEnd: end } = el;
          const next = `${el.value.slice(0, s)}  ${el.value.slice(end)}`;
          onChange(next === saved ? undefined : next);
          requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
        }}
        onKeyUp={(e) => {
          e.currentTarget.dataset.tabLeaves = e.key === "Escape" ? "1" : "";
        }}
        data-testid="yaml-editor"
      />
    </section>
  );
}
