// Everything a run needs from the outside world, gathered in one object so the executor stays pure
// logic and tests can swap any part: the store, clients per connection, the clock, alerts.
import { EventEmitter } from "node:events";
import { type CatalogContext, createContext } from "@hlconnect/catalog";
import { guardedFetch } from "@hlconnect/client/outbound/guard";
import type { ConnectionClients } from "../connections/clients.ts";
import { findDefaultConnection } from "../connections/default.ts";
import { markNeedsReconnect, reconnectReason } from "../connections/status.ts";
import { type Flow, formatFlowError, parseFlowFile } from "../flows/index.ts";
import type { Logger } from "../logger.ts";
import { DEFAULT_MAX_VALUE_LENGTH } from "../mapping/evaluate.ts";
import type { ConnectionRecord, RunError, RunRecord, Store } from "../store/types.ts";
import { dryRunContext } from "./dry-run.ts";

export interface RunEnvironment {
  store: Store;
  parseFlow(source: string, file: string): Flow;
  /** A catalog context factory for the run's connection and location. */
  contextFor(flow: Flow, run: RunRecord): Promise<(step: unknown) => Promise<CatalogContext>>;
  flowEnv: Record<string, string | undefined>;
  now(): number;
  sleep(ms: number): Promise<void>;
  defaultCountry: string;
  timeZone: string;
  /** The longest value a mapping may produce and the largest rendered step input, in characters. */
  maxValueLength: number;
  logger: Logger;
  /**
   * "run" events: {runId, flowId, status} when a run finishes; "poll" events: {flowId, ok, requests,
   * runs} after each poll of a polling trigger.
   */
  events: EventEmitter;
  alert(run: RunRecord, status: "failed" | "needs_attention", error: RunError, flow?: Flow): Promise<void>;
  pauseForReconnect(flow: Flow, reason: string): Promise<void>;
}

export interface RunEnvironmentOptions {
  store: Store;
  clients: ConnectionClients;
  logger: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  defaultCountry?: string;
  timeZone?: string;
  /** Environment variables flows may read as `env.NAME` (only these: never the secret). */
  flowEnv?: Record<string, string | undefined>;
  /** Default HLCONNECT_MAX_VALUE_BYTES, else 1 MiB. */
  maxValueLength?: number;
  /** Where alerts go besides the log and a flow's own alert webhook. */
  alertWebhook?: string;
  fetch?: typeof fetch;
}

export function createRunEnvironment(o: RunEnvironmentOptions): RunEnvironment {
  const parsedFlows = new Map<string, Flow>();
  const now = o.now ?? Date.now;
  const events = new EventEmitter();
  const env: RunEnvironment = {
    store: o.store,
    parseFlow(source, file) {
      // Every run parses its flow's stored YAML (a fifth of a worker's CPU): the same text gives the
      // same flow, which nothing changes, so it is parsed once. Bounded: edits make new texts.
      const key = `${file}\0${source}`;
      const cached = parsedFlows.get(key);
      if (cached) return cached;
      const r = parseFlowFile(source, file);
      if (!r.flow) throw new Error(r.errors.map(formatFlowError).join("; "));
      if (parsedFlows.size >= 500) parsedFlows.clear();
      parsedFlows.set(key, r.flow);
      return r.flow;
    },
    async contextFor(flow, run) {
      const payload = (run.trigger ?? {}) as { locationId?: unknown };
      const connection = await connectionFor(
        o.store,
        flow,
        typeof payload.locationId === "string" ? payload.locationId : undefined,
      );
      const location =
        typeof payload.locationId === "string" && connection.locationIds.includes(payload.locationId)
          ? payload.locationId
          : connection.locationIds[0];
      const client = await o.clients.client(connection, location);
      const ctx = createContext({
        client,
        ...(location ? { locationId: location } : {}),
        ...(connection.companyId ? { companyId: connection.companyId } : {}),
        defaultCountry: o.defaultCountry ?? "US",
        now,
      });
      // A dry run records each step's writes on a context of its own.
      return run.dryRun ? async () => dryRunContext(ctx) : async () => ctx;
    },
    flowEnv: o.flowEnv ?? {},
    now,
    sleep: o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    defaultCountry: o.defaultCountry ?? "US",
    timeZone: o.timeZone ?? "UTC",
    maxValueLength: o.maxValueLength ?? maxValueLengthFromEnv() ?? DEFAULT_MAX_VALUE_LENGTH,
    logger: o.logger,
    events,
    async alert(run, status, error, flow) {
      const text = `Flow "${flow?.name ?? run.flowId}" run ${run.id} ${status === "failed" ? "failed" : "needs attention"}: ${error.message}`;
      o.logger.error({ runId: run.id, flowId: run.flowId, status, error }, text);
      for (const url of [flow?.alerts?.webhook, o.alertWebhook]) {
        if (!url) continue;
        const { inserted } = await o.store.recordAlert({
          key: `${run.id}:${status}:${url}`,
          channel: "webhook",
          message: text,
          flowId: run.flowId,
          runId: run.id,
        });
        if (!inserted) continue;
        try {
          const request = {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text, runId: run.id, flowId: run.flowId, status, error }),
          };
          // A test's own fetch, else the outbound guard: an alert URL is the user's to choose, not
          // a way to reach this machine's private network.
          if (o.fetch) await o.fetch(url, { ...request, signal: AbortSignal.timeout(10_000) });
          else await guardedFetch(url, request);
        } catch (err) {
          o.logger.warn({ url, error: String(err) }, "alert webhook could not be reached");
        }
      }
    },
    async pauseForReconnect(flow, reason) {
      const connection = await connectionFor(o.store, flow).catch(() => undefined);
      if (!connection) {
        await o.store.setFlowStatus(flow.id, "paused", reason).catch(() => {});
        return;
      }
      // Every flow of the connection pauses with the same reason, which a reconnection looks for.
      const paused = await markNeedsReconnect(o.store, connection, reason, flow.id);
      o.clients.forget(connection.id);
      o.logger.warn(
        { connectionId: connection.id, pausedFlows: paused.map((f) => f.id) },
        reconnectReason(connection, reason),
      );
    },
  };
  return env;
}

/** HLCONNECT_MAX_VALUE_BYTES: a positive whole number, else the default. */
function maxValueLengthFromEnv(): number | undefined {
  const n = Number(process.env.HLCONNECT_MAX_VALUE_BYTES);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * The flow's connection: the one it names; else, for an event of a location, the connection holding
 * that location; else the default connection (the first one added), so a second connection never
 * leaves flows that name none without one.
 */
export async function connectionFor(
  store: Store,
  flow: Pick<Flow, "connection" | "id">,
  locationId?: string,
): Promise<ConnectionRecord> {
  if (flow.connection) {
    const c = await store.getConnection(flow.connection);
    if (!c) throw new Error(`flow ${flow.id} names connection "${flow.connection}", which does not exist`);
    return c;
  }
  if (locationId) {
    const holders = await store.listConnections({ locationId });
    const usable = holders.find((c) => c.status === "ok") ?? holders[0];
    if (usable) return usable;
  }
  const fallback = await findDefaultConnection(store);
  if (fallback) return fallback;
  throw new Error("there is no HighLevel connection yet: add one with `hlconnect connections add`");
}
