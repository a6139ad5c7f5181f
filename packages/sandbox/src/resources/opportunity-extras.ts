// Opportunity upsert and followers. Upsert matches, like HighLevel, by `id` when given, else by
// contactId + pipelineId within the location (the oldest such opportunity); it answers 200
// `{opportunity, new}` in both cases.
import { type HandlerContext, type HandlerMap, isoNow } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import { addFollowers, removeFollowers } from "./contact-links.ts";
import { type ContactDoc, fullName } from "./contact-model.ts";
import { checkPipeline, emit, loadOpportunity, type OpportunityDoc, view } from "./opportunities.ts";

type Body = Record<string, unknown>;
type Opportunity = OpportunityDoc & { lostReasonId?: string };

function ids(v: unknown): string[] {
  return Array.isArray(v) ? [...new Set(v.map(String).filter(Boolean))] : [];
}

/** `isRemoveAllFollowers` clears the list first; then `followers` are added or removed. */
function upsertFollowers(current: string[], b: Body): string[] {
  const start = b.isRemoveAllFollowers === true ? [] : current;
  const given = ids(b.followers);
  return b.followersActionType === "remove"
    ? removeFollowers(start, given).followers
    : addFollowers(start, given).followers;
}

function money(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function findExisting(ctx: HandlerContext, b: Body, locationId: string): Opportunity | undefined {
  if (typeof b.id === "string" && b.id) {
    const o = ctx.state.records.get<Opportunity>("opportunity", b.id);
    if (!o) throw badRequest("Opportunity not found");
    ctx.ensureLocation(o.locationId);
    if (o.locationId !== locationId) throw badRequest("Opportunity not found");
    return o;
  }
  if (typeof b.contactId !== "string" || !b.contactId) return undefined;
  return ctx.state.records
    .list<Opportunity>("opportunity", { locationId })
    .find((o) => o.contactId === b.contactId && o.pipelineId === b.pipelineId);
}

function upsert(ctx: HandlerContext) {
  const b = ctx.body as Body;
  const locationId = String(b.locationId);
  const now = isoNow(ctx.state);
  const stageIn = typeof b.pipelineStageId === "string" ? b.pipelineStageId : undefined;
  const existing = findExisting(ctx, b, locationId);

  if (existing) {
    const o = existing;
    const pipelineId = String(b.pipelineId);
    if (pipelineId !== o.pipelineId || stageIn !== undefined) {
      const stage = checkPipeline(ctx.state, locationId, pipelineId, stageIn);
      if (stage !== o.pipelineStageId) o.lastStageChangeAt = now;
      o.pipelineId = pipelineId;
      o.pipelineStageId = stage;
    }
    if (typeof b.name === "string") o.name = b.name;
    const value = money(b.monetaryValue);
    if (value !== undefined) o.monetaryValue = value;
    if (typeof b.assignedTo === "string") o.assignedTo = b.assignedTo;
    if (typeof b.lostReasonId === "string") o.lostReasonId = b.lostReasonId;
    if (typeof b.status === "string" && b.status !== "all" && b.status !== o.status) {
      o.status = b.status;
      o.lastStatusChangeAt = now;
    }
    o.followers = upsertFollowers(o.followers, b);
    o.updatedAt = now;
    ctx.state.records.update("opportunity", o);
    emit(ctx.state, "OpportunityUpdate", o);
    return { body: { opportunity: view(ctx.state, o), new: false } };
  }

  // Creating needs the contact the spec's body forgets to declare (the live API takes it).
  if (typeof b.contactId !== "string" || !b.contactId) throw unprocessable(["contactId should not be empty"]);
  const contact = ctx.state.records.get<ContactDoc>("contact", b.contactId);
  if (!contact || contact.locationId !== locationId) throw badRequest("Contact not found");
  const stage = checkPipeline(ctx.state, locationId, String(b.pipelineId), stageIn);
  const o: Opportunity = {
    id: ctx.state.ids.id(),
    locationId,
    name: typeof b.name === "string" ? b.name : (fullName(contact) ?? ""),
    monetaryValue: money(b.monetaryValue) ?? 0,
    pipelineId: String(b.pipelineId),
    pipelineStageId: stage,
    ...(typeof b.assignedTo === "string" && { assignedTo: b.assignedTo }),
    status: typeof b.status === "string" && b.status !== "all" ? b.status : "open",
    source: "",
    contactId: contact.id,
    lastStatusChangeAt: now,
    lastStageChangeAt: now,
    createdAt: now,
    updatedAt: now,
    customFields: [],
    followers: upsertFollowers([], b),
    ...(typeof b.lostReasonId === "string" && { lostReasonId: b.lostReasonId }),
  };
  ctx.state.records.insert("opportunity", o, { locationId, sortMs: ctx.state.now() });
  emit(ctx.state, "OpportunityCreate", o);
  return { body: { opportunity: view(ctx.state, o), new: true } };
}

function saveFollowers(ctx: HandlerContext, o: OpportunityDoc, followers: string[]): void {
  o.followers = followers;
  o.updatedAt = isoNow(ctx.state);
  ctx.state.records.update("opportunity", o);
  emit(ctx.state, "OpportunityUpdate", o);
}

export const opportunityExtraHandlers: HandlerMap = {
  "Upsert-opportunity": upsert,
  "add-followers-opportunity": (ctx) => {
    const o = loadOpportunity(ctx);
    const r = addFollowers(o.followers, ids((ctx.body as Body).followers));
    if (r.changed.length) saveFollowers(ctx, o, r.followers);
    return { status: 201, body: { followers: o.followers, followersAdded: r.changed } };
  },
  "remove-followers-opportunity": (ctx) => {
    const o = loadOpportunity(ctx);
    const removing =
      ctx.query.isRemoveAllFollowers === true ? o.followers : ids((ctx.body as Body).followers);
    const r = removeFollowers(o.followers, removing);
    if (r.changed.length) saveFollowers(ctx, o, r.followers);
    return { body: { followers: o.followers, followersRemoved: r.changed } };
  },
};
