import { HighLevelClient } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resolveExample } from "../src/examples.ts";
import { getEntry } from "../src/registry.ts";
import { CatalogInputError, createContext, parseInput, pollEntry, runEntry } from "../src/runtime.ts";
import type { ActionEntry, CatalogContext, PollCursor } from "../src/types.ts";

// A sandbox on a clock the tests move: "new" and "updated" are decided by the events' dateAdded and
// dateUpdated, which the sandbox stamps with this clock.
const START = Date.UTC(2026, 10, 23, 12, 0, 0); // Monday 2026-11-23, 04:00 in Los Angeles
const DAY = 86_400_000;

let sandbox: Sandbox;
let ctx: CatalogContext;
let clock = START;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, rateLimit: { max: 100_000, windowMs: 1000 }, now: () => clock });
  const client = new HighLevelClient({
    credentials: sandbox.info.locationToken,
    baseUrl: sandbox.info.baseUrl,
    locationId: sandbox.info.locationId,
    companyId: sandbox.info.companyId,
  });
  ctx = createContext({ client, now: () => clock });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const tick = (ms = 5_000) => {
  clock += ms;
};
const sentSince = (n: number) => sandbox.requests().slice(n);
const ids = (items: unknown[]) => items.map((i) => (i as { id: string }).id);

async function calendarIds(): Promise<string[]> {
  const r = (await runEntry(getEntry("highlevel.calendars.list"), ctx, {})) as {
    calendars: Array<{ id: string }>;
  };
  return r.calendars.map((c) => c.id);
}

/** Book the first free slot of a calendar through the catalog's Create Appointment. */
async function book(calendarId: string, title = "Showing") {
  const contact = (await ctx.client.call("create-contact", undefined, {
    locationId: ctx.locationId,
    firstName: "Slot",
    lastName: `Booker ${clock}`,
  } as never)) as { contact: { id: string } };
  const free = (await runEntry(getEntry("highlevel.calendars.free-slots"), ctx, {
    calendarId,
    startDate: clock + DAY,
  })) as { slots: string[] };
  expect(free.slots.length).toBeGreaterThan(0);
  return (await runEntry(getEntry("highlevel.calendars.appointments.create"), ctx, {
    calendarId,
    contactId: contact.contact.id,
    startTime: free.slots[0],
    title,
  })) as { id: string; startTime: string };
}

async function poll(key: string, input: Record<string, unknown>, cursor?: PollCursor) {
  const before = sandbox.requests().length;
  const r = await pollEntry(getEntry(key), ctx, input, cursor);
  return { ...r, sent: sentSince(before) };
}

describe("New Appointment (polling)", () => {
  it("emits nothing first, then a booked appointment exactly once; an idle poll costs one request", async () => {
    const [calendarId] = await calendarIds();
    const input = { calendarId };
    const first = await poll("highlevel.calendars.appointments.new", input);
    expect(first.items).toEqual([]); // the seeded appointment is in the window, but not new
    expect(first.sent).toHaveLength(1);

    tick();
    const booked = await book(calendarId!);
    tick();
    const second = await poll("highlevel.calendars.appointments.new", input, first.cursor);
    expect(ids(second.items)).toEqual([booked.id]);
    expect((second.items[0] as { title: string }).title).toBe("Showing");

    tick();
    const idle = await poll("highlevel.calendars.appointments.new", input, second.cursor);
    expect(idle.items).toEqual([]);
    expect(idle.requests).toBe(1);
    expect(idle.sent).toHaveLength(1);
    expect(idle.sent[0]!.status).toBeLessThan(400);
    expect(JSON.stringify(idle.cursor).length).toBeLessThan(200);

    // Long after, it is still not repeated, and the cursor holds only the newest booking.
    tick(10 * 60_000);
    const later = await poll("highlevel.calendars.appointments.new", input, idle.cursor);
    expect(later.items).toEqual([]);
    expect(later.cursor.seen?.map(([id]) => id)).toEqual([booked.id]);
  });

  it("watches every calendar of the location when none is given (one request per calendar)", async () => {
    const cals = await calendarIds();
    const first = await poll("highlevel.calendars.appointments.new", {});
    expect(first.items).toEqual([]);
    expect(first.requests).toBe(1 + cals.length);
    expect(first.sent.every((r) => r.status < 400)).toBe(true);

    tick();
    const booked = await book(cals[1]!, "Listing visit");
    tick();
    const second = await poll("highlevel.calendars.appointments.new", {}, first.cursor);
    expect(ids(second.items)).toEqual([booked.id]);
    const third = await poll("highlevel.calendars.appointments.new", {}, second.cursor);
    expect(third.items).toEqual([]);
  });

  it("starts the clock at the first poll: older bookings that come into the window are not new", async () => {
    const [calendarId] = await calendarIds();
    // Booked now for 100 days ahead: outside the 90-day look-ahead.
    const far = await book(calendarId!);
    await ctx.client.call("edit-appointment", { eventId: far.id }, {
      startTime: new Date(clock + 100 * DAY).toISOString(),
      ignoreFreeSlotValidation: true,
    } as never);
    tick(60 * 60_000);
    const input = { calendarId, lookAheadDays: 30 };
    const first = await poll("highlevel.calendars.appointments.new", input);
    const wider = await poll(
      "highlevel.calendars.appointments.new",
      { ...input, lookAheadDays: 120 },
      first.cursor,
    );
    expect(ids(wider.items)).not.toContain(far.id);
  });
});

