// Opportunities: the seed's 10 operations (Search Opportunities in its GET and POST forms), the
// pipelines-and-stages option source, and the new-opportunity / stage-changed / updated polling
// triggers a sales team watches.
import { getOperation, HighLevelError, requestSchema } from "@hlconnect/client";
import { z } from "zod";
import { defineTrigger, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture, uniqueSuffix } from "../examples.ts";
import { customFieldValues, id, meta, parseDateInput, text } from "../fields.ts";
import { callOperation } from "../operation-input.ts";
import { DEFAULT_LOOKBACK_MS, snapshotTrigger, timeField, timeOrderedTrigger } from "../poll.ts";
import { fromSeed } from "../seed.ts";
import type {
  ActionEntry,
  CatalogContext,
  CatalogEntry,
  OptionSource,
  PollCursor,
  PollingTrigger,
  PollResult,
} from "../types.ts";
import { contactSource } from "./contacts.ts";

const CATEGORY = "Opportunities";
const sample = (op: string) => requestSchema(getOperation(op).key)?.responseSample ?? {};
/** One opportunity as the search lists it, without the fields HighLevel leaves out when unset. */
const OPPORTUNITY_SAMPLE = Object.fromEntries(
  Object.entries(
    (sample("get-opportunity") as { opportunity?: Record<string, unknown> }).opportunity ?? {},
  ).filter(([k]) => !["assignedTo", "indexVersion", "lostReasonId", "externalObjectId"].includes(k)),
);

type Rec = Record<string, unknown>;

export const pipelineSource: OptionSource = {
  entry: "highlevel.opportunities.pipelines",
  value: "id",
  label: "name",
};
/** Stages of the pipeline chosen in `pipelineField` (the pipelines entry narrowed to that one). */
export const stageSource = (pipelineField = "pipelineId"): OptionSource => ({
  entry: "highlevel.opportunities.pipelines",
  value: "id",
  label: "name",
  dependsOn: { pipelineId: pipelineField },
  items: "pipelines[].stages",
});
export const userSource: OptionSource = { entry: "highlevel.users.search", value: "id", label: "name" };
export const opportunitySource: OptionSource = {
  entry: "highlevel.opportunities.search",
  value: "id",
  label: "name",
};

const opportunityId = () => id("Opportunity", opportunitySource, "The opportunity's id.");
const pipelineId = () => id("Pipeline", pipelineSource);
const stageId = (pipelineField = "pipelineId") => id("Stage", stageSource(pipelineField));
const contactId = () => id("Contact", contactSource, "The contact the opportunity is for.");
const userId = (label = "Assigned user") => id(label, userSource);
const STATUSES = ["open", "won", "lost", "abandoned"] as const;
const status = (label = "Status") => meta(z.enum(STATUSES), { label });

/**
 * A money amount as people type it: 850000, "850,000", "$1.2M", "850k". HighLevel stores a number.
 */
export function money(label = "Value") {
  return meta(
    z.union([z.number(), z.string()]).transform((v, ctx) => {
      if (typeof v === "number") return v;
      const m = /^\$?\s*([\d,]*\.?\d+)\s*([kKmM])?$/.exec(v.trim().replace(/\s+/g, ""));
      const n = m ? Number(m[1]!.replace(/,/g, "")) : Number.NaN;
      if (!m || Number.isNaN(n)) {
        ctx.addIssue({ code: "custom", message: `${label} "${v}" is not an amount` });
        return z.NEVER;
      }
      const unit = m[2]?.toLowerCase();
      return Math.round((unit === "k" ? n * 1e3 : unit === "m" ? n * 1e6 : n) * 100) / 100;
    }),
    { label, help: 'A number; "$850,000", "850k" and "1.2M" work too.' },
  );
}

