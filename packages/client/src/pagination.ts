// Async iteration over every pagination style the HighLevel v2 API uses. Written against an abstract
// call function so the same code drives the real client, the sandbox and test fakes.
//
// Principles, because a sync connector would rather fail loudly than silently skip records:
// - a page ends iteration only when it is empty or the API says explicitly that nothing follows
//   (no next cursor, hasMore/nextPage false); a short page is not trusted as the last one, since the
//   server may cap the page size below what was asked;
// - offsets advance by the number of items received, never by the requested size, for the same reason;
// - a repeated cursor, a page starting with the same item as the previous one, or more than maxPages
//   pages throws HighLevelError PAGINATION_LOOP instead of spinning or returning duplicates.
import { HighLevelError } from "./errors.ts";
import type { OperationSpec, ParameterSpec } from "./operation.ts";

/** Calls one operation: params = path + query parameters flattened, body = the JSON body. */
export type CallFn = (
  operationKey: string,
  params: Record<string, unknown>,
  body?: unknown,
) => Promise<unknown>;

export type PaginationStyle =
  /** `startAfter` (epoch ms) + `startAfterId` from `meta`, always sent together; optional page fallback. */
  | "keyset"
  /** Body `page` + page size up to the 10,000-record window, then `searchAfter` of the last record. */
  | "search"
  /** `skip` + `limit`. */
  | "skip-limit"
  /** `limit` + `offset`. */
  | "limit-offset"
  /** `startAfterDate` = the sort value of the last item. */
  | "start-after-date"
  /** `lastMessageId` + `nextPage` (messages of a conversation). */
  | "last-message-id"
  /** Page number (`page`), following `meta.nextPage` when the response gives it. */
  | "page"
  /** An opaque or id cursor parameter (`cursor`/`nextCursor`, `lastFaqId`, `lastDoc`, ...). */
  | "cursor";

export interface PaginationSpec {
  style: PaginationStyle;
  /** Dot path of the item array in the response ("" = the response itself). Absent: the only array found. */
  items?: string;
  /** Where the paging parameters go: with the path/query params (default) or in the JSON body. */
  in?: "query" | "body";
  /** Name of the page-size parameter (default `limit`; `pageLimit` for contact search). */
  sizeParam?: string;
  /** keyset: page parameter to fall back to when `meta` carries `nextPage` but no keyset cursor. */
  pageParam?: string;
  /** cursor: the parameter that carries the cursor (default `cursor`). */
  cursorParam?: string;
  /** cursor: dot path of the next cursor in the response. Absent: the id of the last item. */
  nextCursor?: string;
  /** Dot path of a boolean that is false when nothing follows (e.g. `pagination.hasMore`). */
  hasMore?: string;
  /** page: number of the first page (default 1; some endpoints count from 0). */
  firstPage?: number;
  /** search: how many records page numbers can reach before `searchAfter` is needed (default 10,000). */
  maxWindow?: number;
  /** The body declares skip/limit as strings: send them as strings. */
  stringNumbers?: boolean;
}

export interface PaginateOptions {
  /** Stop after this many items (pages() truncates the last page to fit). */
  limit?: number;
  /** Fail with PAGINATION_LOOP when there are more pages than this (default 10,000). */
  maxPages?: number;
  /** Page size to send when the caller's params/body do not set the size parameter. */
  pageSize?: number;
  /** Overrides the item path of the spec (see PaginationSpec.items). */
  items?: string;
}

export interface Page<T = unknown> {
  items: T[];
  /** The whole response the items came from. */
  response: unknown;
  /** 0-based index of the page in this iteration. */
  index: number;
  /** What was sent for this page. */
  params: Record<string, unknown>;
  body: unknown;
}

export const DEFAULT_MAX_PAGES = 10_000;
/** `POST /contacts/search` pages reach at most this many records; beyond it only `searchAfter` works. */
export const SEARCH_PAGE_WINDOW = 10_000;
/** Page size sent to search endpoints when none is given, so the 10,000 window can be computed exactly. */
const DEFAULT_SEARCH_PAGE_SIZE = 100;

type Rec = Record<string, unknown>;

