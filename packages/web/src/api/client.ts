// The one way the app talks to the server: JSON over fetch with the session cookie, the CSRF token on
// every state-changing request, and errors as ApiError carrying the server's {error, details}.
// A 401 anywhere means the session ended: listeners (the app shell) send the person to sign in.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

import type { FlowProblem } from "./types.ts";

export type { FlowProblem };

let csrfToken = "";
const unauthorizedListeners = new Set<() => void>();

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** A raw body (a file upload) sent as is, with its own content type. */
  raw?: Blob;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
  /** Sign-in calls handle 401 themselves. */
  quiet401?: boolean;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined && !options.raw ? "GET" : "POST");
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") headers["x-csrf-token"] = csrfToken;
  let body: BodyInit | undefined;
  if (options.raw) {
    body = options.raw;
    headers["content-type"] = options.raw.type || "application/octet-stream";
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(withQuery(`/api${path}`, options.query), {
      method,
      headers,
      body: body ?? null,
      credentials: "same-origin",
      signal: options.signal ?? null,
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "the server cannot be reached: is `hlconnect serve` running?");
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; details?: unknown };
    if (res.status === 401 && !options.quiet401) for (const l of unauthorizedListeners) l();
    throw new ApiError(res.status, e.error ?? `${method} ${path} answered ${res.status}`, e.details);
  }
  return data as T;
}

function withQuery(url: string, query: RequestOptions["query"]): string {
  if (!query) return url;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${url}?${qs}` : url;
}

/** The problems of a 422 answer (an invalid flow), or none. */
export function flowProblems(err: unknown): FlowProblem[] {
  if (err instanceof ApiError && Array.isArray(err.details)) return err.details as FlowProblem[];
  return [];
}

/** A message fit to show a person: the server's words, never a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
