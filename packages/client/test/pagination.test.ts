import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HighLevelError } from "../src/errors.ts";
import type { OperationSpec } from "../src/operation.ts";
import {
  type CallFn,
  detectPaginationStyle,
  PAGINATION_STYLES,
  type PaginationSpec,
  pages,
  paginate,
  paginationFor,
  resolvePaginationStyle,
} from "../src/pagination.ts";

type Rec = Record<string, unknown>;
interface Call {
  key: string;
  params: Rec;
  body: unknown;
}

/** A fake `call` that records what it was sent and answers with `handler`. */
function fake(handler: (params: Rec, body: Rec, n: number) => unknown): { call: CallFn; calls: Call[] } {
  const calls: Call[] = [];
  const call: CallFn = async (key, params, body) => {
    calls.push({ key, params: structuredClone(params), body: structuredClone(body) });
    return handler(params, (body ?? {}) as Rec, calls.length);
  };
  return { call, calls };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function loopError(promise: Promise<unknown>): Promise<HighLevelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HighLevelError);
  expect((err as HighLevelError).code).toBe("PAGINATION_LOOP");
  return err as HighLevelError;
}

const ids = (items: unknown[]) => items.map((i) => (i as Rec).id);
const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

interface Contact {
  id: string;
  ts: number;
}
/** Sorted by (ts, id), like HighLevel's keyset; `perTimestamp` contacts share each timestamp. */
function contacts(n: number, perTimestamp: number): Contact[] {
  return range(n, (i) => `c${String(i).padStart(6, "0")}`).map((id, i) => ({
    id,
    ts: 1_700_000_000_000 + Math.floor(i / perTimestamp) * 1000,
  }));
}
const after = (c: Contact, ts: number, id: string) => c.ts > ts || (c.ts === ts && c.id > id);

describe("keyset: startAfter + startAfterId from meta (get-contacts)", () => {
  const data = contacts(250, 40); // many contacts share one timestamp, across page boundaries

  function server(data: Contact[]) {
    return fake((params) => {
      const limit = Number(params.limit ?? 20);
      let rest = data;
      // Like HighLevel: only both together move the cursor; one alone restarts from the first page.
      if (params.startAfter !== undefined && params.startAfterId !== undefined) {
        rest = data.filter((c) => after(c, Number(params.startAfter), String(params.startAfterId)));
      }
      const page = rest.slice(0, limit);
      const last = page[page.length - 1];
      const more = rest.length > limit;
      return {
        contacts: page.map((c) => ({ id: c.id, dateAdded: new Date(c.ts).toISOString() })),
        meta: {
          total: data.length,
          startAfter: more ? last?.ts : null,
          startAfterId: more ? last?.id : null,
          nextPageUrl: null,
        },
      };
    });
  }

  it("yields every contact exactly once, in order, sending both cursor parts together", async () => {
    const { call, calls } = server(data);
    const got = await collect(paginate(call, "keyset", "get-contacts", { locationId: "L1", limit: 30 }));
    expect(ids(got)).toEqual(data.map((c) => c.id));
    expect(calls.length).toBe(Math.ceil(250 / 30));
    for (const c of calls) {
      expect(c.key).toBe("get-contacts");
      expect(c.params.locationId).toBe("L1");
      expect(c.params.startAfter === undefined).toBe(c.params.startAfterId === undefined);
    }
    expect(calls[1]?.params).toMatchObject({ startAfter: data[29]?.ts, startAfterId: data[29]?.id });
  });

  it("reads the cursor from meta.nextPageUrl when meta carries only the URL", async () => {
    const { call } = fake((params) => {
      const rest =
        params.startAfter === undefined
          ? data
          : data.filter((c) => after(c, Number(params.startAfter), String(params.startAfterId)));
      const page = rest.slice(0, 100);
      const last = page[page.length - 1];
      const nextPageUrl =
        rest.length > 100 && last
          ? `https://services.leadconnectorhq.com/contacts/?locationId=L1&startAfter=${last.ts}&startAfterId=${last.id}`
          : null;
      return { contacts: page, meta: { nextPageUrl } };
    });
    const got = await collect(paginate(call, "keyset", "get-contacts", { limit: 100 }));
    expect(ids(got)).toEqual(data.map((c) => c.id));
  });

  it("refuses half a cursor from the caller", async () => {
    const { call, calls } = server(data);
    const err = await collect(paginate(call, "keyset", "get-contacts", { startAfter: 1 })).catch((e) => e);
    expect(err).toBeInstanceOf(HighLevelError);
    expect((err as HighLevelError).code).toBe("INVALID_REQUEST");
    expect(calls).toHaveLength(0);
  });

  it("stops with PAGINATION_LOOP when the server ignores the cursor and repeats page one", async () => {
    const { call, calls } = fake(() => ({
      contacts: data.slice(0, 20),
      meta: { startAfter: data[19]?.ts, startAfterId: data[19]?.id },
    }));
    const seen: unknown[] = [];
    await loopError(
      (async () => {
        for await (const c of paginate(call, "keyset", "get-contacts", {})) seen.push(c);
      })(),
    );
    expect(ids(seen)).toEqual(data.slice(0, 20).map((c) => c.id)); // no duplicate was yielded
    expect(calls).toHaveLength(2);
  });

  it("stops with PAGINATION_LOOP when the cursor repeats", async () => {
    // Fresh items on every call, but meta always points at the same place.
    const { call } = fake((_p, _b, n) => ({
      contacts: range(5, (i) => `p${n}-${i}`).map((id) => ({ id })),
      meta: { startAfter: 1, startAfterId: "same" },
    }));
    const err = await loopError(collect(paginate(call, "keyset", "get-contacts", {})));
    expect(err.message).toContain("cursor repeated");
  });

  it("refuses to send half a cursor that meta returned", async () => {
    const { call } = fake(() => ({ contacts: [{ id: "a" }], meta: { startAfterId: "a" } }));
    await loopError(collect(paginate(call, "keyset", "get-contacts", {})));
  });
});