/** A date for the search's `date`/`endDate` filters, which take mm-dd-yyyy. */
function searchDate(label: string) {
  return meta(
    z.union([z.string(), z.number(), z.date()]).transform((v, ctx) => {
      if (typeof v === "string" && /^\d{2}-\d{2}-\d{4}$/.test(v.trim())) return v.trim();
      const d = parseDateInput(v);
      if (!d) {
        ctx.addIssue({ code: "custom", message: `${label} "${String(v)}" is not a date I can read` });
        return z.NEVER;
      }
      const iso = d.toISOString();
      return `${iso.slice(5, 7)}-${iso.slice(8, 10)}-${iso.slice(0, 4)}`;
    }),
    { label, format: "date", help: "Any date (2026-03-31, 03/31/2026); sent as mm-dd-yyyy." },
  );
}

// --- example fixtures ----------------------------------------------------------------------
registerExampleFixture("pipeline", async (ctx) => {
  const r = (await ctx.client.call("get-pipelines", { locationId: ctx.locationId })) as {
    pipelines?: Array<Rec & { stages?: Array<{ id: string }> }>;
  };
  const p = r.pipelines?.find((x) => (x.stages?.length ?? 0) > 0);
  if (!p) throw new Error("the account has no pipeline with stages to use in an example");
  const stages = p.stages!;
  return { ...p, stageId: stages[0]!.id, nextStageId: (stages[1] ?? stages[0])!.id };
});
registerExampleFixture("opportunity", async (ctx) => {
  const r = (await ctx.client.call("search-opportunity", {
    location_id: ctx.locationId,
    limit: 1,
  } as never)) as { opportunities?: Rec[] };
  const o = r.opportunities?.[0];
  if (!o) throw new Error("the account has no opportunity to use in an example");
  return o;
});
registerExampleFixture("scratchOpportunity", async (ctx, get) => {
  const pipeline = (await get("pipeline")) as { id: string; stageId: string };
  const contact = (await get("scratchContact")) as { id: string };
  const r = (await ctx.client.call("create-opportunity", undefined, {
    locationId: ctx.locationId,
    pipelineId: pipeline.id,
    pipelineStageId: pipeline.stageId,
    contactId: contact.id,
    name: `Example Opportunity ${uniqueSuffix(ctx)}`,
    status: "open",
    monetaryValue: 1000,
  } as never)) as { opportunity: Rec };
  return r.opportunity;
});
registerExampleFixture("movedOpportunity", async (ctx, get) => {
  // A scratch opportunity moved to the pipeline's next stage: something for the stage trigger to show.
  const pipeline = (await get("pipeline")) as { id: string; stages: Array<{ id: string }> };
  const o = (await get("scratchOpportunity")) as { id: string; createdAt: string; pipelineStageId: string };
  for (const stage of pipeline.stages.filter((s) => s.id !== o.pipelineStageId)) {
    const r = (await ctx.client.call("update-opportunity", { id: o.id }, {
      pipelineStageId: stage.id,
    } as never)) as { opportunity: Rec };
    // A move within the millisecond of the creation would look like one: move again a moment later.
    if (timeField(r.opportunity, "lastStageChangeAt") > Date.parse(o.createdAt)) return r.opportunity;
    await new Promise((done) => setTimeout(done, 5));
  }
  throw new Error("could not move an example opportunity to another stage");
});
registerExampleFixture("opportunityFollower", async (ctx) => {
  const r = (await ctx.client.call("get-user-by-location", { locationId: ctx.locationId })) as {
    users?: Array<{ id: string }>;
  };
  const u = r.users?.[0];
  if (!u) throw new Error("the location has no user to add as a follower in an example");
  return u;
});

/** Opportunity bodies take custom fields by name ({"Closing Date": "2026-05-01"}). */
async function prepareOpportunity(ctx: CatalogContext, input: Rec): Promise<Rec> {
  const out = { ...input };
  if (input.customFields && !Array.isArray(input.customFields)) {
    const values = await ctx.customFields.toApi(input.customFields as Rec);
    out.customFields = values.map((v) => ({ id: v.id, field_value: v.value ?? v.field_value }));
  }
  return out;
}

// --- searching -----------------------------------------------------------------------------
interface OpportunityFilters {
  pipelineId?: string;
  pipelineStageId?: string;
  status?: string;
  assignedTo?: string;
  contactId?: string;
  q?: string;
}

