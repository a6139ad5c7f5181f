// Pick a trigger or a step: one search over names, categories, keys and the seed names people know
// from HighLevel's own lists; arrow keys move, Enter picks. Triggers are offered only as triggers,
// steps only among actions and searches; each entry says in plain words what it is.
import { useEffect, useMemo, useRef, useState } from "react";
import type { CatalogSummary } from "../api/types.ts";
import { stepChoices, triggerChoices } from "../components/entry-kinds.ts";
import { EntryTags } from "../components/entry-tags.tsx";
import { searchCatalog } from "../pages/catalog.tsx";

export function CatalogPicker({
  entries,
  kind,
  onPick,
  onCancel,
  allowWebhook,
}: {
  entries: CatalogSummary[];
  kind: "trigger" | "action";
  onPick: (key: string) => void;
  onCancel?: () => void;
  /** Offer the flow's own webhook as a trigger. */
  allowWebhook?: boolean;
}) {
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const pool = useMemo(
    () => (kind === "trigger" ? triggerChoices(entries) : stepChoices(entries)),
    [entries, kind],
  );
  const results = useMemo(() => searchCatalog(pool, q).slice(0, 60), [pool, q]);
  const listId = `picker-${kind}`;
  return (
    <div>
      <label htmlFor={`${listId}-q`}>{kind === "trigger" ? "Choose the trigger" : "Choose the action"}</label>
      <p className="muted small" id={`${listId}-about`}>
        {kind === "trigger"
          ? "What starts the flow: something that happens in HighLevel, or its own webhook."
          : "What this step does: an action that changes something in HighLevel, or a search that only reads."}
      </p>
      <input
        id={`${listId}-q`}
        ref={input}
        type="search"
        role="combobox"
        aria-expanded="true"
        aria-controls={listId}
        aria-describedby={`${listId}-about`}
        aria-activedescendant={results.length ? `${listId}-${active}` : undefined}
        placeholder={
          kind === "trigger" ? "e.g. new contact, opportunity stage" : "e.g. create task, add tag, send SMS"
        }
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setActive((a) => Math.min(a + 1, results.length - 1));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === "Enter" && results[active]) {
            e.preventDefault();
            onPick(results[active].key);
          } else if (e.key === "Escape" && onCancel) {
            e.preventDefault();
            onCancel();
          }
        }}
      />
      <div id={listId} role="listbox" className="picker-results" aria-label="Results">
        {allowWebhook && !q ? (
          <button type="button" role="option" aria-selected={false} onClick={() => onPick("webhook")}>
            <strong>Its own webhook</strong>
            <div className="muted small">
              Any JSON posted to this flow's URL (BatchLeads' Zapier action, a form…)
            </div>
          </button>
        ) : null}
        {results.map((e, i) => (
          <button
            key={e.key}
            id={`${listId}-${i}`}
            type="button"
            role="option"
            aria-selected={i === active}
            tabIndex={-1}
            style={i === active ? { background: "var(--accent-soft)" } : undefined}
            onClick={() => onPick(e.key)}
          >
            <strong>{e.name}</strong> <span className="muted small">· {e.category}</span>{" "}
            <EntryTags entry={e} as={kind === "trigger" ? "trigger" : undefined} />
            <div className="muted small">{e.description}</div>
          </button>
        ))}
        {results.length === 0 ? <p className="empty">Nothing matches “{q}”.</p> : null}
      </div>
      {onCancel ? (
        <div style={{ marginTop: 8 }}>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      ) : null}
    </div>
  );
}
