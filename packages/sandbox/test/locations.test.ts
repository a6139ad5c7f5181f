import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 22 }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const agency = () => sb.info.agencyToken;
const IAM = "This route is not yet supported by the IAM Service";
const names = (r: CallResult) => r.body.locations.map((l: { name: string }) => l.name);

describe("locations", () => {
  it("searches the agency's locations with skip/limit, order and email", async () => {
    const r = await api(`/locations/search?companyId=${sb.info.companyId}`, { token: agency() });
    expect(r.status).toBe(200);
    conforms("search-locations", r);
    expect(names(r)).toEqual(["Demo Realty", "Harbor Homes"]);
    expect(r.body.locations[0]).toMatchObject({
      id: sb.info.locationId,
      city: "San Francisco",
      settings: { allowDuplicateContact: false, allowDuplicateOpportunity: false },
    });
    const second = await api("/locations/search?skip=1&limit=1", { token: agency() });
    expect(names(second)).toEqual(["Harbor Homes"]);
    const desc = await api("/locations/search?order=desc", { token: agency() });
    expect(names(desc)).toEqual(["Harbor Homes", "Demo Realty"]);
    const byEmail = await api("/locations/search?email=HELLO@harbor-homes.example", { token: agency() });
    expect(names(byEmail)).toEqual(["Harbor Homes"]);
    expect((await api("/locations/search?limit=abc", { token: agency() })).status).toBe(422);
    const foreign = await api("/locations/search?companyId=AnotherCompany0000001", { token: agency() });
    expect(foreign.status).toBe(403);
  });

  it("lets a location token find only its own location", async () => {
    const r = await api("/locations/search");
    conforms("search-locations", r);
    expect(names(r)).toEqual(["Demo Realty"]);
  });

  it("reads a location; a location token cannot read another", async () => {
    const r = await api(`/locations/${sb.info.locationId}`);
    expect(r.status).toBe(200);
    conforms("get-location", r);
    expect(r.body.location).toMatchObject({
      id: sb.info.locationId,
      companyId: sb.info.companyId,
      name: "Demo Realty",
      timezone: "America/Los_Angeles",
      business: { name: "Demo Realty", city: "San Francisco" },
    });
    const cross = await api(`/locations/${sb.info.otherLocationId}`);
    expect(cross.status).toBe(403);
    expect(cross.body.message).toBe("The token does not have access to this location.");
    const byAgency = await api(`/locations/${sb.info.otherLocationId}`, { token: agency() });
    expect(byAgency.body.location.name).toBe("Harbor Homes");
  });

  it("creates a location (agency only, 200) that search and get then show", async () => {
    const body = {
      name: "Bayview Estates",
      companyId: sb.info.companyId,
      phone: "+14155550300",
      address: "300 Bay St",
      city: "San Mateo",
      state: "CA",
      country: "US",
      postalCode: "94401",
      timezone: "America/Los_Angeles",
      prospectInfo: { firstName: "Casey", lastName: "Moore", email: "casey@bayview.example" },
      settings: { allowDuplicateContact: true },
    };
    const refused = await api("/locations/", { method: "POST", body });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe(IAM);

    const r = await api("/locations/", { method: "POST", token: agency(), body });
    expect(r.status).toBe(200);
    conforms("create-location", r);
    expect(r.body).toMatchObject({
      name: "Bayview Estates",
      companyId: sb.info.companyId,
      email: "casey@bayview.example",
      settings: { allowDuplicateContact: true, allowDuplicateOpportunity: false },
    });
    const search = await api("/locations/search", { token: agency() });
    expect(names(search)).toEqual(["Demo Realty", "Harbor Homes", "Bayview Estates"]);
    const got = await api(`/locations/${r.body.id}`, { token: agency() });
    conforms("get-location", got);
    expect(got.body.location).toMatchObject({ firstName: "Casey", lastName: "Moore", city: "San Mateo" });
    // The new location counts towards the company.
    const company = await api(`/companies/${sb.info.companyId}`, { token: agency() });
    expect(company.body.company.locationCount).toBe(3);
  });

  it("checks company and snapshot on create", async () => {
    const foreign = await api("/locations/", {
      method: "POST",
      token: agency(),
      body: { name: "Elsewhere", companyId: "AnotherCompany0000001" },
    });
    expect(foreign.status).toBe(403);
    const badSnap = await api("/locations/", {
      method: "POST",
      token: agency(),
      body: { name: "From snapshot", companyId: sb.info.companyId, snapshotId: "NoSuchSnapshot000001" },
    });
    expect(badSnap.status).toBe(400);
    conforms("create-location", badSnap);
    const snaps = await api(`/snapshots/?companyId=${sb.info.companyId}`, { token: agency() });
    const ok = await api("/locations/", {
      method: "POST",
      token: agency(),
      body: { name: "From snapshot", companyId: sb.info.companyId, snapshotId: snaps.body.snapshots[0].id },
    });
    expect(ok.status).toBe(200);
  });
});

