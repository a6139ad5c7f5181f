// Every documented HighLevel webhook event as an instant trigger, with its typed payload and the
// documented example as the sample. Names read as events: "Contact Created", "Task Completed".
import { readFileSync } from "node:fs";
import { WEBHOOK_EVENT_TYPES, type WebhookEventName } from "@hlconnect/client";
import { z } from "zod";
import { defineTrigger } from "../define.ts";
import type { CatalogEntry } from "../types.ts";

const PAST: Record<string, string> = {
  Create: "Created",
  Update: "Updated",
  Delete: "Deleted",
  Complete: "Completed",
  Paid: "Paid",
  PartiallyPaid: "Partially Paid",
  Sent: "Sent",
  Void: "Voided",
  Change: "Changed",
  Install: "Installed",
  Uninstall: "Uninstalled",
};

const CATEGORY_OF: Array<[RegExp, string]> = [
  [/^(Contact|Note|Task)/, "Contacts"],
  [/^Opportunity/, "Opportunities"],
  [/^Appointment/, "Calendars & Appointments"],
  [
    /^(InboundMessage|OutboundMessage|ProviderOutboundMessage|ConversationUnread|LCEmailStats)/,
    "Conversations & Messages",
  ],
  [/^(Campaign)/, "Workflows & Campaigns"],
  [/^(User)/, "Users"],
  [/^(Invoice|Order|Price|Product|PlanChange)/, "Payments"],
  [/^(Association|Relation|Record|ObjectSchema)/, "Custom Objects & Associations"],
  [/^(Location|App)/, "Locations & Apps"],
];

/** "ContactTagUpdate" -> "Contact Tag Updated", "InboundMessage" -> "Inbound Message". */
export function eventTitle(name: string): string {
  for (const [verb, past] of Object.entries(PAST).sort((a, b) => b[0].length - a[0].length)) {
    if (name.endsWith(verb) && name.length > verb.length) {
      return `${spaced(name.slice(0, -verb.length))} ${past}`;
    }
  }
  return spaced(name.replace(/Webhook$/, ""));
}

function spaced(s: string): string {
  return s.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^LC /, "LC ");
}

function kebab(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

interface EventDoc {
  example: unknown;
}

function loadEvents(): Record<string, EventDoc> {
  return JSON.parse(
    readFileSync(new URL("../../../../specs/highlevel/webhooks/events.json", import.meta.url), "utf8"),
  ) as Record<string, EventDoc>;
}

export const webhookEventEntries: CatalogEntry[] = (() => {
  const docs = loadEvents();
  return (WEBHOOK_EVENT_TYPES as readonly WebhookEventName[]).map((event) =>
    defineTrigger({
      key: `highlevel.events.${kebab(event)}`,
      name: `${eventTitle(event)} (instant)`,
      description: `Fires the moment HighLevel sends the ${event} webhook`,
      category: CATEGORY_OF.find(([re]) => re.test(event))?.[1] ?? "Other Operations",
      help: "Instant: HighLevel posts the event to hlconnect's /webhooks/highlevel, where its signature is verified and duplicates are dropped.",
      operations: [],
      input: z.strictObject({}),
      output: {
        description: `The ${event} payload, flat as HighLevel sends it.`,
        sample: docs[event]?.example ?? {},
      },
      example: {},
      trigger: { type: "instant", event },
    }),
  );
})();
