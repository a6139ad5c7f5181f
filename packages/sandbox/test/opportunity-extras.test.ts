import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, type Clock, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
let clock: Clock;

beforeAll(async () => {
  clock = manualClock();
  ({ sb, api } = await start({ seed: 25, now: clock.now }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const loc = () => sb.info.locationId;

async function pipeline(): Promise<{ id: string; stages: Array<{ id: string }> }> {
  return (await api(`/opportunities/pipelines?locationId=${loc()}`)).body.pipelines[0];
}
async function contactIds(): Promise<string[]> {
  return (await api(`/contacts/?locationId=${loc()}`)).body.contacts.map((c: { id: string }) => c.id);
}
async function users(): Promise<string[]> {
  return (await api(`/users/?locationId=${loc()}`)).body.users.map((u: { id: string }) => u.id);
}
const followerFields = { followers: [], isRemoveAllFollowers: false, followersActionType: "add" };

function upsert(body: Record<string, unknown>, token?: string) {
  return api("/opportunities/upsert", {
    method: "POST",
    token,
    body: { locationId: loc(), ...followerFields, ...body },
  });
}

describe("upsert opportunity", () => {
  it("creates (new: true), then updates the same opportunity by contactId + pipelineId", async () => {
    const p = await pipeline();
    const contactId = (await contactIds())[2]!; // no seeded opportunity
    const [alex] = await users();
    const created = await upsert({
      pipelineId: p.id,
      contactId,
      name: "Ava Johnson - Buy",
      monetaryValue: 640000,
      status: "open",
      followers: [alex],
    });
    expect(created.status).toBe(200);
    conforms("Upsert-opportunity", created);
    expect(created.body.new).toBe(true);
    const opp = created.body.opportunity;
    expect(opp).toMatchObject({
      name: "Ava Johnson - Buy",
      monetaryValue: 640000,
      pipelineId: p.id,
      pipelineStageId: p.stages[0]!.id,
      status: "open",
      contactId,
      followers: [alex],
      contact: { id: contactId, name: "Ava Johnson" },
    });
    conforms("get-opportunity", await api(`/opportunities/${opp.id}`));

    clock.advance(60_000);
    const updated = await upsert({
      pipelineId: p.id,
      contactId,
      monetaryValue: 655000,
      pipelineStageId: p.stages[2]!.id,
      status: "won",
    });
    expect(updated.status).toBe(200);
    conforms("Upsert-opportunity", updated);
    expect(updated.body.new).toBe(false);
    expect(updated.body.opportunity).toMatchObject({
      id: opp.id,
      name: "Ava Johnson - Buy",
      monetaryValue: 655000,
      pipelineStageId: p.stages[2]!.id,
      status: "won",
      followers: [alex],
    });
    expect(updated.body.opportunity.updatedAt > opp.updatedAt).toBe(true);
    expect(updated.body.opportunity.lastStatusChangeAt > opp.lastStatusChangeAt).toBe(true);

    const got = await api(`/opportunities/${opp.id}`);
    expect(got.body.opportunity).toMatchObject({ monetaryValue: 655000, status: "won" });
    const search = await api(`/opportunities/search?location_id=${loc()}&contact_id=${contactId}`);
    expect(search.body.meta.total).toBe(1);
  });

  it("matches a seeded opportunity and updates by id", async () => {
    const p = await pipeline();
    const [olivia] = await contactIds();
    const seeded = (await api(`/opportunities/search?location_id=${loc()}&contact_id=${olivia}`)).body
      .opportunities[0];
    const byMatch = await upsert({ pipelineId: p.id, contactId: olivia, name: "Olivia - Buy (renamed)" });
    expect(byMatch.body).toMatchObject({
      new: false,
      opportunity: { id: seeded.id, name: "Olivia - Buy (renamed)" },
    });
    const byId = await upsert({
      id: seeded.id,
      pipelineId: p.id,
      status: "lost",
      lostReasonId: "LostReason0000000001",
    });
    conforms("Upsert-opportunity", byId);
    expect(byId.body).toMatchObject({
      new: false,
      opportunity: { id: seeded.id, status: "lost", lostReasonId: "LostReason0000000001" },
    });
  });

  it("adds, removes and clears followers through upsert", async () => {
    const p = await pipeline();
    const contactId = (await contactIds())[3]!;
    const [alex, jordan, taylor] = await users();
    const base = { pipelineId: p.id, contactId };
    const id = (await upsert({ ...base, followers: [alex, jordan] })).body.opportunity.id;
    const removed = await upsert({ ...base, followers: [alex], followersActionType: "remove" });
    expect(removed.body.opportunity.followers).toEqual([jordan]);
    const replaced = await upsert({ ...base, followers: [taylor], isRemoveAllFollowers: true });
    expect(replaced.body.opportunity).toMatchObject({ id, followers: [taylor] });
  });

  it("refuses what it cannot create or may not touch", async () => {
    const p = await pipeline();
    const noContact = await upsert({ pipelineId: p.id, name: "Nobody" });
    expect(noContact.status).toBe(422);
    conforms("Upsert-opportunity", noContact);
    expect(noContact.body.message).toEqual(["contactId should not be empty"]);
    const unknown = await upsert({ id: "NoSuchOpportunity001", pipelineId: p.id });
    expect(unknown.status).toBe(400);
    conforms("Upsert-opportunity", unknown);
    expect(unknown.body.message).toBe("Opportunity not found");
    const badPipeline = await upsert({
      pipelineId: "NoSuchPipeline000001",
      contactId: (await contactIds())[4],
    });
    expect(badPipeline.status).toBe(400);
    expect(badPipeline.body.message).toBe("Pipeline not found");
    const missingFields = await api("/opportunities/upsert", {
      method: "POST",
      body: { locationId: loc(), pipelineId: p.id },
    });
    expect(missingFields.status).toBe(422);

    const cross = await upsert({ locationId: sb.info.otherLocationId, pipelineId: p.id, contactId: "x" });
    expect(cross.status).toBe(403);
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const seeded = (await api(`/opportunities/search?location_id=${loc()}`)).body.opportunities[0];
    const foreign = await upsert(
      { locationId: sb.info.otherLocationId, id: seeded.id, pipelineId: p.id },
      other,
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toBe("The token does not have access to this location.");
  });
});

describe("opportunity followers", () => {
  it("adds (201) and removes (200) followers, shown by GET", async () => {
    const opp = (await api(`/opportunities/search?location_id=${loc()}`)).body.opportunities[0];
    const [alex, jordan, taylor] = await users();
    const add = await api(`/opportunities/${opp.id}/followers`, {
      method: "POST",
      body: { followers: [alex, jordan, alex] },
    });
    expect(add.status).toBe(201);
    conforms("add-followers-opportunity", add);
    expect(add.body).toMatchObject({ followers: [alex, jordan], followersAdded: [alex, jordan] });
    const more = await api(`/opportunities/${opp.id}/followers`, {
      method: "POST",
      body: { followers: [jordan, taylor] },
    });
    expect(more.body).toMatchObject({ followers: [alex, jordan, taylor], followersAdded: [taylor] });

    const remove = await api(`/opportunities/${opp.id}/followers`, {
      method: "DELETE",
      body: { followers: [jordan] },
    });
    expect(remove.status).toBe(200);
    conforms("remove-followers-opportunity", remove);
    expect(remove.body).toMatchObject({ followers: [alex, taylor], followersRemoved: [jordan] });
    expect((await api(`/opportunities/${opp.id}`)).body.opportunity.followers).toEqual([alex, taylor]);

    const clear = await api(`/opportunities/${opp.id}/followers?isRemoveAllFollowers=true`, {
      method: "DELETE",
      body: { followers: [] },
    });
    conforms("remove-followers-opportunity", clear);
    expect(clear.body).toMatchObject({ followers: [], followersRemoved: [alex, taylor] });
  });

  it("refuses unknown opportunities and another location's token", async () => {
    const missing = await api("/opportunities/NoSuchOpportunity001/followers", {
      method: "POST",
      body: { followers: ["x"] },
    });
    expect(missing.status).toBe(400);
    conforms("add-followers-opportunity", missing);
    const opp = (await api(`/opportunities/search?location_id=${loc()}`)).body.opportunities[0];
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const cross = await api(`/opportunities/${opp.id}/followers`, {
      method: "DELETE",
      token: other,
      body: { followers: ["x"] },
    });
    expect(cross.status).toBe(403);
  });
});
