// Workflows and campaigns (read-only lists, seeded) and enrolling contacts in them. The
// enrolment is kept on the contact document (`campaigns`, `workflows`); no contact response
// schema declares such fields, so the API does not show them (see SPEC-DEVIATIONS.md).
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import { type ContactDoc, loadContact, saveContact } from "./contact-model.ts";

export interface WorkflowDoc {
  id: string;
  locationId: string;
  name: string;
  /** published | draft */
  status: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CampaignDoc {
  id: string;
  locationId: string;
  name: string;
  /** published | draft */
  status: string;
}

export interface CampaignEnrolment {
  campaignId: string;
  status: string;
  dateAdded: string;
}

export interface WorkflowEnrolment {
  workflowId: string;
  /** When the workflow's first event should run (the request's eventStartTime). */
  eventStartTime?: string;
  dateAdded: string;
}

/** The stored contact with its enrolments (absent until the first enrolment). */
export type EnrolledContact = ContactDoc & {
  campaigns?: CampaignEnrolment[];
  workflows?: WorkflowEnrolment[];
};

function loadInLocation<T extends { locationId: string }>(
  ctx: HandlerContext,
  kind: string,
  id: string,
  label: string,
  contact: ContactDoc,
): T {
  const doc = ctx.state.records.get<T>(kind, id);
  if (!doc) throw badRequest(`${label} not found`);
  ctx.ensureLocation(doc.locationId);
  // Enrolment never crosses locations, even for a token that may see both.
  if (doc.locationId !== contact.locationId) throw badRequest(`${label} not found`);
  return doc;
}

function emitCampaignStatus(state: State, c: ContactDoc, campaignId: string, status: string): void {
  state.webhooks.emit("CampaignStatusUpdate", c.locationId, {
    id: campaignId,
    contactId: c.id,
    status,
    dateAdded: isoNow(state),
  });
}

function addToCampaign(ctx: HandlerContext) {
  const c = loadContact(ctx, ctx.params.contactId!) as EnrolledContact;
  const campaign = loadInLocation<CampaignDoc>(ctx, "campaign", ctx.params.campaignId!, "Campaign", c);
  const list = c.campaigns ?? [];
  // Adding twice keeps the first enrolment, as re-adding an active member does nothing.
  if (!list.some((e) => e.campaignId === campaign.id)) {
    c.campaigns = [...list, { campaignId: campaign.id, status: "active", dateAdded: isoNow(ctx.state) }];
    saveContact(ctx.state, c);
    emitCampaignStatus(ctx.state, c, campaign.id, "active");
  }
  return { status: 201, body: { succeded: true } };
}

function removeFromCampaigns(ctx: HandlerContext, c: EnrolledContact, campaignIds: string[]): void {
  const removed = (c.campaigns ?? []).filter((e) => campaignIds.includes(e.campaignId));
  if (!removed.length) return;
  c.campaigns = (c.campaigns ?? []).filter((e) => !campaignIds.includes(e.campaignId));
  saveContact(ctx.state, c);
  for (const e of removed) emitCampaignStatus(ctx.state, c, e.campaignId, "removed");
}

function addToWorkflow(ctx: HandlerContext) {
  const c = loadContact(ctx, ctx.params.contactId!) as EnrolledContact;
  const wf = loadInLocation<WorkflowDoc>(ctx, "workflow", ctx.params.workflowId!, "Workflow", c);
  const raw = (ctx.body as { eventStartTime?: string }).eventStartTime;
  if (raw !== undefined && Number.isNaN(Date.parse(raw))) {
    throw unprocessable(["eventStartTime must be a valid ISO 8601 date string"]);
  }
  const entry: WorkflowEnrolment = {
    workflowId: wf.id,
    ...(raw !== undefined && { eventStartTime: new Date(Date.parse(raw)).toISOString() }),
    dateAdded: isoNow(ctx.state),
  };
  // One enrolment per workflow: adding again restarts it with the new start time.
  c.workflows = [...(c.workflows ?? []).filter((e) => e.workflowId !== wf.id), entry];
  saveContact(ctx.state, c);
  return { body: { succeded: true } };
}

function removeFromWorkflow(ctx: HandlerContext) {
  const c = loadContact(ctx, ctx.params.contactId!) as EnrolledContact;
  const wf = loadInLocation<WorkflowDoc>(ctx, "workflow", ctx.params.workflowId!, "Workflow", c);
  if ((c.workflows ?? []).some((e) => e.workflowId === wf.id)) {
    c.workflows = (c.workflows ?? []).filter((e) => e.workflowId !== wf.id);
    saveContact(ctx.state, c);
  }
  return { body: { succeded: true } };
}

export const automationHandlers: HandlerMap = {
  "get-workflow": (ctx) => {
    const workflows = ctx.state.records.list<WorkflowDoc>("workflow", {
      locationId: String(ctx.query.locationId),
    });
    return { body: { workflows } };
  },
  "get-campaigns": (ctx) => {
    const status = typeof ctx.query.status === "string" && ctx.query.status ? ctx.query.status : null;
    const campaigns = ctx.state.records
      .list<CampaignDoc>("campaign", { locationId: String(ctx.query.locationId) })
      .filter((c) => !status || c.status === status);
    return { body: { campaigns } };
  },
  "add-contact-to-campaign": addToCampaign,
  "remove-contact-from-campaign": (ctx) => {
    const c = loadContact(ctx, ctx.params.contactId!) as EnrolledContact;
    const campaign = loadInLocation<CampaignDoc>(ctx, "campaign", ctx.params.campaignId!, "Campaign", c);
    removeFromCampaigns(ctx, c, [campaign.id]);
    return { body: { succeded: true } };
  },
  "remove-contact-from-every-campaign": (ctx) => {
    const c = loadContact(ctx, ctx.params.contactId!) as EnrolledContact;
    removeFromCampaigns(
      ctx,
      c,
      (c.campaigns ?? []).map((e) => e.campaignId),
    );
    return { body: { succeded: true } };
  },
  "add-contact-to-workflow": addToWorkflow,
  "delete-contact-from-workflow": removeFromWorkflow,
};

/** Two workflows and two campaigns in the main location (published and draft), one of each elsewhere. */
export function seedAutomations(
  state: State,
  s: { locationId: string; otherLocationId: string },
  at: (days: number) => string,
): void {
  const { records, ids } = state;
  const workflows: Array<[string, string, string, number]> = [
    [s.locationId, "New Lead Nurture", "published", 3],
    [s.locationId, "Open House Follow-up", "draft", 1],
    [s.otherLocationId, "Harbor Welcome Series", "published", 2],
  ];
  for (const [i, [locationId, name, status, version]] of workflows.entries()) {
    records.insert(
      "workflow",
      { id: ids.id(), locationId, name, status, version, createdAt: at(i), updatedAt: at(i + version) },
      { locationId, sortMs: i },
    );
  }
  const campaigns: Array<[string, string, string]> = [
    [s.locationId, "Buyer Drip", "published"],
    [s.locationId, "Seller Outreach", "draft"],
    [s.otherLocationId, "Harbor Newsletter", "published"],
  ];
  for (const [i, [locationId, name, status]] of campaigns.entries()) {
    records.insert("campaign", { id: ids.id(), locationId, name, status }, { locationId, sortMs: i });
  }
}
