// Connections to HighLevel: add a Private Integration Token (tested on save), connect by OAuth in a
// popup, see an agency's installed locations, test, rename, reconnect and remove. Tokens go to the
// server and never come back: nothing here can show one. The default connection (the first added,
// which flows naming none use) carries a badge.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { ApiError, api, messageOf } from "../api/client.ts";
import type { ConnectionView as ApiConnectionView } from "../api/types.ts";
import {
  attempt,
  LoadState,
  Modal,
  PageHead,
  StatusBadge,
  Time,
  toast,
  useConfirm,
  useLoad,
} from "../components/ui.tsx";

/** The API's view, with what this page reads besides: whether it is the default. */
type ConnectionView = ApiConnectionView & { default?: boolean };

interface OAuthStatus {
  configured: boolean;
  startUrl?: string;
  agencyStartUrl?: string;
  help?: string;
}

export function ConnectionsPage() {
  const loaded = useLoad((signal) => api<{ connections: ConnectionView[] }>("/connections", { signal }), []);
  const oauth = useLoad(
    (signal) =>
      api<OAuthStatus>("/oauth/status", { signal }).catch(() => ({ configured: false }) as OAuthStatus),
    [],
  );
  const [adding, setAdding] = useState(false);
  const [ask, confirmNode] = useConfirm();
  const [popupState, setPopupState] = useState<"idle" | "waiting" | "blocked">("idle");
  const popupTimer = useRef<ReturnType<typeof setInterval>>(undefined);
  useEffect(() => () => clearInterval(popupTimer.current), []);

  /**
   * Opens the consent page now, inside the click (a popup opened later is blocked), then watches it
   * until it closes or the connection shows up (a new one, or the reconnected one saved again): the
   * popup may stay open on its success page, the button must not stay on "waiting".
   */
  const connectOAuth = (extra: Record<string, string> = {}, agency = false) => {
    const before = new Map((loaded.data?.connections ?? []).map((c) => [c.id, c.updatedAt]));
    const base = (agency ? oauth.data?.agencyStartUrl : oauth.data?.startUrl) ?? "/oauth/start";
    const url = new URL(base, window.location.origin);
    for (const [k, v] of Object.entries(extra)) url.searchParams.set(k, v);
    const popup = window.open(url.toString(), "hlconnect-oauth", "popup,width=640,height=760");
    if (!popup) {
      setPopupState("blocked");
      return;
    }
    setPopupState("waiting");
    clearInterval(popupTimer.current);
    popupTimer.current = setInterval(async () => {
      const closed = popup.closed;
      const now = await api<{ connections: ConnectionView[] }>("/connections").catch(() => undefined);
      if (now) loaded.update(() => now);
      const arrived = now?.connections.find((c) =>
        extra.reconnect ? c.id === extra.reconnect && c.updatedAt !== before.get(c.id) : !before.has(c.id),
      );
      if (closed || arrived) {
        clearInterval(popupTimer.current);
        setPopupState("idle");
        if (arrived) toast(`${arrived.label} is connected`);
      }
    }, 1000);
  };

  const [testing, setTesting] = useState<string>();
  /** Tests one connection, then shows its recorded health on its card (the rest of the list stays). */
  const test = async (c: ConnectionView) => {
    setTesting(c.id);
    try {
      const r = await api<{ ok: boolean; missingScopes?: string[] }>(`/connections/${c.id}/test`, {
        method: "POST",
      }).catch((err: unknown) => ({ ok: false as const, error: messageOf(err) }));
      if ("error" in r) toast(`${c.label}: ${r.error}`, true);
      else
        toast(
          r.missingScopes?.length
            ? `${c.label} works, but lacks scopes: ${r.missingScopes.join(", ")}`
            : `${c.label} works`,
        );
      const { connection } = await api<{ connection: ConnectionView }>(`/connections/${c.id}`);
      loaded.update((d) =>
        d ? { connections: d.connections.map((x) => (x.id === c.id ? connection : x)) } : d,
      );
    } catch (err) {
      toast(messageOf(err), true);
    } finally {
      setTesting(undefined);
    }
  };

  const rename = async (c: ConnectionView) => {
    const label = window.prompt(`New name for “${c.label}”`, c.label);
    if (label?.trim())
      await attempt(
        () =>
          api(`/connections/${c.id}`, { method: "PUT", body: { label: label.trim() } }).then(loaded.reload),
        "Renamed",
      );
  };

  const companyId = async (c: ConnectionView) => {
    const value = window.prompt(
      `Company (agency) id for “${c.label}”: lists of users need it. Leave empty to clear it.`,
      c.companyId ?? "",
    );
    if (value === null) return;
    await attempt(
      () =>
        api(`/connections/${c.id}`, { method: "PUT", body: { companyId: value.trim() } }).then(loaded.reload),
      value.trim() ? "Company id saved" : "Company id cleared",
    );
  };

  const remove = async (c: ConnectionView) => {
    const all = loaded.data?.connections ?? [];
    // The list comes oldest first: the next default is the oldest of the others.
    const next = c.default ? all.find((x) => x.id !== c.id) : undefined;
    const ok = await ask({
      title: `Remove “${c.label}”?`,
      body: (
        <>
          <p>Flows that name it stop until you pick another connection. Its tokens are deleted.</p>
          {c.default ? (
            <p data-testid="next-default">
              It is the default connection.{" "}
              {next
                ? `“${next.label}” becomes the default: flows that name no connection use it from now on.`
                : "No connection is left for flows that name none."}
            </p>
          ) : null}
        </>
      ),
      confirm: "Remove connection",
    });
    if (!ok) return;
    await attempt(
      async () => {
        const answer = await api<{ newDefault?: ConnectionView } | undefined>(`/connections/${c.id}`, {
          method: "DELETE",
        });
        await loaded.reload();
        if (answer?.newDefault) toast(`Connection removed; “${answer.newDefault.label}” is the default now`);
      },
      next ? undefined : "Connection removed",
    );
  };

  return (
    <>
      <PageHead title="Connections" sub="How hlconnect reaches your HighLevel accounts.">
        <button type="button" onClick={() => setAdding(true)}>
          Add a Private Integration Token
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => connectOAuth()}
          disabled={!oauth.data?.configured || popupState === "waiting"}
          title={oauth.data?.configured ? undefined : "OAuth is not configured on this server"}
          data-testid="oauth-connect"
        >
          {popupState === "waiting" ? "Waiting for HighLevel…" : "Connect with HighLevel"}
        </button>
        {oauth.data?.agencyStartUrl ? (
          <button
            type="button"
            onClick={() => connectOAuth({}, true)}
            disabled={popupState === "waiting"}
            title="An agency connection reaches every location the app is installed in"
          >
            Connect an agency
          </button>
        ) : null}
      </PageHead>
      {oauth.data && !oauth.data.configured ? (
        <p className="muted small">
          {oauth.data.help ?? (
            <>
              “Connect with HighLevel” needs a marketplace app: set <code>HIGHLEVEL_CLIENT_ID</code> and{" "}
              <code>HIGHLEVEL_CLIENT_SECRET</code>, then restart the server.
            </>
          )}
        </p>
      ) : null}
      {popupState === "blocked" ? (
        <div className="banner warn" role="alert">
          The browser blocked the HighLevel window. Allow popups for this site, or{" "}
          <a href={oauth.data?.startUrl ?? "/oauth/start"} target="_blank" rel="noreferrer">
            open the consent page in a new tab
          </a>
          .
        </div>
      ) : null}
      <LoadState loaded={loaded}>
        {loaded.data?.connections.length === 0 ? (
          <div className="card empty">
            <p>No connections yet. Add one to let flows reach HighLevel.</p>
          </div>
        ) : (
          <div className="stack">
            {loaded.data?.connections.map((c) => (
              <ConnectionCard
                key={c.id}
                c={c}
                testing={testing === c.id}
                onTest={() => void test(c)}
                onRename={() => void rename(c)}
                onCompanyId={() => void companyId(c)}
                onRemove={() => void remove(c)}
                onReconnect={() => connectOAuth({ reconnect: c.id })}
              />
            ))}
          </div>
        )}
      </LoadState>
      {adding ? (
        <AddTokenDialog
          known={loaded.data?.connections ?? []}
          onClose={() => setAdding(false)}
          onAdded={() => {
            setAdding(false);
            void loaded.reload();
          }}
        />
      ) : null}
      {confirmNode}
    </>
  );
}

