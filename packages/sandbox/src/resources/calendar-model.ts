// The stored calendar group and calendar, their lookups, and the location time zone that
// open hours are read in. Shared by every calendar-* module, which is why it holds no handlers.
import { getLocation, type HandlerContext, type State } from "../context.ts";
import { badRequest } from "../http/errors.ts";

export interface GroupDoc {
  id: string;
  locationId: string;
  name: string;
  description: string;
  slug: string;
  isActive: boolean;
  dateAdded: string;
}

export interface Hour {
  openHour: number;
  openMinute: number;
  closeHour: number;
  closeMinute: number;
}

export interface OpenHour {
  daysOfTheWeek: number[];
  hours: Hour[];
}

export interface Availability {
  id: string;
  date: string;
  hours: Hour[];
  deleted: boolean;
}

export interface TeamMember {
  userId: string;
  priority?: number;
  meetingLocationType?: string;
  meetingLocation?: string;
  isPrimary?: boolean;
  locationConfigurations?: Array<Record<string, unknown>>;
}

export interface CalendarDoc {
  id: string;
  locationId: string;
  name: string;
  groupId?: string;
  isActive: boolean;
  calendarType: string;
  slug?: string;
  eventTitle: string;
  autoConfirm: boolean;
  teamMembers: TeamMember[];
  openHours: OpenHour[];
  availabilities: Availability[];
  /** 1: custom availabilities only, 0: open hours only, absent: both (a dated availability wins). */
  availabilityType?: number;
  slotDuration: number;
  slotDurationUnit: string;
  slotInterval: number;
  slotIntervalUnit: string;
  slotBuffer?: number;
  slotBufferUnit?: string;
  preBuffer?: number;
  preBufferUnit?: string;
  appoinmentPerSlot: number;
  appoinmentPerDay?: number;
  allowBookingAfter?: number;
  allowBookingAfterUnit?: string;
  allowBookingFor?: number;
  allowBookingForUnit?: string;
  [field: string]: unknown;
}

export function loadGroup(ctx: HandlerContext, id: string): GroupDoc {
  const g = ctx.state.records.get<GroupDoc>("calendar-group", id);
  if (!g) throw badRequest("Group not found");
  ctx.ensureLocation(g.locationId);
  return g;
}

export function loadCalendar(ctx: HandlerContext, id: string): CalendarDoc {
  const c = ctx.state.records.get<CalendarDoc>("calendar", id);
  if (!c) throw badRequest("Calendar not found");
  ctx.ensureLocation(c.locationId);
  return c;
}

/** A calendar named in a body that also names the location: it must be one of that location's. */
export function calendarIn(ctx: HandlerContext, id: string, locationId: string): CalendarDoc {
  const c = loadCalendar(ctx, id);
  if (c.locationId !== locationId) throw badRequest("Calendar not found");
  return c;
}

/** Open hours and event times are read in the location's time zone. */
export function locationTimeZone(state: State, locationId: string): string {
  const tz = getLocation(state, locationId)?.timezone;
  return typeof tz === "string" && tz ? tz : "UTC";
}

/** The user an event is assigned to when the request names none: the primary team member. */
export function defaultAssignee(cal: CalendarDoc): string | undefined {
  return (cal.teamMembers.find((m) => m.isPrimary) ?? cal.teamMembers[0])?.userId;
}
