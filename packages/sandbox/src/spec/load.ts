// Loads the official v2 OpenAPI documents once and folds them into an operation table.
// The documents are kept whole (corrected by the list shared with the client generator, @hlconnect/client/spec/corrections) so that ajv can resolve every
// $ref against them; operations point into them by JSON pointer.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { correctDocument } from "@hlconnect/client/spec/corrections";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type UserType = "Location" | "Company";

export interface SecurityAlternative {
  /** The spec's scheme name: bearer, Location-Access, Agency-Access-Only, ... */
  scheme: string;
  /** Which token the scheme takes: bearer and Location-* take location tokens, Agency-* agency tokens. */
  userType: UserType;
  scopes: string[];
}

export interface SpecParameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  /** JSON pointer (within the document) of the parameter's schema, or an inline schema. */
  schemaRef: string | null;
}

export interface SpecOperation {
  /** operationId, or "service:operationId" where two services share an operationId. */
  key: string;
  operationId: string;
  service: string;
  method: HttpMethod;
  path: string;
  /** The Version value the spec declares, or null. */
  version: string | null;
  /** Alternatives (any one suffices). Empty: the spec declares no security. */
  security: SecurityAlternative[];
  parameters: SpecParameter[];
  body: { contentType: string; required: boolean; schemaRef: string | null } | null;
  /** status code → schema pointer (null when the status is declared without a JSON schema). */
  responses: Record<string, string | null>;
  deprecated: boolean;
  summary: string;
  /** The $id the operation's document is registered under in ajv. */
  docId: string;
}

