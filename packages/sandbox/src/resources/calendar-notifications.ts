// A calendar's event notifications (who is told what, on which channel, when). Deletion is
// soft: the documents carry a `deleted` flag and the list filters on it (inferred from the
// `deleted` query parameter and response field).
import type { HandlerContext, HandlerMap } from "../context.ts";
import { badRequest } from "../http/errors.ts";
import { loadCalendar } from "./calendar-model.ts";

export interface NotificationDoc {
  id: string;
  calendarId: string;
  locationId: string;
  receiverType: string;
  channel: string;
  notificationType: string;
  isActive: boolean;
  deleted: boolean;
  [field: string]: unknown;
}

/** Settable fields of CreateCalendarNotificationDTO / UpdateCalendarNotificationsDTO. */
const FIELDS = [
  "receiverType",
  "channel",
  "notificationType",
  "isActive",
  "templateId",
  "body",
  "subject",
  "afterTime",
  "beforeTime",
  "additionalEmailIds",
  "additionalPhoneNumbers",
  "selectedUsers",
  "fromAddress",
  "fromName",
  "fromNumber",
] as const;

function assign(doc: NotificationDoc, input: Record<string, unknown>): void {
  for (const k of FIELDS) if (input[k] !== undefined) (doc as Record<string, unknown>)[k] = input[k];
}

/** CalendarNotificationResponseDTO: the id is `_id`. */
function view(n: NotificationDoc) {
  const { id, calendarId: _, locationId: __, ...rest } = n;
  return { _id: id, ...rest };
}

function load(ctx: HandlerContext): NotificationDoc {
  const cal = loadCalendar(ctx, ctx.params.calendarId!);
  const n = ctx.state.records.get<NotificationDoc>("calendar-notification", ctx.params.notificationId!);
  if (!n || n.calendarId !== cal.id) throw badRequest("Notification not found");
  return n;
}

export const calendarNotificationHandlers: HandlerMap = {
  "get-event-notification": (ctx) => {
    const cal = loadCalendar(ctx, ctx.params.calendarId!);
    const q = ctx.query;
    const deleted = q.deleted === true;
    const skip = q.skip === undefined ? 0 : Number(q.skip);
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    const all = ctx.state.records
      .list<NotificationDoc>("calendar-notification", { parentId: cal.id })
      .filter((n) => n.deleted === deleted && (q.isActive === undefined || n.isActive === q.isActive));
    return { body: all.slice(skip, skip + limit).map(view) };
  },
  "create-event-notification": (ctx) => {
    const cal = loadCalendar(ctx, ctx.params.calendarId!);
    const input = ctx.body as Array<Record<string, unknown>>;
    if (input.length === 0) throw badRequest("At least one notification is required");
    const created = input.map((item) => {
      const n: NotificationDoc = {
        id: ctx.state.ids.id(),
        calendarId: cal.id,
        locationId: cal.locationId,
        receiverType: String(item.receiverType),
        channel: String(item.channel),
        notificationType: String(item.notificationType),
        isActive: true,
        deleted: false,
      };
      assign(n, item);
      ctx.state.records.insert("calendar-notification", n, {
        locationId: cal.locationId,
        parentId: cal.id,
        sortMs: ctx.state.now(),
      });
      return view(n);
    });
    // The spec declares 200 for this create.
    return { body: created };
  },
  "find-event-notification": (ctx) => ({ body: view(load(ctx)) }),
  "update-event-notification": (ctx) => {
    const n = load(ctx);
    const input = ctx.body as Record<string, unknown>;
    assign(n, input);
    if (typeof input.deleted === "boolean") n.deleted = input.deleted;
    ctx.state.records.update("calendar-notification", n);
    return { body: { message: "Notification updated successfully" } };
  },
  "delete-event-notification": (ctx) => {
    const n = load(ctx);
    n.deleted = true;
    ctx.state.records.update("calendar-notification", n);
    return { body: { message: "Notification deleted successfully" } };
  },
};