describe("search: page/pageLimit, then searchAfter past 10,000 (search-contacts-advanced)", () => {
  const data = contacts(10_250, 7).map((c) => ({ ...c, searchAfter: [c.ts, c.id] }));

  function server() {
    return fake((_params, body) => {
      const size = Number(body.pageLimit);
      if (body.page !== undefined && body.searchAfter !== undefined) throw new Error("page and searchAfter");
      let rest: typeof data;
      if (Array.isArray(body.searchAfter)) {
        const [ts, id] = body.searchAfter as [number, string];
        rest = data.filter((c) => after(c, ts, id));
      } else {
        const page = Number(body.page);
        // HighLevel refuses pages reaching past the first 10,000 records.
        if (page * size > 10_000) throw new Error(`page ${page} x ${size} is past the 10,000 window`);
        rest = data.slice((page - 1) * size);
      }
      return {
        contacts: rest.slice(0, size).map((c) => ({ id: c.id, searchAfter: c.searchAfter })),
        total: 10_000,
      };
    });
  }

  it("pages through the window, switches to searchAfter, and yields everything once in order", async () => {
    const { call, calls } = server();
    const body = { locationId: "L1", pageLimit: 500, filters: [] };
    const got = await collect(paginate(call, "search", "search-contacts-advanced", {}, body));
    expect(ids(got)).toEqual(data.map((c) => c.id));
    const sent = calls.map((c) => c.body as Rec);
    expect(sent.slice(0, 20).map((b) => b.page)).toEqual(range(20, (i) => String(i + 1)).map(Number));
    expect(sent[20]).toMatchObject({
      searchAfter: data[9_999]?.searchAfter,
      pageLimit: 500,
      locationId: "L1",
    });
    expect(sent[20]).not.toHaveProperty("page");
    expect(body).toEqual({ locationId: "L1", pageLimit: 500, filters: [] }); // caller's body untouched
  });

  it("switches before a page would cross the window when the page size does not divide 10,000", async () => {
    const { call, calls } = server();
    const got = await collect(paginate(call, "search", "search-contacts-advanced", {}, { pageLimit: 300 }));
    expect(got).toHaveLength(data.length);
    expect(new Set(ids(got)).size).toBe(data.length);
    const pagesUsed = calls.map((c) => (c.body as Rec).page).filter((p) => p !== undefined);
    expect(Math.max(...(pagesUsed as number[]))).toBe(33); // 33 x 300 = 9,900
  });

  it("sets a page size when none is given, and starts from searchAfter when the caller passes one", async () => {
    const { call, calls } = server();
    const start = data[10_100]!;
    const got = await collect(
      paginate(call, "search", "search-contacts-advanced", {}, { searchAfter: start.searchAfter }),
    );
    expect(ids(got)).toEqual(data.slice(10_101).map((c) => c.id));
    expect(calls[0]?.body).toMatchObject({ pageLimit: 100 });
  });

  it("fails with PAGINATION_LOOP rather than stop silently at 10,000 when records carry no searchAfter", async () => {
    const { call } = fake((_p, body) => ({
      contacts: range(500, (i) => `${String(body.page)}-${i}`).map((id) => ({ id })),
    }));
    const err = await loopError(
      collect(paginate(call, "search", "search-contacts-advanced", {}, { pageLimit: 500 })),
    );
    expect(err.message).toContain("10000");
  });
});

