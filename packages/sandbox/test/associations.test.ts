import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
let receiver: Server;
let events: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    events.push(JSON.parse(Buffer.concat(chunks).toString()));
    res.end("ok");
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  ({ sb, api } = await start({
    seed: 21,
    webhookUrl: `http://127.0.0.1:${port}/hooks`,
    rateLimit: { max: 10_000, windowMs: 1000 },
  }));
});
beforeEach(async () => {
  sb.reset();
  await sb.webhooksIdle();
  events = [];
});
afterAll(async () => {
  await sb.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

/** The answer must match the official (corrected) response schema of its status. */
function conforms(operation: string, r: CallResult) {
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, `${operation} ${r.status}`).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

const loc = () => sb.info.locationId;

interface Assoc {
  id: string;
  key: string;
  associationType: string;
  firstObjectKey: string;
  secondObjectKey: string;
}

async function associations(): Promise<Assoc[]> {
  const r = await api(`/associations/?locationId=${loc()}&skip=0&limit=100`);
  return r.body.associations;
}

async function byKey(key: string): Promise<Assoc> {
  return (await api(`/associations/key/${key}?locationId=${loc()}`)).body;
}

async function contactIds(): Promise<string[]> {
  return (await api(`/contacts/?locationId=${loc()}`)).body.contacts.map((c: { id: string }) => c.id);
}

async function opportunityIds(): Promise<string[]> {
  const r = await api(`/opportunities/search?location_id=${loc()}&order=added_asc`);
  return r.body.opportunities.map((o: { id: string }) => o.id);
}

async function relate(associationId: string, firstRecordId: string, secondRecordId: string) {
  return api("/associations/relations", {
    method: "POST",
    body: { locationId: loc(), associationId, firstRecordId, secondRecordId },
  });
}

async function createAssociation(key: string, first = "contact", second = "contact") {
  return api("/associations/", {
    method: "POST",
    body: {
      locationId: loc(),
      key,
      firstObjectKey: first,
      firstObjectLabel: "Referrer",
      secondObjectKey: second,
      secondObjectLabel: "Referred",
    },
  });
}

describe("associations", () => {
  it("seeds the system associations and property_owner, found by id, key and object key", async () => {
    const r = await api(`/associations/?locationId=${loc()}&skip=0&limit=10`);
    expect(r.status).toBe(200);
    conforms("find-associations", r);
    const keys = r.body.associations.map((a: Assoc) => `${a.key}:${a.associationType}`);
    expect(keys).toEqual([
      "contact_contact:SYSTEM_DEFINED",
      "contact_opportunity:SYSTEM_DEFINED",
      "contact_business:SYSTEM_DEFINED",
      "property_owner:USER_DEFINED",
    ]);
    expect(r.body.total).toBe(4);

    const owner = r.body.associations[3] as Assoc;
    expect(owner).toMatchObject({ firstObjectKey: "contact", secondObjectKey: "opportunity" });
    expect(owner.id).toMatch(/^[0-9a-f]{24}$/);
    const byId = await api(`/associations/${owner.id}`);
    conforms("get-association-by-ID", byId);
    expect(byId.body).toMatchObject({ id: owner.id, key: "property_owner", locationId: loc() });

    const key = await api(`/associations/key/property_owner?locationId=${loc()}`);
    conforms("get-association-key-by-key-name", key);
    expect(key.body.id).toBe(owner.id);
    const missing = await api(`/associations/key/nope?locationId=${loc()}`);
    expect(missing.status).toBe(400);
    conforms("get-association-key-by-key-name", missing);

    const objectKey = await api(`/associations/objectKey/opportunity?locationId=${loc()}`);
    conforms("get-association-by-object-keys", objectKey);
    expect(objectKey.body.associations.map((a: Assoc) => a.key)).toEqual([
      "contact_opportunity",
      "property_owner",
    ]);
    // Without locationId the token's location is meant.
    const implicit = await api("/associations/objectKey/opportunity");
    expect(implicit.body.associations).toEqual(objectKey.body.associations);

    const unknown = await api("/associations/0123456789abcdef01234567");
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe("Association not found");
  });

  it("seeds the same ids for the same seed", async () => {
    const twin = await start({ seed: 21 });
    try {
      const theirs = await twin.api(`/associations/?locationId=${twin.sb.info.locationId}&skip=0&limit=10`);
      expect(theirs.body.associations.map((a: Assoc) => a.id)).toEqual(
        (await associations()).map((a) => a.id),
      );
    } finally {
      await twin.sb.close();
    }
  });

  it("pages with skip/limit across page boundaries", async () => {
    for (let i = 0; i < 5; i++) expect((await createAssociation(`referral_${i}`)).status).toBe(201);
    const seen: string[] = [];
    let pages = 0;
    for (let skip = 0; ; skip += 4) {
      const r = await api(`/associations/?locationId=${loc()}&skip=${skip}&limit=4`);
      conforms("find-associations", r);
      expect(r.body.total).toBe(9);
      seen.push(...r.body.associations.map((a: Assoc) => a.id));
      pages++;
      if (r.body.associations.length < 4) break;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(9);
    expect(seen).toEqual((await associations()).map((a) => a.id));

    const past = await api(`/associations/?locationId=${loc()}&skip=50&limit=4`);
    expect(past.body.associations).toEqual([]);
    const tooMany = await api(`/associations/?locationId=${loc()}&skip=0&limit=101`);
    expect(tooMany.status).toBe(422);
    const noSkip = await api(`/associations/?locationId=${loc()}&limit=10`);
    expect(noSkip.status).toBe(422);
    expect(noSkip.body.message).toContain("skip should not be empty");
  });

  it("creates, relabels and deletes a USER_DEFINED association", async () => {
    const created = await createAssociation("referral");
    expect(created.status).toBe(201);
    conforms("associations:create-association", created);
    expect(created.body).toMatchObject({
      key: "referral",
      associationType: "USER_DEFINED",
      firstObjectLabel: "Referrer",
      locationId: loc(),
    });
    const id = created.body.id as string;

    const dup = await createAssociation("REFERRAL");
    expect(dup.status).toBe(400);
    conforms("associations:create-association", dup);
    expect(dup.body.message).toBe("Association with key REFERRAL already exists");
    const badObject = await createAssociation("car_owner", "contact", "custom_objects.cars");
    expect(badObject.status).toBe(400);

    // Only labels change, whatever else is sent.
    const updated = await api(`/associations/${id}`, {
      method: "PUT",
      body: {
        firstObjectLabel: "Advocate",
        secondObjectLabel: "Prospect",
        key: "other",
        firstObjectKey: "business",
      },
    });
    expect(updated.status).toBe(200);
    conforms("update-association", updated);
    expect(updated.body).toMatchObject({
      key: "referral",
      firstObjectKey: "contact",
      firstObjectLabel: "Advocate",
      secondObjectLabel: "Prospect",
    });
    expect((await api(`/associations/${id}`)).body.firstObjectLabel).toBe("Advocate");
    const emptyLabel = await api(`/associations/${id}`, {
      method: "PUT",
      body: { firstObjectLabel: " ", secondObjectLabel: "x" },
    });
    expect(emptyLabel.status).toBe(422);

    const [a, b] = await contactIds();
    expect((await relate(id, a!, b!)).status).toBe(201);

    const deleted = await api(`/associations/${id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    conforms("delete-association", deleted);
    expect(deleted.body).toMatchObject({ deleted: true, id });
    expect((await api(`/associations/${id}`)).status).toBe(400);
    // Its relations went with it.
    const rel = await api(`/associations/relations/${a}?locationId=${loc()}&skip=0&limit=10`);
    expect(rel.body.relations.map((r: { associationId: string }) => r.associationId)).not.toContain(id);
  });

  it("refuses to change or delete a SYSTEM_DEFINED association", async () => {
    const system = await byKey("contact_opportunity");
    const put = await api(`/associations/${system.id}`, {
      method: "PUT",
      body: { firstObjectLabel: "A", secondObjectLabel: "B" },
    });
    expect(put.status).toBe(400);
    conforms("update-association", put);
    const del = await api(`/associations/${system.id}`, { method: "DELETE" });
    expect(del.status).toBe(400);
    conforms("delete-association", del);
    expect(del.body.message).toBe("System defined associations cannot be deleted");
    expect((await api(`/associations/${system.id}`)).status).toBe(200);
  });

  it("refuses another location's associations and relations", async () => {
    const otherToken = sb.createToken({ locationId: sb.info.otherLocationId });
    const theirs = await api(`/associations/?locationId=${sb.info.otherLocationId}&skip=0&limit=10`, {
      token: otherToken,
    });
    expect(theirs.status).toBe(200);
    expect(theirs.body.associations).toHaveLength(3);
    const theirId = theirs.body.associations[0].id as string;

    const forbidden = [
      await api(`/associations/${theirId}`),
      await api(`/associations/?locationId=${sb.info.otherLocationId}&skip=0&limit=10`),
      await api(`/associations/key/contact_contact?locationId=${sb.info.otherLocationId}`),
      await api(`/associations/${theirId}`, {
        method: "PUT",
        body: { firstObjectLabel: "a", secondObjectLabel: "b" },
      }),
      await api(`/associations/${theirId}`, { method: "DELETE" }),
    ];
    for (const r of forbidden) {
      expect(r.status).toBe(403);
      expect(r.body.message).toBe("The token does not have access to this location.");
    }
    // Their own key lookups see their own association, not ours.
    const own = await api(`/associations/key/property_owner?locationId=${sb.info.otherLocationId}`, {
      token: otherToken,
    });
    expect(own.status).toBe(400);
  });
});

describe("relations", () => {
  it("seeds a property_owner relation between the second contact and the first opportunity", async () => {
    const owner = await byKey("property_owner");
    const [, liam] = await contactIds();
    const [firstOpp] = await opportunityIds();
    const r = await api(`/associations/relations/${liam}?locationId=${loc()}&skip=0&limit=10`);
    expect(r.status).toBe(200);
    conforms("get-relations-by-record-id", r);
    expect(r.body.total).toBe(1);
    expect(r.body.relations[0]).toMatchObject({
      associationId: owner.id,
      firstObjectKey: "contact",
      firstRecordId: liam,
      secondObjectKey: "opportunity",
      secondRecordId: firstOpp,
      locationId: loc(),
    });
    // Found from the other side too.
    const fromOpp = await api(`/associations/relations/${firstOpp}?locationId=${loc()}&skip=0&limit=10`);
    expect(fromOpp.body.relations.map((x: { id: string }) => x.id)).toEqual([r.body.relations[0].id]);
  });

  it("creates and deletes a relation, refusing duplicates", async () => {
    const owner = await byKey("property_owner");
    const [olivia] = await contactIds();
    const [, secondOpp] = await opportunityIds();
    const created = await relate(owner.id, olivia!, secondOpp!);
    expect(created.status).toBe(201);
    conforms("create-relation", created);
    expect(created.body).toMatchObject({
      firstRecordId: olivia,
      secondRecordId: secondOpp,
      associationId: owner.id,
    });

    const again = await relate(owner.id, olivia!, secondOpp!);
    expect(again.status).toBe(400);
    conforms("create-relation", again);
    expect(again.body.message).toBe(
      `Could not create relation: duplicate relation of object Ids for given association ${owner.id}`,
    );

    const deleted = await api(`/associations/relations/${created.body.id}?locationId=${loc()}`, {
      method: "DELETE",
    });
    expect(deleted.status).toBe(200);
    conforms("delete-relation", deleted);
    expect(deleted.body).toMatchObject({ deleted: true, id: created.body.id });
    const gone = await api(`/associations/relations/${created.body.id}?locationId=${loc()}`, {
      method: "DELETE",
    });
    expect(gone.status).toBe(400);
    conforms("delete-relation", gone);
    // Deleted, it may be created again.
    expect((await relate(owner.id, olivia!, secondOpp!)).status).toBe(201);
  });

  it("validates both records against the association's objects", async () => {
    const owner = await byKey("property_owner");
    const contactContact = await byKey("contact_contact");
    const [olivia, liam] = await contactIds();
    const [opp] = await opportunityIds();

    const cases: Array<[string, string, string, number, string]> = [
      [owner.id, opp!, olivia!, 400, `firstRecordId ${opp} is not a record of contact`],
      [owner.id, olivia!, liam!, 400, `secondRecordId ${liam} is not a record of opportunity`],
      [
        owner.id,
        "nosuchcontact0000000",
        opp!,
        400,
        "firstRecordId nosuchcontact0000000 is not a record of contact",
      ],
      ["0123456789abcdef01234567", olivia!, opp!, 400, "Association not found"],
      [contactContact.id, olivia!, olivia!, 400, "A record cannot be related to itself"],
    ];
    for (const [associationId, first, second, status, message] of cases) {
      const r = await relate(associationId, first, second);
      expect(r.status, message).toBe(status);
      conforms("create-relation", r);
      expect(r.body.message).toBe(message);
    }
    const missing = await api("/associations/relations", {
      method: "POST",
      body: { locationId: loc(), associationId: owner.id, firstRecordId: olivia },
    });
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain("secondRecordId should not be empty");

    // A symmetric association refuses the same pair in the other order.
    expect((await relate(contactContact.id, olivia!, liam!)).status).toBe(201);
    const reversed = await relate(contactContact.id, liam!, olivia!);
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toContain("duplicate relation");
  });

  it("refuses records and associations of another location", async () => {
    const otherToken = sb.createToken({ locationId: sb.info.otherLocationId });
    const other = sb.info.otherLocationId;
    const harper = (await api(`/contacts/?locationId=${other}`, { token: otherToken })).body.contacts[0].id;
    const theirAssoc = (
      await api(`/associations/key/contact_contact?locationId=${other}`, { token: otherToken })
    ).body.id;
    const contactContact = await byKey("contact_contact");
    const [olivia] = await contactIds();

    const foreignRecord = await relate(contactContact.id, olivia!, harper);
    expect(foreignRecord.status).toBe(403);
    const foreignAssoc = await relate(theirAssoc, olivia!, olivia!);
    expect(foreignAssoc.status).toBe(403);
    const foreignBody = await api("/associations/relations", {
      method: "POST",
      body: { locationId: other, associationId: theirAssoc, firstRecordId: harper, secondRecordId: olivia },
    });
    expect(foreignBody.status).toBe(403);
    const theirRelations = await api(`/associations/relations/${harper}?locationId=${other}&skip=0&limit=5`);
    expect(theirRelations.status).toBe(403);

    // Associations take location tokens only; the other location cannot delete our relation.
    const ours = (await relate(contactContact.id, olivia!, (await contactIds())[2]!)).body.id;
    const agency = await api(`/associations/relations/${ours}?locationId=${loc()}`, {
      method: "DELETE",
      token: sb.info.agencyToken,
    });
    expect(agency.status).toBe(401);
    const otherDeletes = await api(`/associations/relations/${ours}?locationId=${other}`, {
      method: "DELETE",
      token: otherToken,
    });
    expect(otherDeletes.status).toBe(403);
    const namedOther = await api(`/associations/relations/${ours}?locationId=${other}`, { method: "DELETE" });
    expect(namedOther.status).toBe(403);
    expect(
      (await api(`/associations/relations/${olivia}?locationId=${loc()}&skip=0&limit=5`)).body.total,
    ).toBe(1);
  });

  it("pages a record's relations with skip/limit and filters by associationIds", async () => {
    const contactContact = await byKey("contact_contact");
    const owner = await byKey("property_owner");
    const [olivia, ...others] = await contactIds();
    for (const c of others) expect((await relate(contactContact.id, olivia!, c)).status).toBe(201);
    const [, secondOpp] = await opportunityIds();
    expect((await relate(owner.id, olivia!, secondOpp!)).status).toBe(201);

    const seen: string[] = [];
    for (let skip = 0; ; skip += 2) {
      const r = await api(`/associations/relations/${olivia}?locationId=${loc()}&skip=${skip}&limit=2`);
      conforms("get-relations-by-record-id", r);
      expect(r.body.total).toBe(5);
      seen.push(...r.body.relations.map((x: { id: string }) => x.id));
      if (r.body.relations.length < 2) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);

    const onlyOwner = await api(
      `/associations/relations/${olivia}?locationId=${loc()}&skip=0&limit=10&associationIds=${owner.id}`,
    );
    conforms("get-relations-by-record-id", onlyOwner);
    expect(onlyOwner.body.total).toBe(1);
    expect(onlyOwner.body.relations[0].secondRecordId).toBe(secondOpp);
    const both = await api(
      `/associations/relations/${olivia}?locationId=${loc()}&skip=0&limit=10` +
        `&associationIds=${owner.id}&associationIds=${contactContact.id}`,
    );
    expect(both.body.total).toBe(5);

    // Deleting a record removes its relations.
    expect((await api(`/contacts/${others[0]}`, { method: "DELETE" })).status).toBe(200);
    const after = await api(`/associations/relations/${olivia}?locationId=${loc()}&skip=0&limit=10`);
    expect(after.body.total).toBe(4);
  });
});

describe("association webhooks", () => {
  it("emits Association* and Relation* events with the documented fields", async () => {
    // Each delivery finishes before the next change, so events arrive in order.
    const step = async (call: Promise<CallResult>) => {
      const r = await call;
      await sb.webhooksIdle();
      return r.body;
    };
    const [a, b] = await contactIds();
    const created = await step(createAssociation("mentor"));
    await step(
      api(`/associations/${created.id}`, {
        method: "PUT",
        body: { firstObjectLabel: "Mentor", secondObjectLabel: "Mentee" },
      }),
    );
    const rel = await step(relate(created.id, a!, b!));
    await step(api(`/associations/relations/${rel.id}?locationId=${loc()}`, { method: "DELETE" }));
    await step(api(`/associations/${created.id}`, { method: "DELETE" }));

    expect(events.map((e) => e.type)).toEqual([
      "AssociationCreate",
      "AssociationUpdate",
      "RelationCreate",
      "RelationDelete",
      "AssociationDelete",
    ]);
    const [create, update, relCreate, relDelete] = events;
    expect(create).toMatchObject({
      id: created.id,
      key: "mentor",
      associationType: "USER_DEFINED",
      firstObjectKey: "contact",
      secondObjectKey: "contact",
      locationId: loc(),
    });
    expect(create).not.toHaveProperty("firstObjectToSecondObjectCardinality");
    expect(update).toMatchObject({
      firstObjectLabel: "Mentor",
      secondObjectLabel: "Mentee",
      firstObjectToSecondObjectCardinality: "MANY_TO_MANY",
      secondObjectToFirstObjectCardinality: "MANY_TO_MANY",
    });
    const relationFields = {
      id: rel.id,
      associationId: created.id,
      firstObjectKey: "contact",
      firstRecordId: a,
      secondObjectKey: "contact",
      secondRecordId: b,
      locationId: loc(),
    };
    expect(relCreate).toMatchObject(relationFields);
    expect(relDelete).toMatchObject(relationFields);
  });

  it("emits nothing for refused changes", async () => {
    const system = await byKey("contact_contact");
    await api(`/associations/${system.id}`, { method: "DELETE" });
    const [a] = await contactIds();
    await relate(system.id, a!, a!);
    await sb.webhooksIdle();
    expect(events).toEqual([]);
  });
});
