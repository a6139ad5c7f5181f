// Calendars: the seed's calendar, group, free-slot, notification and resource operations.
// Appointments, blocked slots, appointment notes and the appointment polling triggers live in
// appointments.ts, which shares the option sources, fixtures and helpers declared here.
import { getOperation, requestSchema } from "@hlconnect/client";
import { z } from "zod";
import { defineAction, defineTrigger, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture, uniqueSuffix } from "../examples.ts";
import { dateTime, email, id, meta, parseDateInput, phone, text } from "../fields.ts";
import { callOperation, humanize, specFields } from "../operation-input.ts";
import { snapshotTrigger } from "../poll.ts";
import { fromSeed } from "../seed.ts";
import type { ActionEntry, CatalogContext, CatalogEntry, OptionSource, PollingTrigger } from "../types.ts";

export const CATEGORY = "Calendars & Appointments";
export const sample = (op: string) => requestSchema(getOperation(op).key)?.responseSample ?? {};
export const DAY_MS = 86_400_000;

/**
 * A spec sample without the fields HighLevel leaves out when they are empty (an appointment's
 * address, a notification's extra recipients...), so the sample lists what every answer has.
 */
export function sampleWithout(s: unknown, omit: string[]): unknown {
  if (Array.isArray(s)) return s.map((x) => sampleWithout(x, omit));
  if (!s || typeof s !== "object") return s;
  return Object.fromEntries(Object.entries(s).filter(([k]) => !omit.includes(k)));
}

type Rec = Record<string, unknown>;

// --- option sources and id fields --------------------------------------------------------------
export const calendarSource: OptionSource = {
  entry: "highlevel.calendars.list",
  value: "id",
  label: "name",
  items: "calendars",
};
export const groupSource: OptionSource = {
  entry: "highlevel.calendars.groups.list",
  value: "id",
  label: "name",
  items: "groups",
};
export const userSource: OptionSource = {
  entry: "highlevel.users.list",
  value: "id",
  label: "name",
  items: "users",
};
const resourceSource: OptionSource = {
  entry: "highlevel.calendars.resources.list",
  value: "id",
  label: "name",
  dependsOn: { resourceType: "resourceType" },
};
const notificationSource: OptionSource = {
  entry: "highlevel.calendars.notifications.list",
  value: "_id",
  label: "notificationType",
  dependsOn: { calendarId: "calendarId" },
};

export const calendarId = (label = "Calendar") => id(label, calendarSource, "The calendar's id.");
export const groupId = (label = "Calendar group") => id(label, groupSource, "The calendar group's id.");
export const userId = (label = "User") => id(label, userSource, "The user's id.");
const resourceType = () =>
  meta(z.enum(["rooms", "equipments"]), { label: "Resource type", help: "rooms or equipments." });
const notificationId = () => id("Notification", notificationSource, "The notification's _id.");

/** The id of a record whether HighLevel names it `id` or `_id`. */
export const idOf = (o: unknown): string => {
  const r = (o ?? {}) as Rec;
  return String(r.id ?? r._id ?? "");
};

// --- example fixtures: seeded records to read, scratch records to change or delete -------------
export async function listCalendars(ctx: CatalogContext): Promise<Rec[]> {
  const r = (await ctx.client.call("get-calendars", { locationId: ctx.locationId } as never)) as {
    calendars?: Rec[];
  };
  return r.calendars ?? [];
}

