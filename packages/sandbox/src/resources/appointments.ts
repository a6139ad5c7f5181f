// Appointments listed per contact (the records calendar-events.ts creates) and their notes, which show the
// limit/offset pagination style (GET /calendars/appointments/{appointmentId}/notes?limit&offset,
// answering hasMore).
import { type HandlerContext, type HandlerMap, isoNow } from "../context.ts";
import { badRequest } from "../http/errors.ts";
import { loadContact } from "./contact-model.ts";

export interface AppointmentDoc {
  id: string;
  locationId: string;
  contactId: string;
  calendarId: string;
  title: string;
  startTime: string;
  endTime: string;
  assignedUserId?: string;
  dateAdded: string;
  // Written by the calendars service (calendar-events.ts); older seeded records may lack them.
  groupId?: string;
  appointmentStatus?: string;
  address?: string;
  meetingLocationType?: string;
  description?: string;
  notes?: string;
  users?: string[];
  source?: string;
  dateUpdated?: string;
}

export interface AppointmentNoteDoc {
  id: string;
  appointmentId: string;
  locationId: string;
  body: string;
  userId?: string;
  contactId: string;
  dateAdded: string;
}

function loadAppointment(ctx: HandlerContext): AppointmentDoc {
  const a = ctx.state.records.get<AppointmentDoc>("appointment", ctx.params.appointmentId!);
  if (!a) throw badRequest("Appointment not found");
  ctx.ensureLocation(a.locationId);
  return a;
}

function loadNote(ctx: HandlerContext): AppointmentNoteDoc {
  const a = loadAppointment(ctx);
  const n = ctx.state.records.get<AppointmentNoteDoc>("appointment-note", ctx.params.noteId!);
  if (!n || n.appointmentId !== a.id) throw badRequest("Note not found");
  return n;
}

function view(ctx: HandlerContext, n: AppointmentNoteDoc) {
  const { locationId: _, appointmentId: __, ...rest } = n;
  const createdBy = n.userId
    ? { id: n.userId, name: n.userId === ctx.state.fixtures.userId ? "Alex Agent" : "" }
    : undefined;
  return { ...rest, ...(createdBy && { createdBy }) };
}

export const appointmentHandlers: HandlerMap = {
  "get-appointments-for-contact": (ctx) => {
    const contact = loadContact(ctx, ctx.params.contactId!);
    const events = ctx.state.records
      .list<AppointmentDoc>("appointment", { locationId: contact.locationId })
      .filter((a) => a.contactId === contact.id)
      .map((a) => ({
        ...a,
        status: a.appointmentStatus === "cancelled" ? "cancelled" : "booked",
        appointmentStatus: a.appointmentStatus ?? "confirmed",
      }));
    return { body: { events } };
  },
  "get-appointment-notes": (ctx) => {
    const a = loadAppointment(ctx);
    const limit = Number(ctx.query.limit);
    const offset = Number(ctx.query.offset);
    const all = ctx.state.records.list<AppointmentNoteDoc>("appointment-note", { parentId: a.id });
    const page = all.slice(offset, offset + limit);
    return { body: { notes: page.map((n) => view(ctx, n)), hasMore: offset + page.length < all.length } };
  },
  "create-appointment-note": (ctx) => {
    const a = loadAppointment(ctx);
    const b = ctx.body as { body: string; userId?: string };
    const n: AppointmentNoteDoc = {
      id: ctx.state.ids.id(),
      appointmentId: a.id,
      locationId: a.locationId,
      body: b.body,
      ...(b.userId && { userId: b.userId }),
      contactId: a.contactId,
      dateAdded: isoNow(ctx.state),
    };
    ctx.state.records.insert("appointment-note", n, {
      locationId: a.locationId,
      parentId: a.id,
      sortMs: ctx.state.now(),
    });
    return { status: 201, body: { note: view(ctx, n) } };
  },
  "update-appointment-note": (ctx) => {
    const n = loadNote(ctx);
    const b = ctx.body as { body: string; userId?: string };
    n.body = b.body;
    if (b.userId) n.userId = b.userId;
    ctx.state.records.update("appointment-note", n);
    return { body: { note: view(ctx, n) } };
  },
  "delete-appointment-note": (ctx) => {
    ctx.state.records.delete("appointment-note", loadNote(ctx).id);
    return { body: { success: true } };
  },
};
