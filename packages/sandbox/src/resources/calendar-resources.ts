// Calendar resources: rooms and equipments that service calendars book. The response
// schemas declare no `id`; answers carry one anyway, since every other route needs it.
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest } from "../http/errors.ts";
import { type CalendarDoc, calendarIn } from "./calendar-model.ts";

export interface ResourceDoc {
  id: string;
  locationId: string;
  resourceType: "rooms" | "equipments";
  name: string;
  description: string;
  quantity: number;
  outOfService: number;
  capacity: number;
  calendarIds: string[];
  isActive: boolean;
  dateAdded: string;
}

const FIELDS = ["name", "description", "quantity", "outOfService", "capacity", "isActive"] as const;

function view(r: ResourceDoc) {
  const { dateAdded: _, ...rest } = r;
  return rest;
}

function load(ctx: HandlerContext): ResourceDoc {
  const r = ctx.state.records.get<ResourceDoc>("calendar-resource", ctx.params.id!);
  if (!r || r.resourceType !== ctx.params.resourceType) throw badRequest("Resource not found");
  ctx.ensureLocation(r.locationId);
  return r;
}

function checkCalendars(ctx: HandlerContext, r: ResourceDoc, ids: string[]): string[] {
  // "One equipment can only be mapped with one service calendar." (CreateCalendarResourceDTO)
  if (r.resourceType === "equipments" && ids.length > 1) {
    throw badRequest("One equipment can only be mapped with one service calendar");
  }
  for (const id of ids) calendarIn(ctx, id, r.locationId);
  return [...new Set(ids)];
}

/** A deleted calendar leaves the resources that listed it. */
export function unlinkCalendar(state: State, cal: CalendarDoc): void {
  for (const r of state.records.list<ResourceDoc>("calendar-resource", { locationId: cal.locationId })) {
    if (r.calendarIds.includes(cal.id)) {
      r.calendarIds = r.calendarIds.filter((id) => id !== cal.id);
      state.records.update("calendar-resource", r);
    }
  }
}

export const calendarResourceHandlers: HandlerMap = {
  "fetch-calendar-resources": (ctx) => {
    const skip = Number(ctx.query.skip);
    const limit = Number(ctx.query.limit);
    const all = ctx.state.records
      .list<ResourceDoc>("calendar-resource", { locationId: String(ctx.query.locationId) })
      .filter((r) => r.resourceType === ctx.params.resourceType);
    return { body: all.slice(skip, skip + limit).map(view) };
  },
  "get-calendar-resource": (ctx) => ({ body: view(load(ctx)) }),
  "create-calendar-resource": (ctx) => {
    const b = ctx.body as Record<string, unknown>;
    const r: ResourceDoc = {
      id: ctx.state.ids.id(),
      locationId: String(b.locationId),
      resourceType: ctx.params.resourceType as ResourceDoc["resourceType"],
      name: String(b.name),
      description: String(b.description),
      quantity: Number(b.quantity),
      outOfService: Number(b.outOfService),
      capacity: Number(b.capacity),
      calendarIds: [],
      isActive: true,
      dateAdded: isoNow(ctx.state),
    };
    r.calendarIds = checkCalendars(ctx, r, b.calendarIds as string[]);
    ctx.state.records.insert("calendar-resource", r, { locationId: r.locationId, sortMs: ctx.state.now() });
    return { status: 201, body: view(r) };
  },
  "update-calendar-resource": (ctx) => {
    const r = load(ctx);
    const b = ctx.body as Record<string, unknown>;
    if (b.locationId !== undefined && b.locationId !== r.locationId) throw badRequest("Resource not found");
    for (const k of FIELDS) if (b[k] !== undefined) (r as unknown as Record<string, unknown>)[k] = b[k];
    if (Array.isArray(b.calendarIds)) r.calendarIds = checkCalendars(ctx, r, b.calendarIds as string[]);
    ctx.state.records.update("calendar-resource", r);
    return { body: view(r) };
  },
  "delete-calendar-resource": (ctx) => {
    ctx.state.records.delete("calendar-resource", load(ctx).id);
    return { body: { success: true } };
  },
};
