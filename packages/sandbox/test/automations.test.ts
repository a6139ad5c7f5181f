import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, start } from "./helpers.ts";

// Enrolment is kept on the stored contact but no contact response schema has a field for it,
// so these tests read the stored document from the sandbox's SQLite file.
const dir = mkdtempSync(join(tmpdir(), "hl-automations-"));
const dbFile = join(dir, "sandbox.db");
let reader: Database.Database;
let receiver: Server;
let events: Array<Record<string, unknown>> = [];
let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    events.push(JSON.parse(Buffer.concat(chunks).toString()));
    res.end("ok");
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  ({ sb, api } = await start({ seed: 23, dbFile, webhookUrl: `http://127.0.0.1:${port}/hooks` }));
  reader = new Database(dbFile, { readonly: true });
});
beforeEach(() => {
  sb.reset();
  events = [];
});
afterAll(async () => {
  reader.close();
  await sb.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

interface StoredContact {
  campaigns?: Array<{ campaignId: string; status: string; dateAdded: string }>;
  workflows?: Array<{ workflowId: string; eventStartTime?: string; dateAdded: string }>;
}

function stored(contactId: string): StoredContact {
  const row = reader.prepare("SELECT doc FROM records WHERE kind = 'contact' AND id = ?").get(contactId) as {
    doc: string;
  };
  return JSON.parse(row.doc) as StoredContact;
}

const loc = () => sb.info.locationId;
const otherToken = () => sb.createToken({ locationId: sb.info.otherLocationId });

async function firstContact(): Promise<string> {
  return (await api(`/contacts/?locationId=${loc()}`)).body.contacts[0].id;
}
async function workflows(token?: string, locationId = loc()) {
  return (await api(`/workflows/?locationId=${locationId}`, { token })).body.workflows as Array<{
    id: string;
    name: string;
    status: string;
  }>;
}
async function campaigns(token?: string, locationId = loc()) {
  return (await api(`/campaigns/?locationId=${locationId}`, { token })).body.campaigns as Array<{
    id: string;
    name: string;
  }>;
}

describe("workflows and campaigns", () => {
  it("lists the location's workflows, published and draft", async () => {
    const r = await api(`/workflows/?locationId=${loc()}`);
    expect(r.status).toBe(200);
    conforms("get-workflow", r);
    expect(r.body.workflows).toMatchObject([
      { name: "New Lead Nurture", status: "published", version: 3, locationId: loc() },
      { name: "Open House Follow-up", status: "draft", version: 1, locationId: loc() },
    ]);
    expect(r.body.workflows[0].createdAt < r.body.workflows[0].updatedAt).toBe(true);
    expect((await api(`/workflows/?locationId=${sb.info.otherLocationId}`)).status).toBe(403);
    expect((await workflows(otherToken(), sb.info.otherLocationId)).map((w) => w.name)).toEqual([
      "Harbor Welcome Series",
    ]);
    expect((await api("/workflows/")).status).toBe(422);
  });

  it("lists campaigns, filtered by status", async () => {
    const r = await api(`/campaigns/?locationId=${loc()}`);
    expect(r.status).toBe(200);
    conforms("get-campaigns", r);
    expect(r.body.campaigns).toMatchObject([
      { name: "Buyer Drip", status: "published", locationId: loc() },
      { name: "Seller Outreach", status: "draft", locationId: loc() },
    ]);
    const drafts = await api(`/campaigns/?locationId=${loc()}&status=draft`);
    conforms("get-campaigns", drafts);
    expect(drafts.body.campaigns.map((c: { name: string }) => c.name)).toEqual(["Seller Outreach"]);
    expect((await api(`/campaigns/?locationId=${sb.info.otherLocationId}`)).status).toBe(403);
  });
});

describe("enrolling contacts", () => {
  it("adds a contact to campaigns and removes it, one or all", async () => {
    const contactId = await firstContact();
    const [drip, outreach] = await campaigns();
    const add = await api(`/contacts/${contactId}/campaigns/${drip!.id}`, { method: "POST", body: {} });
    expect(add.status).toBe(201);
    conforms("add-contact-to-campaign", add);
    expect(add.body.succeded).toBe(true);
    await api(`/contacts/${contactId}/campaigns/${outreach!.id}`, { method: "POST", body: {} });
    // Adding again changes nothing.
    await api(`/contacts/${contactId}/campaigns/${drip!.id}`, { method: "POST", body: {} });
    expect(stored(contactId).campaigns).toMatchObject([
      { campaignId: drip!.id, status: "active" },
      { campaignId: outreach!.id, status: "active" },
    ]);

    const remove = await api(`/contacts/${contactId}/campaigns/${drip!.id}`, { method: "DELETE" });
    expect(remove.status).toBe(200);
    conforms("remove-contact-from-campaign", remove);
    expect(stored(contactId).campaigns?.map((e) => e.campaignId)).toEqual([outreach!.id]);

    await api(`/contacts/${contactId}/campaigns/${drip!.id}`, { method: "POST", body: {} });
    const all = await api(`/contacts/${contactId}/campaigns/removeAll`, { method: "DELETE" });
    expect(all.status).toBe(200);
    conforms("remove-contact-from-every-campaign", all);
    expect(stored(contactId).campaigns).toEqual([]);
    // The contact itself is untouched and still reads fine.
    conforms("get-contact", await api(`/contacts/${contactId}`));
  });

  it("sends CampaignStatusUpdate when a contact joins or leaves a campaign", async () => {
    const contactId = await firstContact();
    const [drip] = await campaigns();
    await api(`/contacts/${contactId}/campaigns/${drip!.id}`, { method: "POST", body: {} });
    await api(`/contacts/${contactId}/campaigns/${drip!.id}`, { method: "DELETE" });
    await sb.webhooksIdle();
    const mine = events.filter((e) => e.type === "CampaignStatusUpdate");
    // Deliveries run concurrently: compare in a fixed order.
    mine.sort((a, b) => String(a.status).localeCompare(String(b.status)));
    expect(mine).toMatchObject([
      { locationId: loc(), id: drip!.id, contactId, status: "active" },
      { locationId: loc(), id: drip!.id, contactId, status: "removed" },
    ]);
  });

  it("adds a contact to a workflow, with or without eventStartTime, and removes it", async () => {
    const contactId = await firstContact();
    const [nurture, openHouse] = await workflows();
    const add = await api(`/contacts/${contactId}/workflow/${nurture!.id}`, {
      method: "POST",
      body: { eventStartTime: "2025-06-02T15:00:00+02:00" },
    });
    expect(add.status).toBe(200);
    conforms("add-contact-to-workflow", add);
    expect(add.body.succeded).toBe(true);
    const plain = await api(`/contacts/${contactId}/workflow/${openHouse!.id}`, { method: "POST", body: {} });
    expect(plain.status).toBe(200);
    expect(stored(contactId).workflows).toEqual([
      { workflowId: nurture!.id, eventStartTime: "2025-06-02T13:00:00.000Z", dateAdded: expect.any(String) },
      { workflowId: openHouse!.id, dateAdded: expect.any(String) },
    ]);

    const del = await api(`/contacts/${contactId}/workflow/${nurture!.id}`, { method: "DELETE", body: {} });
    expect(del.status).toBe(200);
    conforms("delete-contact-from-workflow", del);
    expect(stored(contactId).workflows?.map((e) => e.workflowId)).toEqual([openHouse!.id]);

    const bad = await api(`/contacts/${contactId}/workflow/${nurture!.id}`, {
      method: "POST",
      body: { eventStartTime: "next tuesday" },
    });
    expect(bad.status).toBe(422);
    conforms("add-contact-to-workflow", bad);
  });

  it("sends the documented events of the other modules' changes too", async () => {
    // This file has the webhook receiver, so the UserCreate / LocationCreate / ContactUpdate /
    // Opportunity* events of users, locations, contact links and upsert are checked here.
    const contactId = await firstContact();
    const user = await api("/users/", {
      method: "POST",
      body: {
        companyId: sb.info.companyId,
        firstName: "Event",
        lastName: "User",
        email: "event.user@demo-realty.example",
        password: "pw-123456",
        type: "account",
        role: "user",
        locationIds: [loc()],
      },
    });
    const location = await api("/locations/", {
      method: "POST",
      token: sb.info.agencyToken,
      body: { name: "Event Homes", companyId: sb.info.companyId },
    });
    await api(`/contacts/${contactId}/followers`, { method: "POST", body: { followers: [user.body.id] } });
    const pipelineId = (await api(`/opportunities/pipelines?locationId=${loc()}`)).body.pipelines[0].id;
    const opp = await api("/opportunities/upsert", {
      method: "POST",
      body: {
        locationId: loc(),
        pipelineId,
        contactId: (await api(`/contacts/?locationId=${loc()}`)).body.contacts[4].id,
        followers: [],
        isRemoveAllFollowers: false,
        followersActionType: "add",
      },
    });
    await api(`/opportunities/${opp.body.opportunity.id}/followers`, {
      method: "POST",
      body: { followers: [user.body.id] },
    });
    await sb.webhooksIdle();
    // Deliveries run concurrently, so arrival order is not asserted.
    expect(events.map((e) => e.type).sort()).toEqual([
      "ContactUpdate",
      "LocationCreate",
      "OpportunityCreate",
      "OpportunityUpdate",
      "UserCreate",
    ]);
    const of = (type: string) => events.find((e) => e.type === type);
    expect(of("UserCreate")).toMatchObject({
      locationId: loc(),
      id: user.body.id,
      role: "user",
      locations: [loc()],
    });
    expect(of("LocationCreate")).toMatchObject({
      locationId: location.body.id,
      id: location.body.id,
      name: "Event Homes",
    });
    expect(of("ContactUpdate")).toMatchObject({ locationId: loc(), id: contactId });
    expect(of("OpportunityCreate")).toMatchObject({ id: opp.body.opportunity.id, pipelineId });
    expect(of("OpportunityUpdate")).toMatchObject({ id: opp.body.opportunity.id });
  });

  it("refuses unknown campaigns/workflows and another location's records", async () => {
    const contactId = await firstContact();
    const missing = await api(`/contacts/${contactId}/campaigns/NoSuchCampaign000001`, {
      method: "POST",
      body: {},
    });
    expect(missing.status).toBe(400);
    conforms("add-contact-to-campaign", missing);
    expect(missing.body.message).toBe("Campaign not found");
    const noWf = await api(`/contacts/${contactId}/workflow/NoSuchWorkflow000001`, {
      method: "POST",
      body: {},
    });
    expect(noWf.status).toBe(400);
    expect(noWf.body.message).toBe("Workflow not found");

    const [harborCampaign] = await campaigns(otherToken(), sb.info.otherLocationId);
    const [harborFlow] = await workflows(otherToken(), sb.info.otherLocationId);
    const crossCampaign = await api(`/contacts/${contactId}/campaigns/${harborCampaign!.id}`, {
      method: "POST",
      body: {},
    });
    expect(crossCampaign.status).toBe(403);
    expect(crossCampaign.body.message).toBe("The token does not have access to this location.");
    const crossFlow = await api(`/contacts/${contactId}/workflow/${harborFlow!.id}`, {
      method: "POST",
      body: {},
    });
    expect(crossFlow.status).toBe(403);

    // The other location's token cannot enrol this location's contact.
    const [drip] = await campaigns();
    const foreign = await api(`/contacts/${contactId}/campaigns/${drip!.id}`, {
      method: "POST",
      body: {},
      token: otherToken(),
    });
    expect(foreign.status).toBe(403);
    expect(stored(contactId).campaigns ?? []).toEqual([]);
  });
});
