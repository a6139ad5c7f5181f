// The shell: side navigation, the sandbox banner in demo mode, and the page the hash names. The
// builder is loaded on first use so the list pages stay small.
import { Component, lazy, type ReactNode, Suspense, useEffect, useRef } from "react";
import { Toasts } from "./components/ui.tsx";
import { CatalogPage } from "./pages/catalog.tsx";
import { ConnectionsPage } from "./pages/connections.tsx";
import { FlowsPage } from "./pages/flows.tsx";
import { HomePage } from "./pages/home.tsx";
import { ImportsPage } from "./pages/imports.tsx";
import { RunPage } from "./pages/run.tsx";
import { RunsPage } from "./pages/runs.tsx";
import { SignInPage } from "./pages/signin.tsx";
import { Link, match, useLocation } from "./router.tsx";
import { useSession } from "./session.tsx";

const BuilderPage = lazy(() => import("./builder/builder-page.tsx"));

const NAV: Array<[string, string]> = [
  ["/", "Home"],
  ["/flows", "Flows"],
  ["/runs", "Runs"],
  ["/connections", "Connections"],
  ["/catalog", "Catalog"],
  ["/imports", "BatchLeads import"],
];

function route(path: string): { page: ReactNode; title: string } {
  const flow = match("/flows/:id", path);
  const run = match("/runs/:id", path);
  const entry = match("/catalog/:key", path);
  if (path === "/") return { page: <HomePage />, title: "Home" };
  if (path === "/flows") return { page: <FlowsPage />, title: "Flows" };
  if (path === "/flows/new") return { page: <BuilderPage key="new" />, title: "New flow" };
  if (flow) return { page: <BuilderPage key={flow.id} flowId={flow.id!} />, title: "Flow builder" };
  if (path === "/runs") return { page: <RunsPage />, title: "Runs" };
  if (run) return { page: <RunPage key={run.id} runId={run.id!} />, title: "Run" };
  if (path === "/connections") return { page: <ConnectionsPage />, title: "Connections" };
  if (path === "/catalog") return { page: <CatalogPage />, title: "Catalog" };
  if (entry) return { page: <CatalogPage entryKey={entry.key} />, title: "Catalog" };
  if (path === "/imports") return { page: <ImportsPage />, title: "BatchLeads import" };
  return {
    page: (
      <div className="card">
        <h1>Page not found</h1>
        <p>
          There is no page at <code>{path}</code>. <Link to="/">Go to Home</Link>.
        </p>
      </div>
    ),
    title: "Not found",
  };
}

export function App() {
  const { session, checking, signOut } = useSession();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const { page, title } = route(location.path);

  // A new page: its title, and focus at its start for keyboard and screen-reader users.
  useEffect(() => {
    document.title = `${title} · hlconnect`;
    // Unless the page put focus somewhere itself (a search box), its start gets it.
    if (!mainRef.current?.contains(document.activeElement)) mainRef.current?.focus({ preventScroll: true });
  }, [title]);

  if (checking) return null;
  if (!session) return <SignInPage />;

  const section = `/${location.path.split("/")[1] ?? ""}`;
  return (
    <div className="shell">
      <button type="button" className="skip-link" onClick={() => mainRef.current?.focus()}>
        Skip to content
      </button>
      <nav className="nav" aria-label="Main">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> hlconnect
        </div>
        {NAV.map(([to, label]) => (
          <Link key={to} to={to} aria-current={section === to ? "page" : undefined}>
            {label}
          </Link>
        ))}
        <div className="spacer" />
        <button type="button" className="ghost" onClick={() => void signOut()}>
          Sign out
        </button>
      </nav>
      <main id="main" ref={mainRef} tabIndex={-1} className="main" style={{ outline: "none" }}>
        {session.demo ? (
          <div className="banner" role="note" data-testid="sandbox-banner">
            <strong>Demo mode:</strong> everything runs against a local HighLevel sandbox
            {session.sandbox ? (
              <>
                {" "}
                at <code>{session.sandbox.baseUrl}</code> (location <code>{session.sandbox.locationId}</code>)
              </>
            ) : null}
            . Nothing reaches a real HighLevel account.
          </div>
        ) : null}
        <Suspense
          fallback={
            <p className="muted">
              <span className="spinner" /> Loading…
            </p>
          }
        >
          <PageBoundary key={pageKey(location.path)}>{page}</PageBoundary>
        </Suspense>
      </main>
      <Toasts />
    </div>
  );
}

/**
 * Which page instance a path belongs to: a new path is a new page (fresh state, fresh error boundary),
 * except the catalog's entries, which open beside its list and keep its search and scroll position.
 */
function pageKey(path: string): string {
  return path.startsWith("/catalog/") ? "/catalog" : path;
}

/** A page that fails to render says so (and how to recover) instead of leaving a blank screen. */
class PageBoundary extends Component<{ children: ReactNode }, { error?: string }> {
  override state: { error?: string } = {};
  static getDerivedStateFromError(err: Error) {
    return { error: err.message };
  }
  override render() {
    if (this.state.error === undefined) return this.props.children;
    return (
      <div className="banner bad" role="alert">
        <strong>This page could not be shown.</strong> {this.state.error}. Reload the page; if it happens
        again, the server log and the browser console say more.{" "}
        <button type="button" className="small" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