registerExampleFixture(
  "calendar",
  async (ctx, get) => (await listCalendars(ctx))[0] ?? get("scratchCalendar"),
);
registerExampleFixture("calendarGroup", async (ctx, get) => {
  const r = (await ctx.client.call("get-groups", { locationId: ctx.locationId } as never)) as {
    groups?: Rec[];
  };
  return r.groups?.[0] ?? get("scratchGroup");
});
/** Slugs no record uses yet: slugs are unique in a location, so create examples need fresh ones. */
registerExampleFixture("calendarSlug", async (ctx) => {
  const s = uniqueSuffix(ctx);
  return { group: `example-group-${s}`, calendar: `example-calendar-${s}` };
});
registerExampleFixture("scratchGroup", async (ctx) => {
  const s = uniqueSuffix(ctx);
  const r = (await ctx.client.call("create-calendar-group", undefined, {
    locationId: ctx.locationId,
    name: `Example group ${s}`,
    description: "Made by an hlconnect example",
    slug: `example-scratch-${s}`,
  } as never)) as { group: Rec };
  return r.group;
});
registerExampleFixture("scratchCalendar", async (ctx) => {
  const s = uniqueSuffix(ctx);
  const r = (await ctx.client.call("create-calendar", undefined, {
    locationId: ctx.locationId,
    name: `Example calendar ${s}`,
    description: "Made by an hlconnect example",
    slug: `example-scratch-${s}`,
    calendarType: "event",
    isActive: false,
  } as never)) as { calendar: Rec };
  return r.calendar;
});
registerExampleFixture("eventNotification", async (ctx, get) => {
  const cal = (await get("calendar")) as Rec;
  const list = (await ctx.client.call("get-event-notification", {
    calendarId: String(cal.id),
  } as never)) as Rec[];
  const n = Array.isArray(list) ? list[0] : undefined;
  return n ? { ...n, calendarId: cal.id } : get("scratchEventNotification");
});
registerExampleFixture("scratchEventNotification", async (ctx, get) => {
  const cal = (await get("scratchCalendar")) as Rec;
  const r = (await ctx.client.callByKey("create-event-notification", { calendarId: cal.id }, [
    {
      receiverType: "contact",
      channel: "email",
      notificationType: "reminder",
      subject: "Example reminder",
      body: "Made by an hlconnect example",
      beforeTime: [{ timeOffset: 1, unit: "hours" }],
    },
  ])) as Rec[];
  return { ...r[0], calendarId: cal.id };
});
registerExampleFixture("calendarResource", async (ctx, get) => {
  for (const type of ["rooms", "equipments"] as const) {
    const list = (await ctx.client.call("fetch-calendar-resources", {
      resourceType: type,
      locationId: ctx.locationId,
      limit: 1,
      skip: 0,
    } as never)) as Rec[];
    const r = Array.isArray(list) ? list[0] : undefined;
    if (r) return { resourceType: type, ...r, id: idOf(r) };
  }
  return get("scratchCalendarResource");
});
registerExampleFixture("scratchCalendarResource", async (ctx) => {
  const s = uniqueSuffix(ctx);
  const r = (await ctx.client.callByKey(
    "create-calendar-resource",
    { resourceType: "rooms" },
    {
      locationId: ctx.locationId,
      name: `Example room ${s}`,
      description: "Made by an hlconnect example",
      quantity: 1,
      outOfService: 0,
      capacity: 4,
      calendarIds: [],
    },
  )) as Rec;
  return { resourceType: "rooms", ...r, id: idOf(r) };
});

/** The first free slot of the account's calendars in the next two weeks (from tomorrow). */
export async function firstFreeSlot(
  ctx: CatalogContext,
): Promise<{ calendarId: string; startTime: string; endTime: string }> {
  const from = ctx.now() + DAY_MS;
  for (const cal of (await listCalendars(ctx)).slice(0, 5)) {
    const days = (await ctx.client.call("get-slots", {
      calendarId: String(cal.id),
      startDate: from,
      endDate: from + 14 * DAY_MS,
    } as never)) as Rec;
    const first = flattenSlots(days)[0];
    if (first) {
      const unit = cal.slotDurationUnit === "hours" ? 3_600_000 : 60_000;
      const length = (Number(cal.slotDuration) || 30) * unit;
      return { calendarId: String(cal.id), startTime: first, endTime: shiftIso(first, length) };
    }
  }
  throw new Error("no calendar of the account has a free slot in the next two weeks");
}
registerExampleFixture("freeSlot", (ctx) => firstFreeSlot(ctx));

// --- times ---------------------------------------------------------------------------------------
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