/** Filters from an input that names them either way (the trigger's camelCase, the GET's snake_case). */
function filtersOf(input: Rec): OpportunityFilters {
  const s = (...keys: string[]) => {
    for (const k of keys) if (typeof input[k] === "string" && input[k]) return input[k] as string;
    return undefined;
  };
  const f: OpportunityFilters = {};
  const set = (k: keyof OpportunityFilters, v: string | undefined) => {
    if (v !== undefined) f[k] = v;
  };
  set("pipelineId", s("pipelineId", "pipeline_id"));
  set("pipelineStageId", s("pipelineStageId", "toStageId", "pipeline_stage_id"));
  set("status", s("status"));
  set("assignedTo", s("assignedTo", "assigned_to"));
  set("contactId", s("contactId", "contact_id"));
  set("q", s("q", "query"));
  return f;
}

const PAGE = 100;

/** One page (from 0) of GET /opportunities/search, newest-added first. */
async function searchPage(ctx: CatalogContext, f: OpportunityFilters, page: number, limit = PAGE) {
  const r = (await ctx.client.call("search-opportunity", {
    location_id: ctx.locationId,
    order: "added_desc",
    limit,
    page: page + 1,
    ...(f.pipelineId ? { pipeline_id: f.pipelineId } : {}),
    ...(f.pipelineStageId ? { pipeline_stage_id: f.pipelineStageId } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.assignedTo ? { assigned_to: f.assignedTo } : {}),
    ...(f.contactId ? { contact_id: f.contactId } : {}),
    ...(f.q ? { q: f.q } : {}),
  } as never)) as { opportunities?: Rec[]; meta?: { nextPage?: number | null } };
  const items = r.opportunities ?? [];
  return { items, more: items.length === limit && r.meta?.nextPage !== null };
}

const MAX_SCAN_PAGES = 100;

/** Every opportunity of the filter (pages of 100, at most 10,000), and how many requests that took. */
async function scanAll(
  ctx: CatalogContext,
  f: OpportunityFilters,
): Promise<{ items: Rec[]; requests: number }> {
  const items: Rec[] = [];
  let requests = 0;
  for (let page = 0; page < MAX_SCAN_PAGES; page++) {
    const r = await searchPage(ctx, f, page);
    requests++;
    items.push(...r.items);
    if (!r.more) break;
  }
  return { items, requests };
}

const RECENT = 20;

/** The newest opportunities of the filter, newest first: what the new-opportunity trigger looks at. */
async function newestAdded(ctx: CatalogContext, input: Rec): Promise<{ opportunities: Rec[] }> {
  return { opportunities: (await searchPage(ctx, filtersOf(input), 0, RECENT)).items };
}

/** New opportunities, newest first from the search: one request when nothing is new. */
function opportunitiesByCreation(what: string): PollingTrigger {
  return timeOrderedTrigger<Rec>(
    {
      fetchPage: (ctx, input, page) => searchPage(ctx, filtersOf(input), page),
      idOf: (o) => String((o as { id: string }).id),
      timeOf: (o) => timeField(o, "createdAt", "dateAdded"),
    },
    {
      dedupe: "id",
      describe: `GET /opportunities/search?order=added_desc&limit=${PAGE}, newest first, down to the cursor: ${what}`,
    },
  );
}

/**
 * Changes the search cannot sort by (stage moves, updates): each poll reads the opportunities of
 * the filter (one request per 100 of them) and keeps those whose change time is at or after the
 * cursor and whose dedupe key (id + change) was not emitted yet. The cursor holds only a time and
 * the keys inside the look-back window, whatever the number of opportunities.
 */
interface ChangeWatch {
  /** When the change happened (epoch ms). */
  timeOf: (o: Rec) => number;
  /** What makes two changes of one opportunity different. */
  versionOf: (o: Rec) => string;
  /** Items that are not changes (e.g. an opportunity created straight into a stage). */
  keep?: (o: Rec) => boolean;
  /** Decorate what is emitted (only called when something is, so idle polls stay cheap). */
  enrich?: (ctx: CatalogContext, items: Rec[]) => Promise<{ items: Rec[]; requests: number }>;
}