export interface LoadedSpec {
  operations: SpecOperation[];
  byKey: Map<string, SpecOperation>;
  /** operationId → operations carrying it (two for the shared ids). */
  byOperationId: Map<string, SpecOperation[]>;
  /** $id → document, for ajv. */
  documents: Map<string, unknown>;
  /** Every scope named anywhere in the spec. */
  allScopes: string[];
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
export const SPEC_BASE_ID = "https://sandbox.hlconnect.local/v2/";

const here = dirname(fileURLToPath(import.meta.url));
/** specs/highlevel/v2 of the monorepo. */
export const SPEC_DIR = resolve(here, "../../../../specs/highlevel/v2");

type Json = Record<string, unknown>;

/** RFC 6901 pointer segment, then URI-encoded because it travels in a $ref fragment. */
function pointerSegment(s: string): string {
  return encodeURIComponent(s.replace(/~/g, "~0").replace(/\//g, "~1"));
}

export function pointer(docId: string, ...segments: Array<string | number>): string {
  return `${docId}#/${segments.map((s) => pointerSegment(String(s))).join("/")}`;
}

function userTypeOf(scheme: string): UserType {
  return scheme.startsWith("Agency") ? "Company" : "Location";
}

let cached: LoadedSpec | undefined;

export function loadSpec(): LoadedSpec {
  if (cached) return cached;
  const documents = new Map<string, unknown>();
  const common = JSON.parse(readFileSync(join(SPEC_DIR, "common/common-schemas.json"), "utf8"));
  documents.set(`${SPEC_BASE_ID}common/common-schemas.json`, common);

  const operations: SpecOperation[] = [];
  const scopes = new Set<string>();
  const files = readdirSync(join(SPEC_DIR, "apps"))
    .filter((f) => f.endsWith(".json"))
    .sort();
  for (const file of files) {
    const service = file.replace(/\.json$/, "");
    const doc = JSON.parse(readFileSync(join(SPEC_DIR, "apps", file), "utf8")) as Json;
    correctDocument(service, doc);
    const docId = `${SPEC_BASE_ID}apps/${file}`;
    documents.set(docId, doc);
    const paths = (doc.paths ?? {}) as Record<string, Json>;
    for (const [path, item] of Object.entries(paths)) {
      for (const m of METHODS) {
        const op = item[m] as Json | undefined;
        if (!op) continue;
        const parsed = parseOperation(service, docId, path, m, op);
        for (const alt of parsed.security) for (const s of alt.scopes) scopes.add(s);
        operations.push(parsed);
      }
    }
  }

  // Shared operationIds get a service prefix on every instance, so no key is ambiguous.
  const byOperationId = new Map<string, SpecOperation[]>();
  for (const op of operations) {
    const list = byOperationId.get(op.operationId) ?? [];
    list.push(op);
    byOperationId.set(op.operationId, list);
  }
  for (const list of byOperationId.values()) {
    if (list.length > 1) for (const op of list) op.key = `${op.service}:${op.operationId}`;
  }
  const byKey = new Map(operations.map((op) => [op.key, op]));
  cached = { operations, byKey, byOperationId, documents, allScopes: [...scopes].sort() };
  return cached;
}

function parseOperation(service: string, docId: string, path: string, m: string, op: Json): SpecOperation {
  const parameters: SpecParameter[] = [];
  let version: string | null = null;
  const rawParams = (op.parameters ?? []) as Json[];
  rawParams.forEach((p, i) => {
    const name = String(p.name);
    const where = p.in as SpecParameter["in"];
    if (where === "header" && name.toLowerCase() === "version") {
      const schema = (p.schema ?? {}) as Json;
      const values = schema.enum as string[] | undefined;
      version = values?.[0] ?? null;
      return;
    }
    // Authorization is handled by the auth layer, not by schema validation.
    if (where === "header" && name.toLowerCase() === "authorization") return;
    parameters.push({
      name,
      in: where,
      required: where === "path" ? true : p.required === true,
      schemaRef: p.schema ? pointer(docId, "paths", path, m, "parameters", i, "schema") : null,
    });
  });
  // Some templates use a {param} the operation forgets to declare: it is still a required path param.
  for (const match of path.matchAll(/\{([^}]+)\}/g)) {
    const name = match[1]!;
    if (!parameters.some((p) => p.in === "path" && p.name === name)) {
      parameters.push({ name, in: "path", required: true, schemaRef: null });
    }
  }

  let body: SpecOperation["body"] = null;
  const rb = op.requestBody as Json | undefined;
  if (rb) {
    const content = (rb.content ?? {}) as Record<string, Json>;
    const contentType = Object.keys(content)[0];
    if (contentType) {
      body = {
        contentType,
        required: rb.required === true,
        schemaRef: content[contentType]!.schema
          ? pointer(docId, "paths", path, m, "requestBody", "content", contentType, "schema")
          : null,
      };
    }
  }

  const responses: Record<string, string | null> = {};
  for (const [status, r] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
    const content = (r.content ?? {}) as Record<string, Json>;
    const json = content["application/json"];
    responses[status] = json?.schema
      ? pointer(docId, "paths", path, m, "responses", status, "content", "application/json", "schema")
      : null;
  }

  const security: SecurityAlternative[] = [];
  for (const req of (op.security ?? []) as Array<Record<string, string[]>>) {
    for (const [scheme, scopes] of Object.entries(req)) {
      security.push({ scheme, userType: userTypeOf(scheme), scopes: scopes ?? [] });
    }
  }

  return {
    key: String(op.operationId),
    operationId: String(op.operationId),
    service,
    method: m.toUpperCase() as HttpMethod,
    path,
    version,
    security,
    parameters,
    body,
    responses,
    deprecated: op.deprecated === true,
    summary: String(op.summary ?? ""),
    docId,
  };
}

/**
 * Resolve an operation by key ("create-contact", "contacts:create-association") or by a
 * plain operationId when only one service uses it.
 */
export function getOperation(keyOrId: string): SpecOperation {
  const spec = loadSpec();
  const byKey = spec.byKey.get(keyOrId);
  if (byKey) return byKey;
  const list = spec.byOperationId.get(keyOrId);
  if (list && list.length === 1) return list[0]!;
  if (list && list.length > 1) {
    throw new Error(`operationId ${keyOrId} is ambiguous: use one of ${list.map((o) => o.key).join(", ")}`);
  }
  throw new Error(`unknown operation ${keyOrId}`);
}
