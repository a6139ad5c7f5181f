// The flows list: search, on/off, trigger, last run and success rate; duplicate, delete (asked first),
// and new flows from blank or from a template.
import { useMemo, useState } from "react";
import { api } from "../api/client.ts";
import type { CatalogSummary, FlowSummary, TemplateView } from "../api/types.ts";
import {
  attempt,
  LoadState,
  Modal,
  PageHead,
  StatusBadge,
  Time,
  useConfirm,
  useLoad,
} from "../components/ui.tsx";
import { Link, navigate } from "../router.tsx";

/** The trigger as a person reads it: the catalog entry's name, and how often it checks. */
export function triggerLabel(f: FlowSummary, names: Map<string, string>): string {
  const t = f.trigger;
  if (t.type === "webhook") return "Its own webhook";
  if (t.type === "invalid") return "Invalid";
  const name = names.get(t.op ?? "")?.replace(/\s*\(instant\)$/, "") ?? t.op ?? "";
  return t.type === "polling"
    ? `${name} · every ${Math.round((t.everyMs ?? 0) / 60000)} min`
    : `${name} · instant`;
}

export function FlowsPage() {
  const loaded = useLoad((signal) => api<{ flows: FlowSummary[] }>("/flows", { signal }), []);
  const catalog = useLoad((signal) => api<{ entries: CatalogSummary[] }>("/catalog", { signal }), []);
  const names = useMemo(() => new Map(catalog.data?.entries.map((e) => [e.key, e.name])), [catalog.data]);
  const [q, setQ] = useState("");
  const [ask, confirmNode] = useConfirm();
  const [choosing, setChoosing] = useState(false);

  const flows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = loaded.data?.flows ?? [];
    return needle
      ? all.filter((f) => `${f.id} ${f.name} ${f.trigger.op ?? ""}`.toLowerCase().includes(needle))
      : all;
  }, [loaded.data, q]);

  const toggle = (f: FlowSummary) =>
    attempt(
      () => api(`/flows/${f.id}/${f.enabled ? "disable" : "enable"}`, { method: "POST" }).then(loaded.reload),
      `${f.name} is ${f.enabled ? "off" : "on"}`,
    );
  const duplicate = (f: FlowSummary) =>
    attempt(async () => {
      const { flow } = await api<{ flow: FlowSummary }>(`/flows/${f.id}/duplicate`, { body: {} });
      navigate(`/flows/${flow.id}`);
    }, "Duplicated (off until you enable it)");
  const remove = async (f: FlowSummary) => {
    const ok = await ask({
      title: `Delete “${f.name}”?`,
      body: (
        <p>
          The flow stops and its file{f.file ? ` (${f.file})` : ""} is removed. Its past runs stay in the
          history.
        </p>
      ),
      confirm: "Delete flow",
    });
    if (ok)
      await attempt(() => api(`/flows/${f.id}`, { method: "DELETE" }).then(loaded.reload), "Flow deleted");
  };

  return (
    <>
      <PageHead title="Flows" sub="Each flow is one trigger and the steps it runs.">
        <button type="button" onClick={() => setChoosing(true)}>
          From a template
        </button>
        <Link className="button primary" to="/flows/new" data-testid="new-flow">
          New flow
        </Link>
      </PageHead>
      <div className="row" style={{ marginBottom: 12 }}>
        <label htmlFor="flow-search" className="sr-only">
          Search flows
        </label>
        <input
          id="flow-search"
          type="search"
          placeholder="Search by name, id or trigger"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
      </div>
      <LoadState loaded={loaded}>
        {flows.length === 0 ? (
          <div className="card empty">
            <p>{q ? "No flow matches." : "No flows yet."}</p>
            <Link className="button primary" to="/flows/new">
              Build your first flow
            </Link>
          </div>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">On</th>
                  <th scope="col">Flow</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Last run</th>
                  <th scope="col">Success (24 h)</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {flows.map((f) => (
                  <tr key={f.id} data-testid={`flow-row-${f.id}`}>
                    <td>
                      <input
                        type="checkbox"
                        role="switch"
                        aria-checked={f.enabled}
                        checked={f.enabled}
                        aria-label={`${f.name} enabled`}
                        onChange={() => void toggle(f)}
                      />
                    </td>
                    <td>
                      <Link to={`/flows/${f.id}`}>
                        <strong>{f.name}</strong>
                      </Link>
                      <div className="muted small">
                        {f.id}
                        {f.status !== "active" ? (
                          <>
                            {" "}
                            · <StatusBadge status={f.status} /> {f.statusReason ?? f.problem ?? ""}
                          </>
                        ) : null}
                      </div>
                    </td>
                    <td className="small" title={f.trigger.op}>
                      {triggerLabel(f, names)}
                    </td>
                    <td>
                      {f.lastRun ? (
                        <Link to={`/runs/${f.lastRun.id}`}>
                          <StatusBadge status={f.lastRun.status} /> <Time iso={f.lastRun.createdAt} />
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td>{f.successRate24h === undefined ? "—" : `${Math.round(f.successRate24h * 100)}%`}</td>
                    <td className="actions">
                      <Link className="button small" to={`/runs?flow=${encodeURIComponent(f.id)}`}>
                        Runs
                      </Link>{" "}
                      <button type="button" className="small" onClick={() => void duplicate(f)}>
                        Duplicate
                      </button>{" "}
                      <button
                        type="button"
                        className="small danger"
                        onClick={() => void remove(f)}
                        aria-label={`Delete ${f.name}`}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
      {confirmNode}
      {choosing ? <TemplateChooser onClose={() => setChoosing(false)} /> : null}
    </>
  );
}

function TemplateChooser({ onClose }: { onClose: () => void }) {
  const loaded = useLoad((signal) => api<{ templates: TemplateView[] }>("/templates", { signal }), []);
  const use = (t: TemplateView) =>
    attempt(async () => {
      const { flow } = await api<{ flow: FlowSummary }>("/flows/from-template", {
        body: { template: t.name },
      });
      onClose();
      navigate(`/flows/${flow.id}`);
    }, "Flow created from the template (off until you enable it)");
  return (
    <Modal
      title="New flow from a template"
      onClose={onClose}
      actions={
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      }
    >
      <LoadState loaded={loaded}>
        <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
          {loaded.data?.templates.map((t) => (
            <li key={t.name} className="row spread card">
              <div>
                <strong>{t.title ?? t.name}</strong>
                <div className="muted small">{t.description}</div>
              </div>
              <button type="button" onClick={() => void use(t)}>
                Use
              </button>
            </li>
          ))}
        </ul>
      </LoadState>
    </Modal>
  );
}
