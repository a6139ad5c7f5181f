// The engine's persistence port. Adapters (SQLite now, Postgres later) implement Store and must pass the
// contract suite in test/contracts/store-contract.ts. Timestamps are epoch milliseconds; ids are
// time-ordered strings (a later id sorts after an earlier one). Payloads are JSON values.
import type { TokenStore } from "@hlconnect/client";

// ---------------------------------------------------------------------------------------------- flows

/** active: runs; paused: held back by the engine (e.g. its connection needs reconnecting); error: broken. */
export type FlowStatus = "active" | "paused" | "error";
export const FLOW_STATUSES: readonly FlowStatus[] = ["active", "paused", "error"];

export interface FlowRecord {
  id: string;
  name: string;
  /** The YAML text as loaded. */
  source: string;
  filePath?: string;
  /** The user's switch. Independent of status, which is the engine's. */
  enabled: boolean;
  /** Enabled in dry-run mode: its runs make their reads but send no writes, recording what they would send. */
  dryRun?: true;
  status: FlowStatus;
  /** Why the flow is paused or in error; absent when active. */
  statusReason?: string;
  /** The trigger's catalog key, copied from the source so webhooks can be routed without parsing YAML. */
  triggerKey?: string;
  /** Connections the flow uses, copied from the source, so a broken connection can pause its flows. */
  connectionIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface FlowInput {
  /** Given: create or replace that flow. Absent: a new id is made. */
  id?: string;
  name: string;
  source: string;
  filePath?: string;
  /** Default true for a new flow; unchanged for an existing one when absent. */
  enabled?: boolean;
  triggerKey?: string;
  connectionIds?: string[];
}

export interface FlowFilter {
  enabled?: boolean;
  status?: FlowStatus;
  connectionId?: string;
  triggerKey?: string;
}

export interface FlowStore {
  /** Upsert. Keeps status, createdAt and the hook secret of an existing flow. */
  saveFlow(input: FlowInput): Promise<FlowRecord>;
  getFlow(id: string): Promise<FlowRecord | undefined>;
  /** Ordered by id (creation order). */
  listFlows(filter?: FlowFilter): Promise<FlowRecord[]>;
  /** `dryRun` (with enabled): runs read but do not write; omitted: off. */
  setFlowEnabled(id: string, enabled: boolean, options?: { dryRun?: boolean }): Promise<FlowRecord>;
  /** Setting "active" clears the reason. */
  setFlowStatus(id: string, status: FlowStatus, reason?: string): Promise<FlowRecord>;
  /** Also deletes its trigger state, runs and steps. False when there was no such flow. */
  deleteFlow(id: string): Promise<boolean>;
  /** The secret of the flow's generic webhook endpoint (stored encrypted); undefined removes it. */
  setFlowHookSecret(id: string, secret: string | undefined): Promise<void>;
  getFlowHookSecret(id: string): Promise<string | undefined>;
}

// ---------------------------------------------------------------------------------------- connections

export type ConnectionKind = "pit" | "oauth" | "agency";
export const CONNECTION_KINDS: readonly ConnectionKind[] = ["pit", "oauth", "agency"];
export type ConnectionStatus = "ok" | "needs_reconnect";
export const CONNECTION_STATUSES: readonly ConnectionStatus[] = ["ok", "needs_reconnect"];

export interface ConnectionTestOutcome {
  ok: boolean;
  at: number;
  /** Why it failed (absent when ok). */
  reason?: string;
}

export interface ConnectionRecord {
  id: string;
  label: string;
  kind: ConnectionKind;
  locationIds: string[];
  companyId?: string;
  scopes: string[];
  /** The OAuth app's client id (not secret); its client secret is in ConnectionSecrets. */
  clientId?: string;
  status: ConnectionStatus;
  statusReason?: string;
  /**
   * The last connection test (CLI, API or save-time): absent until one ran. Kept apart from status,
   * which only the refresh path sets, so a failed test never pauses flows.
   */
  lastTest?: ConnectionTestOutcome;
  /** Whether an OAuth token pair is stored. */
  hasTokens: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectionInput {
  id?: string;
  label: string;
  kind: ConnectionKind;
  locationIds?: string[];
  companyId?: string;
  scopes?: string[];
  clientId?: string;
}

export interface ConnectionFilter {
  /** Connections that list this location. */
  locationId?: string;
  companyId?: string;
  kind?: ConnectionKind;
  status?: ConnectionStatus;
}

/** Stored encrypted. OAuth token pairs are kept apart, through tokenStore(). */
export interface ConnectionSecrets {
  /** A Private Integration Token. */
  privateToken?: string;
  /** The OAuth app's client secret. */
  clientSecret?: string;
}

/** The client's TokenStore with the cross-process lock it needs for single-flight refresh. */
export type LockingTokenStore = TokenStore & Required<Pick<TokenStore, "withLock">>;

export interface ConnectionStore {
  /** Upsert. Keeps status, secrets and tokens of an existing connection. */
  saveConnection(input: ConnectionInput): Promise<ConnectionRecord>;
  getConnection(id: string): Promise<ConnectionRecord | undefined>;
  listConnections(filter?: ConnectionFilter): Promise<ConnectionRecord[]>;
  /** Setting "ok" clears the reason. */
  setConnectionStatus(id: string, status: ConnectionStatus, reason?: string): Promise<ConnectionRecord>;
  /** Records a connection test's outcome (the reason is kept only for a failure). */
  recordConnectionTest(id: string, outcome: { ok: boolean; reason?: string }): Promise<ConnectionRecord>;
  deleteConnection(id: string): Promise<boolean>;
  /** Replaces the connection's secrets as a whole. */
  setConnectionSecrets(id: string, secrets: ConnectionSecrets): Promise<void>;
  /** {} when none are stored. */
  getConnectionSecrets(id: string): Promise<ConnectionSecrets>;
  /**
   * Token pairs keyed by connection id (encrypted at rest). Saving for an unknown connection fails.
   * withLock locks "connection:<id>" across every process sharing the store.
   */
  tokenStore(): LockingTokenStore;
}

// -------------------------------------------------------------------------------------------- locking

export interface LockStore {
  /**
   * Run fn holding an exclusive lock named `name`, shared by every process using the same data. A lock
   * whose holder died is released after its lease runs out. Re-entrant within one async call chain.
   */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

// ------------------------------------------------------------------------------------------- triggers

export interface TriggerState {
  flowId: string;
  /** The polling cursor, as the trigger left it (null when set to nothing). */
  cursor: unknown;
  updatedAt: number;
}

export interface TriggerEvent {
  /** Unique per flow, e.g. the record's id and its change time. */
  eventKey: string;
  payload: unknown;
}

export interface TriggerStore {
  getTriggerState(flowId: string): Promise<TriggerState | undefined>;
  /** Set the cursor without recording events (a trigger's first poll sets its baseline). */
  setTriggerCursor(flowId: string, cursor: unknown): Promise<void>;
  /**
   * In one transaction: set the cursor and create a queued run per event whose (flowId, eventKey) has no
   * run yet. Returns the runs created (duplicates, within the batch or with earlier runs, are skipped).
   */
  recordTriggerEvents(flowId: string, cursor: unknown, events: TriggerEvent[]): Promise<RunRecord[]>;
}

// -------------------------------------------------------------------------------------- webhook inbox

/** pending: stored, not routed; claimed: a router holds it (until leaseUntil); routed: runs made; ignored: matched no flow. */
export type WebhookStatus = "pending" | "claimed" | "routed" | "ignored";

export interface WebhookInput {
  /** Where it came from, e.g. "highlevel" or "hook" (the generic per-flow endpoint). */
  source: string;
  /** Unique per source; a second delivery with the same id is ignored. */
  webhookId: string;
  locationId?: string;
  /** Known up front for per-flow endpoints. */
  flowId?: string;
  payload: unknown;
  receivedAt: number;
}

export interface WebhookRecord extends WebhookInput {
  id: string;
  status: WebhookStatus;
  /** How many times it was claimed. */
  attempts: number;
  claimedBy?: string;
  leaseUntil?: number;
  routedAt?: number;
  note?: string;
}

export interface WebhookInbox {
  /** Store before answering 200. A duplicate (source, webhookId) is not stored again: inserted false, the first one's id. */
  insertWebhook(input: WebhookInput): Promise<{ inserted: boolean; id: string }>;
  /**
   * Optional group commit: insertWebhook for each input, in ONE transaction (one fsync for many
   * acknowledgements), results in input order. Ingest falls back to insertWebhook one by one without it.
   */
  insertWebhooks?(inputs: WebhookInput[]): Promise<Array<{ inserted: boolean; id: string }>>;
  /** Atomically claim up to `limit` pending webhooks (or claimed ones whose lease ran out), oldest first. */
  claimWebhooks(workerId: string, options?: { limit?: number; leaseMs?: number }): Promise<WebhookRecord[]>;
  /**
   * In one transaction: create the runs (deduplicated by flowId + eventKey, so routing again after a crash
   * repeats nothing) and mark the webhook routed, or ignored when `runs` is empty.
   */
  routeWebhook(id: string, runs: NewRun[], note?: string): Promise<RunRecord[]>;
  getWebhook(id: string): Promise<WebhookRecord | undefined>;
}

// ----------------------------------------------------------------------------------------- runs/steps

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "needs_attention" | "skipped";
export const RUN_STATUSES: readonly RunStatus[] = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "needs_attention",
  "skipped",
];
export type FinishedRunStatus = Exclude<RunStatus, "queued" | "running">;

export type StepStatus = "pending" | "running" | "succeeded" | "failed" | "unknown_outcome" | "skipped";
export const STEP_STATUSES: readonly StepStatus[] = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "unknown_outcome",
  "skipped",
];
/** Statuses finishStep accepts. */
export type FinishedStepStatus = Exclude<StepStatus, "pending" | "running">;
/** A step in one of these is done for good: startStep refuses it, a resumed run skips it. */
export const COMPLETED_STEP_STATUSES: readonly StepStatus[] = ["succeeded", "skipped"];

export interface RunError {
  message: string;
  code?: string;
  stepId?: string;
  details?: unknown;
}

export interface RunRecord {
  id: string;
  flowId: string;
  status: RunStatus;
  /** The trigger payload the run maps from. */
  trigger: unknown;
  eventKey?: string;
  /** The run this one replays. */
  replayOf?: string;
  /** A dry run: reads were made, writes were recorded in each step's output instead of sent. */
  dryRun?: true;
  /** How many times startRun was called. */
  attempts: number;
  createdAt: number;
  /** First start. */
  startedAt?: number;
  finishedAt?: number;
  updatedAt: number;
  error?: RunError;
}

export interface NewRun {
  flowId: string;
  trigger: unknown;
  /** Dedupe key: a second run with the same flowId and eventKey is not created. */
  eventKey?: string;
  replayOf?: string;
  /** Default: the flow's dry-run mode at the time the run is created. */
  dryRun?: boolean;
}

export interface RunQuery {
  flowId?: string;
  status?: RunStatus | RunStatus[];
  /** createdAt >= since */
  since?: number;
  /** createdAt < until */
  until?: number;
  /** Default 50, at most 500. */
  limit?: number;
  /** nextCursor of the previous page. */
  cursor?: string;
}

export interface RunPage {
  /** Newest first. */
  runs: RunRecord[];
  /** Present when there may be more. */
  nextCursor?: string;
}

export interface StepRecord {
  runId: string;
  stepId: string;
  status: StepStatus;
  input?: unknown;
  output?: unknown;
  /** How many times startStep was called. */
  attempts: number;
  /** Latest start. */
  startedAt?: number;
  finishedAt?: number;
  updatedAt: number;
  error?: RunError;
}

export interface StepResult {
  status: FinishedStepStatus;
  output?: unknown;
  error?: RunError;
}

export interface PruneResult {
  runs: number;
  webhooks: number;
  alerts: number;
}

export interface RunStore {
  /** Created as queued. With an eventKey that already has a run: created false and that run. */
  createRun(input: NewRun): Promise<{ run: RunRecord; created: boolean }>;
  getRun(id: string): Promise<RunRecord | undefined>;
  listRuns(query?: RunQuery): Promise<RunPage>;
  /** queued or running (a resumed run) -> running; attempts + 1. Otherwise ConflictError. */
  startRun(id: string): Promise<RunRecord>;
  /** running, failed or needs_attention -> queued (to be retried or resumed); error kept as the last one. */
  requeueRun(id: string, error?: RunError): Promise<RunRecord>;
  /** queued or running -> a finished status. Otherwise ConflictError. */
  finishRun(id: string, status: FinishedRunStatus, error?: RunError): Promise<RunRecord>;
  /**
   * Mark a step running (created if new): attempts + 1, input recorded. ConflictError when the step already
   * succeeded or was skipped, so a resumed run can never do it twice. A step found "running" was
   * interrupted: the caller checks getStep first and decides (unknown_outcome for unsafe operations).
   */
  startStep(runId: string, stepId: string, input: unknown): Promise<StepRecord>;
  /** Record a step's end (created if new, e.g. skipped without starting). */
  finishStep(runId: string, stepId: string, result: StepResult): Promise<StepRecord>;
  getStep(runId: string, stepId: string): Promise<StepRecord | undefined>;
  /** In the order the steps were first started. */
  listSteps(runId: string): Promise<StepRecord[]>;
  /**
   * Delete history finished before the epoch-ms cutoff `olderThanMs`: succeeded, failed and skipped runs
   * (with their steps), routed or ignored webhooks, alerts. Runs needing attention are kept.
   */
  pruneHistory(olderThanMs: number): Promise<PruneResult>;
}

// --------------------------------------------------------------------------------------------- alerts

export interface AlertInput {
  /** Dedupe key chosen by the caller, e.g. "run:ID:failed" or "flow:ID:paused". */
  key: string;
  channel: string;
  message: string;
  flowId?: string;
  runId?: string;
}

export interface AlertRecord extends AlertInput {
  sentAt: number;
}

export interface AlertStore {
  /** inserted false when an alert with this key was already recorded: do not send it again. */
  recordAlert(input: AlertInput): Promise<{ inserted: boolean }>;
  /** Newest first. */
  listAlerts(query?: { flowId?: string; since?: number; limit?: number }): Promise<AlertRecord[]>;
}

// ---------------------------------------------------------------------------------------------- store

export interface Store
  extends FlowStore,
    ConnectionStore,
    LockStore,
    TriggerStore,
    WebhookInbox,
    RunStore,
    AlertStore {
  close(): Promise<void>;
}