// `items` undefined: the spec documents no usable response schema, so the only array is taken.
const skip = (items: string | undefined, extra: Partial<PaginationSpec> = {}): PaginationSpec => ({
  style: "skip-limit",
  ...(items === undefined ? {} : { items }),
  ...extra,
});
const offset = (items: string | undefined, extra: Partial<PaginationSpec> = {}): PaginationSpec => ({
  style: "limit-offset",
  ...(items === undefined ? {} : { items }),
  ...extra,
});
const AUTO = undefined;

/**
 * Pagination of the v2 operations, by operation key (operationId, or "service:operationId" where two
 * services share an id, like `list-invoices`). Item paths come from the response schemas of the specs;
 * where a spec's response schema is missing or wrong the path is left out and found at run time.
 */
export const PAGINATION_STYLES: Readonly<Record<string, PaginationSpec>> = {
  // keyset
  "get-contacts": { style: "keyset", items: "contacts" },
  "search-opportunity": { style: "keyset", items: "opportunities", pageParam: "page" },
  // body search: page/pageLimit then searchAfter
  "search-contacts-advanced": { style: "search", items: "contacts", in: "body", sizeParam: "pageLimit" },
  "search-object-records": { style: "search", items: "records", in: "body", sizeParam: "pageLimit" },
  "search-opportunities-advanced": {
    style: "search",
    items: "opportunities",
    in: "body",
    sizeParam: "limit",
  },
  // conversations
  "search-conversation": { style: "start-after-date", items: "conversations" },
  "get-messages": { style: "last-message-id", items: "messages.messages" },
  "export-messages-by-location": {
    style: "cursor",
    items: "messages",
    cursorParam: "cursor",
    nextCursor: "nextCursor",
  },
  // id cursors
  "search-agent": { style: "cursor", items: "agents", cursorParam: "startAfter" },
  list: {
    style: "cursor",
    items: "faqs",
    cursorParam: "lastFaqId",
    nextCursor: "lastFaqId",
    hasMore: "hasMore",
  },
  listAllKnowledgeBasesPaginated: { style: "cursor", cursorParam: "lastKnowledgeBaseId" },
  "get-snapshot-push": { style: "cursor", items: "data", cursorParam: "lastDoc" },
  // page numbers
  "get-forms-submissions": { style: "page", items: "submissions" },
  "get-surveys-submissions": { style: "page", items: "submissions" },
  "active-numbers": { style: "page", items: "numbers", sizeParam: "pageSize", firstPage: 0 },
  "get-agents": { style: "page", items: "agents", sizeParam: "pageSize" },
  "get-call-logs": { style: "page", items: "callLogs", sizeParam: "pageSize" },
  getAllWebsiteUrlsDataByKnowledgeBase: { style: "page", items: "urls", sizeParam: "pageLength" },
  "get-saas-locations": { style: "page" },
  "get-saas-locations-deprecated": { style: "page", items: "locations", hasMore: "pagination.hasNext" },
  // skip / limit
  "list-affiliates": skip("affiliates"),
  "list-payouts": skip("payouts"),
  "list-commissions": skip("commissions"),
  "get-relations-by-record-id": skip(AUTO),
  "find-associations": skip(AUTO),
  "get-blogs": skip("data"),
  "get-businesses-by-location": skip("businesses"),
  "fetch-calendar-resources": skip(""),
  "get-event-notification": skip(""),
  getAllSchedules: skip("schedules"),
  "get-contacts-by-businessId": skip("contacts"),
  "get-custom-menus": skip("customMenus"),
  "get-forms": skip("forms"),
  "search-trigger-links": skip("links"),
  "search-locations": skip("locations"),
  "GET-all-or-email-sms-templates": skip("templates"),
  getCharges: skip("charges"),
  "get-installed-location": skip("locations"),
  "get-lost-reason": skip("lostReasons"),
  "list-documents-contracts": skip("documents"),
  "list-documents-contracts-templates": skip("data"),
  "get-upload-status": skip("results.csvs"),
  "get-csv-post": skip("results.posts"),
  "get-categories-location-id": skip("results.categories"),
  "get-tags-location-id": skip("results.tags"),
  "get-surveys": skip("surveys"),
  "search-users": skip("users"),
  "task-search": skip("tasks", { in: "body" }),
  "get-posts": skip(AUTO, { in: "body", stringNumbers: true }),
  "filter-users-by-email": skip("users", { in: "body", stringNumbers: true }),
  // limit / offset
  getAgents: offset("agents", { hasMore: "pagination.hasMore" }),
  "getAgents-deprecated": offset("agents", { hasMore: "pagination.hasMore" }),
  "get-all-blog-authors-by-location": offset("authors"),
  "get-all-categories-by-location": offset("categories"),
  "get-blog-post": offset("blogs"),
  getBrandBoardsByLocation: offset("brandBoards"),
  "get-appointment-notes": offset("notes", { hasMore: "hasMore" }),
  "fetch-campaigns": offset("schedules"),
  "fetch-template": offset(AUTO),
  "fetch-redirects-list": offset("data.data"),
  getFunnels: offset("funnels"),
  getPagesByFunnelId: offset(AUTO),
  "list-invoice-templates": offset("data"),
  "list-invoice-schedules": offset("schedules"),
  "list-estimates": offset("estimates"),
  "list-estimate-templates": offset("data"),
  "invoices:list-invoices": offset("invoices"),
  "fetch-media-content": offset("files"),
  "list-integration-providers": offset(AUTO),
  "list-orders": offset("data"),
  "list-transactions": offset("data"),
  "list-subscriptions": offset("data"),
  "list-coupons": offset("data"),
  "list-prices-for-product": offset("prices"),
  "get-list-inventory": offset("inventory"),
  "get-product-collection": offset("data"),
  "get-product-reviews": offset("data"),
  "products:list-invoices": offset("products"),
  "list-shipping-zones": offset("data"),
  "list-shipping-rates": offset("data"),
};

