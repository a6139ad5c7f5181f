// The catalog: every entry, looked up by key. Category modules register their entries here.
import { closest, getOperation, HighLevelError } from "@hlconnect/client";
import { appointmentEntries } from "./entries/appointments.ts";
import { associationEntries } from "./entries/associations.ts";
import { automationEntries } from "./entries/automations.ts";
import { batchDataEntries } from "./entries/batchdata.ts";
import { blogEntries } from "./entries/blogs.ts";
import { businessEntries } from "./entries/businesses.ts";
import { calendarEntries } from "./entries/calendars.ts";
import { contactEntries } from "./entries/contacts.ts";
import { conversationEntries } from "./entries/conversations.ts";
import { locationEntries } from "./entries/locations.ts";
import { opportunityEntries } from "./entries/opportunities.ts";
import { rawRequestEntries } from "./entries/raw-request.ts";
import { userEntries } from "./entries/users.ts";
import { webhookEventEntries } from "./entries/webhook-events.ts";
import type { CatalogEntry } from "./types.ts";

const GROUPS: CatalogEntry[][] = [
  contactEntries,
  calendarEntries,
  appointmentEntries,
  opportunityEntries,
  conversationEntries,
  businessEntries,
  webhookEventEntries,
  userEntries,
  automationEntries,
  locationEntries,
  associationEntries,
  blogEntries,
  rawRequestEntries,
  batchDataEntries,
];

/** Categories in the order users know them from the seed catalog; others follow alphabetically. */
export const CATEGORY_ORDER = [
  "Contacts",
  "Calendars & Appointments",
  "Opportunities",
  "Conversations & Messages",
  "Users",
  "Businesses",
  "Workflows & Campaigns",
  "Other Operations",
];

function rank(category: string): number {
  const i = CATEGORY_ORDER.indexOf(category);
  return i === -1 ? CATEGORY_ORDER.length : i;
}

function build(): CatalogEntry[] {
  // Stable sort: within a category, entries keep their declared order; triggers before actions.
  const all = GROUPS.flat().sort(
    (a, b) =>
      rank(a.category) - rank(b.category) ||
      (rank(a.category) === CATEGORY_ORDER.length ? a.category.localeCompare(b.category) : 0) ||
      (a.kind === b.kind ? 0 : a.kind === "trigger" ? -1 : 1),
  );
  const seen = new Set<string>();
  for (const e of all) {
    if (seen.has(e.key)) throw new Error(`catalog key ${e.key} is declared twice`);
    seen.add(e.key);
    for (const op of e.operations) getOperation(op); // a typo fails at load, not at run time
  }
  return all;
}

export const CATALOG: readonly CatalogEntry[] = build();
const byKey = new Map(CATALOG.map((e) => [e.key, e]));

export function getEntry(key: string): CatalogEntry {
  const e = byKey.get(key);
  if (e) return e;
  const bySeedName = CATALOG.find(
    (x) => x.seedName?.toLowerCase() === key.toLowerCase() || x.name.toLowerCase() === key.toLowerCase(),
  );
  if (bySeedName) return bySeedName;
  const near = closest(key, [...byKey.keys()], 3);
  throw new HighLevelError(
    `Unknown catalog entry "${key}".${near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(", ")}?` : ""} See \`hlconnect ops list\`.`,
    { code: "UNKNOWN_OPERATION" },
  );
}

/** Scopes an entry needs: the union of its operations' scopes. */
export function entryScopes(entry: CatalogEntry): string[] {
  return [...new Set(entry.operations.flatMap((op) => getOperation(op).scopes))].sort();
}
