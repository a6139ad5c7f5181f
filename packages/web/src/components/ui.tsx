// Small shared pieces: status badges, JSON blocks, relative times, a data-loading hook, toasts and a
// confirmation dialog built on <dialog> (focus trapping and Escape come from the browser).
import { type ReactNode, useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { messageOf } from "../api/client.ts";
import { currentPath, useLocation } from "../router.tsx";
import { ToastStore } from "./toast-store.ts";

const STATUS_TONE: Record<string, string> = {
  succeeded: "ok",
  active: "ok",
  ok: "ok",
  enabled: "ok",
  completed: "ok",
  done: "ok",
  failed: "bad",
  error: "bad",
  needs_attention: "warn",
  needs_reconnect: "warn",
  interrupted: "warn",
  failing: "bad",
  paused: "warn",
  running: "info",
  queued: "info",
};

export function StatusBadge({ status, testid }: { status: string; testid?: string }) {
  return (
    <span className={`badge ${STATUS_TONE[status] ?? ""}`} data-testid={testid}>
      {status.replaceAll("_", " ")}
    </span>
  );
}

/** A run's or step's error as one line: its message, with the code when there is one. */
export function errorText(e: { message: string; code?: string } | string | undefined): string {
  if (!e) return "";
  if (typeof e === "string") return e;
  return e.code && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message;
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  return (
    <Scroll label={label ?? "JSON"}>{value === undefined ? "—" : JSON.stringify(value, null, 2)}</Scroll>
  );
}

/** Preformatted text that may scroll: focusable, so keyboard users can scroll it too. */
export function Scroll({
  label,
  children,
  className,
}: {
  label: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling block must be reachable by keyboard
    <section aria-label={label} tabIndex={0} className="scroll">
      <pre className={className}>{children}</pre>
    </section>
  );
}

export function timeAgo(iso: string | undefined): string {
  if (!iso) return "—";
  const ms = Date.now() - new Date(iso).getTime();
  const s = Math.round(ms / 1000);
  if (s < 60) return `${Math.max(s, 0)}s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function Time({ iso }: { iso: string | undefined }) {
  if (!iso) return <span className="muted">—</span>;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {timeAgo(iso)}
    </time>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => Promise<void>;
  /** Replaces what was loaded (a load under way is dropped: this is newer). */
  update(fn: (data: T | undefined) => T | undefined): void;
}

/** Loads on mount and whenever `deps` change; a stale answer (deps moved on) is dropped. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const depKey = useDepsKey(deps);
  // biome-ignore lint/correctness/useExhaustiveDependencies: depKey changes when the caller's deps do
  const run = useCallback(async () => {
    const mine = ++generation.current;
    const ctrl = new AbortController();
    setLoading(true);
    try {
      const value = await loadRef.current(ctrl.signal);
      if (mine === generation.current) {
        setData(value);
        setError(undefined);
      }
    } catch (err) {
      if (mine === generation.current && (err as Error).name !== "AbortError") setError(messageOf(err));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [depKey]);
  useEffect(() => {
    void run();
  }, [run]);
  const update = useCallback((fn: (data: T | undefined) => T | undefined) => {
    generation.current++;
    setLoading(false);
    setData(fn);
  }, []);
  return { data, error, loading, reload: run, update };
}

/** A number that changes whenever one of `deps` changes (compared with Object.is, as React does). */
function useDepsKey(deps: unknown[]): number {
  const prev = useRef<unknown[]>(deps);
  const key = useRef(0);
  if (prev.current.length !== deps.length || deps.some((d, i) => !Object.is(d, prev.current[i]))) {
    prev.current = deps;
    key.current++;
  }
  return key.current;
}

export function LoadState({ loaded, children }: { loaded: Loaded<unknown>; children: ReactNode }) {
  if (loaded.error)
    return (
      <div className="banner bad" role="alert">
        {loaded.error}{" "}
        <button type="button" className="small" onClick={() => void loaded.reload()}>
          Try again
        </button>
      </div>
    );
  if (loaded.data === undefined)
    return (
      <p className="muted" aria-live="polite">
        <span className="spinner" /> Loading…
      </p>
    );
  return <>{children}</>;
}

// Toasts: announced politely to screen readers, and dismissed when the page they were raised on is
// left (toast-store.ts).
const toastStore = new ToastStore();

/**
 * Shows `text` for a few seconds on this page. `carry`: the action navigates afterwards ("Flow saved",
 * then the flow's page), so the toast moves to the page it lands on instead of being dismissed.
 */
export function toast(text: string, bad = false, options: { carry?: boolean } = {}): void {
  toastStore.raise(text, { bad, page: currentPath(), ...(options.carry ? { carry: true } : {}) });
}

export function Toasts() {
  const items = useSyncExternalStore(
    (cb) => toastStore.subscribe(cb),
    () => toastStore.items,
  );
  const { path } = useLocation();
  useEffect(() => toastStore.pageChanged(path), [path]);
  return (
    <div className="toasts" role="status" aria-live="polite">
      {items.map((t) => (
        <div key={t.id} className={`toast ${t.bad ? "bad" : ""}`}>
          {t.text}
        </div>
      ))}
    </div>
  );
}

/** A modal <dialog>: open while mounted; Escape or Cancel calls onClose. */
export function Modal({
  title,
  children,
  onClose,
  actions,
}: {
  title: string;
  children: ReactNode;
  onClose: () => void;
  actions?: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby="modal-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="modal-title">{title}</h2>
      {children}
      <div className="dialog-actions">{actions}</div>
    </dialog>
  );
}

/** Asks before something that cannot be undone. */
export function useConfirm(): [
  (opts: { title: string; body: ReactNode; confirm: string }) => Promise<boolean>,
  ReactNode,
] {
  const [state, setState] = useState<{
    title: string;
    body: ReactNode;
    confirm: string;
    resolve: (v: boolean) => void;
  }>();
  const ask = useCallback(
    (opts: { title: string; body: ReactNode; confirm: string }) =>
      new Promise<boolean>((resolve) => setState({ ...opts, resolve })),
    [],
  );
  const done = (v: boolean) => {
    state?.resolve(v);
    setState(undefined);
  };
  const node = state ? (
    <Modal
      title={state.title}
      onClose={() => done(false)}
      actions={
        <>
          <button type="button" onClick={() => done(false)}>
            Cancel
          </button>
          <button type="button" className="primary" onClick={() => done(true)}>
            {state.confirm}
          </button>
        </>
      }
    >
      {state.body}
    </Modal>
  ) : null;
  return [ask, node];
}

/** Runs an action, toasting its failure; returns whether it worked. */
export async function attempt(action: () => Promise<unknown>, success?: string): Promise<boolean> {
  try {
    await action();
    if (success) toast(success);
    return true;
  } catch (err) {
    toast(messageOf(err), true);
    return false;
  }
}

export function PageHead({ title, sub, children }: { title: string; sub?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {sub ? <p>{sub}</p> : null}
      </div>
      {children ? <div className="row">{children}</div> : null}
    </div>
  );
}
