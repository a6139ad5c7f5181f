// What the API (and the CLI's --json) show of stored records. Connections are spelled out field by
// field so that nothing secret can ever ride along; runs get their duration.
import { defaultConnection } from "@hlconnect/engine/connections/default";
import { isPausedFor } from "@hlconnect/engine/connections/status";
import type { Engine } from "@hlconnect/engine/engine";
import type { ConnectionRecord, FlowRecord, RunRecord, StepRecord } from "@hlconnect/engine/store/types";
import { flowDocument, flowVersion } from "./flow-files.ts";

export interface FlowTriggerView {
  type: "polling" | "instant" | "webhook" | "invalid";
  op?: string;
  everyMs?: number;
}

export function flowSummary(engine: Engine, record: FlowRecord) {
  let trigger: FlowTriggerView;
  let problem: string | undefined;
  try {
    const t = engine.env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`).trigger;
    trigger =
      t.type === "webhook"
        ? { type: "webhook" }
        : t.type === "polling"
          ? { type: "polling", op: t.op, everyMs: t.intervalMs }
          : { type: "instant", op: t.op };
  } catch (err) {
    // A flow saved earlier may stop validating (e.g. after an upgrade): show it, say why.
    trigger = { type: "invalid" };
    problem = (err as Error).message;
  }
  return {
    id: record.id,
    name: record.name,
    enabled: record.enabled,
    ...(record.dryRun ? { dryRun: true } : {}),
    status: record.status,
    ...(record.statusReason ? { statusReason: record.statusReason } : {}),
    trigger,
    ...(problem ? { problem } : {}),
    connectionIds: record.connectionIds,
    ...(record.filePath ? { file: record.filePath } : {}),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

/** One flow with its source and, for a generic webhook flow, where to post and with which secret. */
export async function flowDetail(engine: Engine, record: FlowRecord) {
  const summary = flowSummary(engine, record);
  const hook =
    summary.trigger.type === "webhook"
      ? { path: `/hooks/${record.id}`, secret: await engine.store.getFlowHookSecret(record.id) }
      : undefined;
  // version: what a save must name to replace this text; document: the YAML as JSON, for the builder.
  return {
    ...summary,
    ...(hook ? { hook } : {}),
    source: record.source,
    version: flowVersion(record.source),
    document: flowDocument(record.source) ?? null,
  };
}

export function runView(run: RunRecord) {
  return {
    id: run.id,
    flowId: run.flowId,
    status: run.status,
    attempts: run.attempts,
    createdAt: iso(run.createdAt),
    ...(run.startedAt ? { startedAt: iso(run.startedAt) } : {}),
    ...(run.finishedAt ? { finishedAt: iso(run.finishedAt) } : {}),
    ...(run.finishedAt ? { durationMs: runDurationMs(run) } : {}),
    ...(run.eventKey ? { eventKey: run.eventKey } : {}),
    ...(run.replayOf ? { replayOf: run.replayOf } : {}),
    ...(run.dryRun ? { dryRun: true } : {}),
    ...(run.error ? { error: run.error } : {}),
    trigger: run.trigger,
  };
}

export function stepView(step: StepRecord) {
  return {
    stepId: step.stepId,
    status: step.status,
    attempts: step.attempts,
    ...(step.startedAt ? { startedAt: iso(step.startedAt) } : {}),
    ...(step.finishedAt ? { finishedAt: iso(step.finishedAt) } : {}),
    ...(step.error ? { error: step.error } : {}),
    input: step.input,
    output: step.output,
  };
}

/** From the first start (or creation) to the end. */
export function runDurationMs(run: RunRecord): number | undefined {
  return run.finishedAt === undefined ? undefined : run.finishedAt - (run.startedAt ?? run.createdAt);
}

/**
 * What a person should believe about the connection: needs_reconnect (its refresh was refused: flows
 * paused) wins, then the last test: untested until one ran, failing after a failed one, ok after a
 * successful one. `status` stays the engine's reconnect state.
 */
export function connectionHealth(c: ConnectionRecord): "needs_reconnect" | "untested" | "failing" | "ok" {
  if (c.status === "needs_reconnect") return "needs_reconnect";
  if (!c.lastTest) return "untested";
  return c.lastTest.ok ? "ok" : "failing";
}

/**
 * `pausedFlows`: the flows paused because this connection needs reconnecting. `isDefault`: it is the
 * default connection (the first added), which flows naming no connection use; derived, never stored.
 */
export function connectionView(c: ConnectionRecord, pausedFlows: FlowRecord[] = [], isDefault = false) {
  return {
    id: c.id,
    label: c.label,
    kind: c.kind,
    ...(isDefault ? { default: true } : {}),
    locationIds: c.locationIds,
    ...(c.companyId ? { companyId: c.companyId } : {}),
    scopes: c.scopes,
    status: c.status,
    ...(c.statusReason ? { statusReason: c.statusReason } : {}),
    health: connectionHealth(c),
    ...(c.lastTest
      ? {
          lastTest: {
            ok: c.lastTest.ok,
            at: iso(c.lastTest.at),
            ...(c.lastTest.reason ? { reason: c.lastTest.reason } : {}),
          },
        }
      : {}),
    pausedFlows: pausedFlows.map((f) => ({ id: f.id, name: f.name })),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

/**
 * Views of connections with the flows each one paused (one query for all of them) and which one is
 * the default (judged among all stored connections, not only `records`), oldest first: the default
 * leads, so a client that takes the first connection takes the one flows naming none use.
 */
export async function connectionViews(engine: Engine, records: ConnectionRecord[]) {
  const paused = await engine.store.listFlows({ status: "paused" });
  const fallback = defaultConnection(await engine.store.listConnections());
  const oldestFirst = [...records].sort(
    (a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return oldestFirst.map((c) =>
    connectionView(
      c,
      paused.filter((f) => isPausedFor(f, c.id)),
      c.id === fallback?.id,
    ),
  );
}

/** One connection's view, as connectionViews gives it. */
export async function connectionViewOf(engine: Engine, record: ConnectionRecord) {
  const [view] = await connectionViews(engine, [record]);
  return view!;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
