// Appointments, blocked slots and appointment notes (the seed's event operations), plus the
// New Appointment and Appointment Updated polling triggers. HighLevel lists calendar events only
// by appointment time (epoch-ms windows) and only for a calendar, group or user, so the triggers
// read a window around now and find what was added or changed since the last poll by the events'
// dateAdded / dateUpdated.
import { z } from "zod";
import { defineTrigger, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture } from "../examples.ts";
import { dateTime, id, meta, text } from "../fields.ts";
import { specFields } from "../operation-input.ts";
import { DEFAULT_LOOKBACK_MS, timeField, timeOrderedTrigger } from "../poll.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry, PollingTrigger } from "../types.ts";
import {
  appointmentTime,
  CATEGORY,
  calendarId,
  DAY_MS,
  firstFreeSlot,
  formatWithOffset,
  groupId,
  key,
  listCalendars,
  sample,
  sampleWithout,
  snapshotOf,
  untilDate,
  userId,
  withReconcile,
} from "./calendars.ts";
import { contactSource } from "./contacts.ts";

type Rec = Record<string, unknown>;
type EventsOp = "get-calendar-events" | "get-blocked-slots";

const appointmentId = (label = "Appointment") => id(label, undefined, "The appointment's (event's) id.");
/** Event fields HighLevel leaves out when empty or when the event is not recurring. */
const EVENT_OPTIONAL = ["address", "notes", "description", "rrule", "assignedResources", "masterEventId"];
const eventSample = sampleWithout(
  (sample("get-appointment") as { event?: unknown }).event ?? {},
  EVENT_OPTIONAL,
);
const bookingSample = (op: string) => sampleWithout(sample(op), ["address", "rrule"]);
/** A blocked slot belongs to a calendar or to a user, so it has one of the two. */
const blockSample = (op: string) => sampleWithout(sample(op), ["assignedUserId"]);

// --- example fixtures ------------------------------------------------------------------------------
/** An appointment of the account (around now), else a scratch one. */
registerExampleFixture("appointment", async (ctx, get) => {
  const cal = (await get("calendar")) as Rec;
  const now = ctx.now();
  const r = (await ctx.client.call("get-calendar-events", {
    locationId: ctx.locationId,
    calendarId: String(cal.id),
    startTime: String(now - 30 * DAY_MS),
    endTime: String(now + 90 * DAY_MS),
  } as never)) as { events?: Rec[] };
  return r.events?.[0] ?? get("scratchAppointment");
});
/** Booked in a free slot (so it never collides), for a scratch contact, with automations off. */
registerExampleFixture("scratchAppointment", async (ctx, get) => {
  const contact = (await get("scratchContact")) as { id: string };
  const slot = await firstFreeSlot(ctx);
  return ctx.client.call("create-appointment", undefined, {
    locationId: ctx.locationId,
    contactId: contact.id,
    ...slot,
    title: "Example appointment",
    toNotify: false,
  } as never);
});
registerExampleFixture("scratchBlockSlot", async (ctx, get) => {
  const cal = (await get("scratchCalendar")) as Rec;
  const start = Math.floor((ctx.now() + 400 * DAY_MS) / 3_600_000) * 3_600_000;
  return ctx.client.call("create-block-slot", undefined, {
    locationId: ctx.locationId,
    calendarId: String(cal.id),
    title: "Example block",
    startTime: formatWithOffset(start),
    endTime: formatWithOffset(start + 3_600_000),
  } as never);
});
registerExampleFixture("scratchAppointmentNote", async (ctx, get) => {
  const a = (await get("scratchAppointment")) as { id: string };
  const r = (await ctx.client.call("create-appointment-note", { appointmentId: a.id }, {
    body: "Example note",
  } as never)) as { note: Rec };
  return { ...r.note, appointmentId: a.id };
});

// --- reading events ------------------------------------------------------------------------------
interface Scope {
  calendarId?: string;
  groupId?: string;
  userId?: string;
}

/**
 * Events (appointments or blocked slots) whose time overlaps [from, to]. With a calendar, group or
 * user: one request. Without: the location's calendars, then one request per calendar.
 */