describe("opportunities search (search-opportunity)", () => {
  const data = contacts(95, 10);

  it("follows startAfter + startAfterId from meta and drops page", async () => {
    const { call, calls } = fake((params) => {
      const rest =
        params.startAfterId === undefined
          ? data
          : data.filter((c) => after(c, Number(params.startAfter), String(params.startAfterId)));
      const page = rest.slice(0, Number(params.limit));
      const last = page[page.length - 1];
      return {
        opportunities: page,
        meta: rest.length > page.length ? { startAfter: last?.ts, startAfterId: last?.id, nextPage: 2 } : {},
      };
    });
    const got = await collect(
      paginate(call, "keyset", "search-opportunity", { location_id: "L1", limit: 20, page: 1 }),
    );
    expect(ids(got)).toEqual(data.map((c) => c.id));
    expect(calls.every((c) => c.params.location_id === "L1")).toBe(true);
    expect(calls.slice(1).every((c) => c.params.page === undefined)).toBe(true);
  });

  it("falls back to meta.nextPage when meta gives no keyset cursor", async () => {
    const { call, calls } = fake((params) => {
      const page = Number(params.page ?? 1);
      const items = data.slice((page - 1) * 20, page * 20);
      return { opportunities: items, meta: { nextPage: page * 20 < data.length ? page + 1 : null } };
    });
    const got = await collect(
      paginate(call, "keyset", "search-opportunity", { location_id: "L1", limit: 20 }),
    );
    expect(ids(got)).toEqual(data.map((c) => c.id));
    expect(calls.map((c) => c.params.page)).toEqual([undefined, 2, 3, 4, 5]);
  });
});

describe("skip/limit and limit/offset", () => {
  const items = range(57, (i) => `i${i}`).map((id) => ({ _id: id }));

  it("skip/limit yields each item once and advances by what arrived, even when the server caps the size", async () => {
    const { call, calls } = fake((params) => {
      const limit = Math.min(Number(params.limit), 7); // asked 10, served 7
      return { users: items.slice(Number(params.skip), Number(params.skip) + limit), count: 57 };
    });
    const got = await collect(paginate(call, "skip-limit", "search-users", { companyId: "C1", limit: 10 }));
    expect(got.map((i) => (i as Rec)._id)).toEqual(items.map((i) => i._id));
    expect(calls.map((c) => c.params.skip)).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56, 57]);
  });

  it("skip/limit in the JSON body keeps string-typed skip as a string (task-search)", async () => {
    const { call, calls } = fake((_p, body) => ({
      tasks: items.slice(Number(body.skip), Number(body.skip) + Number(body.limit)),
    }));
    const got = await collect(
      paginate(call, "skip-limit", "task-search", { locationId: "L1" }, { skip: "0", limit: "25" }),
    );
    expect(got).toHaveLength(57);
    expect(calls.map((c) => (c.body as Rec).skip)).toEqual(["0", "25", "50", "57"]);
    expect(calls.every((c) => c.params.locationId === "L1" && c.params.skip === undefined)).toBe(true);
  });

  it("sends skip/limit as strings where the body declares them so (filter-users-by-email)", async () => {
    const { call, calls } = fake((_p, body) => ({
      users: items.slice(Number(body.skip), Number(body.skip) + Number(body.limit)),
      count: 57,
    }));
    const got = await collect(
      paginate(call, "skip-limit", "filter-users-by-email", {}, { companyId: "C1" }, { pageSize: 30 }),
    );
    expect(got).toHaveLength(57);
    expect(calls.map((c) => [(c.body as Rec).skip, (c.body as Rec).limit])).toEqual([
      ["0", "30"],
      ["30", "30"],
      ["57", "30"],
    ]);
  });

  it("limit/offset yields each item once (invoices:list-invoices)", async () => {
    const { call, calls } = fake((params) => ({
      invoices: items.slice(Number(params.offset), Number(params.offset) + Number(params.limit)),
      total: 57,
    }));
    const got = await collect(
      paginate(call, "limit-offset", "invoices:list-invoices", {
        altId: "L1",
        altType: "location",
        limit: 20,
      }),
    );
    expect(got.map((i) => (i as Rec)._id)).toEqual(items.map((i) => i._id));
    expect(calls.map((c) => c.params.offset)).toEqual([0, 20, 40, 57]);
  });

  it("ends on hasMore = false without asking for an empty page (getAgents)", async () => {
    const { call, calls } = fake((params) => {
      const page = items.slice(Number(params.offset), Number(params.offset) + 25);
      return { agents: page, pagination: { hasMore: Number(params.offset) + 25 < 57 } };
    });
    const got = await collect(paginate(call, "limit-offset", "getAgents", { locationId: "L1", limit: 25 }));
    expect(got).toHaveLength(57);
    expect(calls).toHaveLength(3);
  });

  it("stops with PAGINATION_LOOP when the server ignores the offset", async () => {
    const { call } = fake(() => ({ data: items.slice(0, 10) }));
    await loopError(collect(paginate(call, "limit-offset", "list-orders", { limit: 10 })));
  });
});

