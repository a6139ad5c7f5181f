// Turns stored webhooks into runs. HighLevel's events go to every enabled flow whose instant trigger
// is that event, through the connection that holds the event's location (the flow's own connection
// when it names one); generic per-flow posts go to their flow. The inbox row is marked routed in the
// same transaction that creates the runs. An event a flow cannot take is never dropped in silence:
// the row's note says why, a warning is logged, a "webhook-ignored" event feeds the metrics, and the
// flow is marked as needing attention (status "error" with the reason).
import { webhookEventName } from "@hlconnect/client";
import type { JobQueue } from "../queue/types.ts";
import type { RunEnvironment } from "../runner/environment.ts";
import type { FlowRecord, NewRun, WebhookRecord } from "../store/types.ts";
import { naturalEventKey } from "./backfill.ts";

export const HIGHLEVEL_SOURCE = "highlevel";
export const FLOW_HOOK_SOURCE = "flow-hook";

export function eventTriggerKey(eventName: string): string {
  return `highlevel.events.${eventName.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

export class WebhookRouter {
  readonly #env: RunEnvironment;
  readonly #queue: JobQueue;
  readonly #workerId: string;
  readonly #leaseMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<number> | undefined;
  #stopped = false;

  /** leaseMs: how long a claimed webhook is held before another router may take it (the configured lease). */
  constructor(env: RunEnvironment, queue: JobQueue, workerId: string, leaseMs?: number) {
    this.#env = env;
    this.#queue = queue;
    this.#workerId = workerId;
    this.#leaseMs = leaseMs;
  }

  start(pollMs = 500): void {
    this.#stopped = false;
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.drain(), pollMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Route every pending webhook now; concurrent calls share one pass. */
  drain(): Promise<number> {
    if (this.#stopped) return Promise.resolve(0);
    this.#draining ??= this.#drainOnce()
      .catch((err: unknown) => {
        // The store went away (closing) or failed: the rows stay pending for the next pass.
        if (!this.#stopped) this.#env.logger.warn({ error: String(err) }, "webhook routing pass failed");
        return 0;
      })
      .finally(() => {
        this.#draining = undefined;
      });
    return this.#draining;
  }

  async #drainOnce(): Promise<number> {
    let routed = 0;
    for (;;) {
      const batch = await this.#env.store.claimWebhooks(this.#workerId, {
        limit: 20,
        ...(this.#leaseMs ? { leaseMs: this.#leaseMs } : {}),
      });
      if (batch.length === 0) return routed;
      for (const hook of batch) {
        try {
          const plan = await this.#plan(hook);
          const runs = await this.#env.store.routeWebhook(hook.id, plan.runs, plan.note);
          for (const run of runs) await this.#queue.enqueue({ runId: run.id });
          await this.#report(hook, plan);
          routed++;
        } catch (err) {
          this.#env.logger.warn(
            { webhookId: hook.webhookId, error: String(err) },
            "webhook could not be routed yet",
          );
        }
        // The embedded store answers synchronously, so without this a backlog would be routed in one
        // go while deliveries wait unread: let the server take new requests between events.
        await yieldToEventLoop();
      }
    }
  }

  /** Say why an event was not run: log, event for the metrics, and the flow shown as needing attention. */
  async #report(hook: WebhookRecord, plan: Plan): Promise<void> {
    const { store, logger, events } = this.#env;
    for (const skip of plan.skipped) {
      events.emit("webhook-ignored", { source: hook.source, reason: skip.reason, flowId: skip.flowId });
      if (!skip.flowId) {
        logger.info({ webhookId: hook.webhookId, reason: skip.reason }, skip.text);
        continue;
      }
      logger.warn({ webhookId: hook.webhookId, flowId: skip.flowId, reason: skip.reason }, skip.text);
      if (skip.attention) await store.setFlowStatus(skip.flowId, "error", skip.text).catch(() => {});
    }
    // A flow the router marked for a routing problem that this event shows fixed is active again.
    // Other errors (a failing poll, another location still unroutable) are left for their owner.
    for (const flowId of plan.recovered) await store.setFlowStatus(flowId, "active");
  }

  async #plan(hook: WebhookRecord): Promise<Plan> {
    const skipped: Skip[] = [];
    const recovered: string[] = [];
    const done = (runs: NewRun[]): Plan => ({
      runs,
      skipped,
      recovered,
      ...(skipped.length ? { note: skipped.map((s) => s.text).join("; ") } : {}),
    });
    if (hook.source === FLOW_HOOK_SOURCE && hook.flowId) {
      const flow = await this.#env.store.getFlow(hook.flowId);
      if (!flow?.enabled || flow.status === "paused") {
        skipped.push({
          reason: flow ? (flow.enabled ? "flow_paused" : "flow_disabled") : "no_flow",
          text: !flow
            ? `flow "${hook.flowId}" no longer exists`
            : flow.enabled
              ? `flow "${flow.id}" is paused (${flow.statusReason ?? "no reason given"}): the post starts no run`
              : `flow "${flow.id}" is disabled: the post starts no run`,
        });
        return done([]);
      }
      return done([{ flowId: flow.id, trigger: hook.payload, eventKey: `hook:${hook.webhookId}` }]);
    }
    const name = webhookEventName((hook.payload ?? {}) as { type?: unknown });
    if (!name) {
      skipped.push({ reason: "unknown_event", text: "the event has no type this version knows" });
      return done([]);
    }
    const triggerKey = eventTriggerKey(name);
    const runs: NewRun[] = [];
    for (const record of await this.#env.store.listFlows({ enabled: true, triggerKey })) {
      const why = hook.locationId ? await this.#unroutable(record, hook.locationId, name) : undefined;
      if (why === null) continue; // the flow's named connection is for other locations: not its event
      if (record.status === "paused") {
        skipped.push(pausedSkip(record, name));
        continue;
      }
      if (why) {
        skipped.push(why);
        continue;
      }
      // Events that backfill can also find are keyed by their record, so both make one run.
      const eventKey = naturalEventKey(triggerKey, hook.payload) ?? `highlevel:${hook.webhookId}`;
      runs.push({ flowId: record.id, trigger: hook.payload, eventKey });
      if (hook.locationId && this.#fixedBy(record, hook.locationId)) recovered.push(record.id);
    }
    if (!runs.length && !skipped.length) {
      skipped.push({ reason: "no_flow", text: `no enabled flow has the trigger ${triggerKey}` });
    }
    return done(runs);
  }

  /**
   * Whether the flow's error is one this router set for the problem this routed event shows solved:
   * the named connection exists now, or a connection now holds this very location.
   */
  #fixedBy(flow: FlowRecord, locationId: string): boolean {
    if (flow.status !== "error" || !flow.statusReason) return false;
    const named = flow.connectionIds[0];
    const problem = named ? missingConnection(named) : noConnectionFor(locationId);
    return flow.statusReason.includes(problem);
  }

  /** Undefined when the flow takes events of this location, null when they are not its events, else why not. */
  async #unroutable(flow: FlowRecord, locationId: string, event: string): Promise<Skip | null | undefined> {
    const named = flow.connectionIds[0];
    if (named) {
      const connection = await this.#env.store.getConnection(named);
      if (!connection) {
        return {
          flowId: flow.id,
          reason: "unknown_connection",
          attention: true,
          text: `flow "${flow.id}" ignored a ${event} event: ${missingConnection(named)} (add it, or change the flow's connection:)`,
        };
      }
      return connection.locationIds.includes(locationId) ? undefined : null;
    }
    if ((await this.#env.store.listConnections({ locationId })).length) return undefined;
    return {
      flowId: flow.id,
      reason: "no_connection",
      attention: true,
      text: `flow "${flow.id}" ignored a ${event} event: ${noConnectionFor(locationId)}add one with \`hlconnect connections add --location ${locationId}\`)`,
    };
  }
}

// The routing problems the router marks a flow for. A routed event clears the mark only when the
// flow's reason holds the very phrase for the problem it shows solved.
function missingConnection(connectionId: string): string {
  return `it names connection "${connectionId}", which does not exist`;
}
function noConnectionFor(locationId: string): string {
  return `no connection holds location ${locationId} (`;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Skip {
  flowId?: string;
  /** A short label for the metrics. */
  reason: string;
  text: string;
  /** The flow is marked as needing attention (status "error" with this text). */
  attention?: boolean;
}

interface Plan {
  runs: NewRun[];
  skipped: Skip[];
  /** Flows whose router-set error this event shows fixed. */
  recovered: string[];
  note?: string;
}

function pausedSkip(flow: FlowRecord, event: string): Skip {
  return {
    flowId: flow.id,
    reason: "flow_paused",
    text: `flow "${flow.id}" ignored a ${event} event: it is paused (${flow.statusReason ?? "no reason given"})`,
  };
}
