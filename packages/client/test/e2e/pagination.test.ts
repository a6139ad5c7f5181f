// Every pagination style through client.paginate against the sandbox, across page boundaries, with
// small pages: each record comes exactly once. The expected set is what one large page returns (or the
// total the endpoint reports), and the created records must all be in it, whatever else the seed holds.
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HighLevelClient, PAGINATION_STYLES, type PaginationSpec, paginate } from "../../src/index.ts";

// A manual clock: records created one second apart, so every date cursor has distinct values to work with.
let t = Date.UTC(2025, 6, 1, 8, 0, 0);
const now = () => t;
const tick = () => {
  t += 1000;
};

interface Sent {
  method: string;
  url: URL;
  body: Record<string, unknown> | undefined;
}

let sb: Sandbox;
let client: HighLevelClient;
let locationId: string;
const sent: Sent[] = [];

const created = {
  contacts: [] as string[],
  opportunities: [] as string[],
  conversations: [] as string[],
  messages: [] as string[],
  businesses: [] as string[],
  notes: [] as string[],
};
let conversationId: string;
let appointmentId: string;

type Item = { id?: string; _id?: string };
const idOf = (item: unknown) => String((item as Item).id ?? (item as Item)._id);

/** The search body is typed from the unpatched spec (an empty object); the documented body is sent. */
function searchBody(body: Record<string, unknown>): never {
  return body as never;
}

beforeAll(async () => {
  sb = await startSandbox({ seed: 41, now, rateLimit: { max: 10_000, windowMs: 10_000 } });
  locationId = sb.info.locationId;
  client = new HighLevelClient({
    credentials: sb.info.locationToken,
    locationId,
    baseUrl: sb.info.baseUrl,
    fetch: async (input, init) => {
      const text = typeof init?.body === "string" ? init.body : undefined;
      sent.push({
        method: init?.method ?? "GET",
        url: new URL(String(input)),
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
      });
      return fetch(input, init);
    },
  });

  for (let i = 0; i < 30; i++) {
    tick();
    const r = (await client.call(
      "create-contact",
      {},
      {
        locationId,
        firstName: `Pager${String(i).padStart(2, "0")}`,
        lastName: "Tester",
        email: `pager${i}@example.com`,
        phone: `+1415556${String(1000 + i)}`,
      },
    )) as { contact: { id: string } };
    created.contacts.push(r.contact.id);
  }

  const pipelines = (await client.call("get-pipelines", { locationId })) as {
    pipelines: Array<{ id: string }>;
  };
  const pipelineId = pipelines.pipelines[0]!.id;
  for (let i = 0; i < 10; i++) {
    tick();
    const r = (await client.call(
      "create-opportunity",
      {},
      {
        pipelineId,
        locationId,
        name: `Deal ${i}`,
        status: "open",
        contactId: created.contacts[i]!,
      },
    )) as { opportunity: { id: string } };
    created.opportunities.push(r.opportunity.id);
  }

  for (let i = 0; i < 9; i++) {
    tick();
    const r = (await client.call(
      "create-conversation",
      {},
      {
        locationId,
        contactId: created.contacts[i]!,
      },
    )) as { conversation: { id: string } };
    created.conversations.push(r.conversation.id);
  }
  // Messages go to the first new contact, whose conversation was just created (and is empty).
  conversationId = created.conversations[0]!;
  for (let i = 0; i < 11; i++) {
    tick();
    // callByKey: the generated body type still requires `subType`, which the live API does not (see the
    // sandbox's SPEC-DEVIATIONS.md).
    const r = (await client.callByKey(
      "send-a-new-message",
      {},
      {
        type: "SMS",
        contactId: created.contacts[0]!,
        message: `Message ${i}`,
      },
    )) as { conversationId: string; messageId: string };
    expect(r.conversationId).toBe(conversationId);
    created.messages.push(r.messageId);
  }

  for (let i = 0; i < 8; i++) {
    tick();
    const r = (await client.call("create-business", {}, { name: `Business ${i}`, locationId })) as {
      buiseness: { id: string };
    };
    created.businesses.push(r.buiseness.id);
  }

  // An appointment of the first seeded contact (the oldest), and notes on it.
  const oldest = (await client.call("get-contacts", { locationId, limit: 1 })) as {
    contacts: Array<{ id: string }>;
  };
  const events = (await client.call("get-appointments-for-contact", {
    contactId: oldest.contacts[0]!.id,
  })) as { events: Array<{ id: string }> };
  appointmentId = events.events[0]!.id;
  for (let i = 0; i < 6; i++) {
    tick();
    const r = (await client.call("create-appointment-note", { appointmentId }, { body: `Note ${i}` })) as {
      note: { id: string };
    };
    created.notes.push(r.note.id);
  }
});