describe("location custom fields", () => {
  it("lists contact fields by default, opportunity or all on request", async () => {
    const path = `/locations/${sb.info.locationId}/customFields`;
    const r = await api(path);
    expect(r.status).toBe(200);
    conforms("get-custom-fields", r);
    expect(r.body.customFields.map((f: { fieldKey: string }) => f.fieldKey)).toEqual([
      "contact.estimated_value",
      "contact.property_type",
      "contact.mailing_address",
      "contact.bedrooms",
    ]);
    expect(r.body.customFields[0]).toMatchObject({
      name: "Estimated Value",
      dataType: "MONETORY",
      model: "contact",
    });
    expect(r.body.customFields[1]).toMatchObject({
      name: "Property Type",
      dataType: "SINGLE_OPTIONS",
      picklistOptions: ["Single Family", "Condo", "Townhouse", "Multi-Family", "Land"],
      locationId: sb.info.locationId,
    });
    expect(r.body.customFields[3]).toMatchObject({ name: "Bedrooms", dataType: "NUMERICAL", position: 3 });

    const opp = await api(`${path}?model=opportunity`);
    conforms("get-custom-fields", opp);
    expect(opp.body.customFields).toMatchObject([
      { fieldKey: "opportunity.expected_close_date", model: "opportunity" },
    ]);
    expect((await api(`${path}?model=all`)).body.customFields).toHaveLength(5);
    expect((await api(`${path}?model=deal`)).status).toBe(422);
  });

  it("keeps each location's fields to itself", async () => {
    const cross = await api(`/locations/${sb.info.otherLocationId}/customFields`);
    expect(cross.status).toBe(403);
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const r = await api(`/locations/${sb.info.otherLocationId}/customFields`, { token: other });
    expect(r.body.customFields.map((f: { name: string }) => f.name)).toEqual(["Boat Slip"]);
    // A bearer (location-token) route.
    expect((await api(`/locations/${sb.info.locationId}/customFields`, { token: agency() })).status).toBe(
      401,
    );
  });

  it("updates a picklist's options: the given list first, options left out are kept", async () => {
    const path = `/locations/${sb.info.locationId}/customFields`;
    const fields = (await api(path)).body.customFields as Array<{ id: string; name: string }>;
    const type = fields.find((f) => f.name === "Property Type")!;
    const r = await api(`${path}/${type.id}`, {
      method: "PUT",
      body: {
        name: "Property Type",
        options: ["Single Family", "Condo", "Mobile Home", { label: "Duplex" }],
      },
    });
    expect(r.status).toBe(200);
    conforms("locations:update-custom-field", r);
    expect(r.body.customField.picklistOptions).toEqual([
      "Single Family",
      "Condo",
      "Mobile Home",
      "Duplex",
      "Townhouse",
      "Multi-Family",
      "Land",
    ]);
    expect(
      (await api(path)).body.customFields.find((f: { id: string }) => f.id === type.id).picklistOptions,
    ).toEqual(r.body.customField.picklistOptions);
    const text = fields.find((f) => f.name === "Mailing Address")!;
    const bad = await api(`${path}/${text.id}`, {
      method: "PUT",
      body: { name: "Mailing Address", options: ["x"] },
    });
    expect(bad.status).toBe(400);
    expect((await api(`${path}/nope`, { method: "PUT", body: { name: "X" } })).status).toBe(400);
  });
});