/** `iso` moved by `ms`, written with the same UTC offset it had ("...-08:00" stays "-08:00"). */
export function shiftIso(iso: string, ms: number): string {
  const m = OFFSET.exec(iso.trim());
  const off = !m || m[1] === "Z" ? "+00:00" : m[1]!.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  return formatWithOffset(Date.parse(iso) + ms, off);
}

/** An instant as YYYY-MM-DDTHH:mm:ss[.sss]±hh:mm, the form HighLevel writes appointment times in. */
export function formatWithOffset(t: number, offset = "+00:00"): string {
  const sign = offset.startsWith("-") ? -1 : 1;
  const [h, m] = offset.slice(1).split(":").map(Number);
  const local = new Date(t + sign * ((h ?? 0) * 60 + (m ?? 0)) * 60_000).toISOString();
  const base = local.endsWith(".000Z") ? local.slice(0, 19) : local.slice(0, 23);
  return `${base}${offset}`;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * An appointment or blocked-slot time as HighLevel takes it: ISO 8601 with a UTC offset. A time
 * typed with an offset keeps it (a free slot's "2026-12-01T10:00:00-08:00" goes through as is);
 * one typed without (MM/DD/YYYY h:mm am, epoch ms) is UTC and written "+00:00".
 */
export function appointmentTime(label: string) {
  return meta(
    z.union([z.string(), z.number(), z.date()]).transform((v, ctx) => {
      const d = parseDateInput(v);
      if (!d) {
        ctx.addIssue({ code: "custom", message: `${label} "${String(v)}" is not a date or time I can read` });
        return z.NEVER;
      }
      if (typeof v === "string" && ISO_WITH_OFFSET.test(v.trim())) return shiftIso(v.trim(), 0);
      return formatWithOffset(d.getTime());
    }),
    {
      label,
      format: "datetime",
      help: "ISO 8601 with an offset (2026-12-01T10:00:00-08:00, kept as typed), MM/DD/YYYY h:mm am or epoch ms (both UTC).",
    },
  );
}

/** A date typed without a time ("2030-01-11", "01/11/2030") means the end of that (UTC) day. */
export function untilDate(label: string, help: string) {
  const dateOnly = /^(\d{4}-\d{2}-\d{2}|\d{1,2}\/\d{1,2}\/\d{4})$/;
  return meta(
    z.union([z.string(), z.number(), z.date()]).transform((v, ctx) => {
      const d = parseDateInput(v);
      if (!d) {
        ctx.addIssue({ code: "custom", message: `${label} "${String(v)}" is not a date or time I can read` });
        return z.NEVER;
      }
      return typeof v === "string" && dateOnly.test(v.trim()) ? d.getTime() + DAY_MS - 1 : d.getTime();
    }),
    { label, format: "epoch-ms", help },
  );
}

// --- polling helpers -----------------------------------------------------------------------------
/** A version of a record for "id+updated" watches: its update time, else its content. */
function versionOf(o: Rec, updatedField?: string): string {
  const v = updatedField ? o[updatedField] : undefined;
  if (v !== undefined && v !== null) return String(v);
  const { traceId: _t, ...rest } = o;
  return JSON.stringify(rest);
}

/** A small list (or one record) read in one request and compared with the last poll. */
export function snapshotOf(
  op: string,
  itemsOf: (r: unknown) => unknown,
  dedupe: "id" | "id+updated",
  updatedField?: string,
): PollingTrigger {
  const o = getOperation(op);
  return snapshotTrigger<Rec>(
    {
      async list(ctx, input) {
        const items = itemsOf(await callOperation(ctx, op, input));
        return {
          items: Array.isArray(items) ? items : items ? [items] : [],
          requests: 1,
        };
      },
      keyOf: (i) => (dedupe === "id" ? idOf(i) : `${idOf(i)}@${versionOf(i as Rec, updatedField)}`),
    },
    {
      dedupe,
      describe: `${o.method} ${o.path}: ${dedupe === "id" ? "the whole list, compared with the last" : "the record, compared with the last version"}`,
    },
  );
}

export const key = (k: string) => (r: unknown) => (r as Rec | undefined)?.[k];
const self = (r: unknown) => r;

/** Give an action a `reconcile`: whether the create already happened, looked up in the account. */
export function withReconcile(
  entry: ActionEntry,
  reconcile: (ctx: CatalogContext, input: Rec) => Promise<unknown | undefined>,
): ActionEntry {
  // Copied with its property descriptors: a spread would build the lazy input schema now.
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(entry)) as ActionEntry;
  copy.reconcile = (ctx, input) => reconcile(ctx, input as Rec);
  return copy;
}

// --- free slots ----------------------------------------------------------------------------------
/** Every slot start of a free-slots answer ({"2026-12-01": {slots: [...]}, traceId}), in order. */
export function flattenSlots(days: unknown): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries((days ?? {}) as Rec)) {
    const slots = (v as { slots?: unknown } | null)?.slots;
    if (/^\d{4}-\d{2}-\d{2}$/.test(k) && Array.isArray(slots)) out.push(...slots.map(String));
  }
  return out.sort((a, b) => Date.parse(a) - Date.parse(b));
}

