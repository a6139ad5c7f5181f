// Backfill of instant triggers. HighLevel redelivers an event only after a 429, so whatever it sent
// while hlconnect was down (a restart, a deploy, a crash) would be lost. An instant trigger whose
// event has a polling equivalent in the catalog is therefore also read by polling, on start and
// periodically as a safety net: items changed since the last backfill become runs with the SAME
// dedupe key the webhook's run gets (naturalEventKey), so each event runs exactly once whether it
// came by webhook, by backfill or both. The cursor lives in the flow's trigger state, which instant
// flows do not otherwise use; the first backfill of a flow only records where it starts.
import { getEntry, pollEntry } from "@hlconnect/catalog";
import type { JobQueue } from "../queue/types.ts";
import type { RunEnvironment } from "../runner/environment.ts";
import type { FlowRecord, RunRecord } from "../store/types.ts";

interface Equivalent {
  /** The catalog's polling trigger that reads the same events. */
  poll: string;
  /** The webhook event's type, given to backfilled payloads so flows see the same shape. */
  type: string;
  /** The record's identity in a webhook payload, as the polling trigger keys its items. */
  key(payload: Record<string, unknown>): string | undefined;
  /** The webhook's shape of a polled item, when the event nests the record (AppointmentCreate). */
  shape?(item: Record<string, unknown>): Record<string, unknown>;
}

const byId = (p: Record<string, unknown>) => (typeof p.id === "string" && p.id ? p.id : undefined);
const byAppointmentId = (p: Record<string, unknown>) =>
  p.appointment && typeof p.appointment === "object"
    ? byId(p.appointment as Record<string, unknown>)
    : undefined;

// Only events whose polling trigger reads the whole location and keys items by the webhook's record
// id. Tasks are polled per contact and notes not at all, so their events have no backfill.

export const BACKFILL_EQUIVALENTS: Record<string, Equivalent> = {
  "highlevel.events.contact-create": { poll: "highlevel.contacts.new", type: "ContactCreate", key: byId },
  "highlevel.events.opportunity-create": {
    poll: "highlevel.opportunities.new",
    type: "OpportunityCreate",
    key: byId,
  },
  // Appointments are listed by when they take place: one booked outside the trigger's default
  // window (7 days back, 90 ahead) is not caught up.
  "highlevel.events.appointment-create": {
    poll: "highlevel.calendars.appointments.new",
    type: "AppointmentCreate",
    key: byAppointmentId,
    shape: (item) => ({ appointment: item }),
  },
};

/** The dedupe key shared by a webhook's run and a backfilled run of the same event; undefined when none. */
export function naturalEventKey(triggerKey: string, payload: unknown): string | undefined {
  const eq = BACKFILL_EQUIVALENTS[triggerKey];
  const key =
    eq && payload && typeof payload === "object" ? eq.key(payload as Record<string, unknown>) : undefined;
  return key ? `${triggerKey}:${key}` : undefined;
}

export interface BackfillReport {
  flowId: string;
  runs: number;
  firstBackfill: boolean;
}

export class Backfiller {
  readonly #env: RunEnvironment;
  readonly #queue: JobQueue;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<BackfillReport[]> | undefined;

  constructor(env: RunEnvironment, queue: JobQueue, options: { intervalMs?: number } = {}) {
    this.#env = env;
    this.#queue = queue;
    this.#intervalMs = options.intervalMs ?? 300_000;
  }

  /** Backfill now, then every interval. */
  start(): void {
    if (this.#timer) return;
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Whether this process backfills on its interval (only the scheduler's leader does). */
  get started(): boolean {
    return this.#timer !== undefined;
  }

  /** One pass over every enabled flow that can be backfilled; concurrent calls share it. */
  runOnce(): Promise<BackfillReport[]> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<BackfillReport[]> {
    const reports: BackfillReport[] = [];
    let flows: FlowRecord[];
    try {
      // No connection yet (a fresh install, the demo before it connects): nothing can be read.
      if (!(await this.#env.store.listConnections()).length) return reports;
      flows = await this.#env.store.listFlows({ enabled: true });
    } catch {
      return reports; // the store is closing
    }
    for (const record of flows) {
      if (record.status === "paused" || !record.triggerKey || !BACKFILL_EQUIVALENTS[record.triggerKey])
        continue;
      try {
        reports.push(await this.backfillFlow(record));
      } catch (err) {
        this.#env.logger.warn(
          { flowId: record.id, error: String(err) },
          "backfill failed; trying again later",
        );
      }
    }
    return reports;
  }

  async backfillFlow(record: FlowRecord): Promise<BackfillReport> {
    const eq = BACKFILL_EQUIVALENTS[record.triggerKey ?? ""];
    if (!eq) throw new Error(`flow ${record.id}: its trigger has no polling equivalent`);
    const { store } = this.#env;
    const flow = this.#env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`);
    return store.withLock(`backfill:${record.id}`, async () => {
      const state = await store.getTriggerState(record.id);
      const ctx = await (await this.#env.contextFor(flow, { trigger: {} } as RunRecord))(undefined);
      const result = await pollEntry(getEntry(eq.poll), ctx, {}, state?.cursor as never);
      const events = result.items.map((item, i) => {
        const payload = {
          ...(eq.shape ? eq.shape(item as Record<string, unknown>) : (item as Record<string, unknown>)),
          type: eq.type,
          locationId: ctx.locationId,
          hlconnectSource: "backfill",
        };
        const key = result.keys?.[i] ?? eq.key(payload);
        return { eventKey: `${record.triggerKey}:${key}`, payload };
      });
      const runs = await store.recordTriggerEvents(record.id, result.cursor, events);
      for (const run of runs) await this.#queue.enqueue({ runId: run.id });
      this.#env.events.emit("backfill", { flowId: record.id, runs: runs.length });
      if (runs.length)
        this.#env.logger.warn(
          { flowId: record.id, runs: runs.length },
          `backfilled ${runs.length} event(s) the webhook did not deliver`,
        );
      return { flowId: record.id, runs: runs.length, firstBackfill: !state };
    });
  }
}