describe("company and snapshots", () => {
  it("reads the agency's company; never another company, never with a location token", async () => {
    const r = await api(`/companies/${sb.info.companyId}`, { token: agency() });
    expect(r.status).toBe(200);
    conforms("get-company", r);
    expect(r.body.company).toMatchObject({
      id: sb.info.companyId,
      name: "Demo Agency",
      email: "owner@demo-agency.example",
      currency: "USD",
      locationCount: 2,
    });
    expect(r.body.company).not.toHaveProperty("seed");
    const foreign = await api("/companies/AnotherCompany0000001", { token: agency() });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toBe("The token does not have access to this company.");
    const byLocation = await api(`/companies/${sb.info.companyId}`);
    expect(byLocation.status).toBe(401);
    expect(byLocation.body.message).toBe(IAM);
  });

  it("lists the agency's snapshots", async () => {
    const r = await api(`/snapshots/?companyId=${sb.info.companyId}`, { token: agency() });
    expect(r.status).toBe(200);
    conforms("get-custom-snapshots", r);
    expect(r.body.snapshots).toEqual([
      { id: expect.stringMatching(/^[A-Za-z0-9]{20}$/), name: "Real Estate Starter", type: "own" },
    ]);
    expect((await api(`/snapshots/?companyId=${sb.info.companyId}`)).status).toBe(401);
    expect((await api("/snapshots/?companyId=AnotherCompany0000001", { token: agency() })).status).toBe(403);
  });

  it("seeds the same ids for the same seed", async () => {
    const a = (await api(`/snapshots/?companyId=${sb.info.companyId}`, { token: agency() })).body.snapshots[0]
      .id;
    const fields = (await api(`/locations/${sb.info.locationId}/customFields`)).body.customFields;
    sb.reset();
    expect(
      (await api(`/snapshots/?companyId=${sb.info.companyId}`, { token: agency() })).body.snapshots[0].id,
    ).toBe(a);
    expect((await api(`/locations/${sb.info.locationId}/customFields`)).body.customFields).toEqual(fields);
  });
});

describe("creating location custom fields", () => {
  it("creates a field once, lists it, and refuses a second one with the same name", async () => {
    const { startSandbox } = await import("../src/index.ts");
    const { validateResponse } = await import("../src/spec/index.ts");
    const sb = await startSandbox({ port: 0, seed: 9 });
    try {
      const call = (method: string, path: string, body?: unknown) =>
        fetch(`${sb.info.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${sb.info.locationToken}`,
            version: "2021-07-28",
            ...(body ? { "content-type": "application/json" } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
      const path = `/locations/${sb.info.locationId}/customFields`;
      const created = await call("POST", path, {
        name: "Loan Balance",
        dataType: "MONETORY",
        model: "contact",
      });
      expect(created.status).toBe(201);
      const body = (await created.json()) as { customField: { id: string } };
      expect(validateResponse("locations:create-custom-field", 201, body).errors).toEqual([]);
      expect(body.customField).toMatchObject({
        name: "Loan Balance",
        fieldKey: "contact.loan_balance",
        dataType: "MONETORY",
      });
      const list = (await (await call("GET", `${path}?model=contact`)).json()) as {
        customFields: Array<{ id: string }>;
      };
      expect(list.customFields.some((f) => f.id === body.customField.id)).toBe(true);
      expect((await call("POST", path, { name: "loan balance", dataType: "TEXT" })).status).toBe(400);
    } finally {
      await sb.close();
    }
  });
});
