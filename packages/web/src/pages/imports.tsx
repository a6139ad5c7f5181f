// BatchLeads import: upload an export (CSV or XLSX), check it with a dry run (summary and rejected
// rows with reasons), then import it with a live progress bar. Past imports stay listed.
import { useEffect, useRef, useState } from "react";
import { api, messageOf } from "../api/client.ts";
import type { ConnectionView, ImportView } from "../api/types.ts";
import { count } from "../components/count.ts";
import { Json, LoadState, PageHead, StatusBadge, Time, useLoad } from "../components/ui.tsx";
import { FIGURES, shownProgress } from "./import-progress.ts";

const DONE = new Set(["succeeded", "failed", "interrupted"]);

function figure(summary: Record<string, unknown>, key: string): unknown {
  return key
    .split(".")
    .reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      summary,
    );
}

/**
 * Polls an import until it ends; returns its latest view, and whether the server stopped answering
 * (the page says so instead of showing a frozen progress bar). `restart` polls it again (a resume).
 */
function useImport(id: string | undefined, restart = 0): { view?: ImportView; lost: boolean } {
  const [view, setView] = useState<ImportView>();
  const [lost, setLost] = useState(false);
  useEffect(() => {
    if (!id) return;
    void restart;
    let stop = false;
    const tick = async () => {
      try {
        const { import: v } = await api<{ import: ImportView }>(`/imports/${id}`);
        if (stop) return;
        setLost(false);
        setView(v);
        if (!DONE.has(v.status)) setTimeout(tick, 400);
      } catch {
        if (stop) return;
        setLost(true);
        setTimeout(tick, 1500);
      }
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [id, restart]);
  return { view, lost };
}

function LostContact({ lost }: { lost: boolean }) {
  return lost ? (
    <p className="error-text" role="status">
      Lost contact with the server: trying again. If it restarted, the import shows as interrupted and can be
      resumed.
    </p>
  ) : null;
}

export function ImportsPage() {
  const past = useLoad((signal) => api<{ imports: ImportView[] }>("/imports", { signal }), []);
  const connections = useLoad(
    (signal) => api<{ connections: ConnectionView[] }>("/connections", { signal }),
    [],
  );
  const [connectionId, setConnectionId] = useState("");
  const [file, setFile] = useState<File>();
  const [locationId, setLocationId] = useState("");
  const [dryId, setDryId] = useState<string>();
  const [runId, setRunId] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [restarts, setRestarts] = useState(0);
  const { view: dry, lost: dryLost } = useImport(dryId, restarts);
  const { view: real, lost: realLost } = useImport(runId, restarts);
  const reloadPast = useRef(past.reload);
  reloadPast.current = past.reload;
  // Each finished dry run or import joins the list of past ones.
  const finished = `${dry && DONE.has(dry.status) ? dry.id : ""}|${real && DONE.has(real.status) ? real.id : ""}`;
  useEffect(() => {
    if (finished !== "|") void reloadPast.current();
  }, [finished]);

  const start = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const { import: v } = await api<{ import: ImportView }>("/imports", {
        raw: file,
        query: {
          file: file.name,
          dryRun: dryRun ? 1 : undefined,
          locationId: locationId.trim() || undefined,
          connectionId: connectionId || undefined,
        },
      });
      if (dryRun) {
        setDryId(v.id);
        setRunId(undefined);
      } else setRunId(v.id);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  /** Resume an import the server stopped during, and follow it in its section. */
  const resume = async (i: ImportView) => {
    setBusy(true);
    setError(undefined);
    try {
      await api(`/imports/${i.id}/resume`, { method: "POST" });
      if (i.dryRun) setDryId(i.id);
      else setRunId(i.id);
      setRestarts((n) => n + 1);
      void reloadPast.current();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const dryDone = dry && DONE.has(dry.status);
  return (
    <>
      <PageHead
        title="BatchLeads import"
        sub="Bring a BatchLeads export into HighLevel: contacts, tags, notes and tasks, without duplicates."
      />
      <section className="card" aria-labelledby="upload-h">
        <h2 id="upload-h">1. Choose the export</h2>
        <div className="inline-form">
          <div className="field">
            <label htmlFor="import-file">BatchLeads export (CSV or XLSX)</label>
            <input
              id="import-file"
              type="file"
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => {
                setFile(e.target.files?.[0]);
                setDryId(undefined);
                setRunId(undefined);
              }}
            />
          </div>
          <div className="field">
            <label htmlFor="import-location">Location id (optional)</label>
            <input
              id="import-location"
              value={locationId}
              onChange={(e) => setLocationId(e.target.value)}
              placeholder="the connection's location"
            />
          </div>
          {(connections.data?.connections.length ?? 0) > 1 ? (
            <div className="field">
              <label htmlFor="import-connection">Connection</label>
              <select
                id="import-connection"
                value={connectionId}
                onChange={(e) => setConnectionId(e.target.value)}
              >
                <option value="">— choose —</option>
                {connections.data?.connections.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <button type="button" className="primary" disabled={!file || busy} onClick={() => void start(true)}>
            Check it (dry run)
          </button>
        </div>
        {error ? (
          <p className="error-text" role="alert">
            {error}
          </p>
        ) : null}
      </section>
      {dry ? (
        <section className="card" aria-labelledby="dry-h" data-testid="dry-run">
          <h2 id="dry-h">2. What the import would do</h2>
          <ImportProgress view={dry} />
          <LostContact lost={dryLost} />
          {dry.error ? <p className="error-text">{dry.error}</p> : null}
          {dry.summary ? <Summary summary={dry.summary} dryRun /> : null}
          {dry.rejected?.length ? <Rejected rows={dry.rejected} /> : null}
          {dryDone && dry.status === "succeeded" ? (
            <button
              type="button"
              className="primary"
              disabled={busy || Boolean(runId)}
              onClick={() => void start(false)}
            >
              Import into HighLevel
            </button>
          ) : null}
        </section>
      ) : null}
      {real ? (
        <section className="card" aria-labelledby="run-h" data-testid="import-run">
          <h2 id="run-h">3. Importing</h2>
          <ImportProgress view={real} />
          <LostContact lost={realLost} />
          {real.error ? <p className="error-text">{real.error}</p> : null}
          {real.summary ? <Summary summary={real.summary} /> : null}
        </section>
      ) : null}
      <section className="card" aria-labelledby="past-h">
        <h2 id="past-h">Past imports</h2>
        <LoadState loaded={past}>
          {past.data?.imports.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
              {past.data?.imports.map((i) => (
                <li key={i.id}>
                  <details>
                    <summary>
                      {i.file} {i.dryRun ? "(dry run)" : ""} <StatusBadge status={i.status} />{" "}
                      {i.summary ? `${leadCount(figure(i.summary, "leads"))} · ` : ""}
                      <Time iso={i.createdAt} />
                    </summary>
                    {i.summary ? <Summary summary={i.summary} dryRun={i.dryRun} /> : null}
                    {i.error ? <p className="error-text">{i.error}</p> : null}
                    {i.status === "interrupted" ? (
                      <button type="button" disabled={busy} onClick={() => void resume(i)}>
                        Resume {i.dryRun ? "dry run" : "import"}
                      </button>
                    ) : null}
                  </details>
                </li>
              ))}
            </ul>
          )}
        </LoadState>
      </section>
    </>
  );
}

function leadCount(n: unknown): string {
  return typeof n === "number" ? count(n, "lead") : "? leads";
}

function ImportProgress({ view }: { view: ImportView }) {
  const { percent: pct, detail: phase } = shownProgress(view);
  return (
    <div style={{ margin: "8px 0 12px" }}>
      <div className="row spread small">
        <span>
          <StatusBadge status={view.status} /> {DONE.has(view.status) ? "" : phase}
        </span>
        <span data-testid="progress-pct">{pct}%</span>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={`${view.dryRun ? "Dry run" : "Import"} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

/**
 * The summary's main figures as a table; everything else (custom fields, joined leads) under Details.
 * A dry run's figures say what the import would do.
 */
function Summary({ summary, dryRun }: { summary: Record<string, unknown>; dryRun?: boolean }) {
  const rows = FIGURES.filter(([k]) => figure(summary, k) !== undefined);
  return (
    <div className="stack" data-testid="import-summary">
      <table>
        <tbody>
          {rows.map(([k, done, would]) => (
            <tr key={k} data-key={k}>
              <th scope="row">{dryRun ? would : done}</th>
              <td>{String(figure(summary, k))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>Details</summary>
        <Json value={summary} label="Import summary" />
      </details>
    </div>
  );
}

function Rejected({ rows }: { rows: NonNullable<ImportView["rejected"]> }) {
  return (
    <details open>
      <summary>Rejected rows ({rows.length})</summary>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, 200).map((r) => (
              <tr key={r.row}>
                <td>{r.row}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
