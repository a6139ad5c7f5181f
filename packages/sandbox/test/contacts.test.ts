import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 7 }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

/** The answer must match the official response schema of its status. */
function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const loc = () => sb.info.locationId;

async function createContact(body: Record<string, unknown>) {
  const r = await api("/contacts/", { method: "POST", body: { locationId: loc(), ...body } });
  expect(r.status).toBe(201);
  conforms("create-contact", r);
  return r.body.contact;
}

describe("contacts", () => {
  it("seeds Demo Realty with five contacts, a task and a note", async () => {
    const r = await api(`/contacts/?locationId=${loc()}`);
    conforms("get-contacts", r);
    expect(r.body.contacts).toHaveLength(5);
    const first = r.body.contacts[0];
    expect((await api(`/contacts/${first.id}/tasks`)).body.tasks).toHaveLength(1);
    expect((await api(`/contacts/${first.id}/notes`)).body.notes).toHaveLength(1);
  });

  it("creates, reads, updates and deletes a contact", async () => {
    const c = await createContact({
      firstName: "Mia",
      lastName: "Lopez",
      email: "Mia.Lopez@Example.com",
      phone: "(415) 555-0199",
      tags: ["  Buyer ", "VIP", "vip"],
      customFields: [{ id: "budgetField000000001", field_value: "900k" }],
      dndSettings: { SMS: { status: "active" } },
    });
    expect(c).toMatchObject({
      firstName: "Mia",
      email: "Mia.Lopez@Example.com",
      emailLowerCase: "mia.lopez@example.com",
      phone: "+14155550199",
      tags: ["buyer", "vip"],
      locationId: loc(),
    });
    expect(c.id).toMatch(/^[A-Za-z0-9]{20}$/);

    const got = await api(`/contacts/${c.id}`);
    conforms("get-contact", got);
    expect(got.body.contact).toMatchObject({
      id: c.id,
      name: "Mia Lopez",
      customFields: [{ id: "budgetField000000001", value: "900k" }],
    });

    const upd = await api(`/contacts/${c.id}`, {
      method: "PUT",
      body: { lastName: "Lopez-Ruiz", tags: ["Seller"] },
    });
    expect(upd.status).toBe(200);
    conforms("update-contact", upd);
    expect(upd.body).toMatchObject({ succeded: true, contact: { lastName: "Lopez-Ruiz", tags: ["seller"] } });

    const del = await api(`/contacts/${c.id}`, { method: "DELETE" });
    conforms("delete-contact", del);
    expect(del.body).toMatchObject({ succeded: true });
    const gone = await api(`/contacts/${c.id}`);
    expect(gone.status).toBe(400);
    expect(gone.body.message).toBe("Contact not found");
  });

  it("refuses a duplicate email or phone unless the location allows duplicates", async () => {
    const seeded = (await api(`/contacts/?locationId=${loc()}&limit=1`)).body.contacts[0];
    const byEmail = await api("/contacts/", {
      method: "POST",
      body: { locationId: loc(), firstName: "Dup", email: seeded.email.toUpperCase() },
    });
    expect(byEmail.status).toBe(400);
    expect(byEmail.body).toMatchObject({
      statusCode: 400,
      message: "This location does not allow duplicated contacts.",
      meta: { contactId: seeded.id, matchingField: "email" },
    });
    const byPhone = await api("/contacts/", {
      method: "POST",
      body: { locationId: loc(), phone: seeded.phone },
    });
    expect(byPhone.body.meta).toMatchObject({ contactId: seeded.id, matchingField: "phone" });

    const s = await fetch(`${sb.info.baseUrl}/__sandbox/settings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ allowDuplicateContact: true }),
    });
    expect(await s.json()).toMatchObject({ settings: { allowDuplicateContact: true } });
    await createContact({ firstName: "Dup", email: seeded.email });
  });

  it("upserts: matches email first, then phone, and replaces tags", async () => {
    const a = await createContact({ firstName: "Ann", email: "ann@example.com", tags: ["one", "two"] });
    const b = await createContact({ firstName: "Ben", phone: "+14155550177" });

    const byEmail = await api("/contacts/upsert", {
      method: "POST",
      body: { locationId: loc(), email: "ANN@example.com", tags: ["Three"] },
    });
    expect(byEmail.status).toBe(200);
    conforms("upsert-contact", byEmail);
    expect(byEmail.body).toMatchObject({ new: false, contact: { id: a.id, tags: ["three"] } });
    expect(typeof byEmail.body.traceId).toBe("string");

    const byPhone = await api("/contacts/upsert", {
      method: "POST",
      body: { locationId: loc(), phone: "4155550177", city: "Napa" },
    });
    expect(byPhone.body).toMatchObject({ new: false, contact: { id: b.id, city: "Napa" } });

    const fresh = await api("/contacts/upsert", {
      method: "POST",
      body: { locationId: loc(), email: "new@example.com" },
    });
    expect(fresh.body.new).toBe(true);
    expect(fresh.body.contact.id).not.toBe(a.id);
  });

  it("finds the duplicate an upsert would match", async () => {
    const a = await createContact({ firstName: "Cy", email: "cy@example.com", phone: "+14155550166" });
    const r = await api(`/contacts/search/duplicate?locationId=${loc()}&email=CY@example.com`);
    expect(r.status).toBe(200);
    expect(r.body.contact.id).toBe(a.id);
    const byNumber = await api(`/contacts/search/duplicate?locationId=${loc()}&number=%2B14155550166`);
    expect(byNumber.body.contact.id).toBe(a.id);
    const none = await api(`/contacts/search/duplicate?locationId=${loc()}&email=nobody@example.com`);
    expect(none.body.contact).toBeNull();
  });

  it("adds and removes tags, lowercased and trimmed", async () => {
    const c = await createContact({ firstName: "Tag", tags: ["existing"] });
    const add = await api(`/contacts/${c.id}/tags`, {
      method: "POST",
      body: { tags: [" New Tag ", "EXISTING"] },
    });
    expect(add.status).toBe(201);
    conforms("add-tags", add);
    expect(add.body.tags).toEqual(["existing", "new tag"]);
    const rm = await api(`/contacts/${c.id}/tags`, { method: "DELETE", body: { tags: ["Existing"] } });
    conforms("remove-tags", rm);
    expect(rm.body.tags).toEqual(["new tag"]);
  });

  it("updates tags in bulk, reporting each contact", async () => {
    const c1 = await createContact({ firstName: "B1", tags: ["keep"] });
    const c2 = await createContact({ firstName: "B2" });
    const otherContact = "ZZZZZZZZZZZZZZZZZZZZ";
    const add = await api("/contacts/bulk/tags/update/add", {
      method: "POST",
      body: { locationId: loc(), contacts: [c1.id, c2.id, "bad", otherContact], tags: ["Bulk"] },
    });
    expect(add.status).toBe(201);
    conforms("contacts:create-association", add);
    expect(add.body.errorCount).toBe(2);
    expect(add.body.responses[0]).toMatchObject({
      contactId: c1.id,
      type: "success",
      oldTags: ["keep"],
      tagsAdded: ["bulk"],
    });
    expect(add.body.responses[2]).toMatchObject({
      type: "error",
      message: "contact id is not a valid firebase id",
    });
    expect((await api(`/contacts/${c2.id}`)).body.contact.tags).toEqual(["bulk"]);

    const rm = await api("/contacts/bulk/tags/update/remove", {
      method: "POST",
      body: { locationId: loc(), contacts: [c1.id], tags: [], removeAllTags: true },
    });
    expect(rm.body.responses[0]).toMatchObject({ tagsRemoved: ["keep", "bulk"] });
    expect((await api("/contacts/bulk/tags/update/toggle", { method: "POST", body: {} })).status).toBe(422);
  });

  it("manages a contact's tasks", async () => {
    const c = await createContact({ firstName: "Tasked" });
    const base = `/contacts/${c.id}/tasks`;
    const created = await api(base, {
      method: "POST",
      body: { title: "Call", dueDate: "2025-07-01T10:00:00Z", completed: false, body: "ring them" },
    });
    expect(created.status).toBe(201);
    conforms("create-task", created);
    const id = created.body.task.id;
    conforms("get-all-tasks", await api(base));
    conforms("get-task", await api(`${base}/${id}`));
    const upd = await api(`${base}/${id}`, { method: "PUT", body: { title: "Call back" } });
    conforms("update-task", upd);
    expect(upd.body.task).toMatchObject({ title: "Call back", completed: false });
    const done = await api(`${base}/${id}/completed`, { method: "PUT", body: { completed: true } });
    conforms("update-task-completed", done);
    expect(done.body.task.completed).toBe(true);
    const del = await api(`${base}/${id}`, { method: "DELETE" });
    conforms("delete-task", del);
    expect((await api(base)).body.tasks).toEqual([]);
    expect((await api(base, { method: "POST", body: { title: "x" } })).body.message).toEqual([
      "dueDate should not be empty",
      "completed should not be empty",
    ]);
  });

  it("manages a contact's notes", async () => {
    const c = await createContact({ firstName: "Noted" });
    const base = `/contacts/${c.id}/notes`;
    const created = await api(base, { method: "POST", body: { body: "first" } });
    expect(created.status).toBe(201);
    conforms("create-note", created);
    const id = created.body.note.id;
    await api(base, { method: "POST", body: { body: "second" } });
    const list = await api(base);
    conforms("get-all-notes", list);
    expect(list.body.notes.map((n: { body: string }) => n.body)).toEqual(["second", "first"]);
    conforms("get-note", await api(`${base}/${id}`));
    const upd = await api(`${base}/${id}`, { method: "PUT", body: { body: "edited", pinned: true } });
    conforms("update-note", upd);
    expect(upd.body.note).toMatchObject({ body: "edited", pinned: true });
    conforms("delete-note", await api(`${base}/${id}`, { method: "DELETE" }));
    expect((await api(`${base}/${id}`)).status).toBe(400);
  });
});

describe("contact search", () => {
  it("filters with operators and nested groups", async () => {
    await createContact({ firstName: "Zed", email: "zed@acme.io", tags: ["lead"], city: "Reno" });
    await createContact({ firstName: "Yan", email: "yan@acme.io", tags: ["client"], city: "Reno" });
    await createContact({ firstName: "Xia", email: "xia@other.io", tags: ["lead"] });
    const search = (body: Record<string, unknown>) =>
      api("/contacts/search", { method: "POST", body: { locationId: loc(), pageLimit: 50, ...body } });
    const names = (r: CallResult) => r.body.contacts.map((c: { firstName: string }) => c.firstName).sort();

    const r = await search({
      filters: [
        { field: "email", operator: "contains", value: "acme" },
        {
          group: "OR",
          filters: [
            { field: "tags", operator: "eq", value: "lead" },
            { field: "firstName", operator: "eq", value: "yan" },
          ],
        },
      ],
    });
    expect(r.status).toBe(200);
    expect(names(r)).toEqual(["Yan", "Zed"]);
    expect(r.body.total).toBe(2);
    expect(
      names(
        await search({
          filters: [
            { field: "city", operator: "exists" },
            { field: "city", operator: "not_eq", value: "reno" },
          ],
        }),
      ),
    ).toEqual(["Ava", "Emma", "Liam", "Noah", "Olivia"]);
    expect(
      names(await search({ filters: [{ field: "tags", operator: "not_contains", value: "e" }] })),
    ).toContain("Emma");
    expect((await search({ query: "xia" })).body.total).toBe(1);
    const ranged = await search({
      filters: [{ field: "dateAdded", operator: "range", value: { lt: "2024-01-15T11:30:00Z" } }],
    });
    expect(names(ranged)).toEqual(["Liam", "Olivia"]);
  });

  it("refuses pages beyond 10,000 records and bad filters with 422", async () => {
    const deep = await api("/contacts/search", {
      method: "POST",
      body: { locationId: loc(), page: 21, pageLimit: 500 },
    });
    expect(deep.status).toBe(422);
    expect(deep.body.message[0]).toMatch(/searchAfter/);
    const big = await api("/contacts/search", {
      method: "POST",
      body: { locationId: loc(), pageLimit: 501 },
    });
    expect(big.body.message).toEqual(["pageLimit must not be greater than 500"]);
    const op = await api("/contacts/search", {
      method: "POST",
      body: { locationId: loc(), filters: [{ field: "email", operator: "like", value: "x" }] },
    });
    expect(op.status).toBe(422);
  });
});