const SIZE_PARAMS = ["limit", "pageSize", "pageLength", "pageLimit"];

/**
 * Guess the pagination of an operation that is not in PAGINATION_STYLES from its query parameters.
 * Returns undefined when nothing looks like pagination (a lone `page` without a size parameter is not
 * taken: the social OAuth start endpoints use `page` for something else).
 */
export function detectPaginationStyle(
  parameters: readonly (ParameterSpec | string)[],
): PaginationSpec | undefined {
  const names = new Set(
    parameters.flatMap((p) => (typeof p === "string" ? [p] : p.in === "query" ? [p.name] : [])),
  );
  const size = SIZE_PARAMS.find((n) => names.has(n));
  const withSize = (spec: PaginationSpec): PaginationSpec =>
    size && size !== "limit" ? { ...spec, sizeParam: size } : spec;
  if (names.has("startAfter") && names.has("startAfterId")) {
    return names.has("page") ? { style: "keyset", pageParam: "page" } : { style: "keyset" };
  }
  if (names.has("startAfterDate")) return { style: "start-after-date" };
  if (names.has("lastMessageId")) return { style: "last-message-id" };
  if (names.has("cursor"))
    return withSize({ style: "cursor", cursorParam: "cursor", nextCursor: "nextCursor" });
  if (names.has("skip")) return withSize({ style: "skip-limit" });
  if (names.has("offset")) return withSize({ style: "limit-offset" });
  if (names.has("page") && size) return withSize({ style: "page" });
  const idCursor = [...names].find(
    (n) => /^last[A-Z]\w*Id$/.test(n) || n === "lastDoc" || n === "startAfter",
  );
  if (idCursor) return withSize({ style: "cursor", cursorParam: idCursor });
  return undefined;
}

/** The table entry of an operation; a "service:operationId" key falls back to the bare operationId. */
export function paginationFor(
  operationKey: string,
  parameters?: readonly (ParameterSpec | string)[],
): PaginationSpec | undefined {
  const bare = operationKey.includes(":") ? operationKey.slice(operationKey.indexOf(":") + 1) : undefined;
  const known = PAGINATION_STYLES[operationKey] ?? (bare === undefined ? undefined : PAGINATION_STYLES[bare]);
  if (known) return known;
  return parameters ? detectPaginationStyle(parameters) : undefined;
}

/** The pagination of an operation: its table entry, else detected from its parameters; throws if none. */
export function resolvePaginationStyle(op: OperationSpec): PaginationSpec {
  const spec = paginationFor(op.key, op.parameters);
  if (!spec) {
    throw new HighLevelError(`${op.key} is not a paginated operation`, {
      code: "INVALID_REQUEST",
      operationId: op.key,
    });
  }
  return spec;
}

