// Calendar groups: CRUD, enable/disable, and slug validation. A group slug is part of the
// public booking URL, so it must be URL-safe and unique in its location.
import { type HandlerContext, type HandlerMap, isoNow } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import { type CalendarDoc, type GroupDoc, loadGroup } from "./calendar-model.ts";

/** Lowercase letters and digits in hyphen-separated words (inferred: HighLevel states no rule). */
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SLUG_MAX = 100;

export function slugFormatOk(slug: string): boolean {
  return slug.length <= SLUG_MAX && SLUG.test(slug);
}

function slugTaken(ctx: HandlerContext, locationId: string, slug: string, except?: string): boolean {
  return ctx.state.records
    .list<GroupDoc>("calendar-group", { locationId })
    .some((g) => g.slug === slug && g.id !== except);
}

function checkSlug(ctx: HandlerContext, locationId: string, slug: string, except?: string): void {
  if (!slugFormatOk(slug)) {
    throw unprocessable(["slug must contain only lowercase letters, numbers and single hyphens"]);
  }
  if (slugTaken(ctx, locationId, slug, except)) throw badRequest("Group slug is already in use");
}

function view(g: GroupDoc) {
  const { dateAdded: _, ...rest } = g;
  return rest;
}

interface GroupInput {
  locationId: string;
  name: string;
  description: string;
  slug: string;
  isActive?: boolean;
}

export const groupHandlers: HandlerMap = {
  "get-groups": (ctx) => {
    const groups = ctx.state.records.list<GroupDoc>("calendar-group", {
      locationId: String(ctx.query.locationId),
    });
    return { body: { groups: groups.map(view) } };
  },
  "create-calendar-group": (ctx) => {
    const b = ctx.body as GroupInput;
    checkSlug(ctx, b.locationId, b.slug);
    const g: GroupDoc = {
      id: ctx.state.ids.id(),
      locationId: b.locationId,
      name: b.name,
      description: b.description,
      slug: b.slug,
      isActive: b.isActive ?? true,
      dateAdded: isoNow(ctx.state),
    };
    ctx.state.records.insert("calendar-group", g, { locationId: g.locationId, sortMs: ctx.state.now() });
    return { status: 201, body: { group: view(g) } };
  },
  "edit-group": (ctx) => {
    const g = loadGroup(ctx, ctx.params.groupId!);
    const b = ctx.body as Omit<GroupInput, "locationId">;
    checkSlug(ctx, g.locationId, b.slug, g.id);
    Object.assign(g, { name: b.name, description: b.description, slug: b.slug });
    ctx.state.records.update("calendar-group", g);
    return { body: { group: view(g) } };
  },
  "disable-group": (ctx) => {
    const g = loadGroup(ctx, ctx.params.groupId!);
    g.isActive = (ctx.body as { isActive: boolean }).isActive;
    ctx.state.records.update("calendar-group", g);
    return { body: { success: true } };
  },
  "delete-group": (ctx) => {
    const g = loadGroup(ctx, ctx.params.groupId!);
    ctx.state.records.delete("calendar-group", g.id);
    // Its calendars stay, ungrouped (inferred).
    for (const c of ctx.state.records.list<CalendarDoc>("calendar", { locationId: g.locationId })) {
      if (c.groupId === g.id) {
        delete c.groupId;
        ctx.state.records.update("calendar", c);
      }
    }
    return { body: { success: true } };
  },
  "validate-groups-slug": (ctx) => {
    const b = ctx.body as { locationId: string; slug: string };
    const available = slugFormatOk(b.slug) && !slugTaken(ctx, b.locationId, b.slug);
    return { body: { available } };
  },
};
