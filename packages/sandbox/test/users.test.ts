import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 21 }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const agency = () => sb.info.agencyToken;
const company = () => sb.info.companyId;
const names = (r: CallResult) => r.body.users.map((u: { name: string }) => u.name);

function search(params: string, token: string = agency()) {
  return api(`/users/search?companyId=${company()}${params}`, { token });
}

const newUserBody = (over: Record<string, unknown> = {}) => ({
  companyId: company(),
  firstName: "Riley",
  lastName: "Stone",
  email: "riley.stone@demo-realty.example",
  password: "S3cret!pass",
  type: "account",
  role: "user",
  locationIds: [sb.info.locationId],
  ...over,
});

describe("users: search", () => {
  it("lists the company's seeded users with their roles, sorted by name", async () => {
    const r = await search("");
    expect(r.status).toBe(200);
    conforms("search-users", r);
    expect(r.body.count).toBe(4);
    expect(names(r)).toEqual(["Alex Agent", "Jordan Blake", "Sam Rivera", "Taylor Nguyen"]);
    const alex = r.body.users[0];
    expect(alex).toMatchObject({
      id: sb.info.userId,
      roles: { type: "agency", role: "admin", locationIds: [sb.info.locationId, sb.info.otherLocationId] },
      deleted: false,
    });
    // Permission defaults come from the spec; seeded overrides are kept.
    expect(alex.permissions.campaignsEnabled).toBe(true);
    expect(alex.permissions.websitesEnabled).toBe(false);
    const taylor = r.body.users[3];
    expect(taylor.roles).toMatchObject({ type: "account", role: "user" });
    expect(taylor.permissions).toMatchObject({ settingsEnabled: false, assignedDataOnly: true });
  });

  it("filters by location, type, role, ids and text", async () => {
    expect(names(await search(`&locationId=${sb.info.locationId}`))).toEqual([
      "Alex Agent",
      "Jordan Blake",
      "Taylor Nguyen",
    ]);
    expect(names(await search("&role=admin"))).toEqual(["Alex Agent", "Jordan Blake"]);
    expect(names(await search("&type=agency"))).toEqual(["Alex Agent"]);
    expect(names(await search("&query=BLAKE"))).toEqual(["Jordan Blake"]);
    expect(names(await search("&query=harbor-homes"))).toEqual(["Sam Rivera"]);
    const all = (await search("")).body.users as Array<{ id: string }>;
    const r = await search(`&ids=${all[1]!.id},${all[2]!.id}`);
    expect(r.body.count).toBe(2);
    expect(names(r)).toEqual(["Jordan Blake", "Sam Rivera"]);
  });

  it("pages with skip/limit and sorts by dateAdded in either direction", async () => {
    const p1 = await search("&limit=3");
    const p2 = await search("&limit=3&skip=3");
    expect(p1.body.users).toHaveLength(3);
    expect(p2.body.users).toHaveLength(1);
    expect(p1.body.count).toBe(4);
    expect(p2.body.count).toBe(4);
    expect([...names(p1), ...names(p2)]).toEqual(names(await search("")));
    const desc = await search("&sort=dateAdded&sortDirection=desc");
    expect(names(desc)).toEqual(["Sam Rivera", "Taylor Nguyen", "Jordan Blake", "Alex Agent"]);
    expect((await search("&limit=0")).status).toBe(422);
    expect((await search("&skip=-1")).status).toBe(422);
  });

  it("gives a location token only its own location's users", async () => {
    const r = await search("", sb.info.locationToken);
    conforms("search-users", r);
    expect(names(r)).toEqual(["Alex Agent", "Jordan Blake", "Taylor Nguyen"]);
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    expect(names(await search("", other))).toEqual(["Alex Agent", "Sam Rivera"]);
    const cross = await search(`&locationId=${sb.info.otherLocationId}`, sb.info.locationToken);
    expect(cross.status).toBe(403);
    const foreign = await api("/users/search?companyId=AnotherCompany0000001", { token: agency() });
    expect(foreign.status).toBe(403);
    expect(foreign.body.message).toBe("The token does not have access to this company.");
  });

  it("filters by email for agencies only, with projection and the deleted flag", async () => {
    const body = {
      companyId: company(),
      emails: "JORDAN.BLAKE@demo-realty.example, sam.rivera@harbor-homes.example,nobody@x.example",
    };
    const r = await api("/users/search/filter-by-email", { method: "POST", token: agency(), body });
    expect(r.status).toBe(200);
    conforms("filter-users-by-email", r);
    expect(r.body.count).toBe(2);
    // Without projection only id and email come back.
    expect(Object.keys(r.body.users[0]).sort()).toEqual(["email", "id"]);

    const full = await api("/users/search/filter-by-email", {
      method: "POST",
      token: agency(),
      body: { ...body, projection: "all", limit: "1" },
    });
    conforms("filter-users-by-email", full);
    expect(full.body.count).toBe(2);
    expect(full.body.users).toHaveLength(1);
    expect(full.body.users[0]).toMatchObject({ name: "Jordan Blake", roles: { role: "admin" } });

    const some = await api("/users/search/filter-by-email", {
      method: "POST",
      token: agency(),
      body: { ...body, projection: "firstName,roles" },
    });
    expect(Object.keys(some.body.users[0]).sort()).toEqual(["firstName", "id", "roles"]);

    const refused = await api("/users/search/filter-by-email", { method: "POST", body });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe("This route is not yet supported by the IAM Service");
  });
});

