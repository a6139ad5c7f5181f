// The acceptance scenario's machinery and chapters: a step runner that drives the sandbox with
// the official SDK (@gohighlevel/api-client) and checks every call against the sandbox's
// request log and the spec, a webhook inbox, and the chapters of the story (sdk-scenario.test.ts
// runs them in order). Each chapter returns the ids later chapters build on.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { GHLError, HighLevel } from "@gohighlevel/api-client";
import { expect } from "vitest";
import { getOperation, type Sandbox, type SandboxInfo, validateResponse } from "../src/index.ts";
import type { Clock } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON the chapters index freely
export type Json = any;

export type TokenKind = "location" | "agency";

/** One SDK call as the sandbox saw it. */
export interface StepRecord {
  key: string;
  as: TokenKind;
  logId: number;
  status: number;
  expectedFailure: boolean;
}

/** An SDK client aimed at the sandbox. */
export function sdkFor(baseUrl: string, token: string): HighLevel {
  // The SDK reads its base URL from a (private) static when an instance is built.
  (HighLevel as unknown as { BASE_URL: string }).BASE_URL = baseUrl;
  return new HighLevel({ privateIntegrationToken: token, logLevel: "none" });
}

export interface CallOptions {
  /** Which SDK instance makes the call (default: the location token's). */
  as?: TokenKind;
  /** The call is expected to fail with this status (the step checks a refusal). */
  expectStatus?: number;
}

/**
 * Runs the steps: each SDK call must produce exactly one request to the named operation, answer
 * one of the operation's documented success statuses (or the expected failure), and its answer
 * must match the spec's schema for that status. The SDK returns only the body, so the status
 * comes from the sandbox's request log. A second passes on the sandbox clock before each step.
 */
export class Runner {
  readonly steps: StepRecord[] = [];

  constructor(
    private readonly sb: Sandbox,
    private readonly clock: Clock,
    readonly sdk: Record<TokenKind, HighLevel>,
  ) {}

  async call(key: string, fn: (ghl: HighLevel) => Promise<unknown>, o: CallOptions = {}): Promise<Json> {
    const as = o.as ?? "location";
    const label = `${key} (${as} token)`;
    this.clock.advance(1000);
    const before = this.sb.requests().at(-1)?.id ?? 0;
    let body: unknown;
    let error: GHLError | undefined;
    try {
      body = await fn(this.sdk[as]);
    } catch (e) {
      if (!(e instanceof GHLError) || e.statusCode === undefined) throw e;
      error = e;
      body = e.response;
    }
    const entries = this.sb.requests({ after: before });
    expect(
      entries.map((e) => e.operationId),
      `${label}: one request, to this operation`,
    ).toEqual([key]);
    const entry = entries[0]!;
    if (o.expectStatus === undefined) {
      expect(error?.message, `${label} failed: ${JSON.stringify(body)}`).toBeUndefined();
      const documented = Object.keys(getOperation(key).responses).filter((s) => s.startsWith("2"));
      expect(documented, `${label} answered ${entry.status}`).toContain(String(entry.status));
    } else {
      expect(entry.status, `${label} should have been refused`).toBe(o.expectStatus);
      expect(error?.statusCode).toBe(o.expectStatus);
    }
    const check = validateResponse(key, entry.status, body);
    expect(check.errors, `${label} ${entry.status} answer vs the spec`).toEqual([]);
    this.steps.push({
      key,
      as,
      logId: entry.id,
      status: entry.status,
      expectedFailure: o.expectStatus !== undefined,
    });
    return body;
  }
}

/** A webhook as received: the parsed payload, the raw body and its `x-ghl-signature`. */
export interface Delivery {
  payload: Json;
  raw: string;
  signature: string;
}