describe("startAfterDate (search-conversation)", () => {
  const convs = range(73, (i) => `conv${i}`).map((id, i) => ({ id, sort: [1_600_000_000_000 + i * 1000] }));

  it("passes the sort value of the last conversation and yields each once", async () => {
    const { call, calls } = fake((params) => {
      const from = params.startAfterDate === undefined ? -1 : Number(params.startAfterDate);
      return {
        conversations: convs.filter((c) => c.sort[0]! > from).slice(0, Number(params.limit)),
        total: 73,
      };
    });
    const got = await collect(
      paginate(call, "start-after-date", "search-conversation", { locationId: "L1", limit: 20, sort: "asc" }),
    );
    expect(ids(got)).toEqual(convs.map((c) => c.id));
    expect(calls[1]?.params.startAfterDate).toBe(convs[19]?.sort[0]);
  });

  it("uses lastMessageDate when conversations carry no sort, converting ISO dates to epoch ms", async () => {
    const withDates = convs.map((c) => ({ id: c.id, lastMessageDate: new Date(c.sort[0]!).toISOString() }));
    const { call } = fake((params) => {
      const from = params.startAfterDate === undefined ? -1 : Number(params.startAfterDate);
      return {
        conversations: withDates.filter((c) => Date.parse(c.lastMessageDate) > from).slice(0, 30),
      };
    });
    const got = await collect(paginate(call, "start-after-date", "search-conversation", {}));
    expect(ids(got)).toEqual(convs.map((c) => c.id));
  });

  it("stops with PAGINATION_LOOP when a whole page shares one date (the cursor cannot move)", async () => {
    const { call } = fake((_p, _b, n) => ({
      conversations: range(20, (i) => `${n}-${i}`).map((id) => ({ id, sort: [5] })),
    }));
    await loopError(collect(paginate(call, "start-after-date", "search-conversation", {})));
  });
});

describe("lastMessageId + nextPage (get-messages)", () => {
  const msgs = range(45, (i) => `m${i}`).map((id) => ({ id, body: id }));

  function server(nested: boolean) {
    return fake((params) => {
      const start =
        params.lastMessageId === undefined ? 0 : msgs.findIndex((m) => m.id === params.lastMessageId) + 1;
      const page = msgs.slice(start, start + 20);
      const inner = {
        lastMessageId: page[page.length - 1]?.id,
        nextPage: start + 20 < msgs.length,
        messages: page,
      };
      return nested ? { messages: inner, traceId: "t" } : inner;
    });
  }

  it("follows lastMessageId while nextPage is true (nested response)", async () => {
    const { call, calls } = server(true);
    const got = await collect(paginate(call, "last-message-id", "get-messages", { conversationId: "c1" }));
    expect(ids(got)).toEqual(msgs.map((m) => m.id));
    expect(calls.map((c) => c.params.lastMessageId)).toEqual([undefined, "m19", "m39"]);
    expect(calls.every((c) => c.params.conversationId === "c1")).toBe(true);
  });

  it("also reads the flat shape the spec documents", async () => {
    const { call } = server(false);
    const got = await collect(paginate(call, "last-message-id", "get-messages", { conversationId: "c1" }));
    expect(ids(got)).toEqual(msgs.map((m) => m.id));
  });
});

