// A trigger payload to run a flow with when no event is at hand: for a dry run of a polling flow, and
// for "test the trigger" in the web app. A polling trigger reads the account's current items (without
// touching the flow's cursor, so no real event is used up); an instant trigger, which has nothing to
// read on demand, offers the catalog's documented sample.
import { getEntry, runEntry } from "@hlconnect/catalog";
import type { Flow } from "../flows/index.ts";
import { renderValue } from "../mapping/index.ts";
import type { RunRecord } from "../store/types.ts";
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
  if (flow.trigger.type === "instant" || entry.kind !== "trigger" || !entry.read) {
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
  const items = itemsOf(await runEntry(entry, ctx, input));
  return { items: items.slice(0, limit), source: "live" };
}
