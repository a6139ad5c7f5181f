// Turns stored webhooks into runs. HighLevel's events go to every enabled flow whose instant trigger
// is that event and whose connection covers the event's location; generic per-flow posts go to their
// flow. The inbox row is marked routed in the same transaction that creates the runs.
import { webhookEventName } from "@hlconnect/client";
import type { JobQueue } from "../queue/types.ts";
import type { RunEnvironment } from "../runner/environment.ts";
import { connectionFor } from "../runner/environment.ts";
import type { NewRun, WebhookRecord } from "../store/types.ts";

export const HIGHLEVEL_SOURCE = "highlevel";
export const FLOW_HOOK_SOURCE = "flow-hook";

export function eventTriggerKey(eventName: string): string {
  return `highlevel.events.${eventName.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

export class WebhookRouter {
  readonly #env: RunEnvironment;
  readonly #queue: JobQueue;
  readonly #workerId: string;
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<number> | undefined;

  constructor(env: RunEnvironment, queue: JobQueue, workerId: string) {
    this.#env = env;
    this.#queue = queue;
    this.#workerId = workerId;
  }

  start(pollMs = 500): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.drain(), pollMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Route every pending webhook now; concurrent calls share one pass. */
  drain(): Promise<number> {
    this.#draining ??= this.#drainOnce().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drainOnce(): Promise<number> {
    let routed = 0;
    for (;;) {
      const batch = await this.#env.store.claimWebhooks(this.#workerId, { limit: 20 });
      if (batch.length === 0) return routed;
      for (const hook of batch) {
        try {
          const runs = await this.#env.store.routeWebhook(hook.id, await this.#runsFor(hook));
          for (const run of runs) await this.#queue.enqueue({ runId: run.id });
          routed++;
        } catch (err) {
          this.#env.logger.warn(
            { webhookId: hook.webhookId, error: String(err) },
            "webhook could not be routed yet",
          );
        }
      }
    }
  }

  async #runsFor(hook: WebhookRecord): Promise<NewRun[]> {
    if (hook.source === FLOW_HOOK_SOURCE && hook.flowId) {
      const flow = await this.#env.store.getFlow(hook.flowId);
      if (!flow?.enabled) return [];
      return [{ flowId: flow.id, trigger: hook.payload, eventKey: `hook:${hook.webhookId}` }];
    }
    const name = webhookEventName((hook.payload ?? {}) as { type?: unknown });
    if (!name) return [];
    const runs: NewRun[] = [];
    for (const record of await this.#env.store.listFlows({
      enabled: true,
      status: "active",
      triggerKey: eventTriggerKey(name),
    })) {
      if (hook.locationId) {
        const connection = await connectionFor(this.#env.store, {
          id: record.id,
          ...(record.connectionIds[0] ? { connection: record.connectionIds[0] } : {}),
        }).catch(() => undefined);
        if (!connection?.locationIds.includes(hook.locationId)) continue;
      }
      runs.push({ flowId: record.id, trigger: hook.payload, eventKey: `highlevel:${hook.webhookId}` });
    }
    return runs;
  }
}
