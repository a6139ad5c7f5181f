// The seeded calendars world of Demo Realty: a group with two calendars open Mon-Fri
// 9:00-17:00 (location time, 30-minute slots), a booked appointment, a blocked lunch, an
// event notification and a room. Fixed dates, ids from the seeded source.
import type { State } from "../context.ts";
import type { AppointmentDoc } from "./appointments.ts";
import type { CalendarDoc, GroupDoc } from "./calendar-model.ts";
import type { NotificationDoc } from "./calendar-notifications.ts";
import type { ResourceDoc } from "./calendar-resources.ts";
import type { BlockDoc } from "./calendar-slots.ts";
import { newCalendarDoc } from "./calendars.ts";

/** When the seeded calendar records were made. */
const SEEDED_AT = Date.UTC(2024, 0, 16, 12, 0, 0);
const WEEKDAYS_9_TO_5 = [
  { daysOfTheWeek: [1, 2, 3, 4, 5], hours: [{ openHour: 9, openMinute: 0, closeHour: 17, closeMinute: 0 }] },
];

export interface CalendarSeedInput {
  locationId: string;
  userId: string;
  /** The contact the seeded appointment is booked for. */
  contactId: string;
}

export function seedCalendars(state: State, w: CalendarSeedInput): void {
  const { ids, records } = state;
  const { locationId } = w;
  const at = { locationId, sortMs: SEEDED_AT };
  const iso = new Date(SEEDED_AT).toISOString();
  const real = state.now;
  state.now = () => SEEDED_AT; // newCalendarDoc stamps dates with the clock
  try {
    const group: GroupDoc = {
      id: ids.id(),
      locationId,
      name: "Consultations",
      description: "Meet one of our agents",
      slug: "consultations",
      isActive: true,
      dateAdded: iso,
    };
    records.insert("calendar-group", group, at);

    const calendar = (name: string, slug: string, description: string): CalendarDoc =>
      records.insert(
        "calendar",
        newCalendarDoc(state, {
          locationId,
          groupId: group.id,
          name,
          slug,
          description,
          calendarType: "round_robin",
          teamMembers: [{ userId: w.userId, isPrimary: true }],
          openHours: WEEKDAYS_9_TO_5,
        }),
        at,
      );
    const buyer = calendar("Buyer Consultation", "buyer-consultation", "A first talk about your search");
    calendar("Listing Appointment", "listing-appointment", "Valuation visit for sellers");

    // Appointments seeded before calendars existed point at no real calendar: adopt them.
    for (const a of records.list<AppointmentDoc>("appointment", { locationId })) {
      if (!records.get("calendar", a.calendarId)) {
        records.update("appointment", { ...a, calendarId: buyer.id, groupId: group.id });
      }
    }

    // Tuesday 2026-12-01 10:00-10:30 and Wednesday 12:00-13:00 in Los Angeles (UTC-8).
    const appointment: AppointmentDoc = {
      id: ids.id(),
      locationId,
      contactId: w.contactId,
      calendarId: buyer.id,
      groupId: group.id,
      title: "Buyer consultation",
      startTime: "2026-12-01T18:00:00.000Z",
      endTime: "2026-12-01T18:30:00.000Z",
      assignedUserId: w.userId,
      users: [w.userId],
      appointmentStatus: "confirmed",
      source: "booking_widget",
      dateAdded: iso,
      dateUpdated: iso,
    };
    records.insert("appointment", appointment, at);
    const block: BlockDoc = {
      id: ids.id(),
      locationId,
      calendarId: buyer.id,
      title: "Team lunch",
      startTime: "2026-12-02T20:00:00.000Z",
      endTime: "2026-12-02T21:00:00.000Z",
      dateAdded: iso,
      dateUpdated: iso,
    };
    records.insert("calendar-block", block, at);

    const notification: NotificationDoc = {
      id: ids.id(),
      calendarId: buyer.id,
      locationId,
      receiverType: "contact",
      channel: "email",
      notificationType: "booked",
      isActive: true,
      deleted: false,
      subject: "Your consultation is booked",
      body: "See you soon at Demo Realty.",
    };
    records.insert("calendar-notification", notification, { ...at, parentId: buyer.id });

    const room: ResourceDoc = {
      id: ids.id(),
      locationId,
      resourceType: "rooms",
      name: "Conference Room A",
      description: "Ground floor, seats eight",
      quantity: 1,
      outOfService: 0,
      capacity: 8,
      calendarIds: [buyer.id],
      isActive: true,
      dateAdded: iso,
    };
    records.insert("calendar-resource", room, at);
  } finally {
    state.now = real;
  }
}
