// Calendar events: appointments (slot validation, the contact's list, Appointment* webhooks),
// blocked slots, the windowed event lists, and DELETE /calendars/events/{id} answering 201.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallOptions, type CallResult, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
let receiver: Server;
let hooks: Array<Record<string, unknown>> = [];
// Friday 2026-11-20, before the seeded week of 2026-11-30.
const clock = manualClock(Date.UTC(2026, 10, 20, 12, 0, 0));

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    hooks.push(JSON.parse(Buffer.concat(chunks).toString()));
    res.end("ok");
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const port = (receiver.address() as AddressInfo).port;
  ({ sb, api } = await start({ seed: 12, now: clock.now, webhookUrl: `http://127.0.0.1:${port}/hooks` }));
});
beforeEach(async () => {
  sb.reset();
  await sb.webhooksIdle();
  hooks = [];
});
afterAll(async () => {
  await sb.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

const call = (path: string, o: CallOptions = {}) => api(path, { version: "2021-04-15", ...o });
const loc = () => sb.info.locationId;

function conforms(operation: string, r: CallResult, status: number) {
  expect(r.status, `${operation}: ${JSON.stringify(r.body)}`).toBe(status);
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, operation).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

async function world() {
  const calendars = (await call(`/calendars/?locationId=${loc()}`)).body.calendars;
  const contacts = (await api(`/contacts/?locationId=${loc()}`)).body.contacts;
  return { buyer: calendars[0], listing: calendars[1], olivia: contacts[0], liam: contacts[1] };
}

/** Events of a calendar in the week of 2026-11-30 (Los Angeles). */
const WEEK = { from: Date.UTC(2026, 10, 30, 8), to: Date.UTC(2026, 11, 5, 8) };
const eventsOf = (calendarId: string, what = "events") =>
  call(
    `/calendars/${what}?locationId=${loc()}&calendarId=${calendarId}&startTime=${WEEK.from}&endTime=${WEEK.to}`,
  );

function book(body: Record<string, unknown>) {
  return call("/calendars/events/appointments", { method: "POST", body: { locationId: loc(), ...body } });
}

describe("appointments", () => {
  it("lists the seeded appointment by calendar, user and group, in the location's time", async () => {
    const { buyer, liam } = await world();
    const byCalendar = await eventsOf(buyer.id);
    conforms("get-calendar-events", byCalendar, 200);
    expect(byCalendar.body.events).toEqual([
      expect.objectContaining({
        calendarId: buyer.id,
        contactId: liam.id,
        groupId: buyer.groupId,
        appointmentStatus: "confirmed",
        assignedUserId: sb.info.userId,
        startTime: "2026-12-01T10:00:00-08:00",
        endTime: "2026-12-01T10:30:00-08:00",
      }),
    ]);
    const q = `locationId=${loc()}&startTime=${WEEK.from}&endTime=${WEEK.to}`;
    const byUser = await call(`/calendars/events?${q}&userId=${sb.info.userId}`);
    expect(byUser.body.events).toHaveLength(1);
    const byGroup = await call(`/calendars/events?${q}&groupId=${buyer.groupId}`);
    expect(byGroup.body.events).toHaveLength(1);
    // Outside the window: nothing.
    const before = await call(
      `/calendars/events?locationId=${loc()}&calendarId=${buyer.id}&startTime=${WEEK.from - 7 * 86_400_000}&endTime=${WEEK.from}`,
    );
    expect(before.body.events).toEqual([]);
    // The contact's list reads the same records; the older seeded viewing joined a real calendar.
    const liams = await api(`/contacts/${liam.id}/appointments`);
    expect(liams.body.events.map((e: { id: string }) => e.id)).toEqual([byCalendar.body.events[0].id]);
    const { olivia } = await world();
    const [viewing] = (await api(`/contacts/${olivia.id}/appointments`)).body.events;
    const got = await call(`/calendars/events/appointments/${viewing.id}`);
    conforms("get-appointment", got, 200);
    expect(got.body.event).toMatchObject({ title: "Viewing: 12 Elm Street", calendarId: buyer.id });
    // One of calendarId, userId, groupId is required.
    const none = await call(`/calendars/events?${q}`);
    expect(none.status).toBe(422);
    expect(none.body.message).toEqual(["Either of calendarId, userId or groupId is required"]);
  });

  it("books a free slot, reads, edits and deletes it, with webhooks and the contact's list", async () => {
    const { buyer, olivia } = await world();
    const created = await book({
      calendarId: buyer.id,
      contactId: olivia.id,
      startTime: "2026-11-30T14:00:00-08:00",
      address: "100 Market St",
    });
    conforms("create-appointment", created, 200);
    const a = created.body;
    expect(a).toMatchObject({
      calendarId: buyer.id,
      contactId: olivia.id,
      title: "Olivia Martinez", // the calendar's {{contact.name}} title
      startTime: "2026-11-30T14:00:00-08:00",
      endTime: "2026-11-30T14:30:00-08:00", // slotDuration when endTime is left out
      appointmentStatus: "confirmed",
      assignedUserId: sb.info.userId,
      meetingLocationType: "custom",
    });

    const got = await call(`/calendars/events/appointments/${a.id}`);
    conforms("get-appointment", got, 200);
    expect(got.body.event).toMatchObject({ id: a.id, address: "100 Market St", users: [sb.info.userId] });

    const listed = await api(`/contacts/${olivia.id}/appointments`);
    expect(validateResponse("get-appointments-for-contact", listed.status, listed.body).errors).toEqual([]);
    expect(listed.body.events.map((e: { id: string }) => e.id)).toContain(a.id);

    const edited = await call(`/calendars/events/appointments/${a.id}`, {
      method: "PUT",
      body: { startTime: "2026-11-30T15:00:00-08:00", title: "Moved", appointmentStatus: "showed" },
    });
    conforms("edit-appointment", edited, 200);
    expect(edited.body).toMatchObject({
      title: "Moved",
      appointmentStatus: "showed",
      startTime: "2026-11-30T15:00:00-08:00",
      endTime: "2026-11-30T15:30:00-08:00",
    });

    const deleted = await call(`/calendars/events/${a.id}`, { method: "DELETE", body: {} });
    conforms("delete-event", deleted, 201);
    expect(deleted.body.succeeded).toBe(true);
    const gone = await call(`/calendars/events/appointments/${a.id}`);
    expect(gone.status).toBe(400);
    expect(gone.body.message).toBe("Appointment not found");
    expect(
      (await api(`/contacts/${olivia.id}/appointments`)).body.events.map((e: { id: string }) => e.id),
    ).not.toContain(a.id);

    await sb.webhooksIdle();
    expect(hooks.map((h) => h.type)).toEqual(["AppointmentCreate", "AppointmentUpdate", "AppointmentDelete"]);
    expect(hooks[0]).toMatchObject({
      locationId: loc(),
      appointment: { id: a.id, calendarId: buyer.id, contactId: olivia.id, appointmentStatus: "confirmed" },
    });
    expect(hooks[1]).toMatchObject({
      appointment: { title: "Moved", startTime: "2026-11-30T15:00:00-08:00" },
    });
  });

  it("refuses slots outside open hours, off the grid, in the past, or taken, unless told to ignore", async () => {
    const { buyer, olivia } = await world();
    const base = { calendarId: buyer.id, contactId: olivia.id };
    const refused = async (startTime: string, extra: Record<string, unknown> = {}) => {
      const r = await book({ ...base, startTime, ...extra });
      expect(r.status, startTime).toBe(400);
      expect(r.body.message).toBe("The slot you have selected is no longer available.");
    };
    await refused("2026-11-30T08:30:00-08:00"); // before 9:00
    await refused("2026-11-30T16:45:00-08:00"); // would end after 17:00
    await refused("2026-11-30T10:10:00-08:00"); // off the 30-minute grid
    await refused("2026-12-05T10:00:00-08:00"); // Saturday
    await refused("2026-12-01T10:00:00-08:00"); // the seeded appointment
    await refused("2026-12-01T09:30:00-08:00", { endTime: "2026-12-01T10:15:00-08:00" }); // overlaps it
    await refused("2026-12-02T12:30:00-08:00"); // the seeded blocked lunch
    await refused("2026-11-16T10:00:00-08:00"); // in the past (clock: 2026-11-20)

    // ignoreFreeSlotValidation books anyway, even on top of the seeded appointment.
    const forced = await book({
      ...base,
      startTime: "2026-12-01T10:00:00-08:00",
      ignoreFreeSlotValidation: true,
    });
    conforms("create-appointment", forced, 200);
    // ignoreDateRange only lifts the notice/horizon rule: the past is bookable, a taken slot is not.
    const past = await book({ ...base, startTime: "2026-11-16T10:00:00-08:00", ignoreDateRange: true });
    expect(past.status).toBe(200);
    await refused("2026-12-02T12:00:00-08:00", { ignoreDateRange: true });

    // Moving onto a taken slot is refused too; moving within its own time is not.
    const mine = (await book({ ...base, startTime: "2026-12-03T09:00:00-08:00" })).body;
    const clash = await call(`/calendars/events/appointments/${mine.id}`, {
      method: "PUT",
      body: { startTime: "2026-12-02T12:00:00-08:00" },
    });
    expect(clash.status).toBe(400);
    const longer = await call(`/calendars/events/appointments/${mine.id}`, {
      method: "PUT",
      body: { endTime: "2026-12-03T10:00:00-08:00" },
    });
    expect(longer.status).toBe(200);
  });

  it("frees a cancelled appointment's slot", async () => {
    const { buyer, olivia } = await world();
    const [seeded] = (await eventsOf(buyer.id)).body.events;
    await call(`/calendars/events/appointments/${seeded.id}`, {
      method: "PUT",
      body: { appointmentStatus: "cancelled" },
    });
    const r = await book({
      calendarId: buyer.id,
      contactId: olivia.id,
      startTime: "2026-12-01T10:00:00-08:00",
    });
    expect(r.status).toBe(200);
  });

  it("refuses unknown calendars and contacts, and another location's records", async () => {
    const { buyer, olivia } = await world();
    const startTime = "2026-11-30T10:00:00-08:00";
    const noCal = await book({ calendarId: "missing0000000000000", contactId: olivia.id, startTime });
    expect(noCal.body).toMatchObject({ statusCode: 400, message: "Calendar not found" });
    const noContact = await book({ calendarId: buyer.id, contactId: "missing0000000000000", startTime });
    expect(noContact.body.message).toBe("Contact not found");
    const unknown = await call("/calendars/events/missing0000000000000", { method: "DELETE", body: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe("Event not found");

    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const [seeded] = (await eventsOf(buyer.id)).body.events;
    for (const [path, o] of [
      [`/calendars/events/appointments/${seeded.id}`, {}],
      [`/calendars/events/appointments/${seeded.id}`, { method: "PUT", body: { title: "x" } }],
      [`/calendars/events/${seeded.id}`, { method: "DELETE", body: {} }],
    ] as Array<[string, CallOptions]>) {
      const r = await call(path, { ...o, token: other });
      expect(r.status, path).toBe(403);
    }
    // Booking on this location's calendar from the other location.
    const cross = await call("/calendars/events/appointments", {
      method: "POST",
      token: other,
      body: { locationId: sb.info.otherLocationId, calendarId: buyer.id, contactId: olivia.id, startTime },
    });
    expect(cross.status).toBe(403);
    expect((await eventsOf(buyer.id)).body.events).toHaveLength(1);
  });
});

describe("blocked slots", () => {
  it("lists the seeded block, creates, edits and deletes one", async () => {
    const { buyer } = await world();
    const list = await eventsOf(buyer.id, "blocked-slots");
    conforms("get-blocked-slots", list, 200);
    expect(list.body.events).toEqual([
      expect.objectContaining({
        title: "Team lunch",
        calendarId: buyer.id,
        startTime: "2026-12-02T12:00:00-08:00",
        endTime: "2026-12-02T13:00:00-08:00",
      }),
    ]);

    const created = await call("/calendars/events/block-slots", {
      method: "POST",
      body: {
        locationId: loc(),
        calendarId: buyer.id,
        title: "Office closed",
        startTime: "2026-12-04T09:00:00-08:00",
        endTime: "2026-12-04T17:00:00-08:00",
      },
    });
    conforms("create-block-slot", created, 201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ calendarId: buyer.id, startTime: "2026-12-04T09:00:00-08:00" });

    const edited = await call(`/calendars/events/block-slots/${id}`, {
      method: "PUT",
      body: { locationId: loc(), calendarId: buyer.id, endTime: "2026-12-04T12:00:00-08:00" },
    });
    conforms("edit-block-slot", edited, 201);
    expect(edited.body).toMatchObject({ title: "Office closed", endTime: "2026-12-04T12:00:00-08:00" });
    expect((await eventsOf(buyer.id, "blocked-slots")).body.events).toHaveLength(2);
    // Blocks are not appointments.
    expect((await eventsOf(buyer.id)).body.events).toHaveLength(1);

    const deleted = await call(`/calendars/events/${id}`, { method: "DELETE", body: {} });
    conforms("delete-event", deleted, 201);
    expect((await eventsOf(buyer.id, "blocked-slots")).body.events).toHaveLength(1);
    await sb.webhooksIdle();
    expect(hooks).toEqual([]); // no documented event for blocks
  });

  it("blocks a user instead of a calendar, but never both", async () => {
    const { buyer } = await world();
    const times = { startTime: "2026-12-03T09:00:00-08:00", endTime: "2026-12-03T10:00:00-08:00" };
    const both = await call("/calendars/events/block-slots", {
      method: "POST",
      body: { locationId: loc(), calendarId: buyer.id, assignedUserId: sb.info.userId, ...times },
    });
    expect(both.status).toBe(400);
    const user = await call("/calendars/events/block-slots", {
      method: "POST",
      body: { locationId: loc(), assignedUserId: sb.info.userId, ...times },
    });
    conforms("create-block-slot", user, 201);
    expect(user.body.calendarId).toBeUndefined();
    const byUser = await call(
      `/calendars/blocked-slots?locationId=${loc()}&userId=${sb.info.userId}&startTime=${WEEK.from}&endTime=${WEEK.to}`,
    );
    expect(byUser.body.events.map((e: { id: string }) => e.id)).toEqual([user.body.id]);
    // Editing without naming an owner keeps it; naming the calendar moves the block there.
    const kept = await call(`/calendars/events/block-slots/${user.body.id}`, {
      method: "PUT",
      body: { locationId: loc(), title: "Dentist" },
    });
    conforms("edit-block-slot", kept, 201);
    expect(kept.body).toMatchObject({ title: "Dentist", assignedUserId: sb.info.userId });
    const moved = await call(`/calendars/events/block-slots/${user.body.id}`, {
      method: "PUT",
      body: { locationId: loc(), calendarId: buyer.id },
    });
    expect(moved.body.calendarId).toBe(buyer.id);
    expect(moved.body.assignedUserId).toBeUndefined();
    const unknown = await call("/calendars/events/block-slots/missing0000000000000", {
      method: "PUT",
      body: { locationId: loc(), calendarId: buyer.id },
    });
    expect(unknown.status).toBe(400);
  });
});
