// The shapes the JSON API answers (packages/app/src/server/views.ts and docs/web-api-contract.md).
// Optional fields are the ones a server without the newer endpoints may leave out.

export interface Session {
  signedIn: boolean;
  csrfToken: string;
  demo?: boolean;
  sandbox?: { baseUrl: string; locationId: string };
  version?: string;
}

export type RunStatus =
  | "queued"
  | "running"
  | "succeeded"
  | "failed"
  | "needs_attention"
  | "filtered"
  | "cancelled"
  | (string & {});

export interface FlowSummary {
  id: string;
  name: string;
  enabled: boolean;
  /** Enabled in dry-run mode: its runs read but send no write. */
  dryRun?: boolean;
  status: string;
  statusReason?: string;
  trigger: { type: "polling" | "instant" | "webhook" | "invalid"; op?: string; everyMs?: number };
  problem?: string;
  connectionIds: string[];
  file?: string;
  createdAt: string;
  updatedAt: string;
  lastRun?: { id: string; status: RunStatus; createdAt: string };
  successRate24h?: number;
}

export interface FlowDetail extends FlowSummary {
  source: string;
  version?: string;
  document?: FlowDocument;
  hook?: { path: string; secret: string };
}

/** The flow as JSON: the parsed YAML (docs/flows.md). */
export interface FlowDocument {
  id: string;
  name: string;
  description?: string;
  enabled?: boolean;
  connection?: string;
  trigger: {
    op?: string;
    input?: Record<string, unknown>;
    every?: string;
    webhook?: Record<string, unknown>;
  };
  filter?: unknown;
  vars?: Record<string, unknown>;
  tables?: Record<string, Record<string, unknown>>;
  steps: StepDocument[];
  [key: string]: unknown;
}

export interface StepDocument {
  id: string;
  op: string;
  input?: Record<string, unknown>;
  when?: unknown;
  retry?: { attempts?: number; backoff?: string };
  continueOnError?: boolean;
  [key: string]: unknown;
}

/** Why a run or step failed, as the engine records it. */
export interface RunError {
  message: string;
  code?: string;
  stepId?: string;
  details?: unknown;
}

export interface RunView {
  id: string;
  flowId: string;
  status: RunStatus;
  attempts: number;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  eventKey?: string;
  replayOf?: string;
  /** A dry run: reads made, writes held back and listed in each step's output. */
  dryRun?: boolean;
  error?: RunError;
  trigger: Record<string, unknown>;
}

/** A write a dry run held back. */
export interface PlannedWrite {
  operation: string;
  method: string;
  path: string;
  body?: unknown;
}

/** A dry run step's output. */
export interface DryRunOutput {
  dryRun: true;
  writes: PlannedWrite[];
  result: unknown;
}

export interface StepView {
  stepId: string;
  status: string;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  error?: RunError;
  input?: unknown;
  output?: unknown;
}

export interface ConnectionView {
  id: string;
  label: string;
  kind: "pit" | "oauth" | "agency" | (string & {});
  locationIds: string[];
  companyId?: string;
  scopes: string[];
  status: string;
  statusReason?: string;
  /** needs_reconnect (flows paused) over the last test's outcome; untested until one ran. */
  health?: "needs_reconnect" | "untested" | "failing" | "ok";
  lastTest?: { ok: boolean; at: string; reason?: string };
  pausedFlows: Array<{ id: string; name: string }>;
  createdAt: string;
  updatedAt: string;
  missingScopes?: string[];
}

export interface CatalogSummary {
  key: string;
  name: string;
  kind: "trigger" | "action";
  category: string;
  description: string;
  seedName?: string;
  mode: string;
  operations: string[];
  scopes: string[];
}

/** A JSON Schema node as describe.ts emits it: zod's output plus label/help/options keywords. */
export interface SchemaNode {
  type?: string | string[];
  format?: string;
  label?: string;
  help?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  options?: {
    entry: string;
    value: string;
    label: string;
    dependsOn?: Record<string, string>;
    items?: string;
  };
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  additionalProperties?: boolean | SchemaNode;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

export interface CatalogEntry extends CatalogSummary {
  help?: string;
  input: SchemaNode;
  output: { description?: string; sample?: unknown };
  example: Record<string, unknown>;
  polling?: unknown;
  event?: string;
}

export interface Transform {
  name: string;
  /** "name?" marks an optional argument. */
  args: string[];
  description: string;
  category?: string;
  example?: { expression: string; value: unknown };
}

export interface TemplateView {
  name: string;
  title?: string;
  description?: string;
  trigger?: string;
  steps?: string[];
}

export interface ImportView {
  id: string;
  file: string;
  dryRun: boolean;
  locationId?: string;
  connectionId?: string;
  /** interrupted: the server stopped during it; POST /imports/:id/resume starts it again. */
  status: "queued" | "running" | "succeeded" | "failed" | "interrupted" | (string & {});
  createdAt?: string;
  finishedAt?: string;
  resumedAt?: string;
  progress?: { phase?: string; done: number; total: number; percent: number };
  /** The same shape `hlconnect import batchleads --json` prints. */
  summary?: Record<string, unknown>;
  rejected?: Array<{ row: number; reason: string; values?: Record<string, unknown> }>;
  error?: string;
}

export interface Overview {
  flows: { total: number; enabled: number; needsAttention?: number };
  runs24h: Record<string, number>;
  attentionRuns: RunView[];
  reconnectConnections: ConnectionView[];
  demo?: boolean;
}

/** One problem of a flow, as `flows validate` prints it (`text` is the printed line). */
export interface FlowProblem {
  line?: number;
  column?: number;
  path?: string;
  message: string;
  suggestion?: string;
  text?: string;
}