describe("users: read and write", () => {
  it("reads one user; a location token cannot see another location's user", async () => {
    const all = (await search("")).body.users as Array<{ id: string; name: string }>;
    const sam = all.find((u) => u.name === "Sam Rivera")!;
    const r = await api(`/users/${sb.info.userId}`, { token: agency() });
    expect(r.status).toBe(200);
    conforms("get-user", r);
    expect(r.body).toMatchObject({
      id: sb.info.userId,
      firstName: "Alex",
      email: "alex@demo-agency.example",
    });
    expect(r.body).not.toHaveProperty("deleted");

    expect((await api(`/users/${sam.id}`, { token: agency() })).status).toBe(200);
    const cross = await api(`/users/${sam.id}`);
    expect(cross.status).toBe(403);
    expect(cross.body.message).toBe("The token does not have access to this location.");
    const missing = await api("/users/NoSuchUser0000000001");
    expect(missing.status).toBe(400);
    conforms("get-user", missing);
    expect(missing.body).toMatchObject({ statusCode: 400, message: "User not found" });
  });

  it("lists a location's users with the deprecated GET /users/ (location tokens only)", async () => {
    const r = await api(`/users/?locationId=${sb.info.locationId}`);
    expect(r.status).toBe(200);
    conforms("get-user-by-location", r);
    expect(names(r)).toEqual(["Alex Agent", "Jordan Blake", "Taylor Nguyen"]);
    expect((await api(`/users/?locationId=${sb.info.otherLocationId}`)).status).toBe(403);
    const byAgency = await api(`/users/?locationId=${sb.info.locationId}`, { token: agency() });
    expect(byAgency.status).toBe(401);
  });

  it("creates a user (201) that search then finds", async () => {
    const r = await api("/users/", { method: "POST", body: newUserBody() });
    expect(r.status).toBe(201);
    conforms("create-user", r);
    expect(r.body).toMatchObject({
      name: "Riley Stone",
      email: "riley.stone@demo-realty.example",
      roles: { type: "account", role: "user", locationIds: [sb.info.locationId] },
    });
    expect(r.body).not.toHaveProperty("password");
    expect(r.body.id).toMatch(/^[A-Za-z0-9]{20}$/);
    const found = await search("&query=riley");
    expect(found.body.users.map((u: { id: string }) => u.id)).toEqual([r.body.id]);
    expect((await search("")).body.count).toBe(5);
  });

  it("refuses duplicate emails, unknown roles and other locations on create", async () => {
    const dup = await api("/users/", {
      method: "POST",
      body: newUserBody({ email: "Jordan.Blake@demo-realty.example" }),
    });
    expect(dup.status).toBe(400);
    conforms("create-user", dup);
    const badRole = await api("/users/", { method: "POST", body: newUserBody({ role: "owner" }) });
    expect(badRole.status).toBe(422);
    expect(badRole.body.message).toEqual(["role must be one of the following values: admin, user"]);
    const cross = await api("/users/", {
      method: "POST",
      body: newUserBody({ locationIds: [sb.info.otherLocationId] }),
    });
    expect(cross.status).toBe(403);
    // The agency may place a user in any of its locations.
    const byAgency = await api("/users/", {
      method: "POST",
      token: agency(),
      body: newUserBody({ locationIds: [sb.info.otherLocationId] }),
    });
    expect(byAgency.status).toBe(201);
    expect((await search("&query=riley", sb.info.locationToken)).body.count).toBe(0);
  });

  it("updates a user: names, role, locations and merged permissions", async () => {
    const created = (await api("/users/", { method: "POST", body: newUserBody() })).body;
    const r = await api(`/users/${created.id}`, {
      method: "PUT",
      token: agency(),
      body: {
        lastName: "Stone-Hale",
        role: "admin",
        locationIds: [sb.info.locationId, sb.info.otherLocationId],
        permissions: { workflowsEnabled: false },
      },
    });
    expect(r.status).toBe(200);
    conforms("update-user", r);
    expect(r.body).toMatchObject({
      name: "Riley Stone-Hale",
      roles: { role: "admin", locationIds: [sb.info.locationId, sb.info.otherLocationId] },
      permissions: { workflowsEnabled: false, campaignsEnabled: true },
    });
    const got = await api(`/users/${created.id}`);
    expect(got.body.lastName).toBe("Stone-Hale");
    // A location token may not move a user into another location.
    const cross = await api(`/users/${created.id}`, {
      method: "PUT",
      body: { locationIds: [sb.info.otherLocationId] },
    });
    expect(cross.status).toBe(403);
  });

  it("deletes a user softly: gone from reads, still found with deleted: true", async () => {
    const created = (await api("/users/", { method: "POST", body: newUserBody() })).body;
    const r = await api(`/users/${created.id}`, { method: "DELETE" });
    expect(r.status).toBe(200);
    conforms("delete-user", r);
    expect(r.body).toEqual({
      succeded: true,
      message:
        "Queued deleting user with e-mail riley.stone@demo-realty.example and name Riley Stone. Will take effect in a few minutes.",
      traceId: expect.any(String),
    });
    expect((await api(`/users/${created.id}`)).status).toBe(400);
    expect((await search("")).body.count).toBe(4);
    const deleted = await api("/users/search/filter-by-email", {
      method: "POST",
      token: agency(),
      body: { companyId: company(), emails: created.email, deleted: true, projection: "all" },
    });
    expect(deleted.body.users).toMatchObject([{ id: created.id, deleted: true }]);
    // The email is free again once its user is deleted.
    expect((await api("/users/", { method: "POST", body: newUserBody() })).status).toBe(201);
  });
});
