import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 24 }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const loc = () => sb.info.locationId;

async function contacts(): Promise<Array<{ id: string; firstName: string }>> {
  return (await api(`/contacts/?locationId=${loc()}`)).body.contacts;
}
async function userIds(): Promise<string[]> {
  const r = await api(`/users/?locationId=${loc()}`);
  return r.body.users.map((u: { id: string }) => u.id);
}
async function businesses(): Promise<Array<{ id: string; name: string }>> {
  return (await api(`/businesses/?locationId=${loc()}`)).body.businesses;
}

describe("contact followers", () => {
  it("adds followers (201) and shows them on the contact", async () => {
    const [c] = await contacts();
    const [alex, jordan, taylor] = await userIds();
    const r = await api(`/contacts/${c!.id}/followers`, {
      method: "POST",
      body: { followers: [alex, jordan] },
    });
    expect(r.status).toBe(201);
    conforms("add-followers-contact", r);
    expect(r.body).toMatchObject({ followers: [alex, jordan], followersAdded: [alex, jordan] });

    const again = await api(`/contacts/${c!.id}/followers`, {
      method: "POST",
      body: { followers: [jordan, taylor, taylor] },
    });
    expect(again.body).toMatchObject({ followers: [alex, jordan, taylor], followersAdded: [taylor] });

    const got = await api(`/contacts/${c!.id}`);
    conforms("get-contact", got);
    expect(got.body.contact.followers).toEqual([alex, jordan, taylor]);
  });

  it("removes followers with a JSON body on DELETE", async () => {
    const [c] = await contacts();
    const [alex, jordan] = await userIds();
    await api(`/contacts/${c!.id}/followers`, { method: "POST", body: { followers: [alex, jordan] } });
    const r = await api(`/contacts/${c!.id}/followers`, {
      method: "DELETE",
      body: { followers: [alex, "NotAFollower00000001"] },
    });
    expect(r.status).toBe(200);
    conforms("remove-followers-contact", r);
    expect(r.body).toMatchObject({ followers: [jordan], followersRemoved: [alex] });
    expect((await api(`/contacts/${c!.id}`)).body.contact.followers).toEqual([jordan]);

    const noBody = await api(`/contacts/${c!.id}/followers`, { method: "DELETE" });
    expect(noBody.status).toBe(422);
  });

  it("refuses another location's contact and unknown contacts", async () => {
    const [c] = await contacts();
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const cross = await api(`/contacts/${c!.id}/followers`, {
      method: "POST",
      token: other,
      body: { followers: ["x"] },
    });
    expect(cross.status).toBe(403);
    expect(cross.body.message).toBe("The token does not have access to this location.");
    const missing = await api("/contacts/NoSuchContact0000001/followers", {
      method: "POST",
      body: { followers: ["x"] },
    });
    expect(missing.status).toBe(400);
    conforms("add-followers-contact", missing);
    expect((await api(`/contacts/${c!.id}`)).body.contact.followers).toEqual([]);
  });
});

describe("contacts and businesses", () => {
  it("links contacts to a business in bulk, lists them, and unlinks them", async () => {
    const all = await contacts();
    const [title] = await businesses();
    const harper = (
      await api(`/contacts/?locationId=${sb.info.otherLocationId}`, {
        token: sb.createToken({ locationId: sb.info.otherLocationId }),
      })
    ).body.contacts[0].id as string;
    const link = await api("/contacts/bulk/business", {
      method: "POST",
      body: { locationId: loc(), ids: [all[0]!.id, all[2]!.id, all[3]!.id, harper], businessId: title!.id },
    });
    expect(link.status).toBe(200);
    conforms("add-remove-contact-from-business", link);
    // The other location's contact is skipped.
    expect(link.body).toMatchObject({ success: true, ids: [all[0]!.id, all[2]!.id, all[3]!.id] });
    expect((await api(`/contacts/${all[0]!.id}`)).body.contact.businessId).toBe(title!.id);

    const list = await api(`/contacts/business/${title!.id}?locationId=${loc()}`);
    expect(list.status).toBe(200);
    conforms("get-contacts-by-businessId", list);
    expect(list.body.count).toBe(3);
    expect(list.body.contacts.map((c: { id: string }) => c.id)).toEqual([all[0]!.id, all[2]!.id, all[3]!.id]);

    const page = await api(`/contacts/business/${title!.id}?locationId=${loc()}&skip=1&limit=1`);
    expect(page.body.contacts.map((c: { id: string }) => c.id)).toEqual([all[2]!.id]);
    expect(page.body.count).toBe(3);
    const text = await api(`/contacts/business/${title!.id}?locationId=${loc()}&query=${all[3]!.firstName}`);
    expect(text.body.contacts.map((c: { id: string }) => c.id)).toEqual([all[3]!.id]);

    const unlink = await api("/contacts/bulk/business", {
      method: "POST",
      body: { locationId: loc(), ids: [all[0]!.id], businessId: null },
    });
    conforms("add-remove-contact-from-business", unlink);
    expect(unlink.body.ids).toEqual([all[0]!.id]);
    expect((await api(`/contacts/${all[0]!.id}`)).body.contact).not.toHaveProperty("businessId");
    expect((await api(`/contacts/business/${title!.id}?locationId=${loc()}`)).body.count).toBe(2);
  });

  it("refuses unknown businesses and another location", async () => {
    const [c] = await contacts();
    const missing = await api("/contacts/bulk/business", {
      method: "POST",
      body: { locationId: loc(), ids: [c!.id], businessId: "NoSuchBusiness000001" },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe("Business not found");
    const list = await api(`/contacts/business/NoSuchBusiness000001?locationId=${loc()}`);
    expect(list.status).toBe(400);
    conforms("get-contacts-by-businessId", list);

    const [title] = await businesses();
    const cross = await api(`/contacts/business/${title!.id}?locationId=${sb.info.otherLocationId}`);
    expect(cross.status).toBe(403);
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const foreign = await api(`/contacts/business/${title!.id}?locationId=${sb.info.otherLocationId}`, {
      token: other,
    });
    expect(foreign.status).toBe(403);
    const bulkCross = await api("/contacts/bulk/business", {
      method: "POST",
      body: { locationId: sb.info.otherLocationId, ids: [c!.id], businessId: null },
    });
    expect(bulkCross.status).toBe(403);
  });
});
