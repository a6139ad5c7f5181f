// The run history: filters (flow, status, since) live in the URL so a filtered view can be shared or
// reloaded; new runs and status changes arrive live.
import { useCallback } from "react";
import { api } from "../api/client.ts";
import type { FlowSummary, RunView } from "../api/types.ts";
import { errorText, LoadState, PageHead, StatusBadge, Time, useLoad } from "../components/ui.tsx";
import { useLiveRuns } from "../live.ts";
import { href, Link, navigate, useLocation } from "../router.tsx";

const STATUSES = ["queued", "running", "succeeded", "failed", "needs_attention", "filtered", "cancelled"];
const PERIODS: Array<[string, string, number]> = [
  ["", "Any time", 0],
  ["1h", "Last hour", 3_600_000],
  ["24h", "Last 24 hours", 86_400_000],
  ["7d", "Last 7 days", 7 * 86_400_000],
];

interface RunsPage {
  runs: RunView[];
  nextCursor?: string;
}

export function RunsPage() {
  const { query } = useLocation();
  const flow = query.get("flow") ?? "";
  const status = query.get("status") ?? "";
  const period = query.get("since") ?? "";
  const cursor = query.get("cursor") ?? "";
  const sinceMs = PERIODS.find((p) => p[0] === period)?.[2] ?? 0;

  const flows = useLoad((signal) => api<{ flows: FlowSummary[] }>("/flows", { signal }), []);
  const loaded = useLoad(
    (signal) =>
      api<RunsPage>("/runs", {
        signal,
        query: {
          flowId: flow,
          status,
          limit: 50,
          cursor,
          since: sinceMs ? new Date(Date.now() - sinceMs).toISOString() : undefined,
        },
      }),
    [flow, status, sinceMs, cursor],
  );
  const reload = loaded.reload;
  useLiveRuns(useCallback(() => void reload(), [reload]));

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== "cursor") next.delete("cursor");
    navigate(href("/runs", next), { replace: true });
  };

  return (
    <>
      <PageHead title="Runs" sub="Every time a flow ran, newest first. Updates live." />
      <form className="inline-form" style={{ marginBottom: 12 }} onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="f-flow">Flow</label>
          <select id="f-flow" value={flow} onChange={(e) => set("flow", e.target.value)}>
            <option value="">All flows</option>
            {flows.data?.flows.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={status} onChange={(e) => set("status", e.target.value)}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-since">When</label>
          <select id="f-since" value={period} onChange={(e) => set("since", e.target.value)}>
            {PERIODS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <LoadState loaded={loaded}>
        {loaded.data && loaded.data.runs.length === 0 ? (
          <div className="card empty">No runs match. Runs appear here as flows start.</div>
        ) : (
          <div className="table-wrap">
            <table aria-live="polite">
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Flow</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Took</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {loaded.data?.runs.map((r) => (
                  <tr key={r.id} data-testid="run-row">
                    <td>
                      <Link to={`/runs/${r.id}`} className="mono">
                        {r.id.slice(0, 12)}
                      </Link>
                      {r.replayOf ? <div className="muted small">replay</div> : null}
                    </td>
                    <td>{r.flowId}</td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td>
                      <Time iso={r.createdAt} />
                    </td>
                    <td>{r.durationMs === undefined ? "—" : `${r.durationMs} ms`}</td>
                    <td className="small">{errorText(r.error)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="row" style={{ marginTop: 10 }}>
          {cursor ? (
            <button type="button" onClick={() => set("cursor", "")}>
              Newest
            </button>
          ) : null}
          {loaded.data?.nextCursor ? (
            <button type="button" onClick={() => set("cursor", loaded.data?.nextCursor ?? "")}>
              Older runs
            </button>
          ) : null}
        </div>
      </LoadState>
    </>
  );
}