/** Iterate items across pages. */
export async function* paginate<T = unknown>(
  call: CallFn,
  style: PaginationStyle | PaginationSpec,
  operationKey: string,
  params: Record<string, unknown> = {},
  body?: unknown,
  options: PaginateOptions = {},
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages<T>(call, style, operationKey, params, body, options)) {
    yield* page.items;
  }
}

/** Iterate whole pages (items plus the response they came from). */
export async function* pages<T = unknown>(
  call: CallFn,
  style: PaginationStyle | PaginationSpec,
  operationKey: string,
  params: Record<string, unknown> = {},
  body?: unknown,
  options: PaginateOptions = {},
): AsyncGenerator<Page<T>, void, undefined> {
  const spec = resolveSpec(style, operationKey, options);
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const limit = options.limit;
  if (limit !== undefined && limit <= 0) return;

  const strategy = STRATEGIES[spec.style];
  let step: Step | null = strategy.first(
    spec,
    { params: { ...params }, body: copyBody(body) },
    options,
    operationKey,
  );
  const cursors = new Set<string>([step.cursor]);
  let previousFirstId: string | undefined;
  let yielded = 0;

  for (let index = 0; step; index++) {
    if (index >= maxPages) {
      throw loopError(operationKey, `more than ${maxPages} pages (maxPages); stopped at ${step.cursor}`);
    }
    const { params: sentParams, body: sentBody } = step.request;
    const response = await call(operationKey, sentParams, sentBody);
    const items = strategy.items(spec, response, operationKey) as T[];
    if (items.length === 0) return;

    // A server that ignores the cursor answers the same page again: stop before yielding duplicates.
    const firstId = idOf(items[0]);
    if (firstId !== undefined && firstId === previousFirstId) {
      throw loopError(
        operationKey,
        `page ${index + 1} starts with the same item (${firstId}) as the page before`,
      );
    }
    previousFirstId = firstId;

    const take = limit === undefined ? items : items.slice(0, limit - yielded);
    yield { items: take, response, index, params: sentParams, body: sentBody };
    yielded += take.length;
    if (limit !== undefined && yielded >= limit) return;
    if (hasMoreIsFalse(spec, response)) return;

    step = strategy.next(spec, step.request, response, items, operationKey);
    if (step) {
      if (cursors.has(step.cursor)) {
        throw loopError(operationKey, `the cursor repeated (${step.cursor}) after page ${index + 1}`);
      }
      cursors.add(step.cursor);
    }
  }
}

// ---------------------------------------------------------------------------------------------------

interface Request {
  params: Rec;
  body: unknown;
}
interface Step {
  request: Request;
  /** Identifies the position, to notice a cursor that repeats. */
  cursor: string;
}
interface Strategy {
  first(spec: PaginationSpec, request: Request, options: PaginateOptions, operationKey: string): Step;
  items(spec: PaginationSpec, response: unknown, operationKey: string): unknown[];
  /** The request for the page after `items`, or null when the API says nothing follows. */
  next(
    spec: PaginationSpec,
    request: Request,
    response: unknown,
    items: unknown[],
    operationKey: string,
  ): Step | null;
}

function resolveSpec(
  style: PaginationStyle | PaginationSpec,
  operationKey: string,
  options: PaginateOptions,
): PaginationSpec {
  let spec: PaginationSpec;
  if (typeof style === "string") {
    if (!(style in STRATEGIES)) {
      throw new HighLevelError(`Unknown pagination style "${style}"`, {
        code: "INVALID_REQUEST",
        operationId: operationKey,
      });
    }
    // A bare style borrows the table's details (item path, parameter names) when they agree.
    const known = paginationFor(operationKey);
    spec = known?.style === style ? { ...known } : { style };
  } else {
    spec = { ...style };
  }
  if (options.items !== undefined) spec.items = options.items;
  return spec;
}

function copyBody(body: unknown): unknown {
  return isRecord(body) ? { ...body } : body;
}

/** The object the paging parameters go into: the params, or the body for body-paginated endpoints. */
function target(spec: PaginationSpec, request: Request, operationKey: string): Rec {
  if (spec.in !== "body") return request.params;
  if (request.body === undefined) request.body = {};
  if (!isRecord(request.body)) {
    throw new HighLevelError(
      `${operationKey}: this operation pages through its JSON body, which must be an object`,
      {
        code: "INVALID_REQUEST",
        operationId: operationKey,
      },
    );
  }
  return request.body;
}