function scanTrigger(opts: ChangeWatch & { describe: string; lookbackMs?: number }): PollingTrigger {
  const lookback = opts.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  return {
    type: "polling",
    dedupe: "id+updated",
    describe: opts.describe,
    async poll(ctx, rawInput, cursor): Promise<PollResult> {
      const { items: all, requests } = await scanAll(ctx, filtersOf(rawInput as Rec));
      const since = cursor?.since;
      const seen = new Map<string, number>(cursor?.seen ?? []);
      const fresh: Rec[] = [];
      let newest = since ?? 0;
      for (const o of all) {
        if (opts.keep && !opts.keep(o)) continue;
        const t = opts.timeOf(o);
        if (t > newest) newest = t;
        if (since !== undefined && t < since) continue;
        const k = `${String(o.id)}@${opts.versionOf(o)}`;
        if (!seen.has(k)) fresh.push(o);
        seen.set(k, t);
      }
      const nextSince = Math.max(since ?? 0, newest - lookback);
      const next: PollCursor = {
        since: nextSince,
        seen: [...seen.entries()].filter(([, t]) => t >= nextSince).sort((a, b) => a[1] - b[1]),
      };
      if (!cursor || fresh.length === 0) return { items: [], cursor: next, requests };
      fresh.sort((a, b) => opts.timeOf(a) - opts.timeOf(b) || (String(a.id) < String(b.id) ? -1 : 1));
      if (!opts.enrich) return { items: fresh, cursor: next, requests };
      const e = await opts.enrich(ctx, fresh);
      return { items: e.items, cursor: next, requests: requests + e.requests };
    },
  };
}

/** The opportunities changed last, most recent first: what a change trigger looks at. */
async function recentChanges(
  ctx: CatalogContext,
  input: Rec,
  watch: ChangeWatch,
): Promise<{ opportunities: Rec[] }> {
  const { items } = await scanAll(ctx, filtersOf(input));
  const recent = items
    .filter((o) => !watch.keep || watch.keep(o))
    .sort((a, b) => watch.timeOf(b) - watch.timeOf(a))
    .slice(0, RECENT);
  if (recent.length === 0 || !watch.enrich) return { opportunities: recent };
  return { opportunities: (await watch.enrich(ctx, recent)).items };
}

/** Adds `pipelineName` and `stageName` to stage-change items (one request, only when there are some). */
async function withStageNames(ctx: CatalogContext, items: Rec[]) {
  const r = (await ctx.client.call("get-pipelines", { locationId: ctx.locationId })) as {
    pipelines?: Array<{ id: string; name: string; stages?: Array<{ id: string; name: string }> }>;
  };
  const pipelines = r.pipelines ?? [];
  return {
    requests: 1,
    items: items.map((o) => {
      const p = pipelines.find((x) => x.id === o.pipelineId);
      const s = p?.stages?.find((x) => x.id === o.pipelineStageId);
      return { ...o, pipelineName: p?.name ?? null, stageName: s?.name ?? null };
    }),
  };
}

/** A single record or small list, compared with the last poll (id, or id + version). */
export function snapshotOf(
  op: string,
  itemsKey: string,
  dedupe: "id" | "id+updated",
  versionOf: (o: Rec) => unknown = (o) => o.updatedAt ?? o.dateUpdated ?? JSON.stringify(o),
): PollingTrigger {
  return snapshotTrigger<Rec>(
    {
      async list(ctx, input) {
        const r = (await callOperation(ctx, op, input)) as Rec;
        const items = itemsKey ? (r?.[itemsKey] ?? []) : r; // "" : the answer is the record
        return { items: Array.isArray(items) ? items : [items], requests: 1 };
      },
      keyOf: (i) => {
        const o = i as Rec;
        return dedupe === "id" ? String(o.id) : `${String(o.id)}@${String(versionOf(o))}`;
      },
    },
    {
      dedupe,
      describe: `${getOperation(op).method} ${getOperation(op).path}: compared with the last poll`,
    },
  );
}