describe("page numbers and cursors", () => {
  const subs = range(48, (i) => `s${i}`).map((id) => ({ id }));

  it("page: follows meta.nextPage and ends when it is null (get-forms-submissions)", async () => {
    const { call, calls } = fake((params) => {
      const page = Number(params.page);
      const items = subs.slice((page - 1) * 20, page * 20);
      return {
        submissions: items,
        meta: { total: 48, currentPage: page, nextPage: page < 3 ? page + 1 : null },
      };
    });
    const got = await collect(
      paginate(call, "page", "get-forms-submissions", { locationId: "L1", limit: 20 }),
    );
    expect(ids(got)).toEqual(subs.map((s) => s.id));
    expect(calls.map((c) => c.params.page)).toEqual([1, 2, 3]);
  });

  it("page: counts from 0 where the endpoint does (active-numbers) and uses its size parameter", async () => {
    const { call, calls } = fake((params) => ({
      numbers: subs.slice(Number(params.page) * Number(params.pageSize), (Number(params.page) + 1) * 25),
    }));
    const got = await collect(
      paginate(call, "page", "active-numbers", { locationId: "L1" }, undefined, { pageSize: 25 }),
    );
    expect(got).toHaveLength(48);
    expect(calls.map((c) => [c.params.page, c.params.pageSize])).toEqual([
      [0, 25],
      [1, 25],
      [2, 25],
    ]);
  });

  it("cursor: passes nextCursor until it is null (export-messages-by-location)", async () => {
    const { call, calls } = fake((params) => {
      const start = params.cursor === undefined ? 0 : Number(String(params.cursor).slice(1));
      const end = start + Number(params.limit);
      return {
        messages: subs.slice(start, end),
        nextCursor: end < subs.length ? `c${end}` : null,
        total: 48,
      };
    });
    const got = await collect(
      paginate(call, "cursor", "export-messages-by-location", { locationId: "L1", limit: 10 }),
    );
    expect(ids(got)).toEqual(subs.map((s) => s.id));
    expect(calls.map((c) => c.params.cursor)).toEqual([undefined, "c10", "c20", "c30", "c40"]);
  });

  it("cursor: an id cursor taken from the last item (search-agent)", async () => {
    const { call, calls } = fake((params) => {
      const start =
        params.startAfter === undefined ? 0 : subs.findIndex((s) => s.id === params.startAfter) + 1;
      return { agents: subs.slice(start, start + 15), count: 15 };
    });
    const got = await collect(paginate(call, "cursor", "search-agent", { locationId: "L1", limit: 15 }));
    expect(ids(got)).toEqual(subs.map((s) => s.id));
    expect(calls[1]?.params.startAfter).toBe("s14");
  });
});