describe("Appointment Updated (polling)", () => {
  it("emits a changed appointment once per change, and not bookings", async () => {
    const [calendarId] = await calendarIds();
    const input = { calendarId };
    const first = await poll("highlevel.calendars.appointments.updated", input);
    expect(first.items).toEqual([]);

    tick();
    const booked = await book(calendarId!, "Buyer call");
    tick();
    const afterBooking = await poll("highlevel.calendars.appointments.updated", input, first.cursor);
    expect(afterBooking.items).toEqual([]);

    tick();
    await runEntry(getEntry("highlevel.calendars.appointments.update"), ctx, {
      eventId: booked.id,
      appointmentStatus: "cancelled",
    });
    tick();
    const changed = await poll("highlevel.calendars.appointments.updated", input, afterBooking.cursor);
    expect(ids(changed.items)).toEqual([booked.id]);
    expect((changed.items[0] as { appointmentStatus: string }).appointmentStatus).toBe("cancelled");

    const idle = await poll("highlevel.calendars.appointments.updated", input, changed.cursor);
    expect(idle.items).toEqual([]);
    expect(idle.sent).toHaveLength(1);

    tick();
    await runEntry(getEntry("highlevel.calendars.appointments.update"), ctx, {
      eventId: booked.id,
      title: "Buyer call (rebooked)",
      appointmentStatus: "confirmed",
    });
    tick();
    const again = await poll("highlevel.calendars.appointments.updated", input, idle.cursor);
    expect(ids(again.items)).toEqual([booked.id]);
  });
});

describe("Get Free Slots", () => {
  it("sends typed dates as epoch ms, a date alone as the end of that day", async () => {
    const [calendarId] = await calendarIds();
    const spy = vi.spyOn(ctx.client, "callByKey");
    const before = sandbox.requests().length;
    const out = (await runEntry(getEntry("highlevel.calendars.free-slots"), ctx, {
      calendarId,
      startDate: "01/07/2030 8:00 am",
      endDate: "2030-01-11",
      timezone: "America/Los_Angeles",
    })) as { slots: string[]; days: Record<string, { slots: string[] }> };
    expect(spy).toHaveBeenCalledWith("get-slots", {
      calendarId,
      startDate: Date.UTC(2030, 0, 7, 8),
      endDate: Date.UTC(2030, 0, 11, 23, 59, 59, 999),
      timezone: "America/Los_Angeles",
    });
    expect(sentSince(before).map((r) => r.status)).toEqual([200]);
    // Mon 7 to Fri 11 January 2030, open 9:00-17:00 in Los Angeles, every 30 minutes; the window
    // ends at 23:59:59 UTC on the 11th, 15:59:59 in Los Angeles, so the 16:00 and 16:30 slots are out.
    expect(Object.keys(out.days)).toEqual([
      "2030-01-07",
      "2030-01-08",
      "2030-01-09",
      "2030-01-10",
      "2030-01-11",
    ]);
    expect(out.slots[0]).toBe("2030-01-07T09:00:00-08:00");
    expect(out.slots.at(-1)).toBe("2030-01-11T15:30:00-08:00");
    expect(out.slots).toHaveLength(4 * 16 + 14);
    expect(out.slots).toEqual(Object.values(out.days).flatMap((d) => d.slots));
  });

  it("defaults the end to 7 days after the start and refuses more than 31 days", async () => {
    const [calendarId] = await calendarIds();
    const entry = getEntry("highlevel.calendars.free-slots");
    const spy = vi.spyOn(ctx.client, "callByKey");
    await runEntry(entry, ctx, { calendarId, startDate: "2030-01-07T00:00:00Z" });
    expect(spy.mock.calls[0]![1]).toMatchObject({ endDate: Date.UTC(2030, 0, 14) });
    const before = sandbox.requests().length;
    await expect(
      runEntry(entry, ctx, { calendarId, startDate: "2030-01-01", endDate: "2030-02-15" }),
    ).rejects.toThrow(/at most 31 days/);
    await expect(
      runEntry(entry, ctx, { calendarId, startDate: "2030-01-01", endDate: "2029-12-01" }),
    ).rejects.toThrow(CatalogInputError);
    expect(sentSince(before)).toHaveLength(0);
  });
});

