// Calendars: CRUD with HighLevel's defaults, and the one handler map of the whole calendars
// service (groups, events, free slots, notifications, resources live in calendar-*.ts).
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import { calendarEventHandlers } from "./calendar-events.ts";
import { groupHandlers } from "./calendar-groups.ts";
import {
  type Availability,
  type CalendarDoc,
  type Hour,
  loadCalendar,
  loadGroup,
  type OpenHour,
  type TeamMember,
} from "./calendar-model.ts";
import { calendarNotificationHandlers } from "./calendar-notifications.ts";
import { calendarResourceHandlers, unlinkCalendar } from "./calendar-resources.ts";
import { slotHandlers } from "./calendar-slots.ts";

/** What HighLevel fills in when a create leaves a field out (the spec's documented defaults). */
const DEFAULTS = {
  isActive: true,
  calendarType: "event",
  eventType: "RoundRobin_OptimizeForAvailability",
  widgetType: "classic",
  eventTitle: "{{contact.name}}",
  eventColor: "#039be5",
  slotDuration: 30,
  slotDurationUnit: "mins",
  slotInterval: 30,
  slotIntervalUnit: "mins",
  appoinmentPerSlot: 1,
  autoConfirm: true,
  allowReschedule: true,
  allowCancellation: true,
  googleInvitationEmails: false,
  enableRecurring: false,
  formSubmitType: "ThankYouMessage",
  notifications: [],
  teamMembers: [],
  openHours: [],
  availabilities: [],
};

/** Fields a request may not set directly: identity, placement and the specially merged lists. */
const MANAGED = new Set(["id", "locationId", "availabilities", "teamMembers", "dateAdded", "dateUpdated"]);

function checkHours(hours: Hour[], where: string): void {
  for (const h of hours) {
    if (h.closeHour * 60 + h.closeMinute <= h.openHour * 60 + h.openMinute) {
      throw unprocessable([`${where} must close after they open`]);
    }
  }
}

function teamMembers(input: TeamMember[]): TeamMember[] {
  return input.map((m) => ({ priority: 0.5, meetingLocationType: "custom", isPrimary: false, ...m }));
}

/** Update semantics of `availabilities`: an entry with an id replaces (or with deleted, removes) that one. */
function mergeAvailabilities(
  ctx: HandlerContext,
  current: Availability[],
  input: Array<Partial<Availability>>,
): Availability[] {
  const out = [...current];
  for (const a of input) {
    const i = a.id === undefined ? -1 : out.findIndex((x) => x.id === a.id);
    if (a.id !== undefined && i < 0) throw badRequest("Availability not found");
    if (a.deleted) {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    const next: Availability = {
      id: a.id ?? ctx.state.ids.id(),
      date: String(a.date),
      hours: a.hours ?? [],
      deleted: false,
    };
    if (i >= 0) out[i] = next;
    else out.push(next);
  }
  return out;
}

function apply(ctx: HandlerContext, cal: CalendarDoc, input: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(input)) if (!MANAGED.has(k) && v !== undefined) cal[k] = v;
  if (Array.isArray(input.teamMembers)) cal.teamMembers = teamMembers(input.teamMembers as TeamMember[]);
  if (Array.isArray(input.availabilities)) {
    cal.availabilities = mergeAvailabilities(ctx, cal.availabilities, input.availabilities);
  }
  if (typeof cal.groupId === "string" && cal.groupId) {
    const g = loadGroup(ctx, cal.groupId);
    if (g.locationId !== cal.locationId) throw badRequest("Group not found");
  }
  for (const o of cal.openHours as OpenHour[]) checkHours(o.hours, "openHours.hours");
  for (const a of cal.availabilities) checkHours(a.hours, "availabilities.hours");
  if (!(cal.slotDuration > 0) || !(cal.slotInterval > 0)) {
    throw unprocessable(["slotDuration and slotInterval must be positive numbers"]);
  }
  // Calendar slugs are booking URLs too, so unique in the location (inferred).
  if (typeof cal.slug === "string") {
    const clash = ctx.state.records
      .list<CalendarDoc>("calendar", { locationId: cal.locationId })
      .some((c) => c.slug === cal.slug && c.id !== cal.id);
    if (clash) throw badRequest("Calendar slug is already in use");
  }
}

/** A calendar with HighLevel's defaults under the input (unchecked: the seed uses it directly). */
export function newCalendarDoc(state: State, input: Record<string, unknown>): CalendarDoc {
  const now = isoNow(state);
  const cal = {
    ...structuredClone(DEFAULTS),
    id: state.ids.id(),
    locationId: String(input.locationId),
    name: String(input.name),
    dateAdded: now,
    dateUpdated: now,
  } as CalendarDoc;
  for (const [k, v] of Object.entries(input)) if (!MANAGED.has(k) && v !== undefined) cal[k] = v;
  if (Array.isArray(input.teamMembers)) cal.teamMembers = teamMembers(input.teamMembers as TeamMember[]);
  return cal;
}

function createCalendarDoc(ctx: HandlerContext, input: Record<string, unknown>): CalendarDoc {
  const cal = newCalendarDoc(ctx.state, input);
  apply(ctx, cal, input);
  ctx.state.records.insert("calendar", cal, { locationId: cal.locationId, sortMs: ctx.state.now() });
  return cal;
}

function view(c: CalendarDoc) {
  const { dateAdded: _, dateUpdated: __, ...rest } = c;
  return rest;
}

const ownHandlers: HandlerMap = {
  "get-calendars": (ctx) => {
    const q = ctx.query;
    // showDrafted defaults to true; drafts are the inactive calendars ("active or draft").
    const drafts = q.showDrafted !== false;
    const calendars = ctx.state.records
      .list<CalendarDoc>("calendar", { locationId: String(q.locationId) })
      .filter((c) => (!q.groupId || c.groupId === q.groupId) && (drafts || c.isActive));
    return { body: { calendars: calendars.map(view) } };
  },
  "create-calendar": (ctx) => {
    // The spec declares 200 (not 201) for this create.
    return { body: { calendar: view(createCalendarDoc(ctx, ctx.body as Record<string, unknown>)) } };
  },
  "get-calendar": (ctx) => ({ body: { calendar: view(loadCalendar(ctx, ctx.params.calendarId!)) } }),
  "update-calendar": (ctx) => {
    const cal = loadCalendar(ctx, ctx.params.calendarId!);
    apply(ctx, cal, ctx.body as Record<string, unknown>);
    cal.dateUpdated = isoNow(ctx.state);
    ctx.state.records.update("calendar", cal);
    return { body: { calendar: view(cal) } };
  },
  "delete-calendar": (ctx) => {
    const cal = loadCalendar(ctx, ctx.params.calendarId!);
    ctx.state.records.delete("calendar", cal.id);
    // Its notification settings go with it; booked events stay as history (inferred).
    ctx.state.records.deleteChildren("calendar-notification", cal.id);
    unlinkCalendar(ctx.state, cal);
    return { body: { success: true } };
  },
};

export const calendarHandlers: HandlerMap = {
  ...ownHandlers,
  ...groupHandlers,
  ...calendarEventHandlers,
  ...slotHandlers,
  ...calendarNotificationHandlers,
  ...calendarResourceHandlers,
};
