// Runs polling triggers at each flow's interval (with jitter, so many flows do not poll in step).
// One poll: under a lock per flow (several processes may run schedulers), read the cursor, poll the
// catalog trigger, then advance the cursor and create the runs in ONE store transaction, and enqueue
// them. A crash between poll and record repeats the poll; the (flow, event key) uniqueness makes the
// repeat harmless.
import { getEntry, pollEntry } from "@hlconnect/catalog";
import { HighLevelError } from "@hlconnect/client";
import type { Flow } from "../flows/index.ts";
import { renderValue } from "../mapping/index.ts";
import type { JobQueue } from "../queue/types.ts";
import type { RunEnvironment } from "../runner/environment.ts";
import type { RunRecord } from "../store/types.ts";

/** Polls failed in a row before a flow is shown as failing. */
const FAILING_AFTER = 3;

export interface PollReport {
  flowId: string;
  runs: RunRecord[];
  requests: number;
  firstPoll: boolean;
}

export class PollScheduler {
  readonly #env: RunEnvironment;
  readonly #queue: JobQueue;
  readonly #tickMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  readonly #nextDue = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #busy = new Set<string>();
  /** Polls failed in a row, per flow. */
  readonly #failures = new Map<string, number>();

  constructor(
    env: RunEnvironment,
    queue: JobQueue,
    opts: { tickMs?: number; jitter?: number; random?: () => number } = {},
  ) {
    this.#env = env;
    this.#queue = queue;
    this.#tickMs = opts.tickMs ?? 1000;
    this.#jitter = opts.jitter ?? 0.1;
    this.#random = opts.random ?? Math.random;
  }

  start(): void {
    if (this.#timer) return;
    // A store that does not answer (a lost database connection) fails this tick; the next one retries.
    this.#timer = setInterval(
      () =>
        void this.tick().catch((error: unknown) =>
          this.#env.logger.warn({ error: String(error) }, "poll tick failed; trying again next tick"),
        ),
      this.#tickMs,
    );
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Poll every due flow once; returns what was polled. */
  async tick(): Promise<PollReport[]> {
    const now = this.#env.now();
    const reports: PollReport[] = [];
    for (const record of await this.#env.store.listFlows({ enabled: true })) {
      if (record.status === "paused") continue;
      let flow: Flow;
      try {
        flow = this.#env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`);
      } catch {
        continue; // invalid flows are reported when loaded; the scheduler just skips them
      }
      if (flow.trigger.type !== "polling" || this.#busy.has(flow.id)) continue;
      const interval = flow.trigger.intervalMs;
      const due = this.#nextDue.get(flow.id);
      if (due === undefined) {
        // First sight of the flow: spread first polls across one interval.
        this.#nextDue.set(flow.id, now + Math.floor(this.#random() * Math.min(interval, 60_000)));
        continue;
      }
      if (due > now) continue;
      this.#nextDue.set(flow.id, now + Math.round(interval * (1 + this.#jitter * (2 * this.#random() - 1))));
      this.#busy.add(flow.id);
      try {
        const report = await this.#pollTracked(flow);
        if (report) reports.push(report);
      } finally {
        this.#busy.delete(flow.id);
      }
    }
    return reports;
  }

  /** One poll of a flow as the schedule does it: a failure is logged and counted, never thrown. */
  async pollFlowSafely(flowId: string): Promise<PollReport | undefined> {
    const record = await this.#env.store.getFlow(flowId);
    if (!record) throw new Error(`no flow "${flowId}"`);
    return this.#pollTracked(this.#env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`));
  }

  /**
   * A flow whose polls keep failing is not "active": after FAILING_AFTER failures in a row it is shown
   * as failing (status "error", with the count and the last error); the next good poll makes it active.
   */
  async #pollTracked(flow: Flow): Promise<PollReport | undefined> {
    const { store, logger } = this.#env;
    try {
      const report = await this.pollFlow(flow);
      this.#failures.delete(flow.id);
      if ((await store.getFlow(flow.id))?.status === "error") await store.setFlowStatus(flow.id, "active");
      return report;
    } catch (err) {
      const failures = (this.#failures.get(flow.id) ?? 0) + 1;
      this.#failures.set(flow.id, failures);
      logger.warn(
        { flowId: flow.id, failures, error: String(err) },
        "poll failed; trying again next interval",
      );
      if (failures >= FAILING_AFTER) {
        const reason = `the last ${failures} polls failed (latest: ${err instanceof Error ? err.message : String(err)})`;
        const record = await store.getFlow(flow.id).catch(() => undefined);
        if (record && record.status !== "paused")
          await store.setFlowStatus(flow.id, "error", reason).catch(() => {});
      }
      return undefined;
    }
  }

  /** One poll of one flow, now (the scheduler's unit, and `flows run-once`). */
  async pollFlow(flow: Flow): Promise<PollReport> {
    if (flow.trigger.type !== "polling") throw new Error(`flow ${flow.id} has no polling trigger`);
    const trigger = flow.trigger;
    const { store } = this.#env;
    return store.withLock(`poll:${flow.id}`, async () => {
      const state = await store.getTriggerState(flow.id);
      const makeCtx = await this.#env.contextFor(flow, { trigger: {} } as RunRecord);
      const ctx = await makeCtx(undefined);
      let result: Awaited<ReturnType<typeof pollEntry>>;
      try {
        // A trigger's input may read vars and env (never trigger or steps: there are none yet).
        const input = renderValue(trigger.input, {
          trigger: {},
          steps: {},
          vars: flow.vars,
          tables: flow.tables,
          env: this.#env.flowEnv,
          now: () => new Date(this.#env.now()),
          defaultCountry: this.#env.defaultCountry,
          timeZone: this.#env.timeZone,
        });
        result = await pollEntry(getEntry(trigger.op), ctx, input, state?.cursor as never);
      } catch (err) {
        this.#env.events.emit("poll", { flowId: flow.id, ok: false, requests: 0, runs: 0 });
        if (err instanceof HighLevelError && err.code === "RECONNECT_NEEDED") {
          await this.#env.pauseForReconnect(flow, err.message);
        }
        throw err;
      }
      const events = result.items.map((payload, i) => ({
        eventKey: result.keys?.[i] ?? fallbackKey(payload),
        payload,
      }));
      const runs = await store.recordTriggerEvents(flow.id, result.cursor, events);
      for (const run of runs) await this.#queue.enqueue({ runId: run.id });
      // For metrics: every poll, with the requests it cost.
      this.#env.events.emit("poll", {
        flowId: flow.id,
        ok: true,
        requests: result.requests,
        runs: runs.length,
      });
      if (runs.length || !state) {
        this.#env.logger.info(
          { flowId: flow.id, runs: runs.length, requests: result.requests, firstPoll: !state },
          state ? `polled ${flow.id}: ${runs.length} new` : `first poll of ${flow.id}: cursor recorded`,
        );
      }
      return { flowId: flow.id, runs, requests: result.requests, firstPoll: !state };
    });
  }
}

/** An item's identity when the trigger gives no key: its id (plus its update time when it has one). */
function fallbackKey(item: unknown): string {
  const o = (item ?? {}) as Record<string, unknown>;
  const id = o.id ?? o._id ?? JSON.stringify(item);
  const updated = o.dateUpdated ?? o.updatedAt;
  return updated ? `${id}@${updated}` : String(id);
}