async function fetchEvents(
  ctx: CatalogContext,
  op: EventsOp,
  scope: Scope,
  from: number,
  to: number,
): Promise<{ items: Rec[]; requests: number }> {
  const window = { locationId: ctx.locationId, startTime: String(from), endTime: String(to) };
  const given = Object.fromEntries(
    (["calendarId", "groupId", "userId"] as const).filter((k) => scope[k]).map((k) => [k, scope[k]]),
  );
  if (Object.keys(given).length > 0) {
    const r = (await ctx.client.callByKey(op, { ...window, ...given })) as { events?: Rec[] };
    return { items: r.events ?? [], requests: 1 };
  }
  const calendars = await listCalendars(ctx);
  const pages = await Promise.all(
    calendars.map(
      (c) => ctx.client.callByKey(op, { ...window, calendarId: String(c.id) }) as Promise<{ events?: Rec[] }>,
    ),
  );
  const byId = new Map<string, Rec>();
  for (const p of pages) for (const e of p.events ?? []) byId.set(String(e.id), e);
  const items = [...byId.values()].sort((a, b) => timeField(a, "startTime") - timeField(b, "startTime"));
  return { items, requests: 1 + calendars.length };
}

const COUNTER = Symbol("requests");
type CountingContext = CatalogContext & { [COUNTER]?: { n: number } };

/**
 * Events of a window that were added (or changed) since the last poll. The window is read whole
 * (the endpoint has no paging), items are ordered by dateAdded / dateUpdated, and the cursor keeps
 * only the ids seen within the look-back. The first poll starts the clock at now (less the
 * look-back, which also absorbs clock skew with HighLevel), so events that were already there, or
 * that later slide into a moving window, are not taken for new.
 */
function windowTrigger(opts: {
  op: EventsOp;
  window: (ctx: CatalogContext, input: Rec) => { from: number; to: number };
  field: "dateAdded" | "dateUpdated";
  dedupe: "id" | "id+updated";
  keep?: (e: Rec) => boolean;
  describe: string;
}): PollingTrigger {
  const inner = timeOrderedTrigger<Rec>(
    {
      async fetchPage(ctx, input) {
        const { from, to } = opts.window(ctx, input);
        const r = await fetchEvents(ctx, opts.op, input as Scope, from, to);
        const counter = (ctx as CountingContext)[COUNTER];
        if (counter) counter.n += r.requests;
        return { items: opts.keep ? r.items.filter(opts.keep) : r.items, more: false };
      },
      idOf: (e) => String((e as Rec).id),
      timeOf: (e) => timeField(e, opts.field, "dateAdded"),
    },
    { dedupe: opts.dedupe, describe: opts.describe },
  );
  return {
    ...inner,
    async poll(ctx, input, cursor) {
      const counter = { n: 0 };
      const r = await inner.poll({ ...ctx, [COUNTER]: counter } as CountingContext, input, cursor);
      let next = r.cursor;
      const floor = ctx.now() - DEFAULT_LOOKBACK_MS;
      if (!cursor && (next.since ?? 0) < floor) {
        next = { since: floor, seen: (next.seen ?? []).filter(([, t]) => t >= floor) };
      }
      return { items: r.items, cursor: next, requests: counter.n };
    },
  };
}

/**
 * Changed after it was booked. A new event carries dateUpdated = dateAdded; a second's tolerance
 * keeps a booking written in two steps from counting as a change.
 */
const changedAfterBooking = (e: Rec) => timeField(e, "dateUpdated") - timeField(e, "dateAdded") > 1000;

const scopeFields = () => ({
  calendarId: calendarId().optional(),
  groupId: groupId().optional(),
  userId: userId("Assigned user").optional(),
});

const movingWindowInput = () =>
  z.strictObject({
    ...scopeFields(),
    lookBehindDays: meta(z.number().int().min(0).max(365), {
      label: "Look back (days)",
      help: "Watch appointments starting up to this many days ago.",
    }).default(7),
    lookAheadDays: meta(z.number().int().min(1).max(365), {
      label: "Look ahead (days)",
      help: "Watch appointments starting up to this many days ahead.",
    }).default(90),
  });

const movingWindow = (ctx: CatalogContext, input: Rec) => ({
  from: ctx.now() - Number(input.lookBehindDays ?? 7) * DAY_MS,
  to: ctx.now() + Number(input.lookAheadDays ?? 90) * DAY_MS,
});

const fixedWindow = (_ctx: CatalogContext, input: Rec) => ({
  from: input.startTime as number,
  to: input.endTime as number,
});

const WINDOW_HELP =
  "Without a calendar, group or user it watches every calendar of the location (one request per calendar per poll). " +
  "HighLevel lists events by when they take place, so appointments starting outside the look-back/look-ahead window are not seen until they come within it.";

