// Calendars service: groups, calendars, event notifications and resources (rooms/equipments),
// plus location isolation and unknown ids. Events and free slots have their own files.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallOptions, type CallResult, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
const clock = manualClock(Date.UTC(2026, 10, 20, 12, 0, 0));

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 11, now: clock.now }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

/** Calendars routes declare Version 2021-04-15. */
const call = (path: string, o: CallOptions = {}) => api(path, { version: "2021-04-15", ...o });
const loc = () => sb.info.locationId;

function conforms(operation: string, r: CallResult, status: number) {
  expect(r.status, `${operation}: ${JSON.stringify(r.body)}`).toBe(status);
  const v = validateResponse(operation, r.status, r.body);
  expect(v.errors, operation).toEqual([]);
  expect(v.declared, `${operation} declares ${r.status}`).toBe(true);
}

async function seeded() {
  const groups = (await call(`/calendars/groups?locationId=${loc()}`)).body.groups;
  const calendars = (await call(`/calendars/?locationId=${loc()}`)).body.calendars;
  return { group: groups[0], buyer: calendars[0], listing: calendars[1] };
}

describe("calendar groups", () => {
  it("lists the seeded group and creates, edits, disables and deletes one", async () => {
    const list = await call(`/calendars/groups?locationId=${loc()}`);
    conforms("get-groups", list, 200);
    expect(list.body.groups).toEqual([
      expect.objectContaining({ name: "Consultations", slug: "consultations", isActive: true }),
    ]);

    const created = await call("/calendars/groups", {
      method: "POST",
      body: { locationId: loc(), name: "Open houses", description: "Weekend tours", slug: "open-houses" },
    });
    conforms("create-calendar-group", created, 201);
    const group = created.body.group;
    expect(group).toMatchObject({ locationId: loc(), slug: "open-houses", isActive: true });
    expect(group.id).toMatch(/^[A-Za-z0-9]{20}$/);

    const edited = await call(`/calendars/groups/${group.id}`, {
      method: "PUT",
      body: { name: "Open homes", description: "Sat & Sun", slug: "open-homes" },
    });
    conforms("edit-group", edited, 200);
    expect(edited.body.group).toMatchObject({ id: group.id, name: "Open homes", slug: "open-homes" });

    const disabled = await call(`/calendars/groups/${group.id}/status`, {
      method: "PUT",
      body: { isActive: false },
    });
    conforms("disable-group", disabled, 200);
    expect(disabled.body.success).toBe(true);
    const after = (await call(`/calendars/groups?locationId=${loc()}`)).body.groups;
    expect(after.find((g: { id: string }) => g.id === group.id).isActive).toBe(false);

    const deleted = await call(`/calendars/groups/${group.id}`, { method: "DELETE" });
    conforms("delete-group", deleted, 200);
    expect(deleted.body.success).toBe(true);
    const again = await call(`/calendars/groups/${group.id}`, { method: "DELETE" });
    expect(again.status).toBe(400);
    expect(again.body.message).toBe("Group not found");
  });

  it("validates slugs: format, and availability within the location", async () => {
    const check = async (slug: string, locationId = loc()) => {
      const r = await call("/calendars/groups/validate-slug", { method: "POST", body: { locationId, slug } });
      conforms("validate-groups-slug", r, 200);
      return r.body.available;
    };
    expect(await check("consultations")).toBe(false); // the seeded group's
    expect(await check("open-houses")).toBe(true);
    for (const bad of ["Open-Houses", "open houses", "-open", "open--houses", "open-", "", "a".repeat(101)]) {
      expect(await check(bad), bad).toBe(false);
    }
    // Another location may reuse it.
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const r = await call("/calendars/groups/validate-slug", {
      method: "POST",
      token: other,
      body: { locationId: sb.info.otherLocationId, slug: "consultations" },
    });
    expect(r.body.available).toBe(true);

    // Creating or renaming onto a taken or malformed slug is refused.
    const dup = await call("/calendars/groups", {
      method: "POST",
      body: { locationId: loc(), name: "Dup", description: "", slug: "consultations" },
    });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toBe("Group slug is already in use");
    const malformed = await call("/calendars/groups", {
      method: "POST",
      body: { locationId: loc(), name: "Bad", description: "", slug: "Bad Slug" },
    });
    expect(malformed.status).toBe(422);
    // A group keeps its own slug on edit.
    const { group } = await seeded();
    const same = await call(`/calendars/groups/${group.id}`, {
      method: "PUT",
      body: { name: "Consults", description: "x", slug: "consultations" },
    });
    expect(same.status).toBe(200);
  });

  it("ungroups the calendars of a deleted group", async () => {
    const { group, buyer } = await seeded();
    await call(`/calendars/groups/${group.id}`, { method: "DELETE" });
    const cal = (await call(`/calendars/${buyer.id}`)).body.calendar;
    expect(cal.groupId).toBeUndefined();
  });
});

