// The catalog: every trigger and action with its description, fields and sample output, and "try it"
// against the connection (the sandbox in demo mode).
import { useMemo, useState } from "react";
import { api, messageOf } from "../api/client.ts";
import type { CatalogEntry, CatalogSummary, ConnectionView } from "../api/types.ts";
import { count } from "../components/count.ts";
import { EntryTags } from "../components/entry-tags.tsx";
import { fieldKind, fieldLabel, orderedFields, unwrap } from "../components/schema.ts";
import { Json, LoadState, PageHead, useLoad } from "../components/ui.tsx";
import { Link } from "../router.tsx";

export function searchCatalog(entries: CatalogSummary[], q: string): CatalogSummary[] {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return entries;
  return entries.filter((e) => {
    const hay = `${e.name} ${e.key} ${e.category} ${e.seedName ?? ""} ${e.description}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

export function CatalogPage({ entryKey }: { entryKey?: string | undefined }) {
  const loaded = useLoad((signal) => api<{ entries: CatalogSummary[] }>("/catalog", { signal }), []);
  const [q, setQ] = useState("");
  const [kind, setKind] = useState("");
  const entries = useMemo(
    () => searchCatalog(loaded.data?.entries ?? [], q).filter((e) => !kind || e.kind === kind),
    [loaded.data, q, kind],
  );
  return (
    <>
      <PageHead title="Catalog" sub="The triggers that start flows and the actions their steps run." />
      <div className="builder">
        <div>
          <div className="row" style={{ marginBottom: 8 }}>
            <label htmlFor="cat-q" className="sr-only">
              Search the catalog
            </label>
            <input
              id="cat-q"
              type="search"
              placeholder="Search: name, category, key"
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
            <label htmlFor="cat-kind" className="sr-only">
              Kind
            </label>
            <select
              id="cat-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value)}
              style={{ width: "auto" }}
            >
              <option value="">All</option>
              <option value="trigger">Triggers</option>
              <option value="action">Actions</option>
            </select>
          </div>
          <LoadState loaded={loaded}>
            <p className="muted small" aria-live="polite">
              {count(entries.length, "entry")}
            </p>
            <nav className="picker-results" aria-label="Catalog entries" style={{ maxHeight: "70vh" }}>
              {entries.map((e) => (
                <Link
                  key={e.key}
                  to={`/catalog/${e.key}`}
                  className="button"
                  style={{
                    display: "block",
                    border: 0,
                    borderRadius: 0,
                    borderBottom: "1px solid var(--border)",
                  }}
                  aria-current={e.key === entryKey ? "page" : undefined}
                >
                  <strong>{e.name}</strong>
                  <div className="muted small">
                    {e.kind} · {e.category}
                  </div>
                </Link>
              ))}
            </nav>
          </LoadState>
        </div>
        <div>
          {entryKey ? (
            <EntryDetail key={entryKey} entryKey={entryKey} />
          ) : (
            <p className="muted">Pick an entry.</p>
          )}
        </div>
      </div>
    </>
  );
}

function EntryDetail({ entryKey }: { entryKey: string }) {
  const loaded = useLoad((signal) => api<CatalogEntry>(`/catalog/${entryKey}`, { signal }), [entryKey]);
  const e = loaded.data;
  return (
    <LoadState loaded={loaded}>
      {e ? (
        <div className="stack">
          <section className="card">
            <h2>{e.name}</h2>
            <p>{e.description}</p>
            {e.help ? <p className="muted">{e.help}</p> : null}
            <p className="small">
              <EntryTags entry={e} />
            </p>
            <p className="small muted">
              <code>{e.key}</code> · {e.kind} · scopes: {e.scopes.join(", ") || "none"}
            </p>
          </section>
          <section className="card">
            <h2>Fields</h2>
            {orderedFields(e.input).length === 0 ? (
              <p className="muted">No input.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Field</th>
                    <th scope="col">Kind</th>
                    <th scope="col">About</th>
                  </tr>
                </thead>
                <tbody>
                  {orderedFields(e.input).map((f) => (
                    <tr key={f.name}>
                      <td>
                        {fieldLabel(f.name, f.node)}
                        {f.required ? <span className="req">*</span> : null}
                        <div className="muted small mono">{f.name}</div>
                      </td>
                      <td>{fieldKind(f.node)}</td>
                      <td className="small">{unwrap(f.node).help ?? ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section className="card">
            <h2>Sample output</h2>
            {e.output.description ? <p className="muted">{e.output.description}</p> : null}
            <Json value={e.output.sample} label="Sample output" />
          </section>
          {e.kind === "action" ? <TryIt entry={e} /> : null}
        </div>
      ) : null}
    </LoadState>
  );
}

function TryIt({ entry }: { entry: CatalogEntry }) {
  const [input, setInput] = useState(JSON.stringify(entry.example ?? {}, null, 2));
  const [result, setResult] = useState<unknown>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const connections = useLoad(
    (signal) => api<{ connections: ConnectionView[] }>("/connections", { signal }),
    [],
  );
  const [connectionId, setConnectionId] = useState("");
  const chosen = connectionId || connections.data?.connections[0]?.id;
  const run = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const parsed = JSON.parse(input) as Record<string, unknown>;
      setResult(
        await api("/flows/test-step", {
          body: {
            step: { op: entry.key, input: parsed },
            context: { trigger: {}, steps: {}, vars: {} },
            connectionId: chosen,
          },
        }),
      );
    } catch (err) {
      setError(err instanceof SyntaxError ? `The input is not valid JSON: ${err.message}` : messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card">
      <h2>Try it</h2>
      <p className="muted small">Runs the action once through your connection (in demo mode, the sandbox).</p>
      <div className="field">
        <label htmlFor="try-connection">Connection</label>
        <select id="try-connection" value={chosen ?? ""} onChange={(e) => setConnectionId(e.target.value)}>
          {connections.data?.connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="try-input">Input (JSON)</label>
        <textarea
          id="try-input"
          className="mono"
          rows={8}
          value={input}
          onChange={(e) => setInput(e.target.value)}
        />
      </div>
      <button type="button" className="primary" onClick={() => void run()} disabled={busy || !chosen}>
        {busy ? "Running…" : "Run it"}
      </button>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {result !== undefined ? <Json value={result} label="Result" /> : null}
    </section>
  );
}