function ConnectionCard({
  c,
  testing,
  onTest,
  onRename,
  onCompanyId,
  onRemove,
  onReconnect,
}: {
  c: ConnectionView;
  testing: boolean;
  onTest: () => void;
  onRename: () => void;
  onCompanyId: () => void;
  onRemove: () => void;
  onReconnect: () => void;
}) {
  const [showLocations, setShowLocations] = useState(false);
  return (
    <article className="card" data-testid={`connection-${c.id}`} aria-label={`Connection ${c.label}`}>
      <div className="row spread">
        <div>
          <h2 style={{ marginBottom: 2 }}>
            {c.label} <StatusBadge status={c.health ?? c.status} testid="health" />
            {c.default ? (
              <>
                {" "}
                <span
                  className="badge info"
                  data-testid="default-badge"
                  title="The first connection added: flows that name no connection use it"
                >
                  Default
                </span>
              </>
            ) : null}
          </h2>
          <div className="muted small">
            {c.kind === "pit"
              ? "Private Integration Token"
              : c.kind === "agency"
                ? "Agency (OAuth)"
                : "Location (OAuth)"}{" "}
            · <span className="mono">{c.id}</span> ·{" "}
            {c.kind === "agency" ? `company ${c.companyId}` : c.locationIds.join(", ")}
            {c.kind === "pit" && c.companyId ? ` · company ${c.companyId}` : ""} · added{" "}
            <Time iso={c.createdAt} />
          </div>
          {c.kind === "pit" && !c.companyId ? (
            <p className="small muted" data-testid="company-missing">
              No company id yet: lists of users (an assigned user) need it. Test reads it from the location
              when the token may; else set it with “Company id”.
            </p>
          ) : null}
          {c.statusReason ? <p className="error-text">{c.statusReason}</p> : null}
          <LastTest c={c} />
          {c.pausedFlows.length ? (
            <p className="small">Paused flows: {c.pausedFlows.map((f) => f.name).join(", ")}</p>
          ) : null}
        </div>
        <div className="row">
          <button type="button" className="small" onClick={onTest} disabled={testing} aria-busy={testing}>
            {testing ? "Testing…" : "Test"}
          </button>
          <button type="button" className="small" onClick={onRename}>
            Rename
          </button>
          {c.kind === "pit" ? (
            <button type="button" className="small" onClick={onCompanyId}>
              Company id
            </button>
          ) : null}
          {c.kind !== "pit" ? (
            <button type="button" className="small" onClick={onReconnect}>
              Reconnect
            </button>
          ) : null}
          <button type="button" className="small danger" onClick={onRemove} aria-label={`Remove ${c.label}`}>
            Remove
          </button>
        </div>
      </div>
      {c.kind === "agency" ? (
        <details
          open={showLocations}
          onToggle={(e) => setShowLocations((e.target as HTMLDetailsElement).open)}
        >
          <summary>Installed locations ({c.locationIds.length})</summary>
          {showLocations ? <AgencyLocations id={c.id} fallback={c.locationIds} /> : null}
        </details>
      ) : null}
    </article>
  );
}