describe("calendars", () => {
  it("seeds two calendars open Mon-Fri 9-17 with 30-minute slots", async () => {
    const { group, buyer, listing } = await seeded();
    for (const c of [buyer, listing]) {
      expect(c).toMatchObject({
        groupId: group.id,
        slotDuration: 30,
        slotInterval: 30,
        openHours: [
          {
            daysOfTheWeek: [1, 2, 3, 4, 5],
            hours: [{ openHour: 9, openMinute: 0, closeHour: 17, closeMinute: 0 }],
          },
        ],
      });
    }
    expect([buyer.name, listing.name]).toEqual(["Buyer Consultation", "Listing Appointment"]);
  });

  it("creates with HighLevel's defaults, reads, updates and deletes", async () => {
    const { group } = await seeded();
    const created = await call("/calendars/", {
      method: "POST",
      body: {
        locationId: loc(),
        name: "Rental viewing",
        groupId: group.id,
        slug: "rental-viewing",
        teamMembers: [{ userId: sb.info.userId }],
        openHours: [
          { daysOfTheWeek: [6], hours: [{ openHour: 10, openMinute: 0, closeHour: 12, closeMinute: 0 }] },
        ],
        availabilities: [{ date: "2026-12-24T00:00:00.000Z", hours: [] }],
      },
    });
    conforms("create-calendar", created, 200);
    const cal = created.body.calendar;
    expect(cal).toMatchObject({
      locationId: loc(),
      isActive: true,
      slotDuration: 30,
      slotInterval: 30,
      appoinmentPerSlot: 1,
      autoConfirm: true,
      eventColor: "#039be5",
      teamMembers: [{ userId: sb.info.userId, priority: 0.5, meetingLocationType: "custom" }],
    });
    expect(cal.availabilities).toHaveLength(1);

    const got = await call(`/calendars/${cal.id}`);
    conforms("get-calendar", got, 200);
    expect(got.body.calendar).toEqual(cal);

    const updated = await call(`/calendars/${cal.id}`, {
      method: "PUT",
      body: {
        name: "Rental tour",
        slotDuration: 1,
        slotDurationUnit: "hours",
        // Replace nothing, drop the seeded holiday.
        availabilities: [
          { id: cal.availabilities[0].id, date: "2026-12-24T00:00:00.000Z", hours: [], deleted: true },
        ],
      },
    });
    conforms("update-calendar", updated, 200);
    expect(updated.body.calendar).toMatchObject({
      name: "Rental tour",
      slotDuration: 1,
      slotDurationUnit: "hours",
    });
    expect(updated.body.calendar.availabilities).toEqual([]);

    const deleted = await call(`/calendars/${cal.id}`, { method: "DELETE" });
    conforms("delete-calendar", deleted, 200);
    expect(deleted.body.success).toBe(true);
    const gone = await call(`/calendars/${cal.id}`);
    expect(gone.status).toBe(400);
    expect(gone.body).toMatchObject({ statusCode: 400, message: "Calendar not found" });
  });

  it("filters the list by group and hides drafts with showDrafted=false", async () => {
    const { group } = await seeded();
    const draft = await call("/calendars/", {
      method: "POST",
      body: { locationId: loc(), name: "Draft", isActive: false },
    });
    const all = await call(`/calendars/?locationId=${loc()}`);
    conforms("get-calendars", all, 200);
    expect(all.body.calendars).toHaveLength(3);
    const grouped = await call(`/calendars/?locationId=${loc()}&groupId=${group.id}`);
    expect(grouped.body.calendars.map((c: { name: string }) => c.name)).toEqual([
      "Buyer Consultation",
      "Listing Appointment",
    ]);
    const live = await call(`/calendars/?locationId=${loc()}&showDrafted=false`);
    expect(live.body.calendars.map((c: { id: string }) => c.id)).not.toContain(draft.body.calendar.id);
    expect(live.body.calendars).toHaveLength(2);
  });

  it("refuses bad settings: unknown group, hours closing before they open, a taken slug", async () => {
    const base = { locationId: loc(), name: "X" };
    const badGroup = await call("/calendars/", {
      method: "POST",
      body: { ...base, groupId: "nope0000000000000000" },
    });
    expect(badGroup.status).toBe(400);
    expect(badGroup.body.message).toBe("Group not found");
    const badHours = await call("/calendars/", {
      method: "POST",
      body: {
        ...base,
        openHours: [
          { daysOfTheWeek: [1], hours: [{ openHour: 17, openMinute: 0, closeHour: 9, closeMinute: 0 }] },
        ],
      },
    });
    expect(badHours.status).toBe(422);
    const taken = await call("/calendars/", {
      method: "POST",
      body: { ...base, slug: "buyer-consultation" },
    });
    expect(taken.status).toBe(400);
  });
});

