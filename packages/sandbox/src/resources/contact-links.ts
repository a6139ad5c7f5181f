// What a contact is linked to besides its own fields: followers (users watching it) and the
// business it belongs to. Both are stored on the contact (`followers`, `businessId`) and shown
// by GET /contacts/{id}.
import type { HandlerContext, HandlerMap } from "../context.ts";
import { badRequest } from "../http/errors.ts";
import type { BusinessDoc } from "./businesses.ts";
import { type ContactDoc, contactView, fullName, loadContact, saveContact } from "./contact-model.ts";
import { emitContact } from "./contacts.ts";
import { skipLimit } from "./users.ts";

function ids(v: unknown): string[] {
  return Array.isArray(v) ? [...new Set(v.map(String).filter(Boolean))] : [];
}

/** Shared by contact and opportunity followers: the new list and what actually changed. */
export function addFollowers(current: string[], added: string[]): { followers: string[]; changed: string[] } {
  const changed = added.filter((id) => !current.includes(id));
  return { followers: [...current, ...changed], changed };
}

export function removeFollowers(
  current: string[],
  removed: string[],
): { followers: string[]; changed: string[] } {
  return {
    followers: current.filter((id) => !removed.includes(id)),
    changed: removed.filter((id) => current.includes(id)),
  };
}

function saveAndEmit(ctx: HandlerContext, c: ContactDoc): void {
  saveContact(ctx.state, c);
  emitContact(ctx.state, "ContactUpdate", c);
}

function loadBusiness(ctx: HandlerContext, id: string, locationId: string): BusinessDoc {
  const b = ctx.state.records.get<BusinessDoc>("business", id);
  if (!b) throw badRequest("Business not found");
  ctx.ensureLocation(b.locationId);
  if (b.locationId !== locationId) throw badRequest("Business not found");
  return b;
}

export const contactLinkHandlers: HandlerMap = {
  "add-followers-contact": (ctx) => {
    const c = loadContact(ctx, ctx.params.contactId!);
    const r = addFollowers(c.followers, ids((ctx.body as { followers: unknown }).followers));
    if (r.changed.length) {
      c.followers = r.followers;
      saveAndEmit(ctx, c);
    }
    return { status: 201, body: { followers: c.followers, followersAdded: r.changed } };
  },
  "remove-followers-contact": (ctx) => {
    const c = loadContact(ctx, ctx.params.contactId!);
    const r = removeFollowers(c.followers, ids((ctx.body as { followers: unknown }).followers));
    if (r.changed.length) {
      c.followers = r.followers;
      saveAndEmit(ctx, c);
    }
    return { body: { followers: c.followers, followersRemoved: r.changed } };
  },
  "get-contacts-by-businessId": (ctx) => {
    const locationId = String(ctx.query.locationId);
    const business = loadBusiness(ctx, ctx.params.businessId!, locationId);
    const { skip, limit } = skipLimit(ctx.query, 25);
    const text = typeof ctx.query.query === "string" ? ctx.query.query.trim().toLowerCase() : "";
    const all = ctx.state.records
      .list<ContactDoc>("contact", { locationId })
      .filter(
        (c) =>
          c.businessId === business.id &&
          (!text || [fullName(c), c.email, c.phone].some((v) => v?.toLowerCase().includes(text))),
      );
    return { body: { contacts: all.slice(skip, skip + limit).map(contactView), count: all.length } };
  },
  // POST /contacts/bulk/business: link (businessId) or unlink (null) many contacts at once.
  // Ids that are unknown or of another location are skipped; `ids` lists those changed.
  "add-remove-contact-from-business": (ctx) => {
    const body = ctx.body as { locationId: string; ids: string[]; businessId: string | null };
    const businessId = body.businessId ? loadBusiness(ctx, body.businessId, body.locationId).id : null;
    const done: string[] = [];
    for (const id of ids(body.ids)) {
      const c = ctx.state.records.get<ContactDoc>("contact", id);
      if (!c || c.locationId !== body.locationId) continue;
      if (businessId) c.businessId = businessId;
      else delete c.businessId;
      saveAndEmit(ctx, c);
      done.push(id);
    }
    return { body: { success: true, ids: done } };
  },
};
