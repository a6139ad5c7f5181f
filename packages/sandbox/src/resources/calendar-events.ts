// Calendar events: appointments (the same "appointment" records a contact's appointment list
// and appointment notes read) and blocked slots, which share one id space for
// DELETE /calendars/events/{eventId}. Times are stored as UTC ISO strings and answered in the
// location's time zone with its offset, like HighLevel's examples.
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";
import type { AppointmentDoc } from "./appointments.ts";
import { type CalendarDoc, calendarIn, defaultAssignee, locationTimeZone } from "./calendar-model.ts";
import { type BlockDoc, isBookable } from "./calendar-slots.ts";
import { durationMs, isoInZone } from "./calendar-time.ts";
import { type ContactDoc, fullName } from "./contact-model.ts";

/** HighLevel's answer when a booking misses the calendar's free slots. */
export const SLOT_UNAVAILABLE = "The slot you have selected is no longer available.";

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function parseIso(v: unknown, name: string): number {
  const ms = typeof v === "string" ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) throw unprocessable([`${name} must be a valid ISO 8601 date string`]);
  return ms;
}

/** Window bounds of the list routes: epoch ms as the spec says (an ISO date is tolerated). */
function parseMillis(v: unknown, name: string): number {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Date.parse(String(v));
  if (Number.isNaN(n)) throw unprocessable([`${name} must be a time in milliseconds`]);
  return n;
}

const zoned = (state: State, locationId: string, iso: string) =>
  isoInZone(Date.parse(iso), locationTimeZone(state, locationId));

function groupOf(state: State, calendarId: string | undefined): string | undefined {
  if (!calendarId) return undefined;
  return state.records.get<CalendarDoc>("calendar", calendarId)?.groupId;
}

/** CalendarEventDTO (get-appointment, get-calendar-events). */
function eventView(state: State, a: AppointmentDoc) {
  return compact({
    id: a.id,
    address: a.address,
    title: a.title,
    calendarId: a.calendarId,
    locationId: a.locationId,
    contactId: a.contactId,
    groupId: a.groupId ?? groupOf(state, a.calendarId) ?? "",
    appointmentStatus: a.appointmentStatus ?? "confirmed",
    assignedUserId: a.assignedUserId ?? "",
    users: a.users ?? (a.assignedUserId ? [a.assignedUserId] : []),
    notes: a.notes,
    description: a.description,
    isRecurring: false,
    startTime: zoned(state, a.locationId, a.startTime),
    endTime: zoned(state, a.locationId, a.endTime),
    dateAdded: a.dateAdded,
    dateUpdated: a.dateUpdated ?? a.dateAdded,
    createdBy: { source: a.source ?? "third_party" },
  });
}

/** AppointmentSchemaResponse (create/edit-appointment; no dates, as live: highlevel-api-docs#246). */
function appointmentView(state: State, a: AppointmentDoc) {
  return compact({
    id: a.id,
    calendarId: a.calendarId,
    locationId: a.locationId,
    contactId: a.contactId,
    startTime: zoned(state, a.locationId, a.startTime),
    endTime: zoned(state, a.locationId, a.endTime),
    title: a.title,
    meetingLocationType: a.meetingLocationType ?? "default",
    appointmentStatus: a.appointmentStatus,
    assignedUserId: a.assignedUserId,
    address: a.address,
    isRecurring: false,
  });
}

/** Blocked slots listed as CalendarEventDTOs: fields a block does not have are empty strings. */
function blockEventView(state: State, b: BlockDoc) {
  return compact({
    id: b.id,
    title: b.title,
    calendarId: b.calendarId ?? "",
    locationId: b.locationId,
    contactId: "",
    groupId: groupOf(state, b.calendarId) ?? "",
    appointmentStatus: "",
    assignedUserId: b.assignedUserId ?? "",
    users: b.assignedUserId ? [b.assignedUserId] : [],
    startTime: zoned(state, b.locationId, b.startTime),
    endTime: zoned(state, b.locationId, b.endTime),
    dateAdded: b.dateAdded,
    dateUpdated: b.dateUpdated,
  });
}