/** A local receiver for the sandbox's webhooks (some effects are visible only there). */
export interface Inbox {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

export async function startInbox(): Promise<Inbox> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      deliveries.push({ payload: JSON.parse(raw), raw, signature: String(req.headers["x-ghl-signature"]) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Ctx {
  sb: Sandbox;
  info: SandboxInfo;
  run: Runner;
  inbox: Inbox;
}

const ids = (list: Array<{ id: string }>) => list.map((x) => x.id);
const names = (list: Array<{ name: string }>) => list.map((x) => x.name);

// ---------------------------------------------------------------------------------------
// 1. The agency looks over its account and opens a sub-account from its snapshot.

export interface Account {
  propertyTypeFieldId: string;
}

export async function surveyAccount({ run, info }: Ctx): Promise<Account> {
  const { companyId, locationId } = info;
  const company = await run.call("get-company", (g) => g.companies.getCompany({ companyId }), {
    as: "agency",
  });
  expect(company.company).toMatchObject({ id: companyId, name: "Demo Agency" });
  const locationCount: number = company.company.locationCount;

  // A location token finds only its own location.
  const found = await run.call("search-locations", (g) =>
    g.locations.searchLocations({ companyId, skip: "0", limit: "10" }),
  );
  expect(ids(found.locations)).toEqual([locationId]);
  const location = await run.call("get-location", (g) => g.locations.getLocation({ locationId }));
  expect(location.location).toMatchObject({
    id: locationId,
    name: "Demo Realty",
    timezone: "America/Los_Angeles",
  });

  const fields = await run.call("get-custom-fields", (g) =>
    g.locations.getCustomFields({ locationId, model: "contact" }),
  );
  const propertyType = fields.customFields.find((f: Json) => f.name === "Property Type");
  expect(propertyType).toMatchObject({ dataType: "SINGLE_OPTIONS", fieldKey: "contact.property_type" });
  expect(propertyType.picklistOptions).toContain("Condo");

  const snapshots = await run.call(
    "get-custom-snapshots",
    (g) => g.snapshots.getCustomSnapshots({ companyId }),
    { as: "agency" },
  );
  const starter = snapshots.snapshots.find((s: Json) => s.name === "Real Estate Starter");
  expect(starter).toBeDefined();
  const eastBay = await run.call(
    "create-location",
    (g) =>
      g.locations.createLocation({
        name: "Demo Realty East Bay",
        companyId,
        snapshotId: starter.id,
        phone: "+15105550100",
        address: "400 Broadway",
        city: "Oakland",
        state: "CA",
        country: "US",
        postalCode: "94607",
        timezone: "America/Los_Angeles",
        prospectInfo: { firstName: "Dana", lastName: "Reyes", email: "dana@demo-realty-eastbay.example" },
      }),
    { as: "agency" },
  );
  expect(eastBay).toMatchObject({ companyId, name: "Demo Realty East Bay", city: "Oakland" });
  const after = await run.call("get-company", (g) => g.companies.getCompany({ companyId }), {
    as: "agency",
  });
  expect(after.company.locationCount).toBe(locationCount + 1);
  return { propertyTypeFieldId: propertyType.id };
}

// ---------------------------------------------------------------------------------------
// 2. The location's team: a new agent joins and is promoted.

export const RILEY_EMAIL = "riley.park@demo-realty.example";

export interface Team {
  rileyId: string;
}

export async function staffUp({ run, info }: Ctx): Promise<Team> {
  const { companyId, locationId, userId } = info;
  const roster = await run.call("get-user-by-location", (g) => g.users.getUserByLocation({ locationId }));
  expect(names(roster.users)).toEqual(
    expect.arrayContaining(["Alex Agent", "Jordan Blake", "Taylor Nguyen"]),
  );
  expect(names(roster.users)).not.toContain("Sam Rivera"); // Harbor Homes' agent

  const search = await run.call("search-users", (g) =>
    g.users.searchUsers({ companyId, locationId, query: "jordan" }),
  );
  expect(search).toMatchObject({ count: 1, users: [{ name: "Jordan Blake" }] });
  const me = await run.call("get-user", (g) => g.users.getUser({ userId }));
  expect(me).toMatchObject({ id: userId, name: "Alex Agent", roles: { type: "agency", role: "admin" } });

  const riley = await run.call("create-user", (g) =>
    g.users.createUser({
      companyId,
      firstName: "Riley",
      lastName: "Park",
      email: RILEY_EMAIL,
      password: "Open-House-2026!",
      phone: "+14155550014",
      type: "account",
      role: "user",
      locationIds: [locationId],
    }),
  );
  expect(riley).toMatchObject({
    name: "Riley Park",
    email: RILEY_EMAIL,
    roles: { type: "account", role: "user", locationIds: [locationId] },
  });
  const promoted = await run.call("update-user", (g) =>
    g.users.updateUser({ userId: riley.id }, { role: "admin" }),
  );
  expect(promoted.roles.role).toBe("admin");
  const reread = await run.call("get-user", (g) => g.users.getUser({ userId: riley.id }));
  expect(reread).toMatchObject({ id: riley.id, roles: { role: "admin" } });

  const byEmail = await run.call(
    "filter-users-by-email",
    (g) => g.users.filterUsersByEmail({ companyId, emails: RILEY_EMAIL.toUpperCase(), projection: "all" }),
    { as: "agency" },
  );
  expect(byEmail).toMatchObject({ count: 1, users: [{ id: riley.id, name: "Riley Park" }] });
  return { rileyId: riley.id };
}

// ---------------------------------------------------------------------------------------
// 3. A lead fills in the website form: find-or-create, enrich, find again.

export const MIA = { email: "mia.thompson@example.com", phone: "+14155550177" };

export interface Lead {
  contactId: string;
}

export async function captureLead({ run, info }: Ctx, account: Account): Promise<Lead> {
  const { locationId } = info;
  const unknown = await run.call("get-duplicate-contact", (g) =>
    g.contacts.getDuplicateContact({ locationId, email: MIA.email }),
  );
  expect(unknown.contact).toBeNull();

  const created = await run.call("create-contact", (g) =>
    g.contacts.createContact({
      locationId,
      firstName: "Mia",
      lastName: "Thompson",
      email: MIA.email,
      phone: "(415) 555-0177",
      source: "Website form",
      tags: ["Website Lead"],
      customFields: [{ id: account.propertyTypeFieldId, field_value: "Condo" }],
    }),
  );
  expect(created.contact).toMatchObject({
    firstName: "Mia",
    lastName: "Thompson",
    email: MIA.email,
    phone: MIA.phone,
    tags: ["website lead"],
  });
  const contactId: string = created.contact.id;

  // "Find Contact": the same lookup by phone now finds her.
  const byPhone = await run.call("get-duplicate-contact", (g) =>
    g.contacts.getDuplicateContact({ locationId, number: MIA.phone }),
  );
  expect(byPhone.contact.id).toBe(contactId);
  const got = await run.call("get-contact", (g) => g.contacts.getContact({ contactId }));
  expect(got.contact.customFields).toEqual([{ id: account.propertyTypeFieldId, value: "Condo" }]);

  const updated = await run.call("update-contact", (g) =>
    g.contacts.updateContact({ contactId }, { city: "Oakland", postalCode: "94607" }),
  );
  expect(updated.contact).toMatchObject({ id: contactId, city: "Oakland", postalCode: "94607" });
  // A second form submission with the same email updates her instead of duplicating her.
  const upserted = await run.call("upsert-contact", (g) =>
    g.contacts.upsertContact({ locationId, email: MIA.email, companyName: "Thompson Family Trust" }),
  );
  expect(upserted.new).toBe(false);
  expect(upserted.contact).toMatchObject({
    id: contactId,
    city: "Oakland",
    companyName: "Thompson Family Trust",
  });

  const listed = await run.call("get-contacts", (g) =>
    g.contacts.getContacts({ locationId, query: "thompson", limit: 20 }),
  );
  expect(ids(listed.contacts)).toEqual([contactId]);
  // Liam Chen lives in Oakland too, but has no "website lead" tag.
  const search = await run.call("search-contacts-advanced", (g) =>
    g.contacts.searchContactsAdvanced({
      locationId,
      pageLimit: 10,
      filters: [
        { field: "tags", operator: "eq", value: "website lead" },
        { field: "city", operator: "eq", value: "oakland" },
      ],
    }),
  );
  expect(search.total).toBe(1);
  expect(ids(search.contacts)).toEqual([contactId]);
  return { contactId };
}

// ---------------------------------------------------------------------------------------
// 4. Working the lead: tags, followers, automations, a task and a note.

export interface LeadWork {
  taskId: string;
  noteId: string;
}

export async function workLead({ sb, run, info, inbox }: Ctx, lead: Lead, team: Team): Promise<LeadWork> {
  const { locationId, userId } = info;
  const { contactId } = lead;

  const tagged = await run.call("add-tags", (g) =>
    g.contacts.addTags({ contactId }, { tags: ["First-Time Buyer"] }),
  );
  expect(tagged.tags).toEqual(["website lead", "first-time buyer"]);
  const untagged = await run.call("remove-tags", (g) =>
    g.contacts.removeTags({ contactId }, { tags: ["website lead"] }),
  );
  expect(untagged.tags).toEqual(["first-time buyer"]);
  const bulk = await run.call("contacts:create-association", (g) =>
    g.contacts.createAssociation(
      { type: "add" },
      { locationId, contacts: [contactId], tags: ["Open House 2026"] },
    ),
  );
  expect(bulk).toMatchObject({ errorCount: 0, responses: [{ contactId, type: "success" }] });
  expect(bulk.responses[0].tagsAdded).toEqual(["open house 2026"]);
  const retagged = await run.call("get-contact", (g) => g.contacts.getContact({ contactId }));
  expect(retagged.contact.tags).toEqual(["first-time buyer", "open house 2026"]);

  const followed = await run.call("add-followers-contact", (g) =>
    g.contacts.addFollowersContact({ contactId }, { followers: [userId, team.rileyId] }),
  );
  expect(followed.followersAdded).toEqual([userId, team.rileyId]);
  const unfollowed = await run.call("remove-followers-contact", (g) =>
    g.contacts.removeFollowersContact({ contactId }, { followers: [team.rileyId] }),
  );
  expect(unfollowed).toMatchObject({ followers: [userId], followersRemoved: [team.rileyId] });

  const workflows = await run.call("get-workflow", (g) => g.workflows.getWorkflow({ locationId }));
  const nurture = workflows.workflows.find((w: Json) => w.name === "New Lead Nurture");
  expect(nurture.status).toBe("published");
  // Workflow enrolment is stored on the contact, but no answer and no webhook shows it
  // (SPEC-DEVIATIONS.md): the acknowledgement is all a client can check.
  const enrolled = await run.call("add-contact-to-workflow", (g) =>
    g.contacts.addContactToWorkflow(
      { contactId, workflowId: nurture.id },
      { eventStartTime: "2026-11-21T17:00:00.000Z" },
    ),
  );
  expect(enrolled.succeded).toBe(true);
  const unenrolled = await run.call("delete-contact-from-workflow", (g) =>
    g.contacts.deleteContactFromWorkflow({ contactId, workflowId: nurture.id }, {}),
  );
  expect(unenrolled.succeded).toBe(true);

  const campaigns = await run.call("get-campaigns", (g) =>
    g.campaigns.getCampaigns({ locationId, status: "published" }),
  );
  expect(names(campaigns.campaigns)).toEqual(["Buyer Drip"]);
  const drip = campaigns.campaigns[0].id;
  await run.call("add-contact-to-campaign", (g) =>
    g.contacts.addContactToCampaign({ contactId, campaignId: drip }, {}),
  );
  await run.call("remove-contact-from-campaign", (g) =>
    g.contacts.removeContactFromCampaign({ contactId, campaignId: drip }),
  );
  await run.call("add-contact-to-campaign", (g) =>
    g.contacts.addContactToCampaign({ contactId, campaignId: drip }, {}),
  );
  await run.call("remove-contact-from-every-campaign", (g) =>
    g.contacts.removeContactFromEveryCampaign({ contactId }),
  );
  // Campaign membership shows only in CampaignStatusUpdate events.
  await sb.webhooksIdle();
  const statuses = inbox.deliveries
    .map((d) => d.payload)
    .filter((e) => e.type === "CampaignStatusUpdate" && e.contactId === contactId)
    .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp))
    .map((e) => [e.id, e.status]);
  expect(statuses).toEqual([
    [drip, "active"],
    [drip, "removed"],
    [drip, "active"],
    [drip, "removed"],
  ]);

  const task = await run.call("create-task", (g) =>
    g.contacts.createTask(
      { contactId },
      {
        title: "Send condo shortlist",
        body: "Two-bedroom condos near BART",
        dueDate: "2026-11-23T17:00:00.000Z",
        completed: false,
        assignedTo: userId,
      },
    ),
  );
  const taskId: string = task.task.id;
  const tasks = await run.call("get-all-tasks", (g) => g.contacts.getAllTasks({ contactId }));
  expect(ids(tasks.tasks)).toEqual([taskId]);
  const renamed = await run.call("update-task", (g) =>
    g.contacts.updateTask(
      { contactId, taskId },
      { title: "Send condo shortlist (3 listings)", dueDate: "2026-11-24T17:00:00.000Z" },
    ),
  );
  expect(renamed.task).toMatchObject({ title: "Send condo shortlist (3 listings)", completed: false });
  const done = await run.call("update-task-completed", (g) =>
    g.contacts.updateTaskCompleted({ contactId, taskId }, { completed: true }),
  );
  expect(done.task.completed).toBe(true);
  const reread = await run.call("get-task", (g) => g.contacts.getTask({ contactId, taskId }));
  expect(reread.task).toMatchObject({
    id: taskId,
    title: "Send condo shortlist (3 listings)",
    dueDate: "2026-11-24T17:00:00.000Z",
    completed: true,
  });

  const note = await run.call("create-note", (g) =>
    g.contacts.createNote({ contactId }, { body: "Pre-approved for $850k; wants to be near BART.", userId }),
  );
  const noteId: string = note.note.id;
  const notes = await run.call("get-all-notes", (g) => g.contacts.getAllNotes({ contactId }));
  expect(ids(notes.notes)).toEqual([noteId]);
  await run.call("update-note", (g) =>
    g.contacts.updateNote(
      { contactId, id: noteId },
      { body: "Pre-approved for $900k; wants to be near BART." },
    ),
  );
  const edited = await run.call("get-note", (g) => g.contacts.getNote({ contactId, id: noteId }));
  expect(edited.note).toMatchObject({ id: noteId, body: "Pre-approved for $900k; wants to be near BART." });
  return { taskId, noteId };
}

// ---------------------------------------------------------------------------------------
// 5. She buys through her family trust: a business, linked to her.

export interface Business {
  businessId: string;
}

export async function linkBusiness({ run, info }: Ctx, lead: Lead): Promise<Business> {
  const { locationId } = info;
  const { contactId } = lead;
  const before = await run.call("get-businesses-by-location", (g) =>
    g.businesses.getBusinessesByLocation({ locationId }),
  );
  expect(names(before.businesses)).toEqual(["Bay Area Title Co.", "Golden Gate Mortgages"]);
  const created = await run.call("create-business", (g) =>
    g.businesses.createBusiness({
      locationId,
      name: "Thompson Family Trust",
      email: "trust@thompson.example",
      city: "Oakland",
    }),
  );
  const businessId: string = created.buiseness.id;
  const got = await run.call("get-business", (g) => g.businesses.getBusiness({ businessId }));
  expect(got.business).toMatchObject({ id: businessId, name: "Thompson Family Trust", city: "Oakland" });
  const updated = await run.call("update-business", (g) =>
    g.businesses.updateBusiness(
      { businessId },
      { phone: "+15105550188", website: "https://thompson.example" },
    ),
  );
  expect(updated.buiseness).toMatchObject({ id: businessId, phone: "+15105550188" });

  const linked = await run.call("add-remove-contact-from-business", (g) =>
    g.contacts.addRemoveContactFromBusiness({ locationId, ids: [contactId], businessId }),
  );
  expect(linked.ids).toEqual([contactId]);
  const members = await run.call("get-contacts-by-businessId", (g) =>
    g.contacts.getContactsByBusinessId({ businessId, locationId }),
  );
  expect(members.count).toBe(1);
  expect(ids(members.contacts)).toEqual([contactId]);
  const contact = await run.call("get-contact", (g) => g.contacts.getContact({ contactId }));
  expect(contact.contact.businessId).toBe(businessId);
  return { businessId };
}

// ---------------------------------------------------------------------------------------
// 6. The deal: an opportunity in the seeded pipeline, moved through its stages, won.

export interface Deal {
  opportunityId: string;
}

export async function workDeal({ run, info }: Ctx, lead: Lead, team: Team): Promise<Deal> {
  const { locationId, userId } = info;
  const { contactId } = lead;
  const pipelines = await run.call("get-pipelines", (g) => g.opportunities.getPipelines({ locationId }));
  const sales = pipelines.pipelines.find((p: Json) => p.name === "Sales Pipeline");
  expect(names(sales.stages)).toEqual(["New Lead", "Contacted", "Proposal Sent", "Closed"]);
  const [newLead, contacted, proposal] = ids(sales.stages);
  const pipelineId: string = sales.id;

  const created = await run.call("create-opportunity", (g) =>
    g.opportunities.createOpportunity({
      locationId,
      pipelineId,
      pipelineStageId: newLead,
      name: "Mia Thompson - Condo purchase",
      status: "open",
      contactId,
      monetaryValue: 850_000,
      assignedTo: userId,
    }),
  );
  expect(created.opportunity).toMatchObject({
    pipelineStageId: newLead,
    status: "open",
    contactId,
    contact: { name: "Mia Thompson" },
  });
  const opportunityId: string = created.opportunity.id;

  const moved = await run.call("update-opportunity", (g) =>
    g.opportunities.updateOpportunity(
      { id: opportunityId },
      { pipelineStageId: contacted, monetaryValue: 900_000 },
    ),
  );
  expect(moved.opportunity).toMatchObject({ pipelineStageId: contacted, monetaryValue: 900_000 });
  const inStage = await run.call("search-opportunity", (g) =>
    g.opportunities.searchOpportunity({ locationId, pipelineId, pipelineStageId: contacted, contactId }),
  );
  expect(ids(inStage.opportunities)).toEqual([opportunityId]);

  // The CRM form posts an upsert: it finds her opportunity in this pipeline and moves it on.
  // `contactId` is what the live API matches on, but UpsertOpportunityDto does not declare it.
  const upsert = {
    locationId,
    pipelineId,
    contactId,
    pipelineStageId: proposal,
    monetaryValue: 910_000,
    followers: [userId],
    isRemoveAllFollowers: false,
    followersActionType: "add",
  };
  const upserted = await run.call("Upsert-opportunity", (g) => g.opportunities.upsertOpportunity(upsert));
  expect(upserted.new).toBe(false);
  expect(upserted.opportunity).toMatchObject({
    id: opportunityId,
    pipelineStageId: proposal,
    followers: [userId],
  });

  const added = await run.call("add-followers-opportunity", (g) =>
    g.opportunities.addFollowersOpportunity({ id: opportunityId }, { followers: [team.rileyId] }),
  );
  expect(added).toMatchObject({ followers: [userId, team.rileyId], followersAdded: [team.rileyId] });
  const removed = await run.call("remove-followers-opportunity", (g) =>
    g.opportunities.removeFollowersOpportunity({ id: opportunityId }, { followers: [team.rileyId] }),
  );
  expect(removed).toMatchObject({ followers: [userId], followersRemoved: [team.rileyId] });

  const won = await run.call("update-opportunity-status", (g) =>
    g.opportunities.updateOpportunityStatus({ id: opportunityId }, { status: "won" }),
  );
  expect(won.succeded).toBe(true);
  const got = await run.call("get-opportunity", (g) => g.opportunities.getOpportunity({ id: opportunityId }));
  expect(got.opportunity).toMatchObject({
    id: opportunityId,
    status: "won",
    pipelineStageId: proposal,
    monetaryValue: 910_000,
    followers: [userId],
  });
  return { opportunityId };
}

// ---------------------------------------------------------------------------------------
// 7. A custom association (beneficiary ↔ trust) and a relation through it.

export interface Relation {
  associationId: string;
  relationId: string;
}

export async function relateRecords({ run, info }: Ctx, lead: Lead, business: Business): Promise<Relation> {
  const { locationId } = info;
  const { contactId } = lead;
  const { businessId } = business;
  const all = await run.call("find-associations", (g) =>
    g.associations.findAssociations({ locationId, skip: 0, limit: 100 }),
  );
  expect(all.associations.map((a: Json) => a.key)).toEqual([
    "contact_contact",
    "contact_opportunity",
    "contact_business",
    "property_owner",
  ]);
  const forBusinesses = await run.call("get-association-by-object-keys", (g) =>
    g.associations.getAssociationByObjectKeys({ objectKey: "business", locationId }),
  );
  expect(forBusinesses.associations.map((a: Json) => a.key)).toEqual(["contact_business"]);

  const created = await run.call("associations:create-association", (g) =>
    g.associations.createAssociation({
      locationId,
      key: "trust_beneficiary",
      firstObjectKey: "contact",
      firstObjectLabel: "Beneficiary",
      secondObjectKey: "business",
      secondObjectLabel: "Trust",
    }),
  );
  expect(created).toMatchObject({ key: "trust_beneficiary", associationType: "USER_DEFINED" });
  const associationId: string = created.id;
  const byId = await run.call("get-association-by-ID", (g) =>
    g.associations.getAssociationByID({ associationId }),
  );
  expect(byId).toMatchObject({ id: associationId, firstObjectKey: "contact", secondObjectKey: "business" });
  const byKey = await run.call("get-association-key-by-key-name", (g) =>
    g.associations.getAssociationKeyByKeyName({ keyName: "trust_beneficiary", locationId }),
  );
  expect(byKey.id).toBe(associationId);
  const relabelled = await run.call("update-association", (g) =>
    g.associations.updateAssociation(
      { associationId },
      { firstObjectLabel: "Beneficiary", secondObjectLabel: "Family Trust" },
    ),
  );
  expect(relabelled).toMatchObject({ id: associationId, secondObjectLabel: "Family Trust" });

  const relation = await run.call("create-relation", (g) =>
    g.associations.createRelation({
      locationId,
      associationId,
      firstRecordId: contactId,
      secondRecordId: businessId,
    }),
  );
  const relationId: string = relation.id;
  const relations = await run.call("get-relations-by-record-id", (g) =>
    g.associations.getRelationsByRecordId({ recordId: businessId, locationId, skip: 0, limit: 10 }),
  );
  expect(relations.total).toBe(1);
  expect(relations.relations).toEqual([
    expect.objectContaining({
      id: relationId,
      associationId,
      firstRecordId: contactId,
      secondRecordId: businessId,
    }),
  ]);
  return { associationId, relationId };
}

// ---------------------------------------------------------------------------------------
// 8. Booking a buyer consultation in a free slot, moving it, and keeping notes on it.

const DAY = 86_400_000;
/** Monday 2026-11-30 00:00 to Saturday 2026-12-05 00:00 in Los Angeles (UTC-8). */
export const WEEK = {
  startDate: Date.UTC(2026, 10, 30, 8),
  endDate: Date.UTC(2026, 10, 30, 8) + 5 * DAY - 1,
};
const MONDAY = "2026-11-30";
const WEDNESDAY = "2026-12-02";

type Days = Record<string, { slots: string[] }>;

async function freeSlots(run: Runner, calendarId: string): Promise<Days> {
  const { traceId, ...days } = await run.call("get-slots", (g) =>
    g.calendars.getSlots({ calendarId, ...WEEK }),
  );
  expect(typeof traceId).toBe("string");
  return days as Days;
}

export interface Booking {
  calendarId: string;
  appointmentId: string;
}

export async function bookConsultation({ run, info }: Ctx, lead: Lead, team: Team): Promise<Booking> {
  const { locationId, userId } = info;
  const { contactId } = lead;
  const groups = await run.call("get-groups", (g) => g.calendars.getGroups({ locationId }));
  const consultations = groups.groups.find((x: Json) => x.slug === "consultations");
  const calendars = await run.call("get-calendars", (g) =>
    g.calendars.getCalendars({ locationId, groupId: consultations.id }),
  );
  expect(names(calendars.calendars)).toEqual(["Buyer Consultation", "Listing Appointment"]);
  const calendarId: string = calendars.calendars[0].id;
  const calendar = await run.call("get-calendar", (g) => g.calendars.getCalendar({ calendarId }));
  expect(calendar.calendar).toMatchObject({ id: calendarId, slotDuration: 30, teamMembers: [{ userId }] });

  const free = await freeSlots(run, calendarId);
  const monday = free[MONDAY]!.slots;
  expect(monday.slice(0, 2)).toEqual(["2026-11-30T09:00:00-08:00", "2026-11-30T09:30:00-08:00"]);
  expect(free["2026-12-01"]!.slots).not.toContain("2026-12-01T10:00:00-08:00"); // Liam's consultation
  const [first, , , , eleven] = monday;
  expect(eleven).toBe("2026-11-30T11:00:00-08:00");
  // Per agent (the SDK sends `userIds[]=`): Alex is the calendar's team, Riley is not on it.
  const { traceId: _, ...alex } = await run.call("get-slots", (g) =>
    g.calendars.getSlots({ calendarId, ...WEEK, userIds: [userId] }),
  );
  expect(alex).toEqual(free);
  const riley = await run.call("get-slots", (g) =>
    g.calendars.getSlots({ calendarId, ...WEEK, userIds: [team.rileyId] }),
  );
  expect(Object.keys(riley)).toEqual(["traceId"]);

  const booked = await run.call("create-appointment", (g) =>
    g.calendars.createAppointment({
      calendarId,
      locationId,
      contactId,
      startTime: first!,
      title: "Buyer consultation: Mia Thompson",
      assignedUserId: userId,
    }),
  );
  expect(booked).toMatchObject({
    calendarId,
    contactId,
    startTime: first,
    endTime: "2026-11-30T09:30:00-08:00",
    appointmentStatus: "confirmed",
  });
  const appointmentId: string = booked.id;
  const taken = await freeSlots(run, calendarId);
  expect(taken[MONDAY]!.slots).toEqual(monday.filter((s) => s !== first));

  const event = await run.call("get-appointment", (g) =>
    g.calendars.getAppointment({ eventId: appointmentId }),
  );
  expect(event.event).toMatchObject({
    id: appointmentId,
    contactId,
    startTime: first,
    assignedUserId: userId,
  });
  const hers = await run.call("get-appointments-for-contact", (g) =>
    g.contacts.getAppointmentsForContact({ contactId }),
  );
  expect(ids(hers.events)).toEqual([appointmentId]);
  const week = await run.call("get-calendar-events", (g) =>
    g.calendars.getCalendarEvents({
      locationId,
      calendarId,
      startTime: String(WEEK.startDate),
      endTime: String(WEEK.endDate),
    }),
  );
  expect(week.events.map((e: Json) => [e.title, e.startTime])).toEqual([
    ["Buyer consultation: Mia Thompson", first],
    ["Buyer consultation", "2026-12-01T10:00:00-08:00"],
  ]);

  // She asks for later that morning: the first slot is free again, 11:00 is taken.
  const moved = await run.call("edit-appointment", (g) =>
    g.calendars.editAppointment({ eventId: appointmentId }, { startTime: eleven! }),
  );
  expect(moved).toMatchObject({ id: appointmentId, startTime: eleven, endTime: "2026-11-30T11:30:00-08:00" });
  const after = await freeSlots(run, calendarId);
  expect(after[MONDAY]!.slots).toEqual(monday.filter((s) => s !== eleven));

  const note = await run.call("create-appointment-note", (g) =>
    g.calendars.createAppointmentNote({ appointmentId }, { body: "Bring the pre-approval letter.", userId }),
  );
  const noteId: string = note.note.id;
  const notes = await run.call("get-appointment-notes", (g) =>
    g.calendars.getAppointmentNotes({ appointmentId, limit: 10, offset: 0 }),
  );
  expect(notes).toMatchObject({
    hasMore: false,
    notes: [{ id: noteId, body: "Bring the pre-approval letter." }],
  });
  const edited = await run.call("update-appointment-note", (g) =>
    g.calendars.updateAppointmentNote(
      { appointmentId, noteId },
      { body: "Bring the pre-approval letter and two IDs.", userId },
    ),
  );
  expect(edited.note).toMatchObject({ id: noteId, body: "Bring the pre-approval letter and two IDs." });
  await run.call("delete-appointment-note", (g) =>
    g.calendars.deleteAppointmentNote({ appointmentId, noteId }),
  );
  const none = await run.call("get-appointment-notes", (g) =>
    g.calendars.getAppointmentNotes({ appointmentId, limit: 10, offset: 0 }),
  );
  expect(none.notes).toEqual([]);
  return { calendarId, appointmentId };
}

// ---------------------------------------------------------------------------------------
// 9. Blocking time for open-house prep, then freeing it.

export async function blockTime({ run, info }: Ctx, booking: Booking): Promise<void> {
  const { locationId } = info;
  const { calendarId } = booking;
  const at = (hhmm: string) => `${WEDNESDAY}T${hhmm}:00-08:00`;
  const block = await run.call("create-block-slot", (g) =>
    g.calendars.createBlockSlot({
      locationId,
      calendarId,
      title: "Open house prep",
      startTime: at("15:00"),
      endTime: at("16:00"),
    }),
  );
  expect(block).toMatchObject({ calendarId, title: "Open house prep", startTime: at("15:00") });
  const blockId: string = block.id;
  const blocked = await run.call("get-blocked-slots", (g) =>
    g.calendars.getBlockedSlots({
      locationId,
      calendarId,
      startTime: String(WEEK.startDate),
      endTime: String(WEEK.endDate),
    }),
  );
  expect(blocked.events.map((e: Json) => e.title)).toEqual(["Team lunch", "Open house prep"]);
  const wednesday = (await freeSlots(run, calendarId))[WEDNESDAY]!.slots;
  expect(wednesday).not.toContain(at("15:00"));
  expect(wednesday).not.toContain(at("15:30"));
  expect(wednesday).toContain(at("16:00"));

  const longer = await run.call("edit-block-slot", (g) =>
    g.calendars.editBlockSlot(
      { eventId: blockId },
      { locationId, calendarId, title: "Open house prep and staging", endTime: at("16:30") },
    ),
  );
  expect(longer).toMatchObject({ id: blockId, title: "Open house prep and staging", endTime: at("16:30") });
  expect((await freeSlots(run, calendarId))[WEDNESDAY]!.slots).not.toContain(at("16:00"));

  const removed = await run.call("delete-event", (g) => g.calendars.deleteEvent({ eventId: blockId }, {}));
  expect(removed.succeeded).toBe(true);
  const freed = (await freeSlots(run, calendarId))[WEDNESDAY]!.slots;
  expect(freed).toEqual(expect.arrayContaining([at("15:00"), at("15:30"), at("16:00")]));
}

// ---------------------------------------------------------------------------------------
// 10. Setting up (and tearing down) an open-house calendar: group, calendar, notification, room.

export async function runOpenHouseCalendar({ run, info }: Ctx): Promise<void> {
  const { locationId, userId } = info;
  const available = await run.call("validate-groups-slug", (g) =>
    g.calendars.validateGroupsSlug({ locationId, slug: "open-houses" }),
  );
  expect(available.available).toBe(true);
  const created = await run.call("create-calendar-group", (g) =>
    g.calendars.createCalendarGroup({
      locationId,
      name: "Open Houses",
      description: "Weekend open house visits",
      slug: "open-houses",
    }),
  );
  const groupId: string = created.group.id;
  const taken = await run.call("validate-groups-slug", (g) =>
    g.calendars.validateGroupsSlug({ locationId, slug: "open-houses" }),
  );
  expect(taken.available).toBe(false);
  const renamed = await run.call("edit-group", (g) =>
    g.calendars.editGroup(
      { groupId },
      { name: "Weekend Open Houses", description: "Saturday and Sunday visits", slug: "weekend-open-houses" },
    ),
  );
  expect(renamed.group).toMatchObject({ id: groupId, slug: "weekend-open-houses" });
  const disabled = await run.call("disable-group", (g) =>
    g.calendars.disableGroup({ groupId }, { isActive: false }),
  );
  expect(disabled.success).toBe(true);
  const groups = await run.call("get-groups", (g) => g.calendars.getGroups({ locationId }));
  expect(groups.groups.find((x: Json) => x.id === groupId)).toMatchObject({
    name: "Weekend Open Houses",
    isActive: false,
  });

  const calendar = await run.call("create-calendar", (g) =>
    g.calendars.createCalendar({
      locationId,
      groupId,
      name: "Saturday Open House",
      description: "Drop-in visits",
      slug: "saturday-open-house",
      calendarType: "event",
      teamMembers: [{ userId, isPrimary: true }],
      openHours: [
        { daysOfTheWeek: [6], hours: [{ openHour: 10, openMinute: 0, closeHour: 14, closeMinute: 0 }] },
      ],
      slotDuration: 60,
      slotInterval: 60,
    }),
  );
  const calendarId: string = calendar.calendar.id;
  expect(calendar.calendar).toMatchObject({ groupId, slotDuration: 60, isActive: true });
  const updated = await run.call("update-calendar", (g) =>
    g.calendars.updateCalendar({ calendarId }, { name: "Saturday & Sunday Open House", slotDuration: 45 }),
  );
  expect(updated.calendar).toMatchObject({
    id: calendarId,
    name: "Saturday & Sunday Open House",
    slotDuration: 45,
  });

  const notifications = await run.call("create-event-notification", (g) =>
    g.calendars.createEventNotification({ calendarId }, [
      {
        receiverType: "contact",
        channel: "email",
        notificationType: "booked",
        subject: "You're registered for the open house",
        body: "See you on Saturday.",
      },
    ]),
  );
  expect(notifications).toHaveLength(1);
  const notificationId: string = notifications[0]._id;
  const listed = await run.call("get-event-notification", (g) =>
    g.calendars.getEventNotification({ calendarId }),
  );
  expect(listed.map((n: Json) => n._id)).toEqual([notificationId]);
  await run.call("update-event-notification", (g) =>
    g.calendars.updateEventNotification(
      { calendarId, notificationId },
      { subject: "See you at the open house" },
    ),
  );
  const found = await run.call("find-event-notification", (g) =>
    g.calendars.findEventNotification({ calendarId, notificationId }),
  );
  expect(found).toMatchObject({
    _id: notificationId,
    subject: "See you at the open house",
    channel: "email",
  });
  await run.call("delete-event-notification", (g) =>
    g.calendars.deleteEventNotification({ calendarId, notificationId }),
  );
  const active = await run.call("get-event-notification", (g) =>
    g.calendars.getEventNotification({ calendarId }),
  );
  expect(active).toEqual([]);
  const deleted = await run.call("get-event-notification", (g) =>
    g.calendars.getEventNotification({ calendarId, deleted: true }),
  );
  expect(deleted).toEqual([expect.objectContaining({ _id: notificationId, deleted: true })]);

  const room = await run.call("create-calendar-resource", (g) =>
    g.calendars.createCalendarResource(
      { resourceType: "rooms" },
      {
        locationId,
        name: "Staging Lounge",
        description: "Model unit lobby",
        quantity: 1,
        outOfService: 0,
        capacity: 12,
        calendarIds: [calendarId],
      },
    ),
  );
  const roomId: string = room.id;
  const rooms = await run.call("fetch-calendar-resources", (g) =>
    g.calendars.fetchCalendarResources({ resourceType: "rooms", locationId, limit: 10, skip: 0 }),
  );
  expect(names(rooms)).toEqual(["Conference Room A", "Staging Lounge"]);
  const got = await run.call("get-calendar-resource", (g) =>
    g.calendars.getCalendarResource({ resourceType: "rooms", id: roomId }),
  );
  expect(got).toMatchObject({ id: roomId, capacity: 12, calendarIds: [calendarId] });
  const bigger = await run.call("update-calendar-resource", (g) =>
    g.calendars.updateCalendarResource({ resourceType: "rooms", id: roomId }, { capacity: 20 }),
  );
  expect(bigger).toMatchObject({ id: roomId, capacity: 20 });
  await run.call("delete-calendar-resource", (g) =>
    g.calendars.deleteCalendarResource({ resourceType: "rooms", id: roomId }),
  );
  const remaining = await run.call("fetch-calendar-resources", (g) =>
    g.calendars.fetchCalendarResources({ resourceType: "rooms", locationId, limit: 10, skip: 0 }),
  );
  expect(names(remaining)).toEqual(["Conference Room A"]);

  await run.call("delete-calendar", (g) => g.calendars.deleteCalendar({ calendarId }));
  const calendars = await run.call("get-calendars", (g) => g.calendars.getCalendars({ locationId }));
  expect(ids(calendars.calendars)).not.toContain(calendarId);
  await run.call("delete-group", (g) => g.calendars.deleteGroup({ groupId }));
  const left = await run.call("get-groups", (g) => g.calendars.getGroups({ locationId }));
  expect(left.groups.map((x: Json) => x.slug)).toEqual(["consultations"]);
}

// ---------------------------------------------------------------------------------------
// 11. Talking to her: SMS, email, a custom-provider message, the live chat typing signal.
// Sending is not a seed operation; the SDK's sendANewMessage does it.

type SendMessage = Parameters<HighLevel["conversations"]["sendANewMessage"]>[0];
/**
 * The SDK types the send body from the document, which wrongly requires `subType` and `status`
 * (SPEC-DEVIATIONS.md): the live API and the sandbox need only `type` and `contactId`.
 */
const sendBody = (body: Omit<SendMessage, "subType" | "status">) => body as SendMessage;

export async function converse({ run, info }: Ctx, lead: Lead): Promise<void> {
  const { locationId } = info;
  const { contactId } = lead;
  const text = "Hi Mia, three condos match your search. Can I send them over?";
  const sms = await run.call("send-a-new-message", (g) =>
    g.conversations.sendANewMessage(sendBody({ type: "SMS", contactId, message: text })),
  );
  const conversationId: string = sms.conversationId;
  const found = await run.call("search-conversation", (g) =>
    g.conversations.searchConversation({ locationId, contactId }),
  );
  expect(found.total).toBe(1);
  expect(found.conversations).toEqual([
    expect.objectContaining({ id: conversationId, contactId, lastMessageBody: text }),
  ]);
  const conversation = await run.call("get-conversation", (g) =>
    g.conversations.getConversation({ conversationId }),
  );
  expect(conversation).toMatchObject({ id: conversationId, contactId, locationId });

  const email = await run.call("send-a-new-message", (g) =>
    g.conversations.sendANewMessage(
      sendBody({
        type: "Email",
        contactId,
        subject: "Your condo shortlist",
        html: "<p>Here are the three listings we talked about.</p>",
      }),
    ),
  );
  const mail = await run.call("get-email-by-id", (g) =>
    g.conversations.getEmailById({ id: email.emailMessageId }),
  );
  expect(mail).toMatchObject({ conversationId, subject: "Your condo shortlist", to: [MIA.email] });

  // A custom conversation provider reports that its message was read.
  const custom = await run.call("send-a-new-message", (g) =>
    g.conversations.sendANewMessage(
      sendBody({
        type: "Custom",
        contactId,
        message: "Reminder: consultation Monday 11:00",
      }),
    ),
  );
  const status = await run.call("update-message-status", (g) =>
    g.conversations.updateMessageStatus({ messageId: custom.messageId }, { status: "read" }),
  );
  expect(status).toMatchObject({ messageId: custom.messageId, status: "read" });
  const message = await run.call("get-message", (g) => g.conversations.getMessage({ id: custom.messageId }));
  expect(message).toMatchObject({ id: custom.messageId, messageType: "TYPE_CUSTOM_SMS", status: "read" });

  const thread = await run.call("get-messages", (g) =>
    g.conversations.getMessages({ conversationId, limit: 10 }),
  );
  expect(thread.nextPage).toBe(false);
  expect(ids(thread.messages)).toEqual([custom.messageId, email.messageId, sms.messageId]); // newest first

  const typing = await run.call("live-chat-agent-typing", (g) =>
    g.conversations.liveChatAgentTyping({
      locationId,
      isTyping: "true",
      visitorId: "visitor-mia",
      conversationId,
    }),
  );
  expect(typing.success).toBe(true);
}

// ---------------------------------------------------------------------------------------
// 12. Reviewing the seller's recorded call (seeded: Liam Chen's conversation).

export async function reviewCall({ run, info }: Ctx): Promise<void> {
  const { locationId } = info;
  const found = await run.call("search-conversation", (g) =>
    g.conversations.searchConversation({ locationId, query: "Liam Chen" }),
  );
  expect(found.conversations).toHaveLength(1);
  const conversationId: string = found.conversations[0].id;
  const calls = await run.call("get-messages", (g) =>
    g.conversations.getMessages({ conversationId, type: "TYPE_CALL" }),
  );
  expect(calls.messages).toHaveLength(1);
  const messageId: string = calls.messages[0].id;

  const recording = await run.call("get-message-recording", (g) =>
    g.conversations.getMessageRecording({ locationId, messageId }, { responseType: "arraybuffer" }),
  );
  const wav = Buffer.from(recording);
  expect(wav.subarray(0, 4).toString("ascii")).toBe("RIFF");
  expect(wav.subarray(8, 12).toString("ascii")).toBe("WAVE");

  const transcription = await run.call("get-message-transcription", (g) =>
    g.conversations.getMessageTranscription({ locationId, messageId }),
  );
  expect(transcription.transcript).toContain("Thursday at three works for me.");
  const file = await run.call("download-message-transcription", (g) =>
    g.conversations.downloadMessageTranscription({ locationId, messageId }, { responseType: "text" }),
  );
  const lines = String(file).trimEnd().split("\n");
  expect(lines).toHaveLength(4);
  expect(lines.at(-1)).toBe("Thursday at three works for me.");
}

// ---------------------------------------------------------------------------------------
// 13. A blog post for first-time buyers: drafted, then published.

export async function publishPost({ run, info }: Ctx): Promise<void> {
  const { locationId } = info;
  const blogs = await run.call("get-blogs", (g) => g.blogs.getBlogs({ locationId, skip: 0, limit: 10 }));
  expect(names(blogs.data)).toEqual(["Demo Realty Blog"]);
  const blogId: string = blogs.data[0]._id;
  const authors = await run.call("get-all-blog-authors-by-location", (g) =>
    g.blogs.getAllBlogAuthorsByLocation({ locationId, limit: 10, offset: 0 }),
  );
  const author = authors.authors.find((a: Json) => a.name === "Alex Agent");
  const categories = await run.call("get-all-categories-by-location", (g) =>
    g.blogs.getAllCategoriesByLocation({ locationId, limit: 10, offset: 0 }),
  );
  const tips = categories.categories.find((c: Json) => c.label === "Home Buying Tips");

  const urlSlug = "first-time-buyer-condo-checklist";
  const free = await run.call("check-url-slug-exists", (g) =>
    g.blogs.checkUrlSlugExists({ urlSlug, locationId }),
  );
  expect(free.exists).toBe(false);
  const draft = {
    locationId,
    blogId,
    title: "A Condo Checklist for First-Time Buyers",
    description: "HOA dues, reserves and the questions to ask before you offer.",
    imageUrl: "https://images.demo-realty.example/blog/condo-checklist.jpg",
    imageAltText: "Condo building in Oakland",
    rawHTML: "<h1>Condo checklist</h1><p>Read the HOA minutes first.</p>",
    status: "DRAFT",
    categories: [tips._id],
    tags: ["condos", "first-time buyers"],
    author: author._id,
    urlSlug,
    publishedAt: "2026-11-21T16:00:00.000Z",
  };
  const created = await run.call("create-blog-post", (g) => g.blogs.createBlogPost(draft));
  expect(created.data).toMatchObject({ title: draft.title, status: "DRAFT", urlSlug });
  const postId: string = created.data._id;
  const taken = await run.call("check-url-slug-exists", (g) =>
    g.blogs.checkUrlSlugExists({ urlSlug, locationId }),
  );
  expect(taken.exists).toBe(true);

  const published = await run.call("update-blog-post", (g) =>
    g.blogs.updateBlogPost({ postId }, { ...draft, title: "The 2026 Condo Checklist", status: "PUBLISHED" }),
  );
  expect(published.updatedBlogPost).toMatchObject({ _id: postId, status: "PUBLISHED" });
  const live = await run.call("get-blog-post", (g) =>
    g.blogs.getBlogPost({ locationId, blogId, limit: 10, offset: 0, status: "PUBLISHED" }),
  );
  expect(live.blogs.map((p: Json) => p.title)).toEqual([
    "The 2026 Condo Checklist",
    "Bay Area Market Update: Winter 2024",
  ]);
}

// ---------------------------------------------------------------------------------------
// 14. Cleaning up everything the scenario made that an operation can remove.

export interface Made {
  lead: Lead;
  team: Team;
  work: LeadWork;
  business: Business;
  deal: Deal;
  relation: Relation;
  booking: Booking;
}

export async function cleanUp({ run, info }: Ctx, made: Made): Promise<void> {
  const { companyId, locationId } = info;
  const { contactId } = made.lead;

  const cancelled = await run.call("delete-event", (g) =>
    g.calendars.deleteEvent({ eventId: made.booking.appointmentId }, {}),
  );
  expect(cancelled.succeeded).toBe(true);
  const appointments = await run.call("get-appointments-for-contact", (g) =>
    g.contacts.getAppointmentsForContact({ contactId }),
  );
  expect(appointments.events).toEqual([]);

  const unrelated = await run.call("delete-relation", (g) =>
    g.associations.deleteRelation({ relationId: made.relation.relationId, locationId }),
  );
  expect(unrelated).toMatchObject({ deleted: true, id: made.relation.relationId });
  const relations = await run.call("get-relations-by-record-id", (g) =>
    g.associations.getRelationsByRecordId({ recordId: contactId, locationId, skip: 0, limit: 10 }),
  );
  expect(relations.total).toBe(0);
  const dissociated = await run.call("delete-association", (g) =>
    g.associations.deleteAssociation({ associationId: made.relation.associationId }),
  );
  expect(dissociated.deleted).toBe(true);
  const associations = await run.call("find-associations", (g) =>
    g.associations.findAssociations({ locationId, skip: 0, limit: 100 }),
  );
  expect(associations.associations.map((a: Json) => a.key)).not.toContain("trust_beneficiary");

  await run.call("delete-opportunity", (g) =>
    g.opportunities.deleteOpportunity({ id: made.deal.opportunityId }),
  );
  const opportunities = await run.call("search-opportunity", (g) =>
    g.opportunities.searchOpportunity({ locationId, contactId }),
  );
  expect(opportunities.opportunities).toEqual([]);

  // `businessId: null` unlinks; ContactsBusinessUpdate types it as a string.
  const unlink = { locationId, ids: [contactId], businessId: null as unknown as string };
  const unlinked = await run.call("add-remove-contact-from-business", (g) =>
    g.contacts.addRemoveContactFromBusiness(unlink),
  );
  expect(unlinked.ids).toEqual([contactId]);
  const members = await run.call("get-contacts-by-businessId", (g) =>
    g.contacts.getContactsByBusinessId({ businessId: made.business.businessId, locationId }),
  );
  expect(members.count).toBe(0);
  await run.call("delete-Business", (g) =>
    g.businesses.deleteBusiness({ businessId: made.business.businessId }),
  );
  const businesses = await run.call("get-businesses-by-location", (g) =>
    g.businesses.getBusinessesByLocation({ locationId }),
  );
  expect(ids(businesses.businesses)).not.toContain(made.business.businessId);

  await run.call("delete-task", (g) => g.contacts.deleteTask({ contactId, taskId: made.work.taskId }));
  const tasks = await run.call("get-all-tasks", (g) => g.contacts.getAllTasks({ contactId }));
  expect(tasks.tasks).toEqual([]);
  await run.call("delete-note", (g) => g.contacts.deleteNote({ contactId, id: made.work.noteId }));
  const notes = await run.call("get-all-notes", (g) => g.contacts.getAllNotes({ contactId }));
  expect(notes.notes).toEqual([]);

  const gone = await run.call("delete-user", (g) => g.users.deleteUser({ userId: made.team.rileyId }));
  expect(gone.succeded).toBe(true);
  const roster = await run.call("get-user-by-location", (g) => g.users.getUserByLocation({ locationId }));
  expect(ids(roster.users)).not.toContain(made.team.rileyId);
  const archived = await run.call(
    "filter-users-by-email",
    (g) => g.users.filterUsersByEmail({ companyId, emails: RILEY_EMAIL, deleted: true }),
    { as: "agency" },
  );
  expect(archived.users).toEqual([{ id: made.team.rileyId, email: RILEY_EMAIL }]);

  const deleted = await run.call("delete-contact", (g) => g.contacts.deleteContact({ contactId }));
  expect(deleted.succeded).toBe(true);
  const missing = await run.call("get-contact", (g) => g.contacts.getContact({ contactId }), {
    expectStatus: 400,
  });
  expect(missing.message).toBe("Contact not found");
  const lookup = await run.call("get-duplicate-contact", (g) =>
    g.contacts.getDuplicateContact({ locationId, email: MIA.email }),
  );
  expect(lookup.contact).toBeNull();
}
