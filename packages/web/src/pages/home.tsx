// Home: what is running now. Flows on and off, the last day's runs by status, runs that need a
// person, and connections that need reconnecting.
import { ApiError, api } from "../api/client.ts";
import type { ConnectionView, FlowSummary, Overview, RunView } from "../api/types.ts";
import { noun } from "../components/count.ts";
import { LoadState, PageHead, StatusBadge, Time, useLoad } from "../components/ui.tsx";
import { Link } from "../router.tsx";

/** Older servers have no /api/overview: the same figures from the lists. */
async function loadOverview(signal: AbortSignal): Promise<Overview> {
  try {
    return await api<Overview>("/overview", { signal });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const [{ flows }, { runs }, { connections }] = await Promise.all([
    api<{ flows: FlowSummary[] }>("/flows", { signal }),
    api<{ runs: RunView[] }>("/runs", { signal, query: { limit: 500 } }),
    api<{ connections: ConnectionView[] }>("/connections", { signal }),
  ]);
  const since = Date.now() - 86_400_000;
  const runs24h: Record<string, number> = {};
  for (const r of runs)
    if (new Date(r.createdAt).getTime() >= since) runs24h[r.status] = (runs24h[r.status] ?? 0) + 1;
  return {
    flows: { total: flows.length, enabled: flows.filter((f) => f.enabled).length },
    runs24h,
    attentionRuns: runs.filter((r) => r.status === "needs_attention"),
    reconnectConnections: connections.filter((c) => c.status !== "active"),
  };
}

export function HomePage() {
  const loaded = useLoad(loadOverview, []);
  const o = loaded.data;
  return (
    <>
      <PageHead title="Home" sub="What is running, and what needs you.">
        <Link className="button primary" to="/flows/new">
          New flow
        </Link>
      </PageHead>
      <LoadState loaded={loaded}>
        {o ? (
          <div className="stack">
            <section className="grid cols-4" aria-label="Figures">
              <div className="card">
                <div className="stat">
                  {o.flows.enabled} <span className="muted small">of {o.flows.total}</span>
                </div>
                <div className="stat-label">{noun(o.flows.enabled, "flow")} on</div>
              </div>
              {(["succeeded", "failed", "needs_attention"] as const).map((s) => {
                const n = o.runs24h[s] ?? 0;
                const what = s === "needs_attention" ? `${noun(n, "needs")} attention` : s;
                return (
                  <div className="card" key={s}>
                    <div className="stat">{n}</div>
                    <div className="stat-label">
                      {noun(n, "run")} {what} (24 h)
                    </div>
                  </div>
                );
              })}
            </section>
            <section className="card" aria-labelledby="attention-h">
              <h2 id="attention-h">Runs that need attention</h2>
              {o.attentionRuns.length === 0 ? (
                <p className="muted">None. Runs that stop for a person to decide show here.</p>
              ) : (
                <ul>
                  {o.attentionRuns.map((r) => (
                    <li key={r.id}>
                      <Link to={`/runs/${r.id}`}>{r.flowId}</Link> <StatusBadge status={r.status} />{" "}
                      <Time iso={r.createdAt} />
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section className="card" aria-labelledby="reconnect-h">
              <h2 id="reconnect-h">Connections</h2>
              {o.reconnectConnections.length === 0 ? (
                <p className="muted">
                  All connections work. <Link to="/connections">Manage connections</Link>
                </p>
              ) : (
                <ul>
                  {o.reconnectConnections.map((c) => (
                    <li key={c.id}>
                      <strong>{c.label}</strong> <StatusBadge status={c.status} /> {c.statusReason}{" "}
                      <Link to="/connections">Reconnect</Link>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        ) : null}
      </LoadState>
    </>
  );
}