/** Stage moves: a new stage, or the same stage entered again, each with its own lastStageChangeAt. */
const STAGE_MOVES: ChangeWatch = {
  timeOf: (o) => timeField(o, "lastStageChangeAt"),
  versionOf: (o) => `${String(o.pipelineStageId)}@${String(o.lastStageChangeAt)}`,
  // Created straight into its stage and never moved: HighLevel stamps both times at creation.
  keep: (o) => timeField(o, "lastStageChangeAt") > timeField(o, "createdAt"),
  enrich: (ctx, items) => withStageNames(ctx, items),
};

const UPDATES: ChangeWatch = {
  timeOf: (o) => timeField(o, "updatedAt", "createdAt"),
  versionOf: (o) => String(o.updatedAt ?? ""),
};

// --- fields shared by triggers --------------------------------------------------------------
const triggerFilters = {
  pipelineId: pipelineId().optional(),
  pipelineStageId: stageId().optional(),
  status: status().optional(),
  assignedTo: userId().optional(),
};

/** Create and update both take these curated fields. */
const writeOverrides = {
  pipelineId: pipelineId(),
  pipelineStageId: stageId().optional(),
  monetaryValue: money("Value").optional(),
  assignedTo: userId().optional(),
  customFields: customFieldValues().optional(),
};

const createOpportunity = operationAction({
  key: "highlevel.opportunities.create",
  ...fromSeed("Create Opportunity"),
  help: "Adds an opportunity for a contact in a pipeline (the first stage unless one is given). HighLevel does not refuse a second opportunity for the same contact: use Upsert Opportunity to create-or-update.",
  operation: "create-opportunity",
  idempotency: "reconcilable",
  fields: {
    override: {
      ...writeOverrides,
      contactId: contactId(),
      name: text("Name", 'e.g. "12 Elm Street - Buyer".'),
      status: status().default("open"),
    },
  },
  prepare: prepareOpportunity,
  output: { description: "{opportunity}: the new opportunity.", sample: sample("create-opportunity") },
  example: {
    pipelineId: { $example: "pipeline.id" },
    pipelineStageId: { $example: "pipeline.stageId" },
    contactId: { $example: "scratchContact.id" },
    name: "12 Elm Street - Buyer",
    monetaryValue: "$850,000",
  },
});

/** A create whose answer was lost: the contact's opportunity of that name in that pipeline, if there is one. */
async function reconcileCreate(ctx: CatalogContext, input: Rec): Promise<unknown | undefined> {
  const r = await searchPage(
    ctx,
    { pipelineId: String(input.pipelineId), contactId: String(input.contactId) },
    0,
  );
  const hit = r.items.find((o) => o.name === input.name);
  return hit ? { opportunity: hit } : undefined;
}

