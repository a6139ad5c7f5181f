import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/index.ts";
import { type Api, type Clock, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
let clock: Clock;

beforeAll(async () => {
  clock = manualClock();
  ({ sb, api } = await start({ now: clock.now, accessTokenTtlSeconds: 60 }));
});
afterAll(() => sb.close());

const contactsPath = () => `/contacts/?locationId=${sb.info.locationId}`;

describe("bearer tokens", () => {
  it("answers 401 Invalid JWT for an unknown or missing token", async () => {
    for (const token of ["not-a-token", null]) {
      const r = await api(contactsPath(), { token });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ statusCode: 401, message: "Invalid JWT", error: "Unauthorized" });
      expect(typeof r.body.traceId).toBe("string");
      expect(r.headers.get("traceid")).toBe(r.body.traceId);
    }
  });

  it("answers 401 once an OAuth access token has expired", async () => {
    const token = sb.createToken({ kind: "oauth", expiresInSeconds: 60 });
    expect((await api(contactsPath(), { token })).status).toBe(200);
    clock.advance(60_000);
    expect((await api(contactsPath(), { token })).body.message).toBe("Invalid JWT");
  });

  it("refuses a location token on an agency-only operation, and an agency token on a location one", async () => {
    const r = await api(`/oauth/installedLocations?companyId=${sb.info.companyId}&appId=${sb.info.appId}`);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ message: "This route is not yet supported by the IAM Service" });
    const a = await api(contactsPath(), { token: sb.info.agencyToken });
    expect(a.status).toBe(401);
    expect(a.body.message).toBe("This route is not yet supported by the IAM Service");
  });

  it("answers 401 when the token lacks the operation's scope", async () => {
    const token = sb.createToken({ scopes: ["contacts.readonly"] });
    expect((await api(contactsPath(), { token })).status).toBe(200);
    const r = await api("/contacts/", {
      token,
      method: "POST",
      body: { locationId: sb.info.locationId, firstName: "X" },
    });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ statusCode: 401, message: "The token is not authorized for this scope." });
  });

  it("accepts an agency token on operations that take one", async () => {
    const r = await api(`/oauth/installedLocations?companyId=${sb.info.companyId}&appId=${sb.info.appId}`, {
      token: sb.info.agencyToken,
    });
    expect(r.status).toBe(200);
    expect(r.body.locations.map((l: { _id: string }) => l._id).sort()).toEqual(
      [sb.info.locationId, sb.info.otherLocationId].sort(),
    );
  });
});

describe("location access", () => {
  it("answers 403 for another location named in the query, the body or the path", async () => {
    const other = sb.info.otherLocationId;
    const q = await api(`/contacts/?locationId=${other}`);
    expect(q.status).toBe(403);
    expect(q.body).toMatchObject({
      statusCode: 403,
      message: "The token does not have access to this location.",
    });
    const b = await api("/contacts/", { method: "POST", body: { locationId: other, firstName: "X" } });
    expect(b.status).toBe(403);
    const p = await api(`/locations/${other}/customFields`);
    expect(p.status).toBe(403);
  });

  it("answers 403 for a resource that belongs to another location", async () => {
    const otherToken = sb.createToken({ locationId: sb.info.otherLocationId });
    const mine = await api(`/contacts/?locationId=${sb.info.locationId}&limit=1`);
    const id = mine.body.contacts[0].id;
    const r = await api(`/contacts/${id}`, { token: otherToken });
    expect(r.status).toBe(403);
    expect(r.body.message).toBe("The token does not have access to this location.");
  });

  it("lets an agency token act on its own company's locations only", async () => {
    const minted = await api("/oauth/locationToken", {
      token: sb.info.agencyToken,
      method: "POST",
      body: `companyId=${sb.info.companyId}&locationId=not-ours`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(minted.status).toBe(403);
  });
});

describe("request checks", () => {
  it("requires a Version header and accepts any date", async () => {
    const missing = await api(contactsPath(), { version: null });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ statusCode: 400, message: "version header was not found" });
    expect((await api(contactsPath(), { version: "2023-02-21" })).status).toBe(200);
    expect((await api(contactsPath(), { version: "v3" })).status).toBe(400);
  });

  it("answers 422 with one message per problem", async () => {
    const r = await api("/contacts/", { method: "POST", body: { email: 42, tags: "vip" } });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ statusCode: 422, error: "Unprocessable Entity" });
    expect(r.body.message).toEqual([
      "locationId should not be empty",
      "email must be a string",
      "tags must be an array",
    ]);
    const q = await api("/contacts/");
    expect(q.body.message).toEqual(["locationId should not be empty"]);
  });

  it("treats a JSON body sent without a JSON content type as empty", async () => {
    const r = await api("/contacts/", {
      method: "POST",
      body: JSON.stringify({ locationId: sb.info.locationId }),
      headers: { "content-type": "text/plain" },
    });
    expect(r.status).toBe(422);
  });

  it("answers 400 for malformed JSON", async () => {
    const r = await api("/contacts/", { method: "POST", body: "{nope" });
    expect(r.status).toBe(400);
    expect(r.body.statusCode).toBe(400);
  });

  it("answers 501 after auth and validation for operations without a handler", async () => {
    const r = await api(
      `/calendars/schedules/search?locationId=${sb.info.locationId}&userId=${sb.info.userId}`,
    );
    expect(r.status).toBe(501);
    expect(r.body).toMatchObject({
      statusCode: 501,
      message: "getAllSchedules is not emulated by the sandbox yet",
    });
    expect((await api("/calendars/schedules/search", { token: "bad" })).status).toBe(401);
    expect((await api("/calendars/schedules/search")).status).toBe(422);
  });

  it("answers 404 for unknown routes", async () => {
    const r = await api("/no/such/route");
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ statusCode: 404, message: "Cannot GET /no/such/route" });
  });
});