const MAX_SLOT_RANGE_MS = 31 * DAY_MS;
const freeSlotsInput = z
  .strictObject(
    specFields("get-slots", {
      override: {
        calendarId: calendarId(),
        startDate: dateTime("From", "epoch-ms"),
        endDate: untilDate(
          "Until",
          "Defaults to 7 days after From; at most 31 days after it. A date without a time means the end of that day.",
        ).optional(),
        timezone: text(
          "Time zone",
          "IANA name (America/New_York) the slots are written in; default: the location's.",
        ).optional(),
        userId: userId("Team member").optional(),
        userIds: meta(z.array(z.string()), { label: "Team members", options: userSource }).optional(),
      },
      optional: ["endDate"],
    }),
  )
  .refine(
    (v) => {
      const from = v.startDate as number;
      const until = (v.endDate as number | undefined) ?? from + 7 * DAY_MS;
      return until >= from && until - from <= MAX_SLOT_RANGE_MS;
    },
    { message: "Until must be after From and at most 31 days after it", path: ["endDate"] },
  );

async function readFreeSlots(ctx: CatalogContext, input: Rec) {
  const from = input.startDate as number;
  const days = await callOperation(ctx, "get-slots", {
    ...input,
    endDate: (input.endDate as number | undefined) ?? from + 7 * DAY_MS,
  });
  const slots = flattenSlots(days);
  const byDay: Record<string, { slots: string[] }> = {};
  for (const s of slots) {
    const day = s.slice(0, 10);
    byDay[day] = { slots: [...(byDay[day]?.slots ?? []), s] };
  }
  return { slots, days: byDay };
}

// --- event notifications: the create body is a list, so its fields are built from the item --------
function notificationItemFields(overrides: Record<string, z.ZodType>): Record<string, z.ZodType> {
  const body = requestSchema("create-event-notification")?.body as {
    items: { properties: Record<string, Rec>; required?: string[] };
  };
  const shape: Record<string, z.ZodType> = {};
  for (const [name, schema] of Object.entries(body.items.properties)) {
    let field =
      overrides[name] ??
      meta(fromSpec(schema), {
        label: humanize(name),
        ...(typeof schema.description === "string" ? { help: schema.description } : {}),
      });
    if (!body.items.required?.includes(name)) field = field.optional();
    shape[name] = field;
  }
  return shape;
}

function fromSpec(schema: Rec): z.ZodType {
  try {
    const { example: _e, ...rest } = schema;
    return z.fromJSONSchema(rest as Parameters<typeof z.fromJSONSchema>[0], { defaultTarget: "openapi-3.0" });
  } catch {
    return z.unknown();
  }
}

const notificationOverrides = {
  additionalEmailIds: meta(z.array(email()), { label: "Also email", help: "Extra addresses to notify." }),
  additionalPhoneNumbers: meta(z.array(phone()), {
    label: "Also text",
    help: "Extra phone numbers to notify (any common format).",
  }),
  selectedUsers: meta(z.array(z.string()), {
    label: "Users",
    help: 'Users for in-app and business email notifications; "sub_account_admin" works too.',
    options: userSource,
  }),
};

