// Every pagination style, followed across page boundaries: nothing lost, nothing repeated.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallResult, type Clock, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
let clock: Clock;

beforeAll(async () => {
  clock = manualClock();
  ({ sb, api } = await start({ seed: 11, now: clock.now, rateLimit: { max: 10_000, windowMs: 1000 } }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

const loc = () => sb.info.locationId;

function expectAllOnce(seen: string[], expected: string[]) {
  expect(new Set(seen).size, "no item repeated").toBe(seen.length);
  expect([...seen].sort(), "no item lost").toEqual([...expected].sort());
}

/** n contacts created at the same instant, so cursors must break ties by id. */
async function createContacts(n: number, name = "Page"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api("/contacts/", {
      method: "POST",
      body: { locationId: loc(), firstName: `${name}${i % 3}`, lastName: String(i) },
    });
    ids.push(r.body.contact.id);
  }
  return ids;
}

async function allContactIds(): Promise<string[]> {
  const r = await api("/contacts/search", { method: "POST", body: { locationId: loc(), pageLimit: 500 } });
  return r.body.contacts.map((c: { id: string }) => c.id);
}

describe("GET /contacts/ (keyset startAfter + startAfterId)", () => {
  it("walks every contact once, following meta", async () => {
    await createContacts(23);
    const seen: string[] = [];
    let path = `/contacts/?locationId=${loc()}&limit=10`;
    let pages = 0;
    for (;;) {
      const r = await api(path);
      expect(validateResponse("get-contacts", r.status, r.body).valid).toBe(true);
      seen.push(...r.body.contacts.map((c: { id: string }) => c.id));
      pages++;
      expect(r.body.meta.currentPage).toBe(pages);
      if (!r.body.meta.nextPageUrl) break;
      const { startAfter, startAfterId } = r.body.meta;
      path = `/contacts/?locationId=${loc()}&limit=10&startAfter=${startAfter}&startAfterId=${startAfterId}`;
    }
    expect(pages).toBe(3);
    expectAllOnce(seen, await allContactIds());
  });

  it("restarts at the first page when only one cursor half is sent", async () => {
    const first = await api(`/contacts/?locationId=${loc()}&limit=2`);
    const { startAfter, startAfterId } = first.body.meta;
    const onlyId = await api(`/contacts/?locationId=${loc()}&limit=2&startAfterId=${startAfterId}`);
    const onlyTime = await api(`/contacts/?locationId=${loc()}&limit=2&startAfter=${startAfter}`);
    expect(onlyId.body.contacts).toEqual(first.body.contacts);
    expect(onlyTime.body.contacts).toEqual(first.body.contacts);
  });

  it("follows nextPageUrl as given", async () => {
    await createContacts(4);
    const seen: string[] = [];
    let url: string | null = `${sb.info.baseUrl}/contacts/?locationId=${loc()}&limit=4`;
    while (url) {
      const r: CallResult = await api(url.slice(sb.info.baseUrl.length));
      seen.push(...r.body.contacts.map((c: { id: string }) => c.id));
      url = r.body.meta.nextPageUrl;
    }
    expectAllOnce(seen, await allContactIds());
  });
});

describe("POST /contacts/search (page and searchAfter)", () => {
  it("pages with page/pageLimit", async () => {
    await createContacts(16);
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const r = await api("/contacts/search", {
        method: "POST",
        body: { locationId: loc(), page, pageLimit: 7 },
      });
      seen.push(...r.body.contacts.map((c: { id: string }) => c.id));
      if (r.body.contacts.length < 7) break;
    }
    expectAllOnce(seen, await allContactIds());
  });

  it("pages with searchAfter under a sort with ties", async () => {
    await createContacts(16);
    const seen: string[] = [];
    let searchAfter: unknown[] | undefined;
    for (;;) {
      const r = await api("/contacts/search", {
        method: "POST",
        body: {
          locationId: loc(),
          pageLimit: 5,
          sort: [{ field: "firstName", direction: "asc" }],
          ...(searchAfter && { searchAfter }),
        },
      });
      const contacts = r.body.contacts as Array<{ id: string; searchAfter: unknown[] }>;
      seen.push(...contacts.map((c) => c.id));
      if (contacts.length < 5) break;
      searchAfter = contacts[contacts.length - 1]!.searchAfter;
    }
    expectAllOnce(seen, await allContactIds());
  });
});

describe("GET /opportunities/search (page, and startAfter + startAfterId)", () => {
  async function createOpportunities(n: number): Promise<string[]> {
    const pipeline = (await api(`/opportunities/pipelines?locationId=${loc()}`)).body.pipelines[0];
    const contact = (await api(`/contacts/?locationId=${loc()}&limit=1`)).body.contacts[0];
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await api("/opportunities/", {
        method: "POST",
        body: {
          locationId: loc(),
          pipelineId: pipeline.id,
          name: `Deal ${i}`,
          status: "open",
          contactId: contact.id,
          monetaryValue: i,
        },
      });
      expect(r.status).toBe(201);
      expect(validateResponse("create-opportunity", r.status, r.body).errors).toEqual([]);
      ids.push(r.body.opportunity.id);
    }
    return ids;
  }

  async function everyOpportunity(): Promise<string[]> {
    const r = await api(`/opportunities/search?location_id=${loc()}&limit=100`);
    return r.body.opportunities.map((o: { id: string }) => o.id);
  }

  it("pages with page/limit", async () => {
    await createOpportunities(11);
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const r = await api(`/opportunities/search?location_id=${loc()}&limit=4&page=${page}`);
      expect(validateResponse("search-opportunity", r.status, r.body).errors).toEqual([]);
      seen.push(...r.body.opportunities.map((o: { id: string }) => o.id));
      if (!r.body.meta.nextPage) break;
    }
    expect(seen).toHaveLength(13);
    expectAllOnce(seen, await everyOpportunity());
  });

  it("pages with the startAfter/startAfterId cursor from meta", async () => {
    await createOpportunities(11);
    const seen: string[] = [];
    let cursor = "";
    for (;;) {
      const r = await api(`/opportunities/search?location_id=${loc()}&limit=4${cursor}`);
      seen.push(...r.body.opportunities.map((o: { id: string }) => o.id));
      if (!r.body.meta.startAfterId) break;
      cursor = `&startAfter=${r.body.meta.startAfter}&startAfterId=${r.body.meta.startAfterId}`;
    }
    expectAllOnce(seen, await everyOpportunity());
  });

  it("lists the seeded pipeline with its stages", async () => {
    const r = await api(`/opportunities/pipelines?locationId=${loc()}`);
    expect(validateResponse("get-pipelines", r.status, r.body).errors).toEqual([]);
    expect(r.body.pipelines[0].stages.map((s: { name: string }) => s.name)).toEqual([
      "New Lead",
      "Contacted",
      "Proposal Sent",
      "Closed",
    ]);
  });
});

