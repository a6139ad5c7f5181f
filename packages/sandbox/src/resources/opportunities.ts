// Pipelines and opportunities. GET /opportunities/search paginates two ways: page/limit,
// or the keyset startAfter (createdAt in ms) + startAfterId taken from `meta`.
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import type { ContactDoc } from "./contact-model.ts";
import { fullName } from "./contact-model.ts";

export interface StageDoc {
  id: string;
  name: string;
  position: number;
  showInFunnel: boolean;
  showInPieChart: boolean;
}

export interface PipelineDoc {
  id: string;
  locationId: string;
  name: string;
  stages: StageDoc[];
  showInFunnel: boolean;
  showInPieChart: boolean;
}

export interface OpportunityDoc {
  id: string;
  locationId: string;
  name: string;
  monetaryValue: number;
  pipelineId: string;
  pipelineStageId: string;
  assignedTo?: string;
  status: string;
  source?: string;
  contactId: string;
  lastStatusChangeAt: string;
  lastStageChangeAt: string;
  createdAt: string;
  updatedAt: string;
  customFields: Array<{ id: string; fieldValue: unknown }>;
  followers: string[];
}

export function view(state: State, o: OpportunityDoc) {
  const c = state.records.get<ContactDoc>("contact", o.contactId);
  const contact = c
    ? Object.fromEntries(
        Object.entries({
          id: c.id,
          name: fullName(c),
          companyName: c.companyName,
          email: c.email,
          phone: c.phone,
          tags: c.tags,
        }).filter(([, v]) => v !== undefined),
      )
    : undefined;
  return { ...o, lastActionDate: o.updatedAt, contact, notes: [], tasks: [], calendarEvents: [] };
}

export function emit(state: State, type: string, o: OpportunityDoc): void {
  const { customFields: _, followers: __, ...fields } = o;
  state.webhooks.emit(type, o.locationId, { ...fields, dateAdded: o.createdAt });
}

export function loadOpportunity(ctx: HandlerContext): OpportunityDoc {
  const o = ctx.state.records.get<OpportunityDoc>("opportunity", ctx.params.id!);
  if (!o) throw badRequest("Opportunity not found");
  ctx.ensureLocation(o.locationId);
  return o;
}

export function checkPipeline(
  state: State,
  locationId: string,
  pipelineId: string,
  stageId: string | undefined,
): string {
  const p = state.records.get<PipelineDoc>("pipeline", pipelineId);
  if (!p || p.locationId !== locationId) throw badRequest("Pipeline not found");
  if (stageId === undefined) return p.stages[0]!.id;
  if (!p.stages.some((s) => s.id === stageId)) throw badRequest("Pipeline stage not found");
  return stageId;
}

function customFields(input: unknown): OpportunityDoc["customFields"] {
  if (!Array.isArray(input)) return [];
  return input.map((f: Record<string, unknown>) => ({
    id: String(f.id ?? f.key),
    fieldValue: f.field_value ?? f.fieldValue ?? "",
  }));
}

function create(ctx: HandlerContext) {
  const b = ctx.body as Record<string, unknown>;
  const locationId = String(b.locationId);
  const stageId = checkPipeline(
    ctx.state,
    locationId,
    String(b.pipelineId),
    b.pipelineStageId as string | undefined,
  );
  const contact = ctx.state.records.get<ContactDoc>("contact", String(b.contactId));
  if (!contact || contact.locationId !== locationId) throw badRequest("Contact not found");
  const now = isoNow(ctx.state);
  const o: OpportunityDoc = {
    id: ctx.state.ids.id(),
    locationId,
    name: String(b.name),
    monetaryValue: typeof b.monetaryValue === "number" ? b.monetaryValue : 0,
    pipelineId: String(b.pipelineId),
    pipelineStageId: stageId,
    ...(typeof b.assignedTo === "string" && { assignedTo: b.assignedTo }),
    status: b.status === "all" ? "open" : String(b.status),
    source: typeof b.source === "string" ? b.source : "",
    contactId: contact.id,
    lastStatusChangeAt: now,
    lastStageChangeAt: now,
    createdAt: now,
    updatedAt: now,
    customFields: customFields(b.customFields),
    followers: [],
  };
  ctx.state.records.insert("opportunity", o, { locationId, sortMs: ctx.state.now() });
  emit(ctx.state, "OpportunityCreate", o);
  return { status: 201, body: { opportunity: view(ctx.state, o) } };
}

function update(ctx: HandlerContext) {
  const o = loadOpportunity(ctx);
  const b = ctx.body as Record<string, unknown>;
  const now = isoNow(ctx.state);
  if (b.pipelineId !== undefined || b.pipelineStageId !== undefined) {
    const pipelineId = String(b.pipelineId ?? o.pipelineId);
    const stage = checkPipeline(ctx.state, o.locationId, pipelineId, b.pipelineStageId as string | undefined);
    if (stage !== o.pipelineStageId) o.lastStageChangeAt = now;
    o.pipelineId = pipelineId;
    o.pipelineStageId = stage;
  }
  if (typeof b.name === "string") o.name = b.name;
  if (typeof b.monetaryValue === "number") o.monetaryValue = b.monetaryValue;
  if (typeof b.assignedTo === "string") o.assignedTo = b.assignedTo;
  if (typeof b.status === "string" && b.status !== "all" && b.status !== o.status) {
    o.status = b.status;
    o.lastStatusChangeAt = now;
  }
  if (b.customFields !== undefined) o.customFields = customFields(b.customFields);
  o.updatedAt = now;
  ctx.state.records.update("opportunity", o);
  emit(ctx.state, "OpportunityUpdate", o);
  return { body: { opportunity: view(ctx.state, o) } };
}