function withTarget(spec: PaginationSpec, request: Request, changes: Rec, remove: string[] = []): Request {
  const next: Request = {
    params: { ...request.params },
    body: isRecord(request.body) ? { ...request.body } : request.body,
  };
  const t = spec.in === "body" ? (next.body as Rec) : next.params;
  for (const key of remove) delete t[key];
  Object.assign(t, changes);
  return next;
}

function applyPageSize(spec: PaginationSpec, t: Rec, options: PaginateOptions, fallback?: number): void {
  const sizeParam = spec.sizeParam ?? "limit";
  const size = options.pageSize ?? fallback;
  if (t[sizeParam] === undefined && size !== undefined)
    t[sizeParam] = spec.stringNumbers ? String(size) : size;
}

const keyset: Strategy = {
  first(spec, request, options, operationKey) {
    const t = target(spec, request, operationKey);
    applyPageSize(spec, t, options);
    const hasAfter = present(t.startAfter);
    const hasId = present(t.startAfterId);
    // HighLevel answers the first page again when only one of the two is sent.
    if (hasAfter !== hasId) {
      throw new HighLevelError(`${operationKey}: startAfter and startAfterId must be sent together`, {
        code: "INVALID_REQUEST",
        operationId: operationKey,
      });
    }
    const pageNumber = spec.pageParam ? t[spec.pageParam] : undefined;
    const position = hasAfter
      ? `after:${String(t.startAfter)}/${String(t.startAfterId)}`
      : `page:${String(pageNumber ?? 1)}`;
    return { request, cursor: position };
  },
  items: (spec, response, operationKey) => extractItems(spec, response, operationKey),
  next(spec, request, response, _items, operationKey) {
    const meta = isRecord(response) && isRecord(response.meta) ? response.meta : {};
    let startAfter = meta.startAfter;
    let startAfterId = meta.startAfterId;
    if (!present(startAfter) && !present(startAfterId) && typeof meta.nextPageUrl === "string") {
      const url = safeUrl(meta.nextPageUrl);
      startAfter = url?.searchParams.get("startAfter") ?? undefined;
      startAfterId = url?.searchParams.get("startAfterId") ?? undefined;
    }
    if (present(startAfter) && present(startAfterId)) {
      const remove = spec.pageParam ? [spec.pageParam] : [];
      return {
        request: withTarget(spec, request, { startAfter, startAfterId }, remove),
        cursor: `after:${String(startAfter)}/${String(startAfterId)}`,
      };
    }
    if (present(startAfter) || present(startAfterId)) {
      // Sending half a cursor restarts from the first page; going on would duplicate records.
      throw loopError(
        operationKey,
        "meta carries only one of startAfter/startAfterId; cannot continue safely",
      );
    }
    if (spec.pageParam && typeof meta.nextPage === "number") {
      return {
        request: withTarget(spec, request, { [spec.pageParam]: meta.nextPage }, [
          "startAfter",
          "startAfterId",
        ]),
        cursor: `page:${meta.nextPage}`,
      };
    }
    return null;
  },
};

const search: Strategy = {
  first(spec, request, options, operationKey) {
    const t = target(spec, request, operationKey);
    applyPageSize(
      { ...spec, sizeParam: spec.sizeParam ?? "pageLimit" },
      t,
      options,
      DEFAULT_SEARCH_PAGE_SIZE,
    );
    if (Array.isArray(t.searchAfter)) {
      delete t.page;
      return { request, cursor: `searchAfter:${JSON.stringify(t.searchAfter)}` };
    }
    if (t.page === undefined) t.page = 1;
    return { request, cursor: `page:${String(t.page)}` };
  },
  items: (spec, response, operationKey) => extractItems(spec, response, operationKey),
  next(spec, request, _response, items, operationKey) {
    const sizeParam = spec.sizeParam ?? "pageLimit";
    const t = target(spec, request, operationKey);
    const size = Number(t[sizeParam]);
    const window = spec.maxWindow ?? SEARCH_PAGE_WINDOW;
    if (!Array.isArray(t.searchAfter)) {
      const page = Number(t.page);
      if (Number.isFinite(page) && Number.isFinite(size) && (page + 1) * size <= window) {
        return { request: withTarget(spec, request, { page: page + 1 }), cursor: `page:${page + 1}` };
      }
    }
    // Past the page window (or already there): continue after the sort values of the last record.
    const last = items[items.length - 1];
    const searchAfter = isRecord(last) ? last.searchAfter : undefined;
    if (!Array.isArray(searchAfter) || searchAfter.length === 0) {
      throw loopError(
        operationKey,
        `the last record carries no searchAfter, so paging cannot go past ${window} records`,
      );
    }
    return {
      request: withTarget(spec, request, { searchAfter }, ["page"]),
      cursor: `searchAfter:${JSON.stringify(searchAfter)}`,
    };
  },
};

