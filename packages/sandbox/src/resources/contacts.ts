// Contacts: create, read, update, delete, upsert, duplicate lookup and the deprecated
// keyset-paginated list (GET /contacts/).
import type { HandlerContext, HandlerMap, State } from "../context.ts";
import { unprocessable } from "../http/errors.ts";
import {
  allowsDuplicates,
  applyContactInput,
  type ContactDoc,
  contactEventFields,
  contactView,
  duplicateError,
  findDuplicate,
  insertContact,
  loadContact,
  newContact,
  saveContact,
} from "./contact-model.ts";

type Body = Record<string, unknown>;

export function emitContact(state: State, type: string, c: ContactDoc): void {
  state.webhooks.emit(type, c.locationId, contactEventFields(c));
}

/** After a change: ContactUpdate, plus the narrower tag/DND events when those changed. */
function emitChanges(state: State, before: ContactDoc, after: ContactDoc): void {
  emitContact(state, "ContactUpdate", after);
  if (JSON.stringify(before.tags) !== JSON.stringify(after.tags))
    emitContact(state, "ContactTagUpdate", after);
  if (before.dnd !== after.dnd || JSON.stringify(before.dndSettings) !== JSON.stringify(after.dndSettings)) {
    emitContact(state, "ContactDndUpdate", after);
  }
}

function create(ctx: HandlerContext) {
  const body = ctx.body as Body;
  const locationId = String(body.locationId);
  if (!allowsDuplicates(ctx.state, locationId)) {
    const dup = findDuplicate(ctx.state, locationId, body.email as string, body.phone as string);
    if (dup) throw duplicateError(dup);
  }
  const c = insertContact(ctx.state, newContact(ctx.state, locationId, body));
  emitContact(ctx.state, "ContactCreate", c);
  return { status: 201, body: { contact: { ...contactView(c), deleted: false } } };
}

function update(ctx: HandlerContext) {
  const before = loadContact(ctx, ctx.params.contactId!);
  const body = ctx.body as Body;
  const after: ContactDoc = structuredClone(before);
  applyContactInput(after, body);
  if (!allowsDuplicates(ctx.state, after.locationId)) {
    const changedEmail = body.email !== undefined && after.email !== before.email ? after.email : undefined;
    const changedPhone = body.phone !== undefined && after.phone !== before.phone ? after.phone : undefined;
    const dup = findDuplicate(ctx.state, after.locationId, changedEmail, changedPhone, after.id);
    if (dup) throw duplicateError(dup);
  }
  saveContact(ctx.state, after);
  emitChanges(ctx.state, before, after);
  return { body: { succeded: true, contact: contactView(after) } };
}

function upsert(ctx: HandlerContext) {
  const body = ctx.body as Body;
  const locationId = String(body.locationId);
  const createAnyway = allowsDuplicates(ctx.state, locationId) && body.createNewIfDuplicateAllowed === true;
  const match = createAnyway
    ? null
    : findDuplicate(ctx.state, locationId, body.email as string, body.phone as string);
  if (!match) {
    const { createNewIfDuplicateAllowed: _, ...input } = body;
    const c = insertContact(ctx.state, newContact(ctx.state, locationId, input));
    emitContact(ctx.state, "ContactCreate", c);
    return { body: { new: true, contact: contactView(c) } };
  }
  const before = match.contact;
  const after: ContactDoc = structuredClone(before);
  applyContactInput(after, body); // tags sent here replace the contact's tags
  saveContact(ctx.state, after);
  emitChanges(ctx.state, before, after);
  return { body: { new: false, contact: contactView(after) } };
}

function remove(ctx: HandlerContext) {
  const c = loadContact(ctx, ctx.params.contactId!);
  ctx.state.records.delete("contact", c.id);
  ctx.state.records.deleteChildren("task", c.id);
  ctx.state.records.deleteChildren("note", c.id);
  emitContact(ctx.state, "ContactDelete", c);
  return { body: { succeded: true } };
}

function duplicate(ctx: HandlerContext) {
  const q = ctx.query;
  const match = findDuplicate(ctx.state, String(q.locationId), q.email as string, q.number as string);
  return { body: { contact: match ? contactView(match.contact) : null } };
}

function matchesQuery(c: ContactDoc, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [c.firstName, c.lastName, c.name, c.email, c.phone, c.companyName]
    .filter(Boolean)
    .some((v) => String(v).toLowerCase().includes(q));
}

/**
 * GET /contacts/ (deprecated). Oldest first, keyset cursor (startAfter = dateAdded in ms,
 * startAfterId = id of the last contact seen). Both are needed: one alone restarts at page 1.
 */
function list(ctx: HandlerContext) {
  const q = ctx.query;
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (limit > 100) throw unprocessable(["limit must not be greater than 100"]);
  if (limit < 1) throw unprocessable(["limit must not be less than 1"]);
  const locationId = String(q.locationId);
  const key = (c: ContactDoc): [number, string] => [Date.parse(c.dateAdded), c.id];
  const before = (a: [number, string], b: [number, string]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const all = ctx.state.records
    .list<ContactDoc>("contact", { locationId })
    .filter((c) => matchesQuery(c, typeof q.query === "string" ? q.query : ""))
    .sort((a, b) => (before(key(a), key(b)) ? -1 : before(key(b), key(a)) ? 1 : 0));

  const hasCursor = q.startAfter !== undefined && q.startAfter !== "" && typeof q.startAfterId === "string";
  const cursor: [number, string] | null = hasCursor ? [Number(q.startAfter), String(q.startAfterId)] : null;
  const skipped = cursor ? all.filter((c) => !before(cursor, key(c))).length : 0;
  const page = all.slice(skipped, skipped + limit);
  const more = skipped + page.length < all.length;
  const last = page[page.length - 1];
  const currentPage = Math.floor(skipped / limit) + 1;
  const next = more && last ? key(last) : null;
  const params = new URLSearchParams({ locationId, limit: String(limit) });
  if (next) {
    params.set("startAfter", String(next[0]));
    params.set("startAfterId", next[1]);
  }
  return {
    body: {
      contacts: page.map(contactView),
      count: all.length,
      meta: {
        total: all.length,
        nextPageUrl: next ? `${ctx.state.baseUrl}/contacts/?${params}` : null,
        startAfterId: next ? next[1] : null,
        startAfter: next ? next[0] : null,
        currentPage,
        nextPage: more ? currentPage + 1 : null,
        prevPage: currentPage > 1 ? currentPage - 1 : null,
      },
    },
  };
}

export const contactHandlers: HandlerMap = {
  "create-contact": create,
  "get-contact": (ctx) => ({ body: { contact: contactView(loadContact(ctx, ctx.params.contactId!)) } }),
  "update-contact": update,
  "delete-contact": remove,
  "upsert-contact": upsert,
  "get-duplicate-contact": duplicate,
  "get-contacts": list,
};