function blockView(state: State, b: BlockDoc) {
  return compact({
    id: b.id,
    locationId: b.locationId,
    title: b.title,
    startTime: zoned(state, b.locationId, b.startTime),
    endTime: zoned(state, b.locationId, b.endTime),
    calendarId: b.calendarId,
    assignedUserId: b.assignedUserId,
  });
}

function emit(state: State, type: string, a: AppointmentDoc): void {
  const e = eventView(state, a);
  const appointment = compact({
    id: a.id,
    address: a.address,
    title: a.title,
    calendarId: a.calendarId,
    contactId: a.contactId,
    groupId: e.groupId,
    appointmentStatus: e.appointmentStatus,
    assignedUserId: a.assignedUserId,
    users: e.users,
    notes: a.notes,
    source: a.source,
    startTime: e.startTime,
    endTime: e.endTime,
    dateAdded: a.dateAdded,
    dateUpdated: e.dateUpdated,
  });
  state.webhooks.emit(type, a.locationId, { appointment });
}

function loadAppointment(ctx: HandlerContext): AppointmentDoc {
  const a = ctx.state.records.get<AppointmentDoc>("appointment", ctx.params.eventId!);
  if (!a) throw badRequest("Appointment not found");
  ctx.ensureLocation(a.locationId);
  return a;
}

function loadBlock(ctx: HandlerContext): BlockDoc {
  const b = ctx.state.records.get<BlockDoc>("calendar-block", ctx.params.eventId!);
  if (!b) throw badRequest("Event not found");
  ctx.ensureLocation(b.locationId);
  return b;
}

function renderTitle(template: string, contact: ContactDoc): string {
  const name = fullName(contact) ?? "";
  const out = template.replace(/\{\{\s*contact\.name\s*\}\}/g, name).replace(/\{\{[^}]*\}\}/g, "");
  return out.trim() || "Appointment";
}

type Body = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function checkSlot(
  ctx: HandlerContext,
  cal: CalendarDoc,
  start: number,
  end: number,
  b: Body,
  exceptId?: string,
) {
  if (end <= start) throw unprocessable(["endTime must be after startTime"]);
  if (b.ignoreFreeSlotValidation === true) return;
  const ok = isBookable(ctx.state, cal, start, end, {
    ignoreDateRange: b.ignoreDateRange === true,
    exceptId,
  });
  if (!ok) throw badRequest(SLOT_UNAVAILABLE);
}

function createAppointment(ctx: HandlerContext) {
  const b = ctx.body as Body;
  const locationId = String(b.locationId);
  const cal = calendarIn(ctx, String(b.calendarId), locationId);
  const contact = ctx.state.records.get<ContactDoc>("contact", String(b.contactId));
  if (!contact || contact.locationId !== locationId) throw badRequest("Contact not found");
  const start = parseIso(b.startTime, "startTime");
  const end =
    b.endTime === undefined
      ? start + durationMs(cal.slotDuration, cal.slotDurationUnit)
      : parseIso(b.endTime, "endTime");
  checkSlot(ctx, cal, start, end, b);
  // The live API refuses an appointment nobody is assigned to (highlevel-api-docs#23).
  const assignedUserId = str(b.assignedUserId) ?? defaultAssignee(cal);
  if (!assignedUserId) throw badRequest("assignedUserId is required: the calendar has no team member");
  const now = isoNow(ctx.state);
  const address = str(b.address);
  const a: AppointmentDoc = compact({
    id: ctx.state.ids.id(),
    locationId,
    contactId: contact.id,
    calendarId: cal.id,
    groupId: cal.groupId,
    title: str(b.title) ?? renderTitle(cal.eventTitle, contact),
    startTime: new Date(start).toISOString(),
    endTime: new Date(end).toISOString(),
    assignedUserId,
    users: [assignedUserId],
    appointmentStatus: str(b.appointmentStatus) ?? (cal.autoConfirm ? "confirmed" : "new"),
    // "If address is provided, meetingLocationType defaults to custom."
    meetingLocationType: str(b.meetingLocationType) ?? (address ? "custom" : undefined),
    address,
    description: str(b.description),
    source: "third_party",
    dateAdded: now,
    dateUpdated: now,
  });
  ctx.state.records.insert("appointment", a, { locationId, sortMs: ctx.state.now() });
  emit(ctx.state, "AppointmentCreate", a);
  // The spec declares 200 for this create.
  return { body: appointmentView(ctx.state, a) };
}