function positionStrategy(param: "skip" | "offset"): Strategy {
  return {
    first(spec, request, options, operationKey) {
      const t = target(spec, request, operationKey);
      applyPageSize(spec, t, options);
      if (t[param] === undefined) t[param] = spec.stringNumbers ? "0" : 0;
      return { request, cursor: `${param}:${String(t[param])}` };
    },
    items: (spec, response, operationKey) => extractItems(spec, response, operationKey),
    next(spec, request, _response, items, operationKey) {
      const current = target(spec, request, operationKey)[param];
      const position = Number(current ?? 0) + items.length;
      // Some specs type skip/limit as strings: keep the caller's representation.
      const value = typeof current === "string" ? String(position) : position;
      return { request: withTarget(spec, request, { [param]: value }), cursor: `${param}:${position}` };
    },
  };
}

const startAfterDate: Strategy = {
  first(spec, request, options, operationKey) {
    const t = target(spec, request, operationKey);
    applyPageSize(spec, t, options);
    return { request, cursor: `date:${present(t.startAfterDate) ? String(t.startAfterDate) : "start"}` };
  },
  items: (spec, response, operationKey) => extractItems(spec, response, operationKey),
  next(spec, request, _response, items, operationKey) {
    const value = sortValue(items[items.length - 1], target(spec, request, operationKey).sortBy);
    if (value === undefined) return null;
    return { request: withTarget(spec, request, { startAfterDate: value }), cursor: `date:${String(value)}` };
  },
};

/** The value conversations are sorted by: `sort` (what the API means by "sort value"), else the sort field. */
function sortValue(item: unknown, sortBy: unknown): string | number | undefined {
  if (!isRecord(item)) return undefined;
  const sort = Array.isArray(item.sort) ? item.sort[0] : item.sort;
  const candidates = [
    sort,
    sortBy === "last_manual_message_date" ? item.lastManualMessageDate : undefined,
    item.lastMessageDate,
    item.dateUpdated,
    item.dateAdded,
  ];
  for (const c of candidates) {
    if (typeof c === "number" && Number.isFinite(c)) return c;
    if (typeof c === "string" && c !== "") {
      // The parameter wants epoch ms; dates may arrive as ISO strings.
      const ms = /^\d+$/.test(c) ? Number(c) : Date.parse(c);
      return Number.isNaN(ms) ? c : ms;
    }
  }
  return undefined;
}

/** `GET /conversations/{id}/messages` nests `{lastMessageId, nextPage, messages[]}` under `messages`. */
function messagesContainer(response: unknown): Rec {
  if (!isRecord(response)) return {};
  return isRecord(response.messages) ? response.messages : response;
}

const lastMessageId: Strategy = {
  first(spec, request, options, operationKey) {
    const t = target(spec, request, operationKey);
    applyPageSize(spec, t, options);
    return { request, cursor: `message:${present(t.lastMessageId) ? String(t.lastMessageId) : "start"}` };
  },
  items(spec, response, operationKey) {
    const fromPath = spec.items === undefined ? undefined : getPath(response, spec.items);
    if (Array.isArray(fromPath)) return fromPath;
    const container = messagesContainer(response);
    if (container.messages === undefined || container.messages === null) return [];
    if (!Array.isArray(container.messages)) throw notAnArray(operationKey, "messages.messages");
    return container.messages;
  },
  next(spec, request, response, items) {
    const container = messagesContainer(response);
    if (container.nextPage === false) return null;
    const id = present(container.lastMessageId)
      ? String(container.lastMessageId)
      : idOf(items[items.length - 1]);
    if (id === undefined) return null;
    return { request: withTarget(spec, request, { lastMessageId: id }), cursor: `message:${id}` };
  },
};