type Key = [number, string];

function search(ctx: HandlerContext) {
  const q = ctx.query;
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  const page = q.page === undefined ? 1 : Number(q.page);
  const problems: string[] = [];
  if (limit < 1 || limit > 100) problems.push("limit must be between 1 and 100");
  if (page < 1) problems.push("page must not be less than 1");
  if (problems.length) throw unprocessable(problems);
  const desc = q.order !== "added_asc";
  const text = typeof q.q === "string" ? q.q.trim().toLowerCase() : "";
  const key = (o: OpportunityDoc): Key => [Date.parse(o.createdAt), o.id];
  const cmp = (a: Key, b: Key) => (a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)) * (desc ? -1 : 1);
  const locationId = String(q.location_id);
  const all = ctx.state.records
    .list<OpportunityDoc>("opportunity", { locationId })
    .filter(
      (o) =>
        (!q.pipeline_id || o.pipelineId === q.pipeline_id) &&
        (!q.pipeline_stage_id || o.pipelineStageId === q.pipeline_stage_id) &&
        (!q.status || q.status === "all" || o.status === q.status) &&
        (!q.contact_id || o.contactId === q.contact_id) &&
        (!q.assigned_to || o.assignedTo === q.assigned_to) &&
        (!q.id || o.id === q.id),
    )
    .filter((o) => {
      if (!text) return true;
      const c = ctx.state.records.get<ContactDoc>("contact", o.contactId);
      return [o.name, c && fullName(c), c?.email, c?.phone].some((v) => v?.toLowerCase().includes(text));
    })
    .sort((a, b) => cmp(key(a), key(b)));

  const keyset = q.startAfter !== undefined && q.startAfter !== "" && typeof q.startAfterId === "string";
  const start = keyset
    ? all.filter((o) => cmp(key(o), [Number(q.startAfter), String(q.startAfterId)]) <= 0).length
    : (page - 1) * limit;
  const slice = all.slice(start, start + limit);
  const more = start + slice.length < all.length;
  const last = slice[slice.length - 1];
  const currentPage = Math.floor(start / limit) + 1;
  const next = more && last ? key(last) : null;
  const params = new URLSearchParams({
    location_id: locationId,
    limit: String(limit),
    page: String(currentPage + 1),
  });
  if (next) {
    params.set("startAfter", String(next[0]));
    params.set("startAfterId", next[1]);
  }
  return {
    body: {
      opportunities: slice.map((o) => view(ctx.state, o)),
      meta: {
        total: all.length,
        nextPageUrl: next ? `${ctx.state.baseUrl}/opportunities/search?${params}` : null,
        startAfterId: next ? next[1] : null,
        startAfter: next ? next[0] : null,
        currentPage,
        nextPage: more ? currentPage + 1 : null,
        prevPage: currentPage > 1 ? currentPage - 1 : null,
      },
      aggregations: {},
    },
  };
}

/**
 * POST /opportunities/search: the same search with the filters in a JSON body, answering
 * {opportunities, total, aggregations} (no keyset meta: it pages by `page`).
 */
function searchAdvanced(ctx: HandlerContext) {
  const b = (ctx.body ?? {}) as { locationId?: string; query?: string; limit?: number; page?: number };
  const locationId = String(b.locationId ?? "");
  ctx.ensureLocation(locationId);
  const query: Record<string, unknown> = {
    location_id: locationId,
    limit: b.limit ?? 20,
    page: b.page ?? 1,
    ...(b.query ? { q: b.query } : {}),
  };
  const result = search({ ...ctx, query } as HandlerContext);
  const body = result.body as { opportunities: unknown[]; meta: { total: number }; aggregations: object };
  return {
    body: { opportunities: body.opportunities, total: body.meta.total, aggregations: body.aggregations },
  };
}

export const opportunityHandlers: HandlerMap = {
  "search-opportunities-advanced": searchAdvanced,
  "get-pipelines": (ctx) => {
    const pipelines = ctx.state.records.list<PipelineDoc>("pipeline", {
      locationId: String(ctx.query.locationId),
    });
    return { body: { pipelines } };
  },
  "create-opportunity": create,
  "get-opportunity": (ctx) => ({ body: { opportunity: view(ctx.state, loadOpportunity(ctx)) } }),
  "update-opportunity": update,
  "update-opportunity-status": (ctx) => {
    const o = loadOpportunity(ctx);
    const status = String((ctx.body as { status: string }).status);
    if (status !== "all" && status !== o.status) {
      o.status = status;
      o.lastStatusChangeAt = o.updatedAt = isoNow(ctx.state);
      ctx.state.records.update("opportunity", o);
      emit(ctx.state, "OpportunityStatusUpdate", o);
    }
    return { body: { succeded: true } };
  },
  "delete-opportunity": (ctx) => {
    const o = loadOpportunity(ctx);
    ctx.state.records.delete("opportunity", o.id);
    emit(ctx.state, "OpportunityDelete", o);
    return { body: { succeded: true } };
  },
  "search-opportunity": search,
};