describe("event notifications", () => {
  it("lists, creates, finds, updates and (softly) deletes", async () => {
    const { buyer } = await seeded();
    const base = `/calendars/${buyer.id}/notifications`;
    const list = await call(base);
    conforms("get-event-notification", list, 200);
    expect(list.body).toEqual([
      expect.objectContaining({ receiverType: "contact", channel: "email", notificationType: "booked" }),
    ]);

    const created = await call(base, {
      method: "POST",
      body: [
        {
          receiverType: "assignedUser",
          channel: "inApp",
          notificationType: "reminder",
          beforeTime: [{ timeOffset: 1, unit: "hours" }],
        },
        { receiverType: "contact", channel: "sms", notificationType: "cancellation", isActive: false },
      ],
    });
    conforms("create-event-notification", created, 200);
    expect(created.body).toHaveLength(2);
    const [reminder, cancel] = created.body;
    expect(reminder).toMatchObject({
      isActive: true,
      deleted: false,
      beforeTime: [{ timeOffset: 1, unit: "hours" }],
    });
    expect(cancel.isActive).toBe(false);

    const found = await call(`${base}/${reminder._id}`);
    conforms("find-event-notification", found, 200);
    expect(found.body._id).toBe(reminder._id);

    const updated = await call(`${base}/${reminder._id}`, {
      method: "PUT",
      body: { channel: "email", subject: "Soon" },
    });
    conforms("update-event-notification", updated, 200);
    expect((await call(`${base}/${reminder._id}`)).body).toMatchObject({ channel: "email", subject: "Soon" });

    expect((await call(`${base}?isActive=false`)).body.map((n: { _id: string }) => n._id)).toEqual([
      cancel._id,
    ]);
    expect((await call(`${base}?limit=1&skip=1`)).body.map((n: { _id: string }) => n._id)).toEqual([
      reminder._id,
    ]);

    const deleted = await call(`${base}/${reminder._id}`, { method: "DELETE" });
    conforms("delete-event-notification", deleted, 200);
    const ids = (r: CallResult) => r.body.map((n: { _id: string }) => n._id);
    expect(ids(await call(base))).not.toContain(reminder._id);
    expect(ids(await call(`${base}?deleted=true`))).toEqual([reminder._id]);
  });

  it("answers 400 for an unknown notification or one of another calendar", async () => {
    const { buyer, listing } = await seeded();
    const [n] = (await call(`/calendars/${buyer.id}/notifications`)).body;
    const wrong = await call(`/calendars/${listing.id}/notifications/${n._id}`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe("Notification not found");
    const unknown = await call(`/calendars/${buyer.id}/notifications/unknown0000000000000`);
    expect(unknown.status).toBe(400);
  });
});

describe("calendar resources", () => {
  it("lists the seeded room and creates, reads, updates and deletes an equipment", async () => {
    const { buyer, listing } = await seeded();
    const rooms = await call(`/calendars/resources/rooms?locationId=${loc()}&limit=10&skip=0`);
    conforms("fetch-calendar-resources", rooms, 200);
    expect(rooms.body).toEqual([
      expect.objectContaining({ name: "Conference Room A", capacity: 8, calendarIds: [buyer.id] }),
    ]);

    const body = {
      locationId: loc(),
      name: "Projector",
      description: "4K",
      quantity: 3,
      outOfService: 1,
      capacity: 0,
      calendarIds: [listing.id],
    };
    const created = await call("/calendars/resources/equipments", { method: "POST", body });
    conforms("create-calendar-resource", created, 201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ resourceType: "equipments", isActive: true, quantity: 3 });

    const got = await call(`/calendars/resources/equipments/${id}`);
    conforms("get-calendar-resource", got, 200);
    expect({ ...got.body, traceId: 0 }).toEqual({ ...created.body, traceId: 0 });
    // The same id under the other type is not found.
    expect((await call(`/calendars/resources/rooms/${id}`)).status).toBe(400);

    const updated = await call(`/calendars/resources/equipments/${id}`, {
      method: "PUT",
      body: { outOfService: 2, isActive: false },
    });
    conforms("update-calendar-resource", updated, 200);
    expect(updated.body).toMatchObject({ outOfService: 2, isActive: false, calendarIds: [listing.id] });

    const equipments = await call(`/calendars/resources/equipments?locationId=${loc()}&limit=10&skip=0`);
    expect(equipments.body.map((r: { id: string }) => r.id)).toEqual([id]);

    const deleted = await call(`/calendars/resources/equipments/${id}`, { method: "DELETE" });
    conforms("delete-calendar-resource", deleted, 200);
    expect((await call(`/calendars/resources/equipments/${id}`)).body.message).toBe("Resource not found");
  });

  it("maps an equipment to one calendar at most, and only to calendars of its location", async () => {
    const { buyer, listing } = await seeded();
    const body = {
      locationId: loc(),
      name: "Tripod",
      description: "",
      quantity: 1,
      outOfService: 0,
      capacity: 0,
    };
    const two = await call("/calendars/resources/equipments", {
      method: "POST",
      body: { ...body, calendarIds: [buyer.id, listing.id] },
    });
    expect(two.status).toBe(400);
    const room = await call("/calendars/resources/rooms", {
      method: "POST",
      body: { ...body, calendarIds: [buyer.id, listing.id] },
    });
    expect(room.status).toBe(201);
    const unknown = await call("/calendars/resources/rooms", {
      method: "POST",
      body: { ...body, calendarIds: ["missing0000000000000"] },
    });
    expect(unknown.body.message).toBe("Calendar not found");
  });

  it("drops a deleted calendar from the resources that listed it", async () => {
    const { buyer } = await seeded();
    await call(`/calendars/${buyer.id}`, { method: "DELETE" });
    const [room] = (await call(`/calendars/resources/rooms?locationId=${loc()}&limit=10&skip=0`)).body;
    expect(room.calendarIds).toEqual([]);
  });
});