const page: Strategy = {
  first(spec, request, options, operationKey) {
    const t = target(spec, request, operationKey);
    applyPageSize(spec, t, options);
    if (t.page === undefined) t.page = spec.firstPage ?? 1;
    return { request, cursor: `page:${String(t.page)}` };
  },
  items: (spec, response, operationKey) => extractItems(spec, response, operationKey),
  next(spec, request, response, _items, operationKey) {
    const meta = isRecord(response) && isRecord(response.meta) ? response.meta : undefined;
    let nextPage: number;
    if (meta && "nextPage" in meta) {
      if (typeof meta.nextPage !== "number") return null; // null: the last page
      nextPage = meta.nextPage;
    } else {
      nextPage = Number(target(spec, request, operationKey).page) + 1;
    }
    return { request: withTarget(spec, request, { page: nextPage }), cursor: `page:${nextPage}` };
  },
};

const cursor: Strategy = {
  first(spec, request, options, operationKey) {
    const t = target(spec, request, operationKey);
    applyPageSize(spec, t, options);
    const param = spec.cursorParam ?? "cursor";
    return { request, cursor: `cursor:${present(t[param]) ? String(t[param]) : "start"}` };
  },
  items: (spec, response, operationKey) => extractItems(spec, response, operationKey),
  next(spec, request, response, items) {
    const value =
      spec.nextCursor === undefined ? idOf(items[items.length - 1]) : getPath(response, spec.nextCursor);
    if (!present(value)) return null; // null/absent next cursor: the last page
    const param = spec.cursorParam ?? "cursor";
    return { request: withTarget(spec, request, { [param]: value }), cursor: `cursor:${String(value)}` };
  },
};

const STRATEGIES: Record<PaginationStyle, Strategy> = {
  keyset,
  search,
  "skip-limit": positionStrategy("skip"),
  "limit-offset": positionStrategy("offset"),
  "start-after-date": startAfterDate,
  "last-message-id": lastMessageId,
  page,
  cursor,
};

// ---------------------------------------------------------------------------------------------------

function extractItems(spec: PaginationSpec, response: unknown, operationKey: string): unknown[] {
  if (spec.items !== undefined) {
    const value = getPath(response, spec.items);
    // Some endpoints leave the array out instead of sending it empty.
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw notAnArray(operationKey, spec.items);
    return value;
  }
  return findOnlyArray(response, operationKey);
}

/** The item array when no path is known: the response itself, or the one array nearest the top. */
function findOnlyArray(response: unknown, operationKey: string): unknown[] {
  if (Array.isArray(response)) return response;
  let level: Rec[] = isRecord(response) ? [response] : [];
  for (let depth = 0; depth < 3 && level.length > 0; depth++) {
    const arrays: unknown[][] = [];
    const nextLevel: Rec[] = [];
    for (const obj of level) {
      for (const value of Object.values(obj)) {
        if (Array.isArray(value)) arrays.push(value);
        else if (isRecord(value)) nextLevel.push(value);
      }
    }
    if (arrays.length === 1) return arrays[0]!;
    if (arrays.length > 1) {
      throw new HighLevelError(
        `${operationKey}: the response has several arrays; pass options.items to say which holds the items`,
        { code: "INVALID_REQUEST", operationId: operationKey },
      );
    }
    level = nextLevel;
  }
  return [];
}

function getPath(value: unknown, path: string): unknown {
  if (path === "") return value;
  let current = value;
  for (const part of path.split(".")) {
    if (!isRecord(current)) return undefined;
    current = current[part];
  }
  return current;
}

function hasMoreIsFalse(spec: PaginationSpec, response: unknown): boolean {
  return spec.hasMore !== undefined && getPath(response, spec.hasMore) === false;
}

function idOf(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const id = item.id ?? item._id;
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

function isRecord(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url, "https://services.leadconnectorhq.com");
  } catch {
    return undefined;
  }
}

function loopError(operationKey: string, why: string): HighLevelError {
  return new HighLevelError(`${operationKey}: pagination stopped: ${why}`, {
    code: "PAGINATION_LOOP",
    operationId: operationKey,
  });
}

function notAnArray(operationKey: string, path: string): HighLevelError {
  return new HighLevelError(`${operationKey}: expected an array of items at "${path}" in the response`, {
    code: "INVALID_REQUEST",
    operationId: operationKey,
  });
}