afterAll(async () => {
  await sb?.close();
});

async function collect(items: AsyncIterable<unknown>): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of items) ids.push(idOf(item));
  return ids;
}

/** The requests sent for one operation path (and method) while running fn. */
async function track<T>(
  method: string,
  path: RegExp,
  fn: () => Promise<T>,
): Promise<{ result: T; requests: Sent[] }> {
  const from = sent.length;
  const result = await fn();
  return {
    result,
    requests: sent.slice(from).filter((s) => s.method === method && path.test(s.url.pathname)),
  };
}

/** Exactly once each, the same set as expected, and every created record among them. */
function expectEachOnce(ids: string[], expected: string[], mustInclude: string[]): void {
  expect(new Set(ids).size, "duplicates").toBe(ids.length);
  expect([...ids].sort()).toEqual([...expected].sort());
  expect(mustInclude.filter((id) => !ids.includes(id))).toEqual([]);
}

describe("client.paginate against the sandbox", () => {
  it("contacts keyset (GET /contacts/, startAfter + startAfterId, limit 3)", async () => {
    const all = (await client.call("get-contacts", { locationId, limit: 100 })) as {
      contacts: Item[];
      meta: { total: number };
    };
    expect(all.meta.total).toBe(all.contacts.length);
    const { result: ids, requests } = await track("GET", /^\/contacts\/?$/, () =>
      collect(client.paginate("get-contacts", { locationId, limit: 3 })),
    );
    expectEachOnce(ids, all.contacts.map(idOf), created.contacts);
    expect(requests).toHaveLength(Math.ceil(all.meta.total / 3));
    for (const [i, r] of requests.entries()) {
      expect(r.url.searchParams.get("limit")).toBe("3");
      // Both halves of the cursor from the second page on, never one alone.
      expect(r.url.searchParams.has("startAfter")).toBe(i > 0);
      expect(r.url.searchParams.has("startAfterId")).toBe(i > 0);
    }
  });

  it("contact search by page/pageLimit (POST /contacts/search, pageLimit 4)", async () => {
    const all = (await client.call(
      "search-contacts-advanced",
      {},
      searchBody({ locationId, pageLimit: 100 }),
    )) as {
      contacts: Item[];
      total: number;
    };
    expect(all.total).toBe(all.contacts.length);
    const { result: ids, requests } = await track("POST", /^\/contacts\/search$/, () =>
      collect(client.paginate("search-contacts-advanced", {}, searchBody({ locationId, pageLimit: 4 }))),
    );
    expectEachOnce(ids, all.contacts.map(idOf), created.contacts);
    const pages = Math.ceil(all.total / 4);
    // Short pages are not trusted as the last one: the empty page after them ends the iteration.
    expect(requests.map((r) => r.body?.page)).toEqual(Array.from({ length: pages + 1 }, (_, i) => i + 1));
    expect(requests.every((r) => r.body?.pageLimit === 4 && r.body?.searchAfter === undefined)).toBe(true);
  });

  it("contact search switches to searchAfter past the page window (window forced down to 12 records)", async () => {
    const all = (await client.call(
      "search-contacts-advanced",
      {},
      searchBody({ locationId, pageLimit: 100 }),
    )) as {
      contacts: Item[];
    };
    // client.paginate takes no window option, so the pagination module is driven with the client's call
    // and the operation's own spec, its 10,000-record window made small.
    const spec: PaginationSpec = { ...PAGINATION_STYLES["search-contacts-advanced"]!, maxWindow: 12 };
    const { result: ids, requests } = await track("POST", /^\/contacts\/search$/, () =>
      collect(
        paginate(
          (k, p, b) => client.callByKey(k, p, b),
          spec,
          "search-contacts-advanced",
          {},
          {
            locationId,
            pageLimit: 4,
          },
        ),
      ),
    );
    expectEachOnce(ids, all.contacts.map(idOf), created.contacts);
    const byPage = requests.filter((r) => r.body?.searchAfter === undefined);
    const byCursor = requests.filter((r) => Array.isArray(r.body?.searchAfter));
    expect(byPage.map((r) => r.body?.page)).toEqual([1, 2, 3]);
    expect(byCursor.length).toBeGreaterThanOrEqual(Math.ceil((all.contacts.length - 12) / 4));
    expect(byCursor.every((r) => r.body?.page === undefined)).toBe(true);
    expect(requests.slice(0, 3)).toEqual(byPage);
  });

  it("opportunities search (GET /opportunities/search, keyset from meta, limit 4)", async () => {
    const all = (await client.call("search-opportunity", { location_id: locationId, limit: 100 })) as {
      opportunities: Item[];
      meta: { total: number };
    };
    expect(all.meta.total).toBe(all.opportunities.length);
    const { result: ids, requests } = await track("GET", /^\/opportunities\/search$/, () =>
      collect(client.paginate("search-opportunity", { location_id: locationId, limit: 4 })),
    );
    expectEachOnce(ids, all.opportunities.map(idOf), created.opportunities);
    expect(requests).toHaveLength(Math.ceil(all.meta.total / 4));
    expect(requests.slice(1).every((r) => r.url.searchParams.has("startAfterId"))).toBe(true);
  });

  it("conversations search (startAfterDate = the last conversation's sort value, limit 3)", async () => {
    const all = (await client.call("search-conversation", { locationId, limit: 100 })) as unknown as {
      conversations: Array<Item & { lastMessageDate: number }>;
      total: number;
    };
    expect(all.total).toBe(all.conversations.length);
    // A pure date cursor needs distinct dates to be exact; the sandbox, like HighLevel, cannot tell ties apart.
    expect(new Set(all.conversations.map((c) => c.lastMessageDate)).size).toBe(all.conversations.length);
    const { result: ids, requests } = await track("GET", /^\/conversations\/search$/, () =>
      collect(client.paginate("search-conversation", { locationId, limit: 3 })),
    );
    expectEachOnce(ids, all.conversations.map(idOf), created.conversations);
    expect(requests.length).toBeGreaterThanOrEqual(Math.ceil(all.total / 3));
    expect(requests.slice(1).every((r) => r.url.searchParams.has("startAfterDate"))).toBe(true);
  });

  it("messages of a conversation (lastMessageId + nextPage, limit 4)", async () => {
    // The spec documents {lastMessageId, nextPage, messages[]}; the live API nests it under `messages`.
    // The sandbox answers the documented shape; the client reads both.
    type Container = { messages: Item[]; nextPage: boolean };
    const answer = (await client.call("get-messages", { conversationId, limit: 100 })) as unknown as
      | Container
      | { messages: Container };
    const all = { messages: Array.isArray(answer.messages) ? (answer as Container) : answer.messages };
    expect(all.messages.nextPage).toBe(false);
    const { result: ids, requests } = await track("GET", /\/messages$/, () =>
      collect(client.paginate("get-messages", { conversationId, limit: 4 })),
    );
    expectEachOnce(ids, all.messages.messages.map(idOf), created.messages);
    expect(ids).toHaveLength(11);
    expect(requests).toHaveLength(3); // 4 + 4 + 3, the last one says nextPage: false
    expect(requests.map((r) => r.url.searchParams.get("lastMessageId"))).toEqual([null, ids[3], ids[7]]);
  });

  it("businesses (skip/limit, limit 3)", async () => {
    const all = (await client.call("get-businesses-by-location", { locationId, limit: "100" })) as {
      businesses: Item[];
    };
    const { result: ids, requests } = await track("GET", /^\/businesses\/?$/, () =>
      collect(client.paginate("get-businesses-by-location", { locationId, limit: "3" })),
    );
    expectEachOnce(ids, all.businesses.map(idOf), created.businesses);
    const n = all.businesses.length;
    // Offsets advance by what came back; the empty page after the last one ends the iteration.
    expect(requests.map((r) => r.url.searchParams.get("skip"))).toEqual(
      Array.from({ length: Math.ceil(n / 3) + 1 }, (_, i) => String(Math.min(i * 3, n))),
    );
  });

  it("appointment notes (limit/offset with hasMore, limit 2)", async () => {
    const all = (await client.call("get-appointment-notes", { appointmentId, limit: 20, offset: 0 })) as {
      notes: Item[];
      hasMore: boolean;
    };
    expect(all.hasMore).toBe(false); // the spec caps limit at 20; one page holds them all
    const { result: ids, requests } = await track("GET", /\/notes$/, () =>
      collect(client.paginate("get-appointment-notes", { appointmentId, limit: 2, offset: 0 })),
    );
    expectEachOnce(ids, all.notes.map(idOf), created.notes);
    // hasMore: false on the last page ends the iteration without an extra request.
    expect(requests.map((r) => r.url.searchParams.get("offset"))).toEqual(
      Array.from({ length: Math.ceil(all.notes.length / 2) }, (_, i) => String(i * 2)),
    );
  });
});