describe("limits and loop protection", () => {
  const endless = () =>
    fake((params) => ({
      data: range(10, (i) => `${String(params.offset)}-${i}`).map((id) => ({ id })),
    }));

  it("limit stops after N items without fetching further pages", async () => {
    const { call, calls } = endless();
    const got = await collect(paginate(call, "limit-offset", "list-orders", {}, undefined, { limit: 25 }));
    expect(got).toHaveLength(25);
    expect(calls).toHaveLength(3);
    const pageList = await collect(
      pages(endless().call, "limit-offset", "list-orders", {}, undefined, { limit: 25 }),
    );
    expect(pageList.map((p) => p.items.length)).toEqual([10, 10, 5]);
  });

  it("more than maxPages pages fails with PAGINATION_LOOP", async () => {
    const { call, calls } = endless();
    const err = await loopError(
      collect(paginate(call, "limit-offset", "list-orders", {}, undefined, { maxPages: 5 })),
    );
    expect(err.message).toContain("maxPages");
    expect(calls).toHaveLength(5);
  });

  it("the default maxPages is 10,000", async () => {
    const { call, calls } = fake((params) => ({ data: [{ id: `x${String(params.offset)}` }] }));
    await loopError(collect(paginate(call, "limit-offset", "list-orders", {})));
    expect(calls).toHaveLength(10_000);
  });

  it("an empty first page ends iteration after one call", async () => {
    const { call, calls } = fake(() => ({ contacts: [], meta: { startAfter: 1, startAfterId: "x" } }));
    expect(await collect(paginate(call, "keyset", "get-contacts", {}))).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("pages() yields each page with what was sent and the response", async () => {
    const { call } = fake((params) => ({
      data:
        Number(params.offset) < 20
          ? [{ id: `a${String(params.offset)}` }, { id: `b${String(params.offset)}` }]
          : [],
      totalCount: 4,
    }));
    const got = await collect(
      pages(call, "limit-offset", "list-orders", { altId: "L1" }, undefined, { pageSize: 2 }),
    );
    expect(got.map((p) => p.index)).toEqual(range(10, String).map(Number));
    expect(got[0]?.params).toEqual({ altId: "L1", limit: 2, offset: 0 });
    expect(got[1]?.params).toEqual({ altId: "L1", limit: 2, offset: 2 });
    expect(got[0]?.response).toMatchObject({ totalCount: 4 });
  });

  it("finds the only array when no item path is known, and asks for one when there are several", async () => {
    const one = fake((params) => ({
      result: { list: Number(params.skip) === 0 ? [{ id: 1 }, { id: 2 }] : [] },
    }));
    expect(await collect(paginate(one.call, { style: "skip-limit" }, "x", {}))).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
    const two = fake(() => ({ a: [1], b: [2] }));
    const err = await collect(paginate(two.call, { style: "skip-limit" }, "x", {})).catch((e) => e);
    expect((err as HighLevelError).code).toBe("INVALID_REQUEST");
  });
});

describe("style table and detection", () => {
  // Operation keys as the generator makes them: "service:operationId" where two services share an id.
  const specDir = join(import.meta.dirname, "../../../specs/highlevel/v2/apps");
  interface Found {
    key: string;
    query: Set<string>;
    bodyProps: Set<string>;
  }
  const found: Found[] = [];
  const services = new Map<string, string[]>();
  const raw: { svc: string; id: string; query: Set<string>; bodyProps: Set<string> }[] = [];
  for (const file of readdirSync(specDir).filter((f) => f.endsWith(".json"))) {
    const svc = file.replace(/\.json$/, "");
    const doc = JSON.parse(readFileSync(join(specDir, file), "utf8"));
    const schemas = doc.components?.schemas ?? {};
    for (const ops of Object.values(doc.paths as Record<string, Record<string, Rec>>)) {
      for (const op of Object.values(ops)) {
        if (typeof op?.operationId !== "string") continue;
        const query = new Set(
          ((op.parameters ?? []) as Rec[]).filter((p) => p.in === "query").map((p) => String(p.name)),
        );
        const ref = (op.requestBody as Rec | undefined)?.content as Rec | undefined;
        const schemaRef = ((ref?.["application/json"] as Rec | undefined)?.schema as Rec | undefined)?.$ref;
        const body = typeof schemaRef === "string" ? schemas[schemaRef.split("/").pop()!] : undefined;
        const bodyProps = new Set(Object.keys((body?.properties as Rec) ?? {}));
        raw.push({ svc, id: op.operationId, query, bodyProps });
        services.set(op.operationId, [...(services.get(op.operationId) ?? []), svc]);
      }
    }
  }
  for (const r of raw) {
    const key = (services.get(r.id)?.length ?? 0) > 1 ? `${r.svc}:${r.id}` : r.id;
    found.push({ key, query: r.query, bodyProps: r.bodyProps });
  }
  const byKey = new Map(found.map((f) => [f.key, f]));

  it("every table entry names a real operation that has the paging parameters of its style", () => {
    const needs: Record<string, string[]> = {
      keyset: ["startAfter", "startAfterId"],
      "skip-limit": ["skip"],
      "limit-offset": ["offset"],
      "start-after-date": ["startAfterDate"],
      "last-message-id": ["lastMessageId"],
      page: ["page"],
    };
    for (const [key, spec] of Object.entries(PAGINATION_STYLES)) {
      const op = byKey.get(key);
      expect(op, key).toBeDefined();
      const where = spec.in === "body" ? op!.bodyProps : op!.query;
      for (const p of needs[spec.style] ?? []) expect(where.has(p), `${key} ${p}`).toBe(true);
      if (spec.style === "cursor") expect(op!.query.has(spec.cursorParam ?? "cursor"), key).toBe(true);
      if (spec.sizeParam && spec.in !== "body") expect(op!.query.has(spec.sizeParam), key).toBe(true);
    }
    // Contact search declares an empty body schema upstream; the others declare their fields.
    expect(byKey.get("search-object-records")?.bodyProps.has("searchAfter")).toBe(true);
  });

  it("lists every skip/limit and limit/offset operation of the specs", () => {
    for (const op of found) {
      if (op.query.has("skip") || op.bodyProps.has("skip")) {
        expect(PAGINATION_STYLES[op.key]?.style, op.key).toBe("skip-limit");
      }
      if (op.query.has("offset")) expect(PAGINATION_STYLES[op.key]?.style, op.key).toBe("limit-offset");
    }
  });

  it("the named endpoints have their styles", () => {
    const style = (k: string) => PAGINATION_STYLES[k]?.style;
    expect(style("get-contacts")).toBe("keyset");
    expect(style("search-contacts-advanced")).toBe("search");
    expect(style("search-opportunity")).toBe("keyset");
    expect(style("search-conversation")).toBe("start-after-date");
    expect(style("get-messages")).toBe("last-message-id");
    expect(PAGINATION_STYLES["get-messages"]?.items).toBe("messages.messages");
  });

  it("detects styles from parameters", () => {
    const d = (...names: string[]) => detectPaginationStyle(names);
    expect(d("locationId", "startAfter", "startAfterId", "limit")).toEqual({ style: "keyset" });
    expect(d("startAfter", "startAfterId", "page")).toEqual({ style: "keyset", pageParam: "page" });
    expect(d("startAfterDate")?.style).toBe("start-after-date");
    expect(d("lastMessageId", "limit")?.style).toBe("last-message-id");
    expect(d("skip", "limit")).toEqual({ style: "skip-limit" });
    expect(d("limit", "offset")).toEqual({ style: "limit-offset" });
    expect(d("page", "pageSize")).toEqual({ style: "page", sizeParam: "pageSize" });
    expect(d("cursor", "limit")).toMatchObject({
      style: "cursor",
      cursorParam: "cursor",
      nextCursor: "nextCursor",
    });
    expect(d("lastFaqId", "limit")).toEqual({ style: "cursor", cursorParam: "lastFaqId" });
    expect(d("page")).toBeUndefined(); // social OAuth start endpoints: page is not pagination
    expect(d("locationId")).toBeUndefined();
    // Only query parameters count.
    expect(detectPaginationStyle([{ name: "skip", in: "path", required: true }])).toBeUndefined();
  });

  it("resolves an operation from the table, by bare id, or by detection", () => {
    const op = (key: string, names: string[]): OperationSpec => ({
      key,
      operationId: key,
      service: "x",
      method: "GET",
      path: "/x",
      version: null,
      scopes: [],
      security: "location",
      securitySchemes: [],
      parameters: names.map((name) => ({ name, in: "query", required: false })),
      body: null,
      deprecated: false,
      summary: "",
    });
    expect(resolvePaginationStyle(op("get-messages", []))).toBe(PAGINATION_STYLES["get-messages"]);
    expect(resolvePaginationStyle(op("unknown-list", ["skip", "limit"]))).toEqual({ style: "skip-limit" });
    expect(() => resolvePaginationStyle(op("get-contact", []))).toThrow(HighLevelError);
    expect(paginationFor("conversations:get-messages")).toBe(PAGINATION_STYLES["get-messages"]);
  });

  it("a bare style borrows the table's details for that operation", async () => {
    const { call, calls } = fake((params) => ({
      numbers: Number(params.page) === 0 ? [{ id: "n1" }] : [],
    }));
    expect(await collect(paginate(call, "page", "active-numbers", {}))).toEqual([{ id: "n1" }]);
    expect(calls[0]?.params.page).toBe(0);
    const spec: PaginationSpec = { style: "page", items: "numbers", firstPage: 1 };
    const second = fake((params) => ({ numbers: Number(params.page) === 1 ? [{ id: "n1" }] : [] }));
    expect(await collect(paginate(second.call, spec, "active-numbers", {}))).toHaveLength(1);
  });
});