describe("conversations", () => {
  it("pages GET /conversations/search with startAfterDate", async () => {
    // The seeded conversations plus nine new ones.
    const seeded = (await api(`/conversations/search?locationId=${loc()}`)).body.total as number;
    const contacts = await createContacts(9, "Conv");
    for (const contactId of contacts) {
      clock.advance(1000); // distinct lastMessageDate values: the cursor is a bare date
      const r = await api("/conversations/", {
        method: "POST",
        body: { locationId: loc(), contactId },
        version: "2021-04-15",
      });
      expect(r.status).toBe(201);
      expect(validateResponse("create-conversation", r.status, r.body).errors).toEqual([]);
    }
    const seen: string[] = [];
    let cursor = "";
    for (;;) {
      const r = await api(`/conversations/search?locationId=${loc()}&limit=4${cursor}`);
      expect(validateResponse("search-conversation", r.status, r.body).errors).toEqual([]);
      expect(r.body.total).toBe(seeded + 9);
      const page = r.body.conversations as Array<{ id: string; sort: number[] }>;
      seen.push(...page.map((c) => c.id));
      if (page.length < 4) break;
      cursor = `&startAfterDate=${page[page.length - 1]!.sort[0]}`;
    }
    expect(seen).toHaveLength(seeded + 9);
    expect(new Set(seen).size).toBe(seeded + 9);
  });

  it("pages a conversation's messages with lastMessageId + nextPage, newest first", async () => {
    const conv = (await api(`/conversations/search?locationId=${loc()}`)).body.conversations[0];
    for (let i = 0; i < 22; i++) {
      clock.advance(1000);
      const r = await api("/conversations/messages", {
        method: "POST",
        body: { type: "SMS", contactId: conv.contactId, message: `msg ${i}` },
      });
      expect(r.body.conversationId).toBe(conv.id);
    }
    const bodies: string[] = [];
    const ids: string[] = [];
    let cursor = "";
    for (;;) {
      const r = await api(`/conversations/${conv.id}/messages?limit=10${cursor}`);
      expect(validateResponse("get-messages", r.status, r.body).errors).toEqual([]);
      ids.push(...r.body.messages.map((m: { id: string }) => m.id));
      bodies.push(...r.body.messages.map((m: { body: string }) => m.body));
      if (!r.body.nextPage) break;
      cursor = `&lastMessageId=${r.body.lastMessageId}`;
    }
    expect(ids).toHaveLength(27);
    expect(new Set(ids).size).toBe(27);
    expect(bodies[0]).toBe("msg 21");
    expect(bodies[26]).toBe("Hi! I saw the listing on Elm Street. Is it still available?");
  });
});

