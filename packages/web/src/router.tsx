// A hash router in a few lines: "#/runs?status=failed" is the page and its query. The hash keeps every
// page reachable from the server's single index.html, and the query keeps filters in the URL.
import { type AnchorHTMLAttributes, useEffect, useSyncExternalStore } from "react";

export interface Location {
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const q = hash.indexOf("?");
  return q < 0
    ? { path: hash, query: new URLSearchParams() }
    : { path: hash.slice(0, q), query: new URLSearchParams(hash.slice(q + 1)) };
}

let current = read();

/** The page the address names now, even before its hashchange has been handled (a toast raised just
 * after `navigate()` belongs to the page being opened). */
export function currentPath(): string {
  return read().path;
}
const listeners = new Set<() => void>();
/** Asked before leaving a page with unsaved work; false keeps the person where they are. */
let blocker: (() => boolean) | undefined;

window.addEventListener("hashchange", () => {
  const next = read();
  if (blocker && next.path !== current.path && !blocker()) {
    // Put the old address back without another prompt.
    history.replaceState(null, "", `#${href(current.path, current.query)}`);
    return;
  }
  current = next;
  for (const l of listeners) l();
});

export function href(path: string, query?: URLSearchParams | Record<string, string | undefined>): string {
  const params =
    query instanceof URLSearchParams
      ? query
      : new URLSearchParams(Object.entries(query ?? {}).filter((e): e is [string, string] => Boolean(e[1])));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const target = `#${to}`;
  if (options.replace) {
    history.replaceState(null, "", target);
    current = read();
    for (const l of listeners) l();
  } else {
    window.location.hash = to;
  }
}

export function useLocation(): Location {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => current,
  );
}

/** Matches "/flows/:id" against a path; the params, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split("/");
  const s = path.split("/");
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i]!;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(s[i]!);
    else if (part !== s[i]) return undefined;
  }
  return params;
}

/** While `dirty`, leaving the page (in the app or closing the tab) asks first. */
export function useLeaveGuard(dirty: boolean, message = "You have unsaved changes. Leave without saving?") {
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      e.preventDefault();
    };
    blocker = () => window.confirm(message);
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => {
      blocker = undefined;
      window.removeEventListener("beforeunload", onBeforeUnload);
    };
  }, [dirty, message]);
}

export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return <a href={`#${to}`} {...rest} />;
}
