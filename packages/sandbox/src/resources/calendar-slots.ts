// Free slots: a calendar's bookable start times, from its open hours (or dated custom
// availabilities) in the location's time zone, on the slotInterval grid, slotDuration long,
// minus what is taken: blocked slots, appointments (appoinmentPerSlot seats, pre/post
// buffers, appoinmentPerDay), the minimum scheduling notice and the booking horizon.
// The same rules decide whether create/edit-appointment may take a slot.
import type { HandlerMap, State } from "../context.ts";
import { unprocessable } from "../http/errors.ts";
import type { AppointmentDoc } from "./appointments.ts";
import { type CalendarDoc, type Hour, loadCalendar, locationTimeZone } from "./calendar-model.ts";
import {
  addDays,
  type CivilDate,
  civilDate,
  DAY,
  dateKey,
  durationMs,
  isoInZone,
  isTimeZone,
  weekday,
  zonedInstant,
} from "./calendar-time.ts";

/** A blocked slot: time a calendar (or a user) cannot be booked. */
export interface BlockDoc {
  id: string;
  locationId: string;
  calendarId?: string;
  assignedUserId?: string;
  title: string;
  startTime: string;
  endTime: string;
  dateAdded: string;
  dateUpdated: string;
}

/** Statuses that give the seat back. */
export const FREEING_STATUSES = new Set(["cancelled", "invalid"]);

/** Free-slot requests span at most 31 days (the spec's "Important" note). */
const MAX_RANGE = 31 * DAY;

interface Range {
  start: number;
  end: number;
}

export interface SlotOptions {
  /** Users whose appointments elsewhere also take their time (free-slots userId/userIds). */
  userIds?: string[];
  /** The appointment being moved does not compete with itself. */
  exceptId?: string;
  /** create/edit-appointment's ignoreDateRange: skip the notice and horizon rules. */
  ignoreDateRange?: boolean;
}

function dayRanges(cal: CalendarDoc, tz: string, d: CivilDate): Range[] {
  const key = dateKey(d);
  const custom =
    cal.availabilityType === 0
      ? []
      : cal.availabilities.filter((a) => !a.deleted && a.date.slice(0, 10) === key);
  let hours: Hour[];
  if (custom.length > 0) hours = custom.flatMap((a) => a.hours);
  else if (cal.availabilityType === 1) hours = [];
  else {
    const day = weekday(d);
    hours = cal.openHours.filter((o) => o.daysOfTheWeek.includes(day)).flatMap((o) => o.hours);
  }
  return hours.map((h) => ({
    start: zonedInstant(d, h.openHour * 60 + h.openMinute, tz),
    end: zonedInstant(d, h.closeHour * 60 + h.closeMinute, tz),
  }));
}

const span = (s: { startTime: string; endTime: string }): Range => ({
  start: Date.parse(s.startTime),
  end: Date.parse(s.endTime),
});

/** Everything that competes for a calendar's time, loaded once per request. */
class Occupancy {
  private readonly appointments: AppointmentDoc[];
  private readonly blocks: Range[];
  private readonly pre: number;
  private readonly post: number;

  constructor(
    state: State,
    private readonly cal: CalendarDoc,
    private readonly tz: string,
    opts: SlotOptions,
  ) {
    const users = new Set(opts.userIds ?? []);
    const members = new Set(cal.teamMembers.map((m) => m.userId));
    this.appointments = state.records
      .list<AppointmentDoc>("appointment", { locationId: cal.locationId })
      .filter(
        (a) =>
          a.id !== opts.exceptId &&
          !FREEING_STATUSES.has(a.appointmentStatus ?? "confirmed") &&
          (a.calendarId === cal.id || (a.assignedUserId !== undefined && users.has(a.assignedUserId))),
      );
    this.blocks = state.records
      .list<BlockDoc>("calendar-block", { locationId: cal.locationId })
      .filter((b) =>
        b.calendarId
          ? b.calendarId === cal.id
          : b.assignedUserId !== undefined && (members.has(b.assignedUserId) || users.has(b.assignedUserId)),
      )
      .map(span);
    this.pre = durationMs(cal.preBuffer, cal.preBufferUnit);
    this.post = durationMs(cal.slotBuffer, cal.slotBufferUnit);
  }

  dayFull(d: CivilDate): boolean {
    const max = this.cal.appoinmentPerDay;
    if (!max) return false;
    const key = dateKey(d);
    const own = this.appointments.filter(
      (a) => a.calendarId === this.cal.id && dateKey(civilDate(Date.parse(a.startTime), this.tz)) === key,
    );
    return own.length >= max;
  }