export const opportunityEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.opportunities.search",
    ...fromSeed("Search Opportunities"),
    help: "GET /opportunities/search. As a trigger it fires for each new opportunity matching the filters.",
    operation: "search-opportunity",
    fields: {
      override: {
        q: text(
          "Search text",
          "Matches the opportunity's name and its contact's name, email and phone.",
        ).optional(),
        pipeline_id: pipelineId().optional(),
        pipeline_stage_id: stageId("pipeline_id").optional(),
        contact_id: contactId().optional(),
        assigned_to: userId().optional(),
        status: meta(z.enum([...STATUSES, "all"]), { label: "Status" }).optional(),
        order: meta(z.string(), {
          label: "Order",
          help: "added_desc (newest first, the default) or added_asc.",
        }).optional(),
        date: searchDate("Added from").optional(),
        endDate: searchDate("Added until").optional(),
        limit: meta(z.number().int().min(1).max(100), { label: "Page size" }).default(20),
        page: meta(z.number().int().min(1), { label: "Page" }).optional(),
      },
    },
    output: {
      description:
        "{opportunities, meta}: one page of matching opportunities; meta has total and the next page.",
      sample: sample("search-opportunity"),
    },
    example: { limit: 5 },
    trigger: opportunitiesByCreation("new opportunities matching the filters"),
  }),
  operationTrigger({
    key: "highlevel.opportunities.search-advanced",
    ...fromSeed("Search Opportunities"),
    name: "Search Opportunities (advanced)",
    description: "Find opportunities with POST /opportunities/search (text query, page or searchAfter)",
    help: "The POST form of the search. As a trigger it fires for each new opportunity matching the text (polled with GET /opportunities/search).",
    operation: "search-opportunities-advanced",
    extraOperations: ["search-opportunity"],
    fields: {
      override: {
        query: meta(z.string(), { label: "Search text" }).default(""),
        limit: meta(z.number().int().min(1).max(100), { label: "Page size" }).default(20),
        page: meta(z.number().int().min(1), { label: "Page" }).default(1),
        searchAfter: meta(z.array(z.string()), {
          label: "Search after",
          help: "The sort values of the last item of the previous page, for deep paging.",
        }).default([]),
        additionalDetails: meta(
          z.strictObject({
            notes: z.boolean().default(false),
            tasks: z.boolean().default(false),
            calendarEvents: z.boolean().default(false),
            unReadConversations: z.boolean().default(false),
          }),
          { label: "Include", help: "Also return notes, tasks, calendar events, unread conversations." },
        ).default({ notes: false, tasks: false, calendarEvents: false, unReadConversations: false }),
      },
    },
    output: {
      description: "{opportunities, total}: the matching opportunities.",
      sample: sample("search-opportunities-advanced"),
    },
    example: { query: "", limit: 5 },
    trigger: opportunitiesByCreation("new opportunities matching the text"),
  }),
  operationTrigger({
    key: "highlevel.opportunities.get",
    ...fromSeed("Get Opportunity"),
    operation: "get-opportunity",
    fields: { override: { id: opportunityId() } },
    output: {
      description: "{opportunity}: the opportunity with its stage, value, status and contact.",
      sample: sample("get-opportunity"),
    },
    example: { id: { $example: "opportunity.id" } },
    trigger: snapshotOf("get-opportunity", "opportunity", "id+updated"),
  }),
  defineTrigger({
    key: "highlevel.opportunities.pipelines",
    ...fromSeed("List Pipelines"),
    help: "Give a pipeline to list only that one (how stage pickers get a pipeline's stages). As a trigger it fires for each new pipeline.",
    operations: ["get-pipelines"],
    input: z.strictObject({ pipelineId: id("Only this pipeline", pipelineSource).optional() }),
    output: {
      description: "{pipelines}: each pipeline with its stages (id, name, position).",
      sample: {
        pipelines: [
          {
            ...((sample("get-pipelines") as { pipelines?: Rec[] }).pipelines?.[0] ?? {}),
            stages: [{ id: "7915dedc-8f18-44d5-8bc3-77c04e994a10", name: "New Lead", position: 0 }],
          },
        ],
      },
    },
    example: {},
    read: async (ctx, raw) => {
      const input = raw as { pipelineId?: string };
      const r = (await ctx.client.call("get-pipelines", { locationId: ctx.locationId })) as {
        pipelines?: Rec[];
      };
      const pipelines = r.pipelines ?? [];
      if (!input.pipelineId) return { pipelines };
      const hit = pipelines.filter((p) => p.id === input.pipelineId);
      if (hit.length === 0)
        throw new HighLevelError(`Pipeline "${input.pipelineId}" is not in this location`, {
          code: "INVALID_REQUEST",
        });
      return { pipelines: hit };
    },
    trigger: snapshotOf("get-pipelines", "pipelines", "id"),
  }),

  // ---------------------------------------------------------------- event-style polling triggers
  defineTrigger({
    key: "highlevel.opportunities.new",
    name: "New Opportunity",
    description:
      "Fires for each opportunity added (optionally in one pipeline, stage, status or for one user)",
    category: CATEGORY,
    operations: ["search-opportunity"],
    input: z.strictObject(triggerFilters),
    output: {
      description: "The new opportunity, with its contact (and assignedTo when it has an owner).",
      sample: OPPORTUNITY_SAMPLE,
    },
    example: { pipelineId: { $example: "pipeline.id" } },
    read: (ctx, input) => newestAdded(ctx, input as Rec),
    trigger: opportunitiesByCreation("opportunities added since the last poll"),
  }),
  defineTrigger({
    key: "highlevel.opportunities.stage-changed",
    name: "Opportunity Stage Changed",
    description:
      "Fires once each time an opportunity of a pipeline moves to another stage (optionally: to one stage)",
    category: CATEGORY,
    help:
      "Watches one pipeline. Each move fires once (its id, stage and lastStageChangeAt tell moves apart), " +
      "including a move back to an earlier stage. Opportunities created straight into a stage are not moves: " +
      "use New Opportunity for those. Each poll reads the pipeline's opportunities (in the chosen stage, when " +
      "one is given): one request per 100 of them, so an idle poll of a typical pipeline costs one request. " +
      "For instant delivery use the webhook trigger highlevel.events.opportunity-stage-update.",
    operations: ["search-opportunity", "get-pipelines"],
    input: z.strictObject({
      pipelineId: pipelineId(),
      toStageId: id("To stage", stageSource("pipelineId"), "Only moves into this stage.").optional(),
      status: status().optional(),
    }),
    output: {
      description: "The opportunity as it is after the move, plus pipelineName and stageName.",
      sample: { ...OPPORTUNITY_SAMPLE, pipelineName: "Sales Pipeline", stageName: "Contacted" },
    },
    example: { pipelineId: { $example: "movedOpportunity.pipelineId" } },
    read: (ctx, input) => recentChanges(ctx, input as Rec, STAGE_MOVES),
    trigger: scanTrigger({
      ...STAGE_MOVES,
      describe:
        "GET /opportunities/search?pipeline_id=..[&pipeline_stage_id=..]&limit=100 (every page), keeping moves at or after the cursor",
    }),
  }),
  defineTrigger({
    key: "highlevel.opportunities.updated",
    name: "Opportunity Updated",
    description: "Fires each time an opportunity of a pipeline changes (one run per change)",
    category: CATEGORY,
    help:
      "Any change HighLevel records in updatedAt: value, stage, status, owner, name, followers. Creations count " +
      "too (use New Opportunity to tell them apart). Each poll reads the pipeline's opportunities: one request per 100 of them.",
    operations: ["search-opportunity"],
    input: z.strictObject({
      pipelineId: pipelineId(),
      pipelineStageId: stageId().optional(),
      status: status().optional(),
      assignedTo: userId().optional(),
    }),
    output: { description: "The opportunity as it is after the change.", sample: OPPORTUNITY_SAMPLE },
    example: { pipelineId: { $example: "pipeline.id" } },
    read: (ctx, input) => recentChanges(ctx, input as Rec, UPDATES),
    trigger: scanTrigger({
      ...UPDATES,
      describe:
        "GET /opportunities/search?pipeline_id=..&limit=100 (every page), keeping updates at or after the cursor",
    }),
  }),

  // ---------------------------------------------------------------- actions
  { ...createOpportunity, reconcile: reconcileCreate } as ActionEntry,
  operationAction({
    key: "highlevel.opportunities.update",
    ...fromSeed("Update Opportunity"),
    help: "Only the fields given change. Moving to another pipeline needs a stage of that pipeline (or its first stage is used).",
    operation: "update-opportunity",
    idempotency: "safe",
    fields: {
      override: {
        id: opportunityId(),
        ...writeOverrides,
        pipelineId: pipelineId().optional(),
        name: text("Name").optional(),
        status: status().optional(),
      },
    },
    prepare: prepareOpportunity,
    output: { description: "{opportunity}: the updated opportunity.", sample: sample("update-opportunity") },
    example: {
      id: { $example: "scratchOpportunity.id" },
      pipelineStageId: { $example: "pipeline.nextStageId" },
      monetaryValue: "875k",
    },
  }),
  operationAction({
    key: "highlevel.opportunities.delete",
    ...fromSeed("Delete Opportunity"),
    operation: "delete-opportunity",
    idempotency: "safe",
    fields: { override: { id: opportunityId() } },
    output: {
      description: "{succeded: true} (sic, as HighLevel spells it).",
      sample: sample("delete-opportunity"),
    },
    example: { id: { $example: "scratchOpportunity.id" } },
  }),
  operationAction({
    key: "highlevel.opportunities.status.update",
    ...fromSeed("Update Opportunity Status"),
    help: "open, won, lost or abandoned. A lost reason id can go with lost.",
    operation: "update-opportunity-status",
    idempotency: "safe",
    fields: {
      override: {
        id: opportunityId(),
        status: status(),
        lostReasonId: id("Lost reason").optional(),
      },
    },
    output: { description: "{succeded: true}.", sample: sample("update-opportunity-status") },
    example: { id: { $example: "scratchOpportunity.id" }, status: "won" },
  }),
  operationAction({
    key: "highlevel.opportunities.upsert",
    ...fromSeed("Upsert Opportunity"),
    help:
      "Updates the opportunity given by id, or else the contact's opportunity in that pipeline; creates one when " +
      "there is none (a contact is then needed). Running it again with the same input changes nothing more.",
    operation: "Upsert-opportunity",
    idempotency: "safe",
    fields: {
      override: {
        id: opportunityId().optional(),
        pipelineId: pipelineId(),
        contactId: contactId().optional(),
        pipelineStageId: stageId().optional(),
        name: text("Name").optional(),
        status: status().optional(),
        monetaryValue: money("Value").optional(),
        assignedTo: userId().optional(),
        lostReasonId: id("Lost reason").optional(),
        followers: meta(z.array(z.string()), { label: "Followers", options: userSource }).default([]),
        followersActionType: meta(z.enum(["add", "remove"]), { label: "Followers: add or remove" }).default(
          "add",
        ),
        isRemoveAllFollowers: meta(z.boolean(), { label: "Remove all followers first" }).default(false),
      },
    },
    output: {
      description: "{opportunity, new}: the opportunity, and whether it was created.",
      sample: { opportunity: OPPORTUNITY_SAMPLE, new: true },
    },
    example: {
      pipelineId: { $example: "pipeline.id" },
      contactId: { $example: "scratchContact.id" },
      name: "Example upsert",
      monetaryValue: 500000,
    },
  }),
  operationAction({
    key: "highlevel.opportunities.followers.add",
    ...fromSeed("Add Followers"),
    operation: "add-followers-opportunity",
    idempotency: "safe",
    fields: {
      override: {
        id: opportunityId(),
        followers: meta(z.array(z.string()).min(1), { label: "Followers", options: userSource }),
      },
    },
    output: {
      description: "{followers, followersAdded}: every follower now, and those this call added.",
      sample: sample("add-followers-opportunity"),
    },
    example: {
      id: { $example: "scratchOpportunity.id" },
      followers: [{ $example: "opportunityFollower.id" }],
    },
  }),
  operationAction({
    key: "highlevel.opportunities.followers.remove",
    ...fromSeed("Remove Followers"),
    operation: "remove-followers-opportunity",
    idempotency: "safe",
    fields: {
      override: {
        id: opportunityId(),
        followers: meta(z.array(z.string()), { label: "Followers", options: userSource }).default([]),
        isRemoveAllFollowers: meta(z.boolean(), { label: "Remove every follower" }).optional(),
      },
    },
    output: {
      description: "{followers, followersRemoved}: every follower now, and those this call removed.",
      sample: sample("remove-followers-opportunity"),
    },
    example: {
      id: { $example: "scratchOpportunity.id" },
      followers: [{ $example: "opportunityFollower.id" }],
    },
  }),
];