describe("Create Appointment", () => {
  it("its example lands in a free slot, which is then taken", async () => {
    const entry = getEntry("highlevel.calendars.appointments.create");
    const input = await resolveExample(ctx, entry.example);
    const slotsOf = async () =>
      (
        (await runEntry(getEntry("highlevel.calendars.free-slots"), ctx, {
          calendarId: input.calendarId,
          startDate: clock,
          endDate: clock + 20 * DAY,
        })) as { slots: string[] }
      ).slots;
    expect(await slotsOf()).toContain(input.startTime);
    const before = sandbox.requests().length;
    const booked = (await runEntry(entry, ctx, input)) as { id: string; startTime: string };
    expect(sentSince(before).map((r) => r.status)).toEqual([200]);
    expect(Date.parse(booked.startTime)).toBe(Date.parse(String(input.startTime)));
    expect(await slotsOf()).not.toContain(input.startTime);

    // Reconcile finds it: a retry after a lost answer would not book twice.
    const found = (await (entry as ActionEntry).reconcile!(ctx, parseInput(entry, input))) as { id: string };
    expect(found.id).toBe(booked.id);
  });

  it("keeps a typed offset and writes times typed without one as UTC with +00:00", () => {
    const entry = getEntry("highlevel.calendars.appointments.create");
    const base = { calendarId: "c", contactId: "k" };
    const times = (startTime: unknown, endTime?: unknown) =>
      parseInput(entry, { ...base, startTime, ...(endTime === undefined ? {} : { endTime }) });
    expect(times("2026-12-01T10:00-08:00").startTime).toBe("2026-12-01T10:00:00-08:00");
    expect(times("2026-12-01T18:00:00.000Z").startTime).toBe("2026-12-01T18:00:00+00:00");
    expect(times("12/01/2026 10:30 am", Date.UTC(2026, 11, 1, 11)).endTime).toBe("2026-12-01T11:00:00+00:00");
    expect(times("12/01/2026 10:30 am").startTime).toBe("2026-12-01T10:30:00+00:00");
    expect(() => times("next tuesday")).toThrow(/Start "next tuesday"/);
  });
});

describe("other conversions", () => {
  it("Create Calendar Notification sends one notification as a list, phones as E.164", async () => {
    const [calendarId] = await calendarIds();
    const created = (await runEntry(getEntry("highlevel.calendars.notifications.create"), ctx, {
      calendarId,
      receiverType: "phoneNumbers",
      channel: "sms",
      notificationType: "reminder",
      body: "Reminder: your showing is tomorrow",
      additionalPhoneNumbers: ["(713) 555-0142"],
      beforeTime: [{ timeOffset: 1, unit: "days" }],
    })) as Array<{ _id: string; additionalPhoneNumbers: string[] }>;
    expect(created).toHaveLength(1);
    expect(created[0]!.additionalPhoneNumbers).toEqual(["+17135550142"]);
    const got = (await runEntry(getEntry("highlevel.calendars.notifications.get"), ctx, {
      calendarId,
      notificationId: created[0]!._id,
    })) as { body: string };
    expect(got.body).toBe("Reminder: your showing is tomorrow");
  });

  it("List Blocked Slots needs a calendar, group or user; List Calendar Events reads every calendar without one", async () => {
    const before = sandbox.requests().length;
    await expect(
      runEntry(getEntry("highlevel.calendars.blocked-slots.list"), ctx, {
        startTime: "2026-12-01",
        endTime: "2026-12-31",
      }),
    ).rejects.toThrow(/calendar, a group or a user/);
    expect(sentSince(before)).toHaveLength(0);
    const all = (await runEntry(getEntry("highlevel.calendars.events.list"), ctx, {
      startTime: "2026-12-01",
      endTime: "2026-12-01",
    })) as { events: Array<{ title: string; startTime: string }> };
    // The seeded consultation, Tuesday 1 December 10:00 in Los Angeles.
    expect(all.events.map((e) => [e.title, e.startTime])).toContainEqual([
      "Buyer consultation",
      "2026-12-01T10:00:00-08:00",
    ]);
  });
});
