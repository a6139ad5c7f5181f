// Shared test helpers: a sandbox per test file, a fetch wrapper with HighLevel's headers,
// and a manual clock so that time-based behaviour is tested without sleeping.
import { type Sandbox, type SandboxOptions, startSandbox } from "../src/index.ts";

export interface Clock {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
}

export function manualClock(start = Date.UTC(2025, 5, 1, 12, 0, 0)): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}

export interface CallOptions {
  method?: string;
  token?: string | null;
  version?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are arbitrary JSON that tests index freely
type Json = any;

export interface CallResult<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

export type Api = <T = Json>(path: string, options?: CallOptions) => Promise<CallResult<T>>;

export function apiFor(sb: Sandbox): Api {
  return async (path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? sb.info.locationToken : o.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const version = o.version === undefined ? "2021-07-28" : o.version;
    if (version) headers.version = version;
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(`${sb.info.baseUrl}${path}`, {
      method: o.method ?? "GET",
      headers,
      body,
      redirect: "manual",
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // non-JSON answers (502 pages) stay text
    }
    return { status: res.status, body: parsed as Json, headers: res.headers };
  };
}

export async function start(options: SandboxOptions = {}): Promise<{ sb: Sandbox; api: Api }> {
  const sb = await startSandbox(options);
  return { sb, api: apiFor(sb) };
}
