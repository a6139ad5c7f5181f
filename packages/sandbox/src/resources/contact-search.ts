// POST /contacts/search: filters (nested AND/OR groups), sort, page/pageLimit (at most
// 10,000 records deep) and searchAfter cursors carried by every returned contact.
import type { HandlerContext, HandlerMap } from "../context.ts";
import { unprocessable } from "../http/errors.ts";
import { type ContactDoc, contactView, fullName } from "./contact-model.ts";

const MAX_DEPTH = 10_000;

interface Filter {
  field?: string;
  operator?: string;
  value?: unknown;
  group?: "AND" | "OR";
  filters?: Filter[];
}

interface SortSpec {
  field: string;
  direction: "asc" | "desc";
}

const DATE_FIELDS = new Set(["dateAdded", "dateUpdated", "dateOfBirth", "lastActivity"]);

/** The value a filter or sort sees for a field (dates as epoch ms, strings lowercase). */
function fieldValue(c: ContactDoc, field: string): unknown {
  const doc = c as unknown as Record<string, unknown>;
  if (field.startsWith("customFields.")) {
    const id = field.slice("customFields.".length);
    return c.customFields.find((f) => f.id === id)?.value;
  }
  let v: unknown;
  switch (field) {
    case "firstNameLowerCase":
    case "lastNameLowerCase":
      v = doc[field.replace("LowerCase", "")];
      break;
    case "fullNameLowerCase":
    case "contactName":
    case "name":
      v = fullName(c);
      break;
    case "businessName":
      v = c.companyName;
      break;
    default:
      v = doc[field];
  }
  if (DATE_FIELDS.has(field) && typeof v === "string") return Date.parse(v);
  return typeof v === "string" ? v.toLowerCase() : v;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

function norm(v: unknown, field: string): unknown {
  if (DATE_FIELDS.has(field) && typeof v === "string" && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  return typeof v === "string" ? v.toLowerCase() : v;
}

function equals(actual: unknown, expected: unknown, field: string): boolean {
  const wanted = Array.isArray(expected) ? expected.map((e) => norm(e, field)) : [norm(expected, field)];
  const values = Array.isArray(actual) ? actual.map((a) => norm(a, field)) : [actual];
  return values.some((v) => wanted.some((w) => v === w || String(v) === String(w)));
}

function contains(actual: unknown, expected: unknown): boolean {
  const needle = String(expected ?? "").toLowerCase();
  const values = Array.isArray(actual) ? actual : [actual];
  return values.some((v) => v !== undefined && v !== null && String(v).toLowerCase().includes(needle));
}

function inRange(actual: unknown, range: unknown, field: string): boolean {
  if (actual === undefined || actual === null || !range || typeof range !== "object") return false;
  const r = range as Record<string, unknown>;
  const a = typeof actual === "number" ? actual : Number(actual);
  const bound = (k: string) => {
    const v = norm(r[k], field);
    return v === undefined ? undefined : Number(v);
  };
  const [gt, gte, lt, lte] = [bound("gt"), bound("gte"), bound("lt"), bound("lte")];
  return (
    (gt === undefined || a > gt) &&
    (gte === undefined || a >= gte) &&
    (lt === undefined || a < lt) &&
    (lte === undefined || a <= lte)
  );
}

function problemsOf(filters: Filter[], path: string, out: string[]): void {
  filters.forEach((f, i) => {
    const at = `${path}.${i}`;
    if (f.group !== undefined) {
      if (f.group !== "AND" && f.group !== "OR")
        out.push(`${at}.group must be one of the following values: AND, OR`);
      if (!Array.isArray(f.filters)) out.push(`${at}.filters must be an array`);
      else problemsOf(f.filters, `${at}.filters`, out);
      return;
    }
    if (typeof f.field !== "string" || !f.field) out.push(`${at}.field should not be empty`);
    if (f.operator === "range" && (typeof f.value !== "object" || f.value === null)) {
      out.push(`${at}.value must be an object with gt, gte, lt or lte for the range operator`);
    }
    if (!["exists", "not_exists"].includes(String(f.operator)) && f.value === undefined) {
      out.push(`${at}.value should not be empty`);
    }
  });
}

function matches(c: ContactDoc, f: Filter): boolean {
  if (f.group) {
    const subs = f.filters ?? [];
    return f.group === "OR" ? subs.some((s) => matches(c, s)) : subs.every((s) => matches(c, s));
  }
  const field = f.field!;
  const actual = fieldValue(c, field);
  switch (f.operator) {
    case "eq":
      return equals(actual, f.value, field);
    case "not_eq":
      return !equals(actual, f.value, field);
    case "contains":
      return contains(actual, f.value);
    case "not_contains":
      return !contains(actual, f.value);
    case "exists":
      return !isEmpty(actual);
    case "not_exists":
      return isEmpty(actual);
    case "range":
      return inRange(actual, f.value, field);
    default:
      return false;
  }
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1; // missing values sort first ascending
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : 1;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** Sort values of one contact: the requested fields, then the id as the tie-breaker. */
function sortValues(c: ContactDoc, sort: SortSpec[]): unknown[] {
  return [...sort.map((s) => fieldValue(c, s.field) ?? null), c.id];
}

function compareKeys(a: unknown[], b: unknown[], sort: SortSpec[]): number {
  for (let i = 0; i < a.length; i++) {
    const dir = i < sort.length && sort[i]!.direction === "desc" ? -1 : 1;
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c * dir;
  }
  return 0;
}

function search(ctx: HandlerContext) {
  const body = ctx.body as Record<string, unknown>;
  const problems: string[] = [];
  const pageLimit = body.pageLimit === undefined ? 20 : Number(body.pageLimit);
  const page = body.page === undefined ? 1 : Number(body.page);
  const searchAfter = body.searchAfter as unknown[] | undefined;
  const filters = (body.filters ?? []) as Filter[];
  problemsOf(filters, "filters", problems);
  const sort: SortSpec[] = ((body.sort ?? []) as Array<{ field: string; direction?: string }>).map((s) => ({
    field: s.field,
    direction: s.direction === "asc" ? "asc" : "desc",
  }));
  if (sort.length === 0) sort.push({ field: "dateAdded", direction: "desc" });
  if (!searchAfter && page * pageLimit > MAX_DEPTH) {
    problems.push(
      `page * pageLimit must not exceed ${MAX_DEPTH}: use searchAfter (from the last contact of a page) to go further`,
    );
  }
  if (searchAfter && searchAfter.length !== sort.length + 1) {
    problems.push(
      `searchAfter must have ${sort.length + 1} values (the searchAfter of the last contact of a page)`,
    );
  }
  if (problems.length) throw unprocessable(problems);

  const query = typeof body.query === "string" ? body.query.trim().toLowerCase() : "";
  const rows = ctx.state.records
    .list<ContactDoc>("contact", { locationId: String(body.locationId) })
    .filter((c) => filters.every((f) => matches(c, f)))
    .filter(
      (c) =>
        !query ||
        [fullName(c), c.email, c.phone, c.companyName].some((v) => v?.toLowerCase().includes(query)),
    )
    .map((c) => ({ c, key: sortValues(c, sort) }))
    .sort((a, b) => compareKeys(a.key, b.key, sort));

  // searchAfter holds the sort values this endpoint returned, so it compares as-is.
  const start = searchAfter
    ? rows.filter((r) => compareKeys(r.key, searchAfter, sort) <= 0).length
    : (page - 1) * pageLimit;
  const slice = rows.slice(start, start + pageLimit);
  return {
    body: {
      contacts: slice.map((r) => ({ ...contactView(r.c), searchAfter: r.key })),
      total: rows.length,
    },
  };
}

export const contactSearchHandlers: HandlerMap = {
  "search-contacts-advanced": search,
};
