// The handler registry: every stateful operation, keyed by operation key. To emulate a new
// operation, write a handler in a resource module and add its map here; everything else
// (routing, auth, rate limits, validation, faults) is already done by the server.
import { exchangeToken, oauthHandlers } from "../auth/oauth.ts";
import type { Handler, HandlerMap, PublicHandler } from "../context.ts";
import { loadSpec } from "../spec/load.ts";
import { appointmentHandlers } from "./appointments.ts";
import { associationHandlers } from "./associations.ts";
import { automationHandlers } from "./automations.ts";
import { blogHandlers } from "./blogs.ts";
import { businessHandlers } from "./businesses.ts";
import { calendarHandlers } from "./calendars.ts";
import { contactLinkHandlers } from "./contact-links.ts";
import { contactSearchHandlers } from "./contact-search.ts";
import { contactTagHandlers } from "./contact-tags.ts";
import { contactHandlers } from "./contacts.ts";
import { conversationExtraHandlers } from "./conversation-extras.ts";
import { conversationHandlers } from "./conversations.ts";
import { locationHandlers } from "./locations.ts";
import { noteHandlers } from "./notes.ts";
import { opportunityHandlers } from "./opportunities.ts";
import { opportunityExtraHandlers } from "./opportunity-extras.ts";
import { taskHandlers } from "./tasks.ts";
import { userHandlers } from "./users.ts";

const MAPS: HandlerMap[] = [
  associationHandlers,
  blogHandlers,
  conversationExtraHandlers,
  contactHandlers,
  contactSearchHandlers,
  contactTagHandlers,
  taskHandlers,
  noteHandlers,
  opportunityHandlers,
  conversationHandlers,
  businessHandlers,
  calendarHandlers,
  appointmentHandlers,
  oauthHandlers,
  userHandlers,
  locationHandlers,
  automationHandlers,
  contactLinkHandlers,
  opportunityExtraHandlers,
];

/** Operations answered without a bearer token. */
export const publicHandlers: Record<string, PublicHandler> = {
  "get-access-token": exchangeToken,
};

export function buildRegistry(): Map<string, Handler> {
  const known = loadSpec().byKey;
  const registry = new Map<string, Handler>();
  for (const map of MAPS) {
    for (const [key, handler] of Object.entries(map)) {
      // A typo here would silently leave an operation at 501: refuse to start instead.
      if (!known.has(key)) throw new Error(`handler registered for unknown operation ${key}`);
      if (registry.has(key)) throw new Error(`two handlers for operation ${key}`);
      registry.set(key, handler);
    }
  }
  return registry;
}