function editAppointment(ctx: HandlerContext) {
  const a = loadAppointment(ctx);
  const b = ctx.body as Body;
  const moved = b.startTime !== undefined || b.endTime !== undefined || b.calendarId !== undefined;
  if (moved) {
    const cal = calendarIn(ctx, str(b.calendarId) ?? a.calendarId, a.locationId);
    const oldStart = Date.parse(a.startTime);
    const start = b.startTime === undefined ? oldStart : parseIso(b.startTime, "startTime");
    // Moving the start alone keeps the length.
    const end =
      b.endTime !== undefined ? parseIso(b.endTime, "endTime") : start + (Date.parse(a.endTime) - oldStart);
    checkSlot(ctx, cal, start, end, b, a.id);
    a.calendarId = cal.id;
    a.groupId = cal.groupId;
    a.startTime = new Date(start).toISOString();
    a.endTime = new Date(end).toISOString();
  }
  for (const k of ["title", "appointmentStatus", "description", "address", "meetingLocationType"] as const) {
    const v = str(b[k]);
    if (v !== undefined) a[k] = v;
  }
  const assignee = str(b.assignedUserId);
  if (assignee) {
    a.assignedUserId = assignee;
    a.users = [assignee];
  }
  a.dateUpdated = isoNow(ctx.state);
  ctx.state.records.update("appointment", a);
  emit(ctx.state, "AppointmentUpdate", a);
  return { body: appointmentView(ctx.state, a) };
}

interface Window {
  from: number;
  to: number;
  calendarId?: string;
  userId?: string;
  groupId?: string;
}

function windowOf(ctx: HandlerContext): Window {
  const q = ctx.query;
  const calendarId = str(q.calendarId) || undefined;
  const userId = str(q.userId) || undefined;
  const groupId = str(q.groupId) || undefined;
  if (!calendarId && !userId && !groupId) {
    throw unprocessable(["Either of calendarId, userId or groupId is required"]);
  }
  const from = parseMillis(q.startTime, "startTime");
  const to = parseMillis(q.endTime, "endTime");
  return { from, to, calendarId, userId, groupId };
}

function inWindow(
  state: State,
  w: Window,
  e: { startTime: string; endTime: string; calendarId?: string; assignedUserId?: string; users?: string[] },
): boolean {
  if (!(Date.parse(e.startTime) < w.to && Date.parse(e.endTime) > w.from)) return false;
  if (w.calendarId && e.calendarId !== w.calendarId) return false;
  if (w.userId && e.assignedUserId !== w.userId && !e.users?.includes(w.userId)) return false;
  if (w.groupId && groupOf(state, e.calendarId) !== w.groupId) return false;
  return true;
}

const byStart = (a: { startTime: string }, b: { startTime: string }) =>
  Date.parse(a.startTime) - Date.parse(b.startTime);

/** Block slots belong to a calendar or to a user, never both (highlevel-api-docs#23). */
function blockOwner(ctx: HandlerContext, b: Body, locationId: string) {
  const calendarId = str(b.calendarId) || undefined;
  const assignedUserId = str(b.assignedUserId) || undefined;
  if (calendarId && assignedUserId)
    throw badRequest("Either calendarId or assignedUserId can be set, not both");
  if (!calendarId && !assignedUserId)
    throw unprocessable(["calendarId or assignedUserId should not be empty"]);
  if (calendarId) calendarIn(ctx, calendarId, locationId);
  return { calendarId, assignedUserId };
}