  taken(r: Range): boolean {
    if (this.blocks.some((b) => r.start < b.end && r.end > b.start)) return true;
    const overlapping = this.appointments.filter((a) => {
      const s = span(a);
      return r.start < s.end + this.post && r.end > s.start - this.pre;
    });
    return overlapping.length >= (this.cal.appoinmentPerSlot || 1);
  }
}

function bookingWindow(state: State, cal: CalendarDoc): Range {
  const now = state.now();
  const earliest = now + durationMs(cal.allowBookingAfter, cal.allowBookingAfterUnit ?? "days");
  const latest = cal.allowBookingFor
    ? now + durationMs(cal.allowBookingFor, cal.allowBookingForUnit ?? "days")
    : Number.POSITIVE_INFINITY;
  return { start: earliest, end: latest };
}

/** Start instants of the free slots starting within [from, to]. */
export function freeSlots(state: State, cal: CalendarDoc, from: number, to: number, opts: SlotOptions = {}) {
  const tz = locationTimeZone(state, cal.locationId);
  const duration = durationMs(cal.slotDuration, cal.slotDurationUnit);
  const interval = durationMs(cal.slotInterval, cal.slotIntervalUnit);
  const busy = new Occupancy(state, cal, tz, opts);
  const window = bookingWindow(state, cal);
  const out: number[] = [];
  const last = dateKey(civilDate(to, tz));
  for (let d = civilDate(from, tz); dateKey(d) <= last; d = addDays(d, 1)) {
    if (busy.dayFull(d)) continue;
    for (const r of dayRanges(cal, tz, d)) {
      for (let s = r.start; s + duration <= r.end; s += interval) {
        if (s < from || s > to || s < window.start || s > window.end) continue;
        if (!busy.taken({ start: s, end: s + duration })) out.push(s);
      }
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Whether [start, end) may be booked: it starts on the slot grid of an open range and ends
 * inside it, respects notice/horizon unless ignoreDateRange, and nothing takes its time.
 */
export function isBookable(
  state: State,
  cal: CalendarDoc,
  start: number,
  end: number,
  opts: SlotOptions = {},
): boolean {
  const tz = locationTimeZone(state, cal.locationId);
  const duration = durationMs(cal.slotDuration, cal.slotDurationUnit);
  const interval = durationMs(cal.slotInterval, cal.slotIntervalUnit);
  const d = civilDate(start, tz);
  const onGrid = dayRanges(cal, tz, d).some(
    (r) =>
      start >= r.start && (start - r.start) % interval === 0 && start + duration <= r.end && end <= r.end,
  );
  if (!onGrid || end <= start) return false;
  if (!opts.ignoreDateRange) {
    const w = bookingWindow(state, cal);
    if (start < w.start || start > w.end) return false;
  }
  const busy = new Occupancy(state, cal, tz, opts);
  return !busy.dayFull(d) && !busy.taken({ start, end });
}

/** `userId`, and `userIds` as repeated keys, `userIds[]` (what axios, so the official SDK, sends) or comma-separated. */
function userList(q: Record<string, unknown>): string[] {
  const raw = [q.userId, q.userIds, q["userIds[]"]].flat();
  return raw.flatMap((v) => (typeof v === "string" ? v.split(",") : [])).filter(Boolean);
}

export const slotHandlers: HandlerMap = {
  "get-slots": (ctx) => {
    const cal = loadCalendar(ctx, ctx.params.calendarId!);
    const q = ctx.query;
    const from = Number(q.startDate);
    const to = Number(q.endDate);
    if (to < from) throw unprocessable(["endDate must not be before startDate"]);
    if (to - from > MAX_RANGE) throw unprocessable(["Date range cannot be more than 31 days"]);
    const tz =
      typeof q.timezone === "string" && q.timezone ? q.timezone : locationTimeZone(ctx.state, cal.locationId);
    if (!isTimeZone(tz)) throw unprocessable(["timezone must be a valid IANA time zone"]);
    const users = userList(q);
    // A user who is not on the calendar's team has no time in it.
    const members = new Set(cal.teamMembers.map((m) => m.userId));
    const outsider = users.length > 0 && members.size > 0 && !users.some((u) => members.has(u));
    const starts = outsider ? [] : freeSlots(ctx.state, cal, from, to, { userIds: users });
    // Keyed by the date in the requested zone; days without a free slot are left out.
    const days: Record<string, { slots: string[] }> = {};
    for (const s of starts) {
      const iso = isoInZone(s, tz);
      const date = iso.slice(0, 10);
      days[date] ??= { slots: [] };
      days[date].slots.push(iso);
    }
    return { body: days };
  },
};