/** The latest event of the window by `field`: what the trigger would emit (null when none). */
async function latest(ctx: CatalogContext, input: Rec, field: "dateAdded" | "dateUpdated") {
  const { from, to } = movingWindow(ctx, input);
  const { items } = await fetchEvents(ctx, "get-calendar-events", input as Scope, from, to);
  return items.sort((a, b) => timeField(b, field) - timeField(a, field))[0] ?? null;
}

const eventWindowFields = (op: EventsOp) =>
  specFields(op, {
    override: {
      ...scopeFields(),
      startTime: dateTime("From", "epoch-ms", "Events taking place from this time."),
      endTime: untilDate(
        "Until",
        "Events taking place up to this time; a date alone means the end of that day.",
      ),
    },
  });

async function findNote(ctx: CatalogContext, appointment: string, body: string): Promise<Rec | undefined> {
  for (let offset = 0; offset < 1000; offset += 20) {
    const r = (await ctx.client.call("get-appointment-notes", {
      appointmentId: appointment,
      limit: 20,
      offset,
    } as never)) as { notes?: Rec[]; hasMore?: boolean };
    const hit = r.notes?.find((n) => n.body === body);
    if (hit || !r.hasMore) return hit;
  }
  return undefined;
}

export const appointmentEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  defineTrigger({
    key: "highlevel.calendars.events.list",
    ...fromSeed("List Calendar Events"),
    help:
      "Appointments taking place in the window. Without a calendar, group or user it reads every calendar of the location (one request per calendar). " +
      "Polling emits events added to the window since the last poll.",
    operations: ["get-calendar-events", "get-calendars"],
    input: z.strictObject(eventWindowFields("get-calendar-events")),
    output: {
      description: "{events}: the appointments, by start time.",
      sample: sample("get-calendar-events"),
    },
    example: {
      calendarId: { $example: "calendar.id" },
      startTime: "2026-11-01",
      endTime: "2026-12-31",
    },
    trigger: windowTrigger({
      op: "get-calendar-events",
      window: fixedWindow,
      field: "dateAdded",
      dedupe: "id",
      describe:
        "GET /calendars/events for the window (per calendar when none is given): events added since the last poll",
    }),
    read: async (ctx, input) => {
      const i = input as Rec;
      const { items } = await fetchEvents(
        ctx,
        "get-calendar-events",
        i,
        i.startTime as number,
        i.endTime as number,
      );
      return { events: items };
    },
  }),
  defineTrigger({
    key: "highlevel.calendars.blocked-slots.list",
    ...fromSeed("List Blocked Slots"),
    help: "Give a calendar, a group or a user. Polling emits blocked slots added to the window since the last poll.",
    operations: ["get-blocked-slots"],
    input: z
      .strictObject(eventWindowFields("get-blocked-slots"))
      .refine((v) => Boolean(v.calendarId || v.groupId || v.userId), {
        message: "give a calendar, a group or a user",
      }),
    output: {
      description: "{events}: the blocked slots, by start time.",
      sample: sample("get-blocked-slots"),
    },
    example: {
      calendarId: { $example: "calendar.id" },
      startTime: "2026-11-01",
      endTime: "2026-12-31",
    },
    trigger: windowTrigger({
      op: "get-blocked-slots",
      window: fixedWindow,
      field: "dateAdded",
      dedupe: "id",
      describe: "GET /calendars/blocked-slots for the window: blocked slots added since the last poll",
    }),
    read: async (ctx, input) => {
      const i = input as Rec;
      const { items } = await fetchEvents(
        ctx,
        "get-blocked-slots",
        i,
        i.startTime as number,
        i.endTime as number,
      );
      return { events: items };
    },
  }),
  operationTrigger({
    key: "highlevel.calendars.appointments.get",
    ...fromSeed("Get Appointment"),
    operation: "get-appointment",
    fields: { override: { eventId: appointmentId() } },
    output: { description: "{event}: the appointment.", sample: sample("get-appointment") },
    example: { eventId: { $example: "appointment.id" } },
    trigger: snapshotOf("get-appointment", key("event"), "id+updated", "dateUpdated"),
  }),
  operationTrigger({
    key: "highlevel.calendars.appointments.notes.list",
    ...fromSeed("List Appointment Notes"),
    operation: "get-appointment-notes",
    fields: {
      override: {
        appointmentId: appointmentId(),
        limit: meta(z.number().int().min(1).max(20), { label: "Page size" }).default(20),
        offset: meta(z.number().int().min(0), { label: "Offset" }).default(0),
      },
    },
    output: {
      description: "{notes, hasMore}: one page of the appointment's notes.",
      sample: sample("get-appointment-notes"),
    },
    example: { appointmentId: { $example: "appointment.id" } },
    trigger: snapshotOf("get-appointment-notes", key("notes"), "id"),
  }),

  // ---------------------------------------------------------------- event-style polling triggers
  defineTrigger({
    key: "highlevel.calendars.appointments.new",
    name: "New Appointment",
    description: "Fires for each appointment booked on a calendar (or anywhere in the location)",
    category: CATEGORY,
    help: `${WINDOW_HELP} Reading it once gives the latest booked appointment. For instant delivery use the AppointmentCreate webhook.`,
    operations: ["get-calendar-events", "get-calendars"],
    input: movingWindowInput(),
    output: { description: "The new appointment.", sample: eventSample },
    example: {},
    trigger: windowTrigger({
      op: "get-calendar-events",
      window: movingWindow,
      field: "dateAdded",
      dedupe: "id",
      describe:
        "GET /calendars/events from look-back to look-ahead (per calendar when none is given): appointments added since the last poll",
    }),
    read: (ctx, input) => latest(ctx, input as Rec, "dateAdded"),
  }),
  defineTrigger({
    key: "highlevel.calendars.appointments.updated",
    name: "Appointment Updated",
    description:
      "Fires each time an appointment changes: rescheduled, status, assignee, title (one run per change seen)",
    category: CATEGORY,
    help:
      `${WINDOW_HELP} Changes are found by the appointment's dateUpdated; bookings themselves do not fire it, and ` +
      "several changes between two polls give one run with the latest state. Deleted appointments are not seen (cancelling is a change). Reading it once gives the latest updated appointment.",
    operations: ["get-calendar-events", "get-calendars"],
    input: movingWindowInput(),
    output: { description: "The appointment as it is after the change.", sample: eventSample },
    example: {},
    trigger: windowTrigger({
      op: "get-calendar-events",
      window: movingWindow,
      field: "dateUpdated",
      dedupe: "id+updated",
      keep: changedAfterBooking,
      describe:
        "GET /calendars/events from look-back to look-ahead (per calendar when none is given): appointments whose dateUpdated moved since the last poll",
    }),
    read: (ctx, input) => latest(ctx, input as Rec, "dateUpdated"),
  }),

  // ---------------------------------------------------------------- appointments
  withReconcile(
    operationAction({
      key: "highlevel.calendars.appointments.create",
      ...fromSeed("Create Appointment"),
      help:
        "The start must be one of the calendar's free slots (see Get Free Slots) unless ignoreFreeSlotValidation is set; without an end the calendar's slot length is used. " +
        "Times keep the offset they are typed with; times without one are UTC.",
      operation: "create-appointment",
      idempotency: "reconcilable",
      fields: {
        override: {
          calendarId: calendarId(),
          contactId: id("Contact", contactSource, "The contact the appointment is for."),
          startTime: appointmentTime("Start"),
          endTime: appointmentTime("End").optional(),
          assignedUserId: userId("Assigned user").optional(),
        },
      },
      output: {
        description: "The appointment as booked (id, times, status...).",
        sample: bookingSample("create-appointment"),
      },
      example: {
        calendarId: { $example: "freeSlot.calendarId" },
        contactId: { $example: "scratchContact.id" },
        startTime: { $example: "freeSlot.startTime" },
        endTime: { $example: "freeSlot.endTime" },
        title: "Buyer consultation",
      },
    }),
    async (ctx, input) => {
      const start = Date.parse(String(input.startTime));
      const { items } = await fetchEvents(
        ctx,
        "get-calendar-events",
        { calendarId: String(input.calendarId) },
        start,
        start + 1,
      );
      return items.find((e) => e.contactId === input.contactId && timeField(e, "startTime") === start);
    },
  ),
  operationAction({
    key: "highlevel.calendars.appointments.update",
    ...fromSeed("Update Appointment"),
    help: "A new start must be a free slot unless ignoreFreeSlotValidation is set; moving only the start keeps the length.",
    operation: "edit-appointment",
    idempotency: "safe",
    fields: {
      override: {
        eventId: appointmentId(),
        calendarId: calendarId().optional(),
        startTime: appointmentTime("Start").optional(),
        endTime: appointmentTime("End").optional(),
        assignedUserId: userId("Assigned user").optional(),
      },
    },
    output: { description: "The appointment as it is now.", sample: bookingSample("edit-appointment") },
    example: {
      eventId: { $example: "scratchAppointment.id" },
      title: "Buyer consultation (confirmed)",
      appointmentStatus: "confirmed",
    },
  }),
  operationAction({
    key: "highlevel.calendars.events.delete",
    ...fromSeed("Delete Event"),
    help: "Deletes an appointment or a blocked slot. To keep a record of the appointment, set its status to cancelled instead.",
    operation: "delete-event",
    idempotency: "safe",
    fields: { override: { eventId: id("Event", undefined, "An appointment's or blocked slot's id.") } },
    output: { description: "{succeeded: true}.", sample: sample("delete-event") },
    example: { eventId: { $example: "scratchAppointment.id" } },
  }),

  // ---------------------------------------------------------------- blocked slots
  withReconcile(
    operationAction({
      key: "highlevel.calendars.blocked-slots.create",
      ...fromSeed("Create Block Slot"),
      help: "Blocks a calendar (or, where HighLevel allows it, a user: not both) for a time.",
      operation: "create-block-slot",
      idempotency: "reconcilable",
      fields: {
        override: {
          calendarId: calendarId(),
          assignedUserId: userId("User").optional(),
          startTime: appointmentTime("Start"),
          endTime: appointmentTime("End"),
        },
      },
      output: { description: "The blocked slot.", sample: blockSample("create-block-slot") },
      example: {
        calendarId: { $example: "scratchCalendar.id" },
        title: "Office closed",
        startTime: "2030-01-15T12:00:00-08:00",
        endTime: "2030-01-15T13:00:00-08:00",
      },
    }),
    async (ctx, input) => {
      const start = Date.parse(String(input.startTime));
      const end = Date.parse(String(input.endTime));
      const { items } = await fetchEvents(ctx, "get-blocked-slots", input as Scope, start, end);
      return items.find(
        (b) =>
          timeField(b, "startTime") === start &&
          timeField(b, "endTime") === end &&
          (input.title === undefined || b.title === input.title),
      );
    },
  ),
  operationAction({
    key: "highlevel.calendars.blocked-slots.update",
    ...fromSeed("Update Block Slot"),
    operation: "edit-block-slot",
    idempotency: "safe",
    fields: {
      override: {
        eventId: id("Blocked slot"),
        calendarId: calendarId(),
        assignedUserId: userId("User").optional(),
        startTime: appointmentTime("Start").optional(),
        endTime: appointmentTime("End").optional(),
      },
    },
    output: { description: "The blocked slot as it is now.", sample: blockSample("edit-block-slot") },
    example: {
      eventId: { $example: "scratchBlockSlot.id" },
      calendarId: { $example: "scratchBlockSlot.calendarId" },
      title: "Office closed (moved)",
    },
  }),

  // ---------------------------------------------------------------- appointment notes
  withReconcile(
    operationAction({
      key: "highlevel.calendars.appointments.notes.create",
      ...fromSeed("Create Appointment Note"),
      operation: "create-appointment-note",
      idempotency: "reconcilable",
      fields: {
        override: {
          appointmentId: appointmentId(),
          body: meta(text("Note").max(5000), { label: "Note" }),
          userId: userId("Written by").optional(),
        },
      },
      output: { description: "{note}: the new note.", sample: sample("create-appointment-note") },
      example: {
        appointmentId: { $example: "scratchAppointment.id" },
        body: "Bring the pre-approval letter.",
      },
    }),
    async (ctx, input) => {
      const note = await findNote(ctx, String(input.appointmentId), String(input.body));
      return note ? { note } : undefined;
    },
  ),
  operationAction({
    key: "highlevel.calendars.appointments.notes.update",
    ...fromSeed("Update Appointment Note"),
    operation: "update-appointment-note",
    idempotency: "safe",
    fields: {
      override: {
        appointmentId: appointmentId(),
        noteId: id("Note"),
        body: meta(text("Note").max(5000), { label: "Note" }),
        userId: userId("Written by").optional(),
      },
    },
    output: { description: "{note}: the updated note.", sample: sample("update-appointment-note") },
    example: {
      appointmentId: { $example: "scratchAppointmentNote.appointmentId" },
      noteId: { $example: "scratchAppointmentNote.id" },
      body: "Bring the pre-approval letter and ID.",
    },
  }),
  operationAction({
    key: "highlevel.calendars.appointments.notes.delete",
    ...fromSeed("Delete Appointment Note"),
    operation: "delete-appointment-note",
    idempotency: "safe",
    fields: { override: { appointmentId: appointmentId(), noteId: id("Note") } },
    output: { description: "{success: true}.", sample: sample("delete-appointment-note") },
    example: {
      appointmentId: { $example: "scratchAppointmentNote.appointmentId" },
      noteId: { $example: "scratchAppointmentNote.id" },
    },
  }),
];