export const calendarEventHandlers: HandlerMap = {
  "get-calendar-events": (ctx) => {
    const w = windowOf(ctx);
    const events = ctx.state.records
      .list<AppointmentDoc>("appointment", { locationId: String(ctx.query.locationId) })
      .filter((a) => inWindow(ctx.state, w, a))
      .sort(byStart);
    return { body: { events: events.map((a) => eventView(ctx.state, a)) } };
  },
  "get-blocked-slots": (ctx) => {
    const w = windowOf(ctx);
    const blocks = ctx.state.records
      .list<BlockDoc>("calendar-block", { locationId: String(ctx.query.locationId) })
      .filter((b) => inWindow(ctx.state, w, b))
      .sort(byStart);
    return { body: { events: blocks.map((b) => blockEventView(ctx.state, b)) } };
  },
  "get-appointment": (ctx) => ({ body: { event: eventView(ctx.state, loadAppointment(ctx)) } }),
  "create-appointment": createAppointment,
  "edit-appointment": editAppointment,
  "delete-event": (ctx) => {
    const id = ctx.params.eventId!;
    const a = ctx.state.records.get<AppointmentDoc>("appointment", id);
    if (a) {
      ctx.ensureLocation(a.locationId);
      ctx.state.records.delete("appointment", a.id);
      ctx.state.records.deleteChildren("appointment-note", a.id);
      emit(ctx.state, "AppointmentDelete", a);
    } else {
      ctx.state.records.delete("calendar-block", loadBlock(ctx).id);
    }
    // HighLevel answers this delete with 201.
    return { status: 201, body: { succeeded: true } };
  },
  "create-block-slot": (ctx) => {
    const b = ctx.body as Body;
    const locationId = String(b.locationId);
    const owner = blockOwner(ctx, b, locationId);
    const start = parseIso(b.startTime, "startTime");
    const end = parseIso(b.endTime, "endTime");
    if (end <= start) throw unprocessable(["endTime must be after startTime"]);
    const now = isoNow(ctx.state);
    const block: BlockDoc = compact({
      id: ctx.state.ids.id(),
      locationId,
      ...owner,
      title: str(b.title) ?? "",
      startTime: new Date(start).toISOString(),
      endTime: new Date(end).toISOString(),
      dateAdded: now,
      dateUpdated: now,
    });
    ctx.state.records.insert("calendar-block", block, { locationId, sortMs: ctx.state.now() });
    return { status: 201, body: blockView(ctx.state, block) };
  },
  "edit-block-slot": (ctx) => {
    const block = loadBlock(ctx);
    const b = ctx.body as Body;
    if (String(b.locationId) !== block.locationId) throw badRequest("Event not found");
    // Naming neither owner keeps the current one.
    const reowned = b.calendarId !== undefined || b.assignedUserId !== undefined;
    const owner = reowned ? blockOwner(ctx, b, block.locationId) : undefined;
    const start =
      b.startTime === undefined ? Date.parse(block.startTime) : parseIso(b.startTime, "startTime");
    const end = b.endTime === undefined ? Date.parse(block.endTime) : parseIso(b.endTime, "endTime");
    if (end <= start) throw unprocessable(["endTime must be after startTime"]);
    if (owner) {
      delete block.calendarId;
      delete block.assignedUserId;
      Object.assign(block, compact({ ...owner }));
    }
    if (typeof b.title === "string") block.title = b.title;
    block.startTime = new Date(start).toISOString();
    block.endTime = new Date(end).toISOString();
    block.dateUpdated = isoNow(ctx.state);
    ctx.state.records.update("calendar-block", block);
    // The spec declares 201 for this update.
    return { status: 201, body: blockView(ctx.state, block) };
  },
};
