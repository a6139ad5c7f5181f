// A trigger payload to run a flow with when no event is at hand: for a dry run of a polling flow, and
// for "test the trigger" in the web app. A polling trigger reads the account's current items (without
// touching the flow's cursor, so no real event is used up); an instant trigger reads recent records
// through its polling equivalent where one exists, else offers the catalog's documented sample.
import { getEntry, runEntry } from "@hlconnect/catalog";
import type { Flow } from "../flows/index.ts";
import { renderValue } from "../mapping/index.ts";
import type { RunRecord } from "../store/types.ts";
import { BACKFILL_EQUIVALENTS } from "../webhooks/backfill.ts";
import type { RunEnvironment } from "./environment.ts";

export interface TriggerSample {
  items: unknown[];
  /** "live": read from the account just now; "example": the catalog's sample (nothing to read). */
  source: "live" | "example";
}

/** Lists come back as {contacts: [...]} or [...]: the items either way. */
function itemsOf(answer: unknown): unknown[] {
  if (Array.isArray(answer)) return answer;
  if (answer && typeof answer === "object") {
    // One record (an appointment carrying its `users` list): itself, not its only list.
    if (typeof (answer as { id?: unknown }).id === "string") return [answer];
    const lists = Object.values(answer).filter(Array.isArray);
    if (lists.length === 1) return lists[0] as unknown[];
    return [answer];
  }
  return answer === undefined || answer === null ? [] : [answer];
}

export async function triggerSample(env: RunEnvironment, flow: Flow, limit = 5): Promise<TriggerSample> {
  if (flow.trigger.type === "webhook") return { items: [], source: "example" };
  const entry = getEntry(flow.trigger.op);
  const example = entry.output.sample;
  // An instant trigger whose event has a polling equivalent reads real recent records through it,
  // shaped as the webhook would send them (the same equivalence the backfill uses).
  const equivalent = flow.trigger.type === "instant" ? BACKFILL_EQUIVALENTS[flow.trigger.op] : undefined;
  const reader = equivalent ? getEntry(equivalent.poll) : entry;
  if ((flow.trigger.type === "instant" && !equivalent) || reader.kind !== "trigger" || !reader.read) {
    return { items: example === undefined ? [] : [example], source: "example" };
  }
  const input = renderValue(flow.trigger.input, {
    trigger: {},
    steps: {},
    vars: flow.vars,
    tables: flow.tables,
    env: env.flowEnv,
    now: () => new Date(env.now()),
    defaultCountry: env.defaultCountry,
    timeZone: env.timeZone,
  });
  const ctx = await (await env.contextFor(flow, { trigger: {} } as RunRecord))(undefined as never);
  const items = itemsOf(await runEntry(reader, ctx, equivalent ? {} : input)).slice(0, limit);
  if (!equivalent) return { items, source: "live" };
  if (!items.length) return { items: example === undefined ? [] : [example], source: "example" };
  const locationId = (ctx as { locationId?: string }).locationId;
  return {
    // As the webhook sends it: `type` is the event's name (a contact's own type does not come along).
    items: items.map((item) => ({
      ...(locationId ? { locationId } : {}),
      ...(equivalent.shape
        ? equivalent.shape(item as Record<string, unknown>)
        : (item as Record<string, unknown>)),
      type: equivalent.type,
    })),
    source: "live",
  };
}