/** When it was last tested and how that went: what the health badge is based on. */
function LastTest({ c }: { c: ConnectionView }) {
  const t = c.lastTest;
  if (!t)
    return (
      <p className="small muted" data-testid="last-test">
        Not tested yet: Test reads its location once to check the token.
      </p>
    );
  return (
    <p className={`small ${t.ok ? "muted" : "error-text"}`} data-testid="last-test">
      Last tested <Time iso={t.at} />: {t.ok ? "it worked" : `it failed: ${t.reason ?? "no reason given"}`}
    </p>
  );
}

function AgencyLocations({ id, fallback }: { id: string; fallback: string[] }) {
  const loaded = useLoad(
    (signal) =>
      api<{ locations: Array<{ id: string; name?: string }> }>(`/connections/${id}/locations`, {
        signal,
      }).catch(() => ({ locations: fallback.map((l): { id: string; name?: string } => ({ id: l })) })),
    [id],
  );
  return (
    <LoadState loaded={loaded}>
      <ul>
        {loaded.data?.locations.map((l) => (
          <li key={l.id}>
            {l.name ? `${l.name} · ` : ""}
            <span className="mono">{l.id}</span>
          </li>
        ))}
      </ul>
    </LoadState>
  );
}

function AddTokenDialog({
  known,
  onClose,
  onAdded,
}: {
  known: ConnectionView[];
  onClose: () => void;
  onAdded: () => void;
}) {
  const [label, setLabel] = useState("");
  const [token, setToken] = useState("");
  const [locationId, setLocationId] = useState("");
  const [companyId, setCompanyId] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  /** Set when the server found this token for this location already: the next save adds it anyway. */
  const [duplicateOf, setDuplicateOf] = useState<string>();
  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<{
        connection: ConnectionView;
        test?: { ok: boolean; error?: string };
        missingScopes?: Array<{ flowId: string; scope: string; message: string }>;
        warnings?: string[];
      }>("/connections", {
        body: {
          kind: "pit",
          label: label.trim(),
          token: token.trim(),
          locationId: locationId.trim(),
          ...(companyId.trim() ? { companyId: companyId.trim() } : {}),
          ...(duplicateOf ? { allowDuplicate: true } : {}),
        },
      });
      if (!answer.connection.companyId) {
        toast(
          "No company id is known for it: lists of users need one. Set it with “Company id” on its card.",
          true,
        );
      }
      const missing = answer.missingScopes ?? [];
      if (answer.test && !answer.test.ok) {
        toast(
          `Connection saved but not tested: ${answer.test.error ?? "HighLevel could not be reached"}`,
          true,
        );
      } else if (missing.length) {
        toast(
          `Connection added and tested. The token lacks scopes: ${missing.map((m) => m.message).join("; ")}`,
          true,
        );
      } else {
        toast("Connection added and tested");
      }
      setToken("");
      onAdded();
    } catch (err) {
      const existing =
        err instanceof ApiError && err.status === 409
          ? (err.details as { connectionId?: unknown } | undefined)?.connectionId
          : undefined;
      setDuplicateOf(typeof existing === "string" ? existing : undefined);
      setError(
        typeof existing === "string"
          ? `This token for this location is already connection ${existing}. Save again to add it a second time.`
          : messageOf(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title="Add a Private Integration Token"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form="pit-form"
            className="primary"
            disabled={busy || !label.trim() || !token.trim() || !locationId.trim()}
          >
            {busy ? "Testing…" : duplicateOf ? "Add it again anyway" : "Test and save"}
          </button>
        </>
      }
    >
      <form id="pit-form" onSubmit={submit}>
        <p className="muted">
          In HighLevel: Settings › Private Integrations › Create. The token is tested, encrypted and never
          shown again.
        </p>
        <div className="field">
          <label htmlFor="pit-label">Name</label>
          <input
            id="pit-label"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="Main location"
          />
        </div>
        <div className="field">
          <label htmlFor="pit-token">Token</label>
          <input
            id="pit-token"
            type="password"
            autoComplete="off"
            value={token}
            onChange={(e) => {
              setToken(e.target.value);
              setDuplicateOf(undefined);
            }}
          />
        </div>
        <div className="field">
          <label htmlFor="pit-location">Location id</label>
          <input
            id="pit-location"
            value={locationId}
            onChange={(e) => {
              setLocationId(e.target.value);
              setDuplicateOf(undefined);
              // Pre-filled from a connection that already knows this location's company.
              const same = known.find((c) => c.companyId && c.locationIds.includes(e.target.value.trim()));
              if (same?.companyId && !companyId.trim()) setCompanyId(same.companyId);
            }}
          />
          <div className="hint">Settings › Business Profile in HighLevel shows it.</div>
        </div>
        <div className="field">
          <label htmlFor="pit-company">Company ID (optional)</label>
          <input id="pit-company" value={companyId} onChange={(e) => setCompanyId(e.target.value)} />
          <div className="hint">
            The agency that owns the location. Read from the location when the token may; lists of users need
            it.
          </div>
        </div>
        {error ? (
          <p className="error-text" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </Modal>
  );
}
