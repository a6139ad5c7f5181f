// The OpenAPI 3.1 description of /api, served at GET /api/openapi.json. Written by hand next to the
// routes; test/web-openapi.test.ts fails when a registered /api route is missing here (or the other
// way round), so it cannot drift from the server.
import { APP_VERSION } from "../version.ts";

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  ...(required.length ? { required } : {}),
});
const str: Schema = { type: "string" };
const int: Schema = { type: "integer" };
const bool: Schema = { type: "boolean" };
const any: Schema = {};
const list = (items: Schema): Schema => ({ type: "array", items });

interface Op {
  summary: string;
  body?: Schema;
  bodyType?: string;
  query?: Record<string, string>;
  ok: [number, Schema | null];
  errors?: number[];
  public?: boolean;
}

const json = (schema: Schema) => ({ content: { "application/json": { schema } } });
const ERROR_TEXT: Record<number, string> = {
  400: "bad input: the message names the field",
  401: "not signed in (no bearer token or session)",
  403: "missing or wrong CSRF token (cookie sessions)",
  404: "not found",
  409: "conflict: the message says with what",
  413: "body too large",
  422: "invalid: details list each problem",
  429: "too many attempts",
  502: "HighLevel refused or could not be reached",
  503: "not available on this server",
};

function operation(path: string, method: string, op: Op) {
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: str,
  }));
  const query = Object.entries(op.query ?? {}).map(([name, description]) => ({
    name,
    in: "query",
    required: false,
    description,
    schema: str,
  }));
  const [status, schema] = op.ok;
  const responses: Record<string, unknown> = {
    [status]: schema ? { description: "OK", ...json(schema) } : { description: "No content" },
  };
  for (const e of [...(op.public ? [] : [401]), ...(op.errors ?? [])]) {
    responses[e] = { description: ERROR_TEXT[e] ?? "error", ...json(ref("Error")) };
  }
  return {
    summary: op.summary,
    operationId: `${method}${path.replace(/[{}]/g, "").replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(params.length + query.length ? { parameters: [...params, ...query] } : {}),
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: { [op.bodyType ?? "application/json"]: { schema: op.body } },
          },
        }
      : {}),
    responses,
    ...(op.public ? { security: [] } : {}),
  };
}

const flowBody = obj({
  source: { type: "string", description: "the flow's YAML" },
  document: { type: "object" },
  file: str,
});
const runQuery = {
  flowId: "only this flow's runs",
  status: "comma-separated run statuses",
  since: "createdAt >= (ISO or epoch ms)",
  until: "createdAt < (ISO or epoch ms)",
  limit: "1..500 (default 50)",
  cursor: "nextCursor of the previous page",
};

/** Every /api route: path (OpenAPI style) -> method -> operation. */
export const API_OPERATIONS: Record<string, Record<string, Op>> = {
  "/api/session": {
    post: {
      summary: "Sign in with the API token (sets the session cookie)",
      body: obj({ token: str }, ["token"]),
      ok: [200, obj({ csrfToken: str })],
      errors: [401, 429],
      public: true,
    },
    get: {
      summary: "The session: signed in, CSRF token, demo mode",
      ok: [200, ref("Session")],
      errors: [401],
      public: true,
    },
    delete: { summary: "Sign out", ok: [204, null], errors: [403], public: true },
  },
  "/api/openapi.json": { get: { summary: "This document", ok: [200, { type: "object" }], public: true } },
  "/api/overview": {
    get: {
      summary: "The home page: flows, runs of the last 24 h, what needs attention",
      ok: [200, ref("Overview")],
    },
  },
  "/api/flows": {
    get: {
      summary: "List flows (with last run and 24 h success rate)",
      query: { q: "search id, name, trigger" },
      ok: [200, obj({ flows: list(ref("FlowSummary")) })],
    },
    post: {
      summary: "Create a flow from YAML or a JSON document; writes <flowsDir>/<id>.yaml",
      body: flowBody,
      ok: [201, obj({ flow: ref("FlowDetail") })],
      errors: [400, 409, 422],
    },
  },
  "/api/flows/validate": {
    post: {
      summary: "Validate a flow without saving it",
      body: flowBody,
      ok: [200, obj({ ok: bool, errors: list(ref("FlowError")) })],
      errors: [400],
    },
  },
  "/api/flows/requirements": {
    get: {
      summary: "What each flow needs of its connection",
      ok: [200, obj({ flows: list({ type: "object" }), total: { type: "object" } })],
    },
  },
  "/api/flows/from-template": {
    post: {
      summary: "Create a disabled flow from a template",
      body: obj({ template: str, id: str }, ["template"]),
      ok: [201, obj({ flow: ref("FlowDetail") })],
      errors: [400, 404, 409, 422],
    },
  },
  "/api/flows/test-trigger": {
    post: {
      summary: "Fetch a trigger's recent items (polling) or its sample (instant)",
      body: obj({ trigger: { type: "object" }, connectionId: str, locationId: str }),
      ok: [
        200,
        obj({ items: list(any), source: { enum: ["live", "example"] }, ms: int, error: ref("TestError") }),
      ],
      errors: [400, 404],
    },
  },
  "/api/flows/test-step": {
    post: {
      summary: "Run one step through the connection: mapped input, answer, time, request",
      body: obj(
        { step: { type: "object" }, context: ref("MappingContext"), connectionId: str, locationId: str },
        ["step", "connectionId"],
      ),
      ok: [200, ref("StepTest")],
      errors: [400, 404],
    },
  },
  "/api/flows/{id}": {
    get: {
      summary: "One flow with its source, version and document",
      ok: [200, obj({ flow: ref("FlowDetail") })],
      errors: [404],
    },
    put: {
      summary:
        "Replace a flow: YAML, or a JSON document applied onto its YAML (comments kept); 409 when baseVersion is stale",
      body: obj({ source: str, document: { type: "object" }, baseVersion: str, file: str }),
      ok: [200, obj({ flow: ref("FlowDetail") })],
      errors: [400, 409, 422],
    },
    delete: { summary: "Delete a flow (and its file in the flows folder)", ok: [204, null], errors: [404] },
  },
  "/api/flows/{id}/duplicate": {
    post: {
      summary: "Copy a flow (disabled)",
      body: obj({ id: str, name: str }),
      ok: [201, obj({ flow: ref("FlowDetail") })],
      errors: [404, 409, 422],
    },
  },
  "/api/flows/{id}/enable": {
    post: {
      summary:
        "Switch a flow on; with dryRun its runs read but send no write, recording what they would send",
      body: obj({ dryRun: bool }),
      ok: [200, obj({ flow: ref("FlowSummary") })],
      errors: [400, 404, 422],
    },
  },
  "/api/flows/{id}/disable": {
    post: { summary: "Switch a flow off", ok: [200, obj({ flow: ref("FlowSummary") })], errors: [404, 422] },
  },
  "/api/flows/{id}/run-once": {
    post: {
      summary:
        "Run now: a poll for polling flows, a run with the given trigger otherwise; with dryRun a run that makes " +
        "its reads and sends no write (the trigger sampled when none is given), each step listing the writes it held back",
      body: obj({ trigger: any, dryRun: bool }),
      ok: [202, obj({ run: ref("Run") })],
      errors: [400, 404, 409, 502],
    },
  },
  "/api/templates": {
    get: { summary: "Ready flows to start from", ok: [200, obj({ templates: list(ref("Template")) })] },
  },
  "/api/mapping/preview": {
    post: {
      summary: "Evaluate a mapping expression on sample data",
      body: obj({ expression: any, context: ref("MappingContext"), timeZone: str }, ["expression"]),
      ok: [200, obj({ value: any, truncated: bool, error: obj({ message: str, position: int }) })],
      errors: [400],
    },
  },
  "/api/mapping/transforms": {
    get: {
      summary: "The mapping language's transforms",
      ok: [
        200,
        obj({
          transforms: list(
            obj({
              name: str,
              args: list(str),
              description: str,
              category: str,
              example: obj({ expression: str, value: str }),
            }),
          ),
        }),
      ],
    },
  },
  "/api/runs": {
    get: {
      summary: "Run history, newest first, keyset-paged",
      query: runQuery,
      ok: [200, obj({ runs: list(ref("Run")), nextCursor: str })],
      errors: [400],
    },
  },
  "/api/runs/stream": {
    get: {
      summary: "Server-Sent Events: `run` with the run whenever one appears or changes status",
      query: { flowId: "only this flow's runs" },
      ok: [200, { type: "string", description: "text/event-stream" }],
    },
  },
  "/api/runs/{id}": {
    get: {
      summary: "One run with its steps and resolutions",
      ok: [
        200,
        obj({
          run: ref("Run"),
          steps: list(ref("Step")),
          resolutions: list(obj({ stepId: str, action: str, reason: str, at: str })),
        }),
      ],
      errors: [404],
    },
  },
  "/api/runs/{id}/replay": {
    post: {
      summary:
        "Run a run's trigger again: a failed run resumes at the step it stopped at (the steps it finished are carried over, not repeated); from: start runs every step again",
      body: obj({ from: { enum: ["stopped-step", "start"] } }),
      ok: [202, obj({ run: ref("Run"), replayFrom: { type: ["string", "null"] }, carriedOver: list(str) })],
      errors: [400, 404, 409],
    },
  },
  "/api/runs/{id}/steps/{stepId}/resolve": {
    post: {
      summary: "Resolve a step that needs attention (mark done, retry once, skip) with a reason",
      body: obj({ action: { enum: ["mark-done", "retry", "skip"] }, reason: str, output: any }, [
        "action",
        "reason",
      ]),
      ok: [200, obj({ run: ref("Run") })],
      errors: [400, 404, 409],
    },
  },
  "/api/connections": {
    get: {
      summary: "List connections (never their secrets), oldest first; the first is the default",
      ok: [200, obj({ connections: list(ref("Connection")) })],
    },
    post: {
      summary: "Add a Private Integration Token connection, tested on save",
      body: obj(
        {
          label: str,
          token: str,
          locationId: str,
          companyId: str,
          kind: { enum: ["pit"] },
          allowDuplicate: bool,
        },
        ["label", "token", "locationId"],
      ),
      ok: [
        201,
        obj({
          connection: ref("Connection"),
          test: { type: "object" },
          missingScopes: list({ type: "object" }),
          uncheckedScopes: list({ type: "object" }),
          warnings: list(str),
        }),
      ],
      errors: [400, 409, 422],
    },
  },
  "/api/connections/{id}": {
    get: { summary: "One connection", ok: [200, obj({ connection: ref("Connection") })], errors: [404] },
    put: {
      summary: "Rename a connection, set its locations or its company id",
      body: { type: "object" },
      ok: [200, obj({ connection: ref("Connection") })],
      errors: [400, 404],
    },
    delete: {
      summary:
        "Remove a connection (refused while enabled flows name it); newDefault: the connection flows naming none use now",
      ok: [200, obj({ removed: str, newDefault: ref("Connection") })],
      errors: [404, 409],
    },
  },
  "/api/connections/{id}/test": {
    post: {
      summary: "Read the connection's location through it",
      ok: [200, { type: "object" }],
      errors: [404, 502],
    },
  },
  "/api/connections/{id}/locations": {
    get: {
      summary: "The connection's (an agency's installed) locations with names",
      ok: [
        200,
        obj({ connectionId: str, kind: str, locations: list(obj({ id: str, name: str, error: str })) }),
      ],
      errors: [404],
    },
  },
  "/api/connections/{id}/options/{source}": {
    get: {
      summary: "A dropdown's options read live through the connection",
      query: {
        locationId: "one of the connection's locations",
        parent: "the value a dependent list needs (a pipeline for stages)",
        entry: "with source=field: the catalog key",
        field: "with source=field: the input field",
      },
      ok: [200, obj({ options: list(obj({ value: str, label: str })) })],
      errors: [400, 404, 502],
    },
  },
  "/api/oauth/status": {
    get: {
      summary: "Whether OAuth connections can be made (the Connect with HighLevel button)",
      ok: [200, obj({ configured: bool, startUrl: str, agencyStartUrl: str, help: str })],
    },
  },
  "/api/catalog": {
    get: {
      summary: "Catalog entries (summaries)",
      query: { kind: "trigger or action", category: "e.g. Contacts" },
      ok: [200, obj({ entries: list({ type: "object" }) })],
      errors: [400],
    },
  },
  "/api/catalog/{key}": {
    get: {
      summary: "One catalog entry: input JSON Schema, output, example",
      ok: [200, { type: "object" }],
      errors: [404],
    },
  },
  "/api/imports": {
    post: {
      summary: "Upload a BatchLeads export (raw body or multipart, 20 MB) and start a dry run or an import",
      bodyType: "application/octet-stream",
      body: { type: "string", format: "binary" },
      query: {
        file: "the file's name",
        dryRun: "1 for a dry run",
        connectionId: "the connection a real import goes through",
        locationId: "its location",
      },
      ok: [202, obj({ import: obj({ id: str, status: str }) })],
      errors: [400, 409, 413, 422, 503],
    },
    get: {
      summary: "Past imports, newest first",
      ok: [200, obj({ imports: list(ref("Import")) })],
      errors: [503],
    },
  },
  "/api/imports/{id}/resume": {
    post: {
      summary:
        "Resume an interrupted import (the server stopped during it) from its kept upload; rows already sent are not sent again",
      ok: [202, obj({ import: obj({ id: str, status: str }) })],
      errors: [404, 409, 503],
    },
  },
  "/api/imports/{id}": {
    get: {
      summary: "One import: status, progress, summary, rejected rows",
      ok: [200, obj({ import: ref("Import") })],
      errors: [404, 503],
    },
  },
};

const SCHEMAS: Record<string, Schema> = {
  Error: obj({ error: str, details: any }, ["error"]),
  Session: obj({
    signedIn: bool,
    csrfToken: str,
    demo: bool,
    sandbox: obj({ baseUrl: str, locationId: str }),
    version: str,
  }),
  FlowError: obj({ file: str, line: int, column: int, path: str, message: str, suggestion: str, text: str }),
  FlowSummary: obj({
    id: str,
    name: str,
    enabled: bool,
    status: str,
    trigger: { type: "object" },
    connectionIds: list(str),
    lastRun: obj({ id: str, status: str, createdAt: str }),
    successRate24h: { type: "number" },
    createdAt: str,
    updatedAt: str,
  }),
  FlowDetail: {
    allOf: [
      ref("FlowSummary"),
      obj({ source: str, version: str, document: any, hook: obj({ path: str, secret: str }) }),
    ],
  },
  Template: obj({ name: str, title: str, description: str, trigger: str, steps: list(str) }),
  Run: obj({
    id: str,
    flowId: str,
    status: { enum: ["queued", "running", "succeeded", "failed", "needs_attention", "skipped"] },
    attempts: int,
    createdAt: str,
    startedAt: str,
    finishedAt: str,
    durationMs: int,
    error: { type: "object" },
    trigger: any,
  }),
  Step: obj({
    stepId: str,
    status: str,
    attempts: int,
    startedAt: str,
    finishedAt: str,
    error: { type: "object" },
    input: any,
    output: any,
  }),
  Connection: obj({
    id: str,
    label: str,
    kind: { enum: ["pit", "oauth", "agency"] },
    default: bool,
    locationIds: list(str),
    companyId: str,
    scopes: list(str),
    status: str,
    statusReason: str,
    health: { enum: ["needs_reconnect", "untested", "failing", "ok"] },
    lastTest: obj({ ok: bool, at: str, reason: str }),
    pausedFlows: list({ type: "object" }),
    createdAt: str,
    updatedAt: str,
  }),
  Overview: obj({
    flows: obj({ total: int, enabled: int, needsAttention: int }),
    runs24h: { type: "object" },
    attentionRuns: list(ref("Run")),
    reconnectConnections: list(ref("Connection")),
    demo: bool,
  }),
  MappingContext: obj({
    trigger: any,
    steps: { type: "object" },
    vars: { type: "object" },
    tables: { type: "object" },
  }),
  TestError: obj({ message: str, status: int, details: any }),
  StepTest: obj({
    input: any,
    output: any,
    ms: int,
    request: obj({ method: str, path: str, status: int, ms: int }),
    requests: list({ type: "object" }),
    error: ref("TestError"),
  }),
  Import: obj({
    id: str,
    file: str,
    dryRun: bool,
    status: str,
    createdAt: str,
    finishedAt: str,
    progress: obj({ phase: str, done: int, total: int, percent: int }),
    summary: { type: "object", description: "as `hlconnect import batchleads --json` prints it" },
    rejected: list(obj({ row: int, reason: str, values: { type: "object" } })),
    error: str,
    resumedAt: str,
  }),
};

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(API_OPERATIONS)) {
    paths[path] = Object.fromEntries(Object.entries(methods).map(([m, op]) => [m, operation(path, m, op)]));
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "hlconnect API",
      version: APP_VERSION,
      description:
        "The JSON API of `hlconnect serve`. Authenticate with `Authorization: Bearer $HLCONNECT_API_TOKEN`, or sign in " +
        "(POST /api/session) and send the session cookie plus `X-CSRF-Token` on every request that changes something.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        session: { type: "apiKey", in: "cookie", name: "hlconnect_session" },
      },
      schemas: SCHEMAS,
    },
    paths,
  };
}
