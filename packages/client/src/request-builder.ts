// Turns (operation, params, body) into the exact HTTP request the spec describes: path
// parameters substituted, declared query parameters only, the operation's own Version header.
// Mistakes are caught here, before any request, with the parameter's name and a suggestion.

import { editDistance } from "./edit-distance.ts";
import { HighLevelError } from "./errors.ts";
import { OPERATIONS } from "./generated/operations.ts";
import { DEFAULT_API_VERSION, type OperationSpec } from "./operation.ts";

const byKey = new Map(OPERATIONS.map((o) => [o.key, o]));
const byOperationId = new Map<string, OperationSpec[]>();
for (const o of OPERATIONS)
  byOperationId.set(o.operationId, [...(byOperationId.get(o.operationId) ?? []), o]);

/**
 * Look an operation up by its key ("get-contact", "contacts:create-association"); a bare
 * operationId shared by two services is refused with both keys named.
 */
export function getOperation(key: string): OperationSpec {
  const found = byKey.get(key);
  if (found) return found;
  const shared = byOperationId.get(key);
  if (shared && shared.length > 1) {
    throw new HighLevelError(
      `"${key}" is ambiguous: it names ${shared.length} operations (${shared.map((o) => o.key).join(", ")}). Use one of those keys.`,
      { code: "UNKNOWN_OPERATION" },
    );
  }
  const close = closest(key, [...byKey.keys()], 3);
  throw new HighLevelError(
    `Unknown operation "${key}".${close.length ? ` Did you mean ${close.map((c) => `"${c}"`).join(", ")}?` : ""}`,
    { code: "UNKNOWN_OPERATION" },
  );
}

/** Find the operation serving METHOD PATH; a trailing slash or its absence does not matter. */
export function findOperationByPath(method: string, urlPath: string): OperationSpec | undefined {
  const want = trimSlash(urlPath.split("?")[0] ?? "");
  const m = method.toUpperCase();
  let best: OperationSpec | undefined;
  let bestLiterals = -1;
  for (const o of OPERATIONS) {
    if (o.method !== m) continue;
    const template = trimSlash(o.path).split("/");
    const parts = want.split("/");
    if (template.length !== parts.length) continue;
    let literals = 0;
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const t = template[i] ?? "";
      if (t.startsWith("{") && t.endsWith("}")) continue;
      if (t !== parts[i]) {
        ok = false;
        break;
      }
      literals++;
    }
    // The most literal match wins: /contacts/search beats /contacts/{contactId}.
    if (ok && literals > bestLiterals) {
      best = o;
      bestLiterals = literals;
    }
  }
  return best;
}

export interface BuiltRequest {
  method: OperationSpec["method"];
  url: string;
  headers: Record<string, string>;
  body?: string | FormData | URLSearchParams;
}

export interface BuildDefaults {
  baseUrl: string;
  /** Filled into a path or query parameter named locationId / location_id when the caller leaves it out. */
  locationId?: string;
  companyId?: string;
}

export function buildRequest(
  op: OperationSpec,
  params: Record<string, unknown> = {},
  body: unknown,
  defaults: BuildDefaults,
): BuiltRequest {
  const values: Record<string, unknown> = { ...params };
  for (const p of op.parameters) {
    if (values[p.name] !== undefined) continue;
    if ((p.name === "locationId" || p.name === "location_id") && defaults.locationId)
      values[p.name] = defaults.locationId;
    else if (p.name === "companyId" && defaults.companyId && p.required) values[p.name] = defaults.companyId;
  }

  const problems: string[] = [];
  const declared = new Set(op.parameters.map((p) => p.name));
  for (const name of Object.keys(values)) {
    if (!declared.has(name)) {
      const close = closest(name, [...declared], 2);
      problems.push(
        `unknown parameter "${name}"${close.length ? ` (did you mean ${close.map((c) => `"${c}"`).join(" or ")}?)` : ""}`,
      );
    }
  }
  for (const p of op.parameters) {
    if (p.required && (values[p.name] === undefined || values[p.name] === "")) {
      problems.push(`missing required ${p.in} parameter "${p.name}"`);
    }
  }
  if (op.body?.required && body === undefined) problems.push("missing required request body");
  if (!op.body && body !== undefined) problems.push("this operation takes no request body");
  if (problems.length) {
    throw new HighLevelError(`${op.key}: ${problems.join("; ")}`, {
      code: "INVALID_REQUEST",
      operationId: op.operationId,
      messages: problems,
    });
  }

  let path = op.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {
    Accept: "application/json",
    Version: op.version ?? DEFAULT_API_VERSION,
  };
  for (const p of op.parameters) {
    const v = values[p.name];
    if (v === undefined || v === null) continue;
    if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
    else if (p.in === "query") {
      if (Array.isArray(v)) for (const item of v) query.append(p.name, String(item));
      else query.append(p.name, typeof v === "object" ? JSON.stringify(v) : String(v));
    } else headers[p.name] = String(v);
  }

  const qs = query.toString();
  const url = `${defaults.baseUrl.replace(/\/+$/, "")}${path}${qs ? `?${qs}` : ""}`;
  const built: BuiltRequest = { method: op.method, url, headers };
  if (body !== undefined && op.body) {
    const ct = op.body.contentType;
    if (ct === "application/x-www-form-urlencoded") {
      built.body =
        body instanceof URLSearchParams ? body : new URLSearchParams(body as Record<string, string>);
      headers["Content-Type"] = ct;
    } else if (ct === "multipart/form-data") {
      // fetch sets the multipart boundary itself.
      built.body = body instanceof FormData ? body : toFormData(body as Record<string, unknown>);
    } else {
      built.body = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
  }
  return built;
}

function toFormData(fields: Record<string, unknown>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    fd.append(k, v instanceof Blob ? v : typeof v === "object" ? JSON.stringify(v) : String(v));
  }
  return fd;
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** Up to `max` candidates within a small edit distance, nearest first. */
export function closest(word: string, candidates: string[], max: number): string[] {
  const w = word.toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(w, c.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(w.length / 3)))
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1))
    .slice(0, max)
    .map((x) => x.c);
}