describe("skip/limit: GET /businesses/", () => {
  it("walks every business once", async () => {
    for (let i = 0; i < 8; i++) {
      const r = await api("/businesses/", { method: "POST", body: { locationId: loc(), name: `Biz ${i}` } });
      expect(r.status).toBe(201);
      expect(validateResponse("create-business", r.status, r.body).errors).toEqual([]);
    }
    const seen: string[] = [];
    for (let skip = 0; ; skip += 3) {
      const r = await api(`/businesses/?locationId=${loc()}&skip=${skip}&limit=3`);
      expect(validateResponse("get-businesses-by-location", r.status, r.body).errors).toEqual([]);
      seen.push(...r.body.businesses.map((b: { id: string }) => b.id));
      if (r.body.businesses.length < 3) break;
    }
    const all = (await api(`/businesses/?locationId=${loc()}`)).body.businesses.map(
      (b: { id: string }) => b.id,
    );
    expect(all).toHaveLength(10);
    expectAllOnce(seen, all);
  });
});

describe("limit/offset: GET /calendars/appointments/{id}/notes", () => {
  it("walks every note once using hasMore", async () => {
    const contact = (await api(`/contacts/?locationId=${loc()}&limit=1`)).body.contacts[0];
    const events = await api(`/contacts/${contact.id}/appointments`);
    expect(validateResponse("get-appointments-for-contact", events.status, events.body).errors).toEqual([]);
    const appointmentId = events.body.events[0].id;
    const base = `/calendars/appointments/${appointmentId}/notes`;
    const created: string[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await api(base, { method: "POST", body: { body: `note ${i}` }, version: "2021-04-15" });
      expect(r.status).toBe(201);
      created.push(r.body.note.id);
    }
    const seen: string[] = [];
    for (let offset = 0; ; offset += 4) {
      const r = await api(`${base}?limit=4&offset=${offset}`, { version: "2021-04-15" });
      expect(validateResponse("get-appointment-notes", r.status, r.body).errors).toEqual([]);
      seen.push(...r.body.notes.map((n: { id: string }) => n.id));
      if (!r.body.hasMore) break;
    }
    expect(seen).toHaveLength(10);
    expect(new Set(seen).size).toBe(10);
    expect(seen).toEqual(expect.arrayContaining(created));
    expect((await api(`${base}?limit=21&offset=0`)).body.message).toEqual([
      "limit must not be greater than 20",
    ]);
  });
});