describe("location isolation", () => {
  it("refuses another location's token on every kind of calendars record", async () => {
    const { group, buyer } = await seeded();
    const other = sb.createToken({ locationId: sb.info.otherLocationId });
    const [room] = (await call(`/calendars/resources/rooms?locationId=${loc()}&limit=10&skip=0`)).body;
    const [n] = (await call(`/calendars/${buyer.id}/notifications`)).body;
    const attempts: Array<[string, CallOptions]> = [
      [`/calendars/${buyer.id}`, {}],
      [`/calendars/${buyer.id}`, { method: "PUT", body: { name: "Mine" } }],
      [`/calendars/groups/${group.id}`, { method: "DELETE" }],
      [`/calendars/groups?locationId=${loc()}`, {}],
      [`/calendars/?locationId=${loc()}`, {}],
      [`/calendars/${buyer.id}/notifications/${n._id}`, {}],
      [`/calendars/resources/rooms/${room.id}`, {}],
      [`/calendars/${buyer.id}/free-slots?startDate=1764576000000&endDate=1764662400000`, {}],
    ];
    for (const [path, o] of attempts) {
      const r = await call(path, { ...o, token: other });
      expect(r.status, path).toBe(403);
      expect(r.body.message).toBe("The token does not have access to this location.");
    }
    // Nothing changed.
    expect((await call(`/calendars/${buyer.id}`)).body.calendar.name).toBe("Buyer Consultation");
  });

  it("answers the spec's 400 for unknown ids", async () => {
    const cases: Array<[string, CallOptions, string]> = [
      ["/calendars/unknown0000000000000", {}, "Calendar not found"],
      ["/calendars/unknown0000000000000", { method: "DELETE" }, "Calendar not found"],
      [
        "/calendars/groups/unknown0000000000000/status",
        { method: "PUT", body: { isActive: true } },
        "Group not found",
      ],
      ["/calendars/unknown0000000000000/notifications", {}, "Calendar not found"],
      ["/calendars/resources/rooms/unknown0000000000000", {}, "Resource not found"],
    ];
    for (const [path, o, message] of cases) {
      const r = await call(path, o);
      expect(r.status, path).toBe(400);
      expect(r.body).toMatchObject({ statusCode: 400, message });
      expect(validateResponse("get-calendar", 400, r.body).errors).toEqual([]);
    }
  });
});
