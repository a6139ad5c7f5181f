// GET /calendars/{calendarId}/free-slots: open hours in the location's zone (Los Angeles),
// 30-minute grid, minus appointments and blocked slots, answered per date in the requested
// zone, at most 31 days per call.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, validateResponse } from "../src/index.ts";
import { type Api, type CallOptions, manualClock, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0); // Friday 2026-11-20, 04:00 in Los Angeles
const clock = manualClock(NOW);

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 13, now: clock.now }));
});
beforeEach(() => {
  sb.reset();
  clock.set(NOW);
});
afterAll(() => sb.close());

const call = (path: string, o: CallOptions = {}) => api(path, { version: "2021-04-15", ...o });
const loc = () => sb.info.locationId;
const DAY = 86_400_000;
/** Monday 2026-11-30 00:00 to Friday 2026-12-04 24:00 in Los Angeles (UTC-8). */
const MON = Date.UTC(2026, 10, 30, 8);
const SAT = MON + 5 * DAY;

async function calendars() {
  const list = (await call(`/calendars/?locationId=${loc()}`)).body.calendars;
  return { buyer: list[0], listing: list[1] };
}

async function slots(calendarId: string, from = MON, to = SAT - 1, extra = "") {
  const r = await call(`/calendars/${calendarId}/free-slots?startDate=${from}&endDate=${to}${extra}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(validateResponse("get-slots", r.status, r.body).errors).toEqual([]);
  const { traceId, ...days } = r.body;
  expect(typeof traceId).toBe("string");
  return days as Record<string, { slots: string[] }>;
}

/** 9:00..16:30 every 30 minutes on a date, with the given offset. */
function workday(date: string, offset = "-08:00", from = 9): string[] {
  const out: string[] = [];
  for (let m = from * 60; m + 30 <= 17 * 60; m += 30) {
    const hh = String(Math.floor(m / 60)).padStart(2, "0");
    out.push(`${date}T${hh}:${m % 60 === 0 ? "00" : "30"}:00${offset}`);
  }
  return out;
}

const without = (list: string[], ...gone: string[]) => list.filter((s) => !gone.includes(s));

describe("free slots", () => {
  it("offers every half hour of the open hours, Monday to Friday, keyed by date", async () => {
    const { listing } = await calendars();
    const days = await slots(listing.id);
    expect(Object.keys(days)).toEqual(["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]);
    expect(days["2026-11-30"]!.slots).toEqual(workday("2026-11-30"));
    expect(days["2026-11-30"]!.slots).toHaveLength(16);
    // The weekend has no key at all.
    expect(await slots(listing.id, SAT, SAT + 2 * DAY - 1)).toEqual({});
  });

  it("removes the seeded appointment's slot and the blocked lunch", async () => {
    const { buyer } = await calendars();
    const days = await slots(buyer.id);
    expect(days["2026-11-30"]!.slots).toEqual(workday("2026-11-30"));
    expect(days["2026-12-01"]!.slots).toEqual(without(workday("2026-12-01"), "2026-12-01T10:00:00-08:00"));
    expect(days["2026-12-02"]!.slots).toEqual(
      without(workday("2026-12-02"), "2026-12-02T12:00:00-08:00", "2026-12-02T12:30:00-08:00"),
    );
  });

  it("follows bookings, cancellations and new blocks", async () => {
    const { buyer } = await calendars();
    const contact = (await api(`/contacts/?locationId=${loc()}&limit=1`)).body.contacts[0];
    const booked = await call("/calendars/events/appointments", {
      method: "POST",
      body: {
        locationId: loc(),
        calendarId: buyer.id,
        contactId: contact.id,
        startTime: "2026-11-30T14:00:00-08:00",
        endTime: "2026-11-30T15:00:00-08:00",
      },
    });
    expect(booked.status).toBe(200);
    const block = await call("/calendars/events/block-slots", {
      method: "POST",
      body: {
        locationId: loc(),
        calendarId: buyer.id,
        startTime: "2026-12-03T16:15:00-08:00",
        endTime: "2026-12-03T18:00:00-08:00",
      },
    });
    expect(block.status).toBe(201);
    let days = await slots(buyer.id);
    expect(days["2026-11-30"]!.slots).toEqual(
      without(workday("2026-11-30"), "2026-11-30T14:00:00-08:00", "2026-11-30T14:30:00-08:00"),
    );
    // A block overlapping part of a slot takes the whole slot.
    expect(days["2026-12-03"]!.slots).toEqual(
      without(workday("2026-12-03"), "2026-12-03T16:00:00-08:00", "2026-12-03T16:30:00-08:00"),
    );

    await call(`/calendars/events/appointments/${booked.body.id}`, {
      method: "PUT",
      body: { appointmentStatus: "cancelled" },
    });
    await call(`/calendars/events/${block.body.id}`, { method: "DELETE", body: {} });
    days = await slots(buyer.id);
    expect(days["2026-11-30"]!.slots).toEqual(workday("2026-11-30"));
    expect(days["2026-12-03"]!.slots).toEqual(workday("2026-12-03"));
  });

  it("answers in the requested time zone, moving slots to other dates when they cross midnight", async () => {
    const { listing } = await calendars();
    const ny = await slots(listing.id, MON, MON + DAY - 1, "&timezone=America/New_York");
    expect(ny["2026-11-30"]!.slots[0]).toBe("2026-11-30T12:00:00-05:00");
    expect(ny["2026-11-30"]!.slots.at(-1)).toBe("2026-11-30T19:30:00-05:00");
    // 9:00 in Los Angeles is 02:00 the next day in Tokyo; 16:30 is 09:30.
    const tokyo = await slots(listing.id, MON, MON + DAY - 1, "&timezone=Asia/Tokyo");
    expect(Object.keys(tokyo)).toEqual(["2026-12-01"]);
    expect(tokyo["2026-12-01"]!.slots[0]).toBe("2026-12-01T02:00:00+09:00");
    const bad = await call(
      `/calendars/${listing.id}/free-slots?startDate=${MON}&endDate=${MON + DAY}&timezone=Mars/Olympus`,
    );
    expect(bad.status).toBe(422);
  });

  it("keeps 9:00 local across the end of daylight saving time", async () => {
    clock.set(Date.UTC(2026, 9, 1));
    const { listing } = await calendars();
    // Friday 2026-10-30 (PDT, -07:00) and Monday 2026-11-02 (PST, -08:00).
    const days = await slots(listing.id, Date.UTC(2026, 9, 30, 7), Date.UTC(2026, 10, 3, 8) - 1);
    expect(days["2026-10-30"]!.slots).toEqual(workday("2026-10-30", "-07:00"));
    expect(days["2026-11-02"]!.slots).toEqual(workday("2026-11-02", "-08:00"));
  });

  it("never offers the past", async () => {
    const { listing } = await calendars();
    clock.set(Date.UTC(2026, 10, 30, 20, 10)); // Monday 12:10 in Los Angeles
    const days = await slots(listing.id, MON, MON + DAY - 1);
    expect(days["2026-11-30"]!.slots[0]).toBe("2026-11-30T12:30:00-08:00");
  });

  it("serves at most 31 days per call", async () => {
    const { listing } = await calendars();
    const month = await slots(listing.id, MON, MON + 31 * DAY);
    // 23 weekdays from Monday 2026-11-30 to Wednesday 2026-12-30 (the 31st day runs to 00:00).
    expect(Object.keys(month)).toHaveLength(23);
    const tooLong = await call(
      `/calendars/${listing.id}/free-slots?startDate=${MON}&endDate=${MON + 31 * DAY + 1}`,
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.body).toMatchObject({
      statusCode: 422,
      message: ["Date range cannot be more than 31 days"],
    });
    const backwards = await call(`/calendars/${listing.id}/free-slots?startDate=${MON}&endDate=${MON - 1}`);
    expect(backwards.status).toBe(422);
  });

  it("applies the calendar's settings: duration, interval, seats per slot, custom availability", async () => {
    const { buyer } = await calendars();
    await call(`/calendars/${buyer.id}`, {
      method: "PUT",
      body: {
        slotDuration: 1,
        slotDurationUnit: "hours",
        slotInterval: 120,
        appoinmentPerSlot: 2,
        // Tuesday 2026-12-01 opens 10:00-12:00 only.
        availabilities: [
          {
            date: "2026-12-01T00:00:00.000Z",
            hours: [{ openHour: 10, openMinute: 0, closeHour: 12, closeMinute: 0 }],
          },
        ],
      },
    });
    const days = await slots(buyer.id);
    expect(days["2026-11-30"]!.slots).toEqual([
      "2026-11-30T09:00:00-08:00",
      "2026-11-30T11:00:00-08:00",
      "2026-11-30T13:00:00-08:00",
      "2026-11-30T15:00:00-08:00",
    ]);
    // The seeded 10:00 appointment fills one of two seats.
    expect(days["2026-12-01"]!.slots).toEqual(["2026-12-01T10:00:00-08:00"]);
  });

  it("honours buffers around appointments and a team member's own blocked time", async () => {
    const { buyer, listing } = await calendars();
    await call(`/calendars/${buyer.id}`, {
      method: "PUT",
      body: { slotBuffer: 30, slotBufferUnit: "mins", preBuffer: 30, preBufferUnit: "mins" },
    });
    const tuesday = (await slots(buyer.id))["2026-12-01"]!.slots;
    // 10:00-10:30 is booked: 9:30 would end inside the pre-buffer, 10:30 starts inside the post-buffer.
    expect(tuesday).toEqual(
      without(
        workday("2026-12-01"),
        "2026-12-01T09:30:00-08:00",
        "2026-12-01T10:00:00-08:00",
        "2026-12-01T10:30:00-08:00",
      ),
    );
    // A block on the user (not a calendar) takes that time in every calendar of their team.
    const r = await call("/calendars/events/block-slots", {
      method: "POST",
      body: {
        locationId: loc(),
        assignedUserId: sb.info.userId,
        startTime: "2026-12-04T09:00:00-08:00",
        endTime: "2026-12-04T10:00:00-08:00",
      },
    });
    expect(r.status).toBe(201);
    const friday = (await slots(listing.id))["2026-12-04"]!.slots;
    expect(friday[0]).toBe("2026-12-04T10:00:00-08:00");
  });

  it("gives a user who is not on the team no slots, and 400 for an unknown calendar", async () => {
    const { buyer } = await calendars();
    expect(await slots(buyer.id, MON, SAT - 1, "&userId=stranger000000000000")).toEqual({});
    expect(Object.keys(await slots(buyer.id, MON, SAT - 1, `&userId=${sb.info.userId}`))).toHaveLength(5);
    const r = await call(`/calendars/missing0000000000000/free-slots?startDate=${MON}&endDate=${SAT}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toBe("Calendar not found");
  });
});