/** Notification fields that only some channels and types have. */
const NOTIFICATION_OPTIONAL = [
  "additionalEmailIds",
  "additionalPhoneNumbers",
  "additionalWhatsappNumbers",
  "selectedUsers",
  "templateId",
  "subject",
  "body",
  "afterTime",
  "beforeTime",
];
const notificationSample = (op: string) => sampleWithout(sample(op), NOTIFICATION_OPTIONAL);

const sameNotification = (n: Rec, input: Rec) =>
  n.deleted !== true &&
  ["receiverType", "channel", "notificationType", "templateId", "subject", "body"].every(
    (k) => input[k] === undefined || n[k] === input[k],
  );

// --- reconcile lookups ---------------------------------------------------------------------------
async function findResource(ctx: CatalogContext, type: string, name: string): Promise<Rec | undefined> {
  for (let skip = 0; skip < 1000; skip += 100) {
    const page = (await ctx.client.call("fetch-calendar-resources", {
      resourceType: type,
      locationId: ctx.locationId,
      limit: 100,
      skip,
    } as never)) as Rec[];
    const hit = page.find((r) => r.name === name);
    if (hit || page.length < 100) return hit;
  }
  return undefined;
}

export const calendarEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- groups
  operationTrigger({
    key: "highlevel.calendars.groups.list",
    ...fromSeed("List Calendar Groups"),
    operation: "get-groups",
    output: { description: "{groups}: the location's calendar groups.", sample: sample("get-groups") },
    example: {},
    trigger: snapshotOf("get-groups", key("groups"), "id"),
  }),
  withReconcile(
    operationAction({
      key: "highlevel.calendars.groups.create",
      ...fromSeed("Create Calendar Group"),
      help: "The slug is part of the group's booking URL and must be unused in the location: check it with Validate Group Slug.",
      operation: "create-calendar-group",
      idempotency: "reconcilable",
      fields: { override: { name: text("Name") } },
      output: { description: "{group}: the new group.", sample: sample("create-calendar-group") },
      example: {
        name: "Listing consultations",
        description: "Meet a listing agent",
        slug: { $example: "calendarSlug.group" },
      },
    }),
    async (ctx, input) => {
      const r = (await ctx.client.call("get-groups", { locationId: ctx.locationId } as never)) as {
        groups?: Rec[];
      };
      const group = r.groups?.find((g) => g.slug === input.slug);
      return group ? { group } : undefined;
    },
  ),
  operationAction({
    key: "highlevel.calendars.groups.update",
    ...fromSeed("Update Calendar Group"),
    help: "HighLevel replaces name, description and slug together: give all three.",
    operation: "edit-group",
    idempotency: "safe",
    fields: { override: { groupId: groupId(), name: text("Name") } },
    output: { description: "{group}: the updated group.", sample: sample("edit-group") },
    example: {
      groupId: { $example: "scratchGroup.id" },
      name: "Buyer consultations",
      description: "Meet a buyer's agent",
      slug: { $example: "scratchGroup.slug" },
    },
  }),
  operationAction({
    key: "highlevel.calendars.groups.status",
    ...fromSeed("Update Group Status"),
    operation: "disable-group",
    idempotency: "safe",
    fields: {
      override: {
        groupId: groupId(),
        isActive: meta(z.boolean(), { label: "Active", help: "false disables the group's booking page." }),
      },
    },
    output: { description: '{success: "true"}.', sample: sample("disable-group") },
    example: { groupId: { $example: "scratchGroup.id" }, isActive: false },
  }),
  operationAction({
    key: "highlevel.calendars.groups.delete",
    ...fromSeed("Delete Calendar Group"),
    help: "Its calendars stay, without a group.",
    operation: "delete-group",
    idempotency: "safe",
    fields: { override: { groupId: groupId() } },
    output: { description: '{success: "true"}.', sample: sample("delete-group") },
    example: { groupId: { $example: "scratchGroup.id" } },
  }),
  operationAction({
    key: "highlevel.calendars.groups.validate-slug",
    ...fromSeed("Validate Group Slug"),
    operation: "validate-groups-slug",
    idempotency: "safe",
    fields: { override: { slug: text("Slug") } },
    output: {
      description: "{available}: whether a new group may take the slug.",
      sample: sample("validate-groups-slug"),
    },
    example: { slug: "open-house-tours" },
  }),

  // ---------------------------------------------------------------- calendars
  operationTrigger({
    key: "highlevel.calendars.list",
    ...fromSeed("List Calendars"),
    operation: "get-calendars",
    fields: { override: { groupId: groupId().optional() } },
    output: {
      description: "{calendars}: the location's calendars with their settings.",
      sample: sample("get-calendars"),
    },
    example: {},
    trigger: snapshotOf("get-calendars", key("calendars"), "id"),
  }),
  operationTrigger({
    key: "highlevel.calendars.get",
    ...fromSeed("Get Calendar by ID"),
    operation: "get-calendar",
    fields: { override: { calendarId: calendarId() } },
    output: { description: "{calendar}: the calendar with its settings.", sample: sample("get-calendar") },
    example: { calendarId: { $example: "calendar.id" } },
    trigger: snapshotOf("get-calendar", key("calendar"), "id+updated"),
  }),
  withReconcile(
    operationAction({
      key: "highlevel.calendars.create",
      ...fromSeed("Create Calendar"),
      help: "Round robin, collective, class and service calendars need team members; a personal calendar exactly one. Open hours are read in the location's time zone.",
      operation: "create-calendar",
      idempotency: "reconcilable",
      fields: {
        omit: ["notifications", "meetingLocation"],
        override: { name: text("Name"), groupId: groupId().optional() },
      },
      output: { description: "{calendar}: the new calendar.", sample: sample("create-calendar") },
      example: {
        name: "Open house tours",
        description: "Walk through one of our listings",
        slug: { $example: "calendarSlug.calendar" },
        calendarType: "event",
        slotDuration: 30,
        openHours: [
          { daysOfTheWeek: [6], hours: [{ openHour: 10, openMinute: 0, closeHour: 14, closeMinute: 0 }] },
        ],
      },
    }),
    async (ctx, input) => {
      const calendar = (await listCalendars(ctx)).find((c) =>
        input.slug ? c.slug === input.slug : c.name === input.name,
      );
      return calendar ? { calendar } : undefined;
    },
  ),
  operationAction({
    key: "highlevel.calendars.update",
    ...fromSeed("Update Calendar"),
    operation: "update-calendar",
    idempotency: "safe",
    fields: {
      omit: ["notifications", "meetingLocation"],
      override: { calendarId: calendarId(), groupId: groupId().optional() },
    },
    output: { description: "{calendar}: the updated calendar.", sample: sample("update-calendar") },
    example: { calendarId: { $example: "scratchCalendar.id" }, description: "Tours every Saturday morning" },
  }),
  operationAction({
    key: "highlevel.calendars.delete",
    ...fromSeed("Delete Calendar"),
    operation: "delete-calendar",
    idempotency: "safe",
    fields: { override: { calendarId: calendarId() } },
    output: { description: '{success: "true"}.', sample: sample("delete-calendar") },
    example: { calendarId: { $example: "scratchCalendar.id" } },
  }),
  defineTrigger({
    key: "highlevel.calendars.free-slots",
    ...fromSeed("Get Free Slots"),
    help: "Polling emits each slot that was not free at the last poll (a cancellation, new open hours), as {startTime, date}.",
    operations: ["get-slots"],
    input: freeSlotsInput,
    output: {
      description:
        '{slots, days}: every free start time in order, and the same grouped by day ({"2026-12-01": {slots}}), written in the time zone asked for.',
      sample: { slots: flattenSlots(sample("get-slots")), days: sample("get-slots") },
    },
    example: {
      calendarId: { $example: "calendar.id" },
      startDate: "2030-01-07",
      endDate: "2030-01-11",
      timezone: "America/Los_Angeles",
    },
    trigger: snapshotTrigger<Rec>(
      {
        async list(ctx, input) {
          const { slots } = await readFreeSlots(ctx, input);
          return { items: slots.map((s) => ({ startTime: s, date: s.slice(0, 10) })), requests: 1 };
        },
        keyOf: (i) => String((i as Rec).startTime),
      },
      {
        dedupe: "id",
        describe: "GET /calendars/{calendarId}/free-slots for the window: slots not free at the last poll",
      },
    ),
    read: (ctx, input) => readFreeSlots(ctx, input as Rec),
  }),

  // ---------------------------------------------------------------- notifications
  operationTrigger({
    key: "highlevel.calendars.notifications.list",
    ...fromSeed("List Calendar Notifications"),
    operation: "get-event-notification",
    fields: {
      override: { calendarId: calendarId() },
      labels: { isActive: "Active only", deleted: "Deleted ones" },
    },
    output: {
      description: "The calendar's notifications (a list; each identified by _id).",
      sample: notificationSample("get-event-notification"),
    },
    example: { calendarId: { $example: "calendar.id" } },
    trigger: snapshotOf("get-event-notification", self, "id"),
  }),
  operationTrigger({
    key: "highlevel.calendars.notifications.get",
    ...fromSeed("Get Calendar Notification"),
    operation: "find-event-notification",
    fields: { override: { calendarId: calendarId(), notificationId: notificationId() } },
    output: {
      description: "The notification, identified by _id.",
      sample: notificationSample("find-event-notification"),
    },
    example: {
      calendarId: { $example: "eventNotification.calendarId" },
      notificationId: { $example: "eventNotification._id" },
    },
    trigger: snapshotOf("find-event-notification", self, "id+updated"),
  }),
  withReconcile(
    defineAction({
      key: "highlevel.calendars.notifications.create",
      ...fromSeed("Create Calendar Notification"),
      help: 'One notification per run. Reminders take beforeTime ([{timeOffset: 1, unit: "hours"}]), follow-ups afterTime.',
      operations: ["create-event-notification"],
      idempotency: "reconcilable",
      input: z.strictObject({ calendarId: calendarId(), ...notificationItemFields(notificationOverrides) }),
      output: {
        description: "A list holding the new notification (identified by _id).",
        sample: notificationSample("create-event-notification"),
      },
      example: {
        calendarId: { $example: "scratchCalendar.id" },
        receiverType: "contact",
        channel: "email",
        notificationType: "reminder",
        subject: "See you tomorrow",
        body: "A reminder of your appointment with Demo Realty.",
        beforeTime: [{ timeOffset: 1, unit: "days" }],
      },
      run: async (ctx, input) => {
        const { calendarId: cal, ...notification } = input as Rec;
        const item = Object.fromEntries(Object.entries(notification).filter(([, v]) => v !== undefined));
        return ctx.client.callByKey("create-event-notification", { calendarId: cal }, [item]);
      },
    }),
    async (ctx, input) => {
      const list = (await ctx.client.call("get-event-notification", {
        calendarId: String(input.calendarId),
      } as never)) as Rec[];
      const hit = Array.isArray(list) ? list.find((n) => sameNotification(n, input)) : undefined;
      return hit ? [hit] : undefined;
    },
  ),
  operationAction({
    key: "highlevel.calendars.notifications.update",
    ...fromSeed("Update Notification"),
    operation: "update-event-notification",
    idempotency: "safe",
    fields: {
      override: {
        calendarId: calendarId(),
        notificationId: notificationId(),
        ...Object.fromEntries(Object.entries(notificationOverrides).map(([k, v]) => [k, v.optional()])),
      },
    },
    output: {
      description: "{message}: HighLevel's confirmation.",
      sample: sample("update-event-notification"),
    },
    example: {
      calendarId: { $example: "scratchEventNotification.calendarId" },
      notificationId: { $example: "scratchEventNotification._id" },
      subject: "Your appointment is in one hour",
    },
  }),
  operationAction({
    key: "highlevel.calendars.notifications.delete",
    ...fromSeed("Delete Notification"),
    operation: "delete-event-notification",
    idempotency: "safe",
    fields: { override: { calendarId: calendarId(), notificationId: notificationId() } },
    output: {
      description: "{message}: HighLevel's confirmation.",
      sample: sample("delete-event-notification"),
    },
    example: {
      calendarId: { $example: "scratchEventNotification.calendarId" },
      notificationId: { $example: "scratchEventNotification._id" },
    },
  }),

  // ---------------------------------------------------------------- resources (rooms, equipment)
  operationTrigger({
    key: "highlevel.calendars.resources.list",
    ...fromSeed("List Calendar Resources"),
    operation: "fetch-calendar-resources",
    fields: {
      override: {
        resourceType: resourceType(),
        limit: meta(z.number().int().min(1).max(100), { label: "Page size" }).default(50),
        skip: meta(z.number().int().min(0), { label: "Skip" }).default(0),
      },
    },
    output: { description: "The rooms or equipment (a list).", sample: sample("fetch-calendar-resources") },
    example: { resourceType: "rooms" },
    trigger: snapshotOf("fetch-calendar-resources", self, "id"),
  }),
  operationTrigger({
    key: "highlevel.calendars.resources.get",
    ...fromSeed("Get Calendar Resource"),
    operation: "get-calendar-resource",
    fields: { override: { resourceType: resourceType(), id: id("Resource", resourceSource) } },
    output: { description: "The room or equipment.", sample: sample("get-calendar-resource") },
    example: {
      resourceType: { $example: "calendarResource.resourceType" },
      id: { $example: "calendarResource.id" },
    },
    trigger: snapshotOf("get-calendar-resource", self, "id+updated"),
  }),
  withReconcile(
    operationAction({
      key: "highlevel.calendars.resources.create",
      ...fromSeed("Create Calendar Resource"),
      help: "Resources are booked by service calendars: one piece of equipment maps to one service calendar, a room to several.",
      operation: "create-calendar-resource",
      idempotency: "reconcilable",
      fields: {
        override: {
          resourceType: resourceType(),
          name: text("Name"),
          calendarIds: meta(z.array(z.string()).max(100), {
            label: "Service calendars",
            options: calendarSource,
          }).default([]),
        },
      },
      output: { description: "The new room or equipment.", sample: sample("create-calendar-resource") },
      example: {
        resourceType: "rooms",
        name: "Staging studio",
        description: "Second floor, with projector",
        quantity: 1,
        outOfService: 0,
        capacity: 6,
      },
    }),
    (ctx, input) => findResource(ctx, String(input.resourceType), String(input.name)),
  ),
  operationAction({
    key: "highlevel.calendars.resources.update",
    ...fromSeed("Update Calendar Resource"),
    operation: "update-calendar-resource",
    idempotency: "safe",
    fields: {
      override: {
        resourceType: resourceType(),
        id: id("Resource", resourceSource),
        calendarIds: meta(z.array(z.string()).max(100), {
          label: "Service calendars",
          options: calendarSource,
        }).optional(),
      },
    },
    output: { description: "The updated room or equipment.", sample: sample("update-calendar-resource") },
    example: {
      resourceType: { $example: "scratchCalendarResource.resourceType" },
      id: { $example: "scratchCalendarResource.id" },
      capacity: 10,
    },
  }),
  operationAction({
    key: "highlevel.calendars.resources.delete",
    ...fromSeed("Delete Calendar Resource"),
    operation: "delete-calendar-resource",
    idempotency: "safe",
    fields: { override: { resourceType: resourceType(), id: id("Resource", resourceSource) } },
    output: { description: '{success: "true"}.', sample: sample("delete-calendar-resource") },
    example: {
      resourceType: { $example: "scratchCalendarResource.resourceType" },
      id: { $example: "scratchCalendarResource.id" },
    },
  }),
];
