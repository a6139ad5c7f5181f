// Sub-accounts (locations), the agency (company), its snapshots and the locations' custom
// field definitions. Also seeds this corner of the world (users, snapshot, custom fields,
// workflows, campaigns) from `seedAccounts`, called once by seedWorld.
import { createHash } from "node:crypto";
import {
  getLocation,
  type HandlerContext,
  type HandlerMap,
  isoNow,
  type LocationDoc,
  type State,
} from "../context.ts";
import { badRequest, forbidden } from "../http/errors.ts";
import { seedAutomations } from "./automations.ts";
import { newUser, skipLimit, type UserDoc } from "./users.ts";

export interface CompanyDoc {
  id: string;
  name: string;
  email: string;
  [k: string]: unknown;
}

export interface SnapshotDoc {
  id: string;
  companyId: string;
  name: string;
  /** own | imported (the live API also lists vertical snapshots) */
  type: string;
}

/** A location's custom field definition (CustomFieldSchema). */
export interface CustomFieldDoc {
  id: string;
  locationId: string;
  name: string;
  /** `contact.estimated_value`: the key merge tags and `customFields[].key` use. */
  fieldKey: string;
  placeholder: string;
  /** TEXT, LARGE_TEXT, NUMERICAL, MONETORY (sic), SINGLE_OPTIONS, DATE, ... */
  dataType: string;
  position: number;
  picklistOptions?: string[];
  model: "contact" | "opportunity";
  dateAdded: string;
}

export const CUSTOM_FIELD_KIND = "custom-field";

const COMPANY_FORBIDDEN = "The token does not have access to this company.";
const SETTINGS_DEFAULTS = {
  allowDuplicateContact: false,
  allowDuplicateOpportunity: false,
  allowFacebookNameMerge: false,
  disableContactTimezone: false,
};
const ADDRESS_FIELDS = ["address", "city", "state", "country", "postalCode", "website", "timezone"] as const;

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** The fields search results and create answer share (the short location shape). */
function shortView(l: LocationDoc): Record<string, unknown> {
  return compact({
    id: l.id,
    companyId: l.companyId,
    name: l.name,
    phone: str(l.phone),
    email: str(l.email),
    ...Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, str(l[k])])),
    settings: { ...SETTINGS_DEFAULTS, ...l.settings },
    social: (l.social as Record<string, string> | undefined) ?? {},
  });
}

/** GET /locations/{id}: the short shape plus the business block and the prospect's name. */
function fullView(l: LocationDoc): Record<string, unknown> {
  return compact({
    ...shortView(l),
    firstName: str(l.firstName),
    lastName: str(l.lastName),
    business: compact({
      name: l.name,
      ...Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, str(l[k])])),
    }),
  });
}

function companyView(state: State, c: CompanyDoc): Record<string, unknown> {
  const { seed: _, ...fields } = c;
  const locationCount = state.records
    .list<LocationDoc>("location")
    .filter((l) => l.companyId === c.id).length;
  return { ...fields, locationCount };
}

function searchLocations(ctx: HandlerContext) {
  const q = ctx.query;
  const { skip, limit } = skipLimit(q, 10);
  const desc = String(q.order ?? "asc").toLowerCase() === "desc";
  const email = typeof q.email === "string" ? q.email.trim().toLowerCase() : "";
  const own = ctx.principal.locationId;
  // Oldest first (insertion order among equal dates); desc is the exact reverse.
  const asc = ctx.state.records
    .list<LocationDoc>("location")
    .filter(
      (l) =>
        l.companyId === ctx.principal.companyId &&
        (own === null || l.id === own) &&
        (!email || str(l.email)?.toLowerCase() === email),
    )
    .sort((a, b) => Date.parse(String(a.dateAdded)) - Date.parse(String(b.dateAdded)));
  const all = desc ? asc.reverse() : asc;
  return { body: { locations: all.slice(skip, skip + limit).map(shortView) } };
}

function createLocation(ctx: HandlerContext) {
  const b = ctx.body as Record<string, unknown>;
  const companyId = String(b.companyId);
  if (typeof b.snapshotId === "string") {
    const snap = ctx.state.records.get<SnapshotDoc>("snapshot", b.snapshotId);
    if (!snap || snap.companyId !== companyId) throw badRequest("Snapshot not found");
  }
  const prospect = (b.prospectInfo ?? {}) as Record<string, unknown>;
  const id = ctx.state.ids.id();
  const doc: LocationDoc = compact({
    id,
    companyId,
    name: String(b.name),
    phone: str(b.phone),
    email: str(prospect.email),
    firstName: str(prospect.firstName),
    lastName: str(prospect.lastName),
    ...Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, str(b[k])])),
    settings: {
      ...SETTINGS_DEFAULTS,
      ...((b.settings as Record<string, boolean> | undefined) ?? {}),
    },
    social: (b.social as Record<string, string> | undefined) ?? {},
    snapshotId: str(b.snapshotId),
    dateAdded: isoNow(ctx.state),
  });
  ctx.state.records.insert("location", doc, { locationId: id, sortMs: ctx.state.now() });
  ctx.state.webhooks.emit("LocationCreate", id, {
    id,
    companyId,
    name: doc.name,
    ...(typeof doc.email === "string" && { email: doc.email }),
  });
  // The spec declares 200 (not 201) for this create.
  return { body: shortView(doc) };
}

export const locationHandlers: HandlerMap = {
  "search-locations": searchLocations,
  "get-location": (ctx) => {
    const l = getLocation(ctx.state, ctx.params.locationId!);
    if (!l) throw badRequest("Location not found");
    return { body: { location: fullView(l) } };
  },
  "create-location": createLocation,
  // (inferred) The location's tags: here every tag some contact of the location carries, by name.
  "get-location-tags": (ctx) => {
    const locationId = ctx.params.locationId!;
    ctx.ensureLocation(locationId);
    const names = new Set<string>();
    for (const c of ctx.state.records.list<{ tags?: string[] }>("contact", { locationId })) {
      for (const t of c.tags ?? []) names.add(t);
    }
    const tags = [...names].sort().map((name) => ({ id: tagId(locationId, name), name, locationId }));
    return { body: { tags } };
  },
  "get-custom-fields": (ctx) => {
    // Omitted model = contact fields: "all" would be pointless in the enum if it were the default.
    const model = String(ctx.query.model ?? "contact");
    const customFields = ctx.state.records
      .list<CustomFieldDoc>(CUSTOM_FIELD_KIND, { locationId: ctx.params.locationId! })
      .filter((f) => model === "all" || f.model === model)
      .map(({ dateAdded: _, ...f }) => f);
    return { body: { customFields } };
  },
  "locations:create-custom-field": (ctx) => {
    const locationId = ctx.params.locationId!;
    ctx.ensureLocation(locationId);
    const b = (ctx.body ?? {}) as {
      name: string;
      dataType: string;
      placeholder?: string;
      position?: number;
      model?: string;
    };
    const model = b.model === "opportunity" ? "opportunity" : "contact";
    const existing = ctx.state.records.list<CustomFieldDoc>(CUSTOM_FIELD_KIND, { locationId });
    // (inferred) HighLevel refuses a second field with the same name on the same model.
    if (
      existing.some((f) => f.model === model && f.name.trim().toLowerCase() === b.name.trim().toLowerCase())
    ) {
      throw badRequest(`A custom field named "${b.name}" already exists`);
    }
    const doc: CustomFieldDoc = {
      id: ctx.state.ids.id(),
      locationId,
      name: b.name,
      fieldKey: `${model}.${b.name
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_|_$/g, "")}`,
      placeholder: b.placeholder ?? "",
      dataType: b.dataType,
      position: b.position ?? existing.length,
      model,
      dateAdded: new Date(ctx.state.now()).toISOString(),
    };
    ctx.state.records.insert(CUSTOM_FIELD_KIND, doc, { locationId, sortMs: doc.position });
    const { dateAdded: _, ...view } = doc;
    return { status: 201, body: { customField: view } };
  },
  "locations:update-custom-field": (ctx) => {
    const locationId = ctx.params.locationId!;
    ctx.ensureLocation(locationId);
    const field = ctx.state.records.get<CustomFieldDoc>(CUSTOM_FIELD_KIND, ctx.params.id!);
    if (!field || field.locationId !== locationId) throw badRequest("Custom field not found");
    const b = (ctx.body ?? {}) as {
      name: string;
      placeholder?: string;
      position?: number;
      options?: unknown;
    };
    const name = b.name.trim();
    const others = ctx.state.records.list<CustomFieldDoc>(CUSTOM_FIELD_KIND, { locationId });
    if (
      others.some(
        (f) =>
          f.id !== field.id && f.model === field.model && f.name.trim().toLowerCase() === name.toLowerCase(),
      )
    ) {
      throw badRequest(`A custom field named "${b.name}" already exists`);
    }
    const next: CustomFieldDoc = { ...field, name };
    if (b.placeholder !== undefined) next.placeholder = b.placeholder;
    if (b.position !== undefined) next.position = b.position;
    if (b.options !== undefined) {
      // (inferred from the custom-fields API's UpdateCustomFieldsDTO) `options` replaces the option list
      // of a picklist field, but options cannot be removed this way: the ones left out stay. Plain strings
      // and {label} objects are both taken.
      const picklist = ["SINGLE_OPTIONS", "MULTIPLE_OPTIONS", "RADIO", "CHECKBOX", "TEXTBOX_LIST"];
      if (!picklist.includes(field.dataType))
        throw badRequest(`options apply only to ${picklist.join(", ")} fields`);
      if (!Array.isArray(b.options)) throw badRequest("options must be an array");
      const given = b.options.map((o) =>
        typeof o === "string" ? o : String((o as { label?: unknown } | null)?.label ?? ""),
      );
      if (given.some((o) => !o.trim())) throw badRequest("options must not be empty");
      const kept = field.picklistOptions ?? [];
      next.picklistOptions = [...given, ...kept.filter((k) => !given.includes(k))];
    }
    ctx.state.records.update(CUSTOM_FIELD_KIND, next);
    const { dateAdded: _, ...view } = next;
    return { body: { customField: view } };
  },
  "get-company": (ctx) => {
    // The path companyId is not covered by the server's query/body company check.
    if (ctx.params.companyId !== ctx.principal.companyId) throw forbidden(COMPANY_FORBIDDEN);
    const c = ctx.state.records.get<CompanyDoc>("company", ctx.params.companyId!);
    if (!c) throw badRequest("Company not found");
    return { body: { company: companyView(ctx.state, c) } };
  },
  "get-custom-snapshots": (ctx) => {
    const companyId = String(ctx.query.companyId);
    const snapshots = ctx.state.records
      .list<SnapshotDoc>("snapshot")
      .filter((s) => s.companyId === companyId)
      .map(({ companyId: _, ...s }) => s);
    return { body: { snapshots } };
  },
};

// ---------------------------------------------------------------------------------------
// Seed

/** Seeded account records are dated from here (before the contacts, which start 2024-01-15). */
const SEED_AT = Date.UTC(2024, 0, 2, 9, 0, 0);
const DAY = 86_400_000;

export interface AccountSeedIds {
  companyId: string;
  locationId: string;
  otherLocationId: string;
  /** The seeded user seedWorld already created (made the agency admin here). */
  userId: string;
}

const REAL_ESTATE_FIELDS: Array<Omit<CustomFieldDoc, "id" | "locationId" | "position" | "dateAdded">> = [
  {
    name: "Estimated Value",
    fieldKey: "contact.estimated_value",
    placeholder: "Estimated home value",
    dataType: "MONETORY",
    model: "contact",
  },
  {
    name: "Property Type",
    fieldKey: "contact.property_type",
    placeholder: "Select a property type",
    dataType: "SINGLE_OPTIONS",
    picklistOptions: ["Single Family", "Condo", "Townhouse", "Multi-Family", "Land"],
    model: "contact",
  },
  {
    name: "Mailing Address",
    fieldKey: "contact.mailing_address",
    placeholder: "Street, city, state, ZIP",
    dataType: "TEXT",
    model: "contact",
  },
  {
    name: "Bedrooms",
    fieldKey: "contact.bedrooms",
    placeholder: "Number of bedrooms",
    dataType: "NUMERICAL",
    model: "contact",
  },
  {
    name: "Expected Close Date",
    fieldKey: "opportunity.expected_close_date",
    placeholder: "Closing date",
    dataType: "DATE",
    model: "opportunity",
  },
];

export function seedAccounts(state: State, s: AccountSeedIds): void {
  const { records, ids } = state;
  const at = (days: number) => new Date(SEED_AT + days * DAY).toISOString();

  const company = records.get<CompanyDoc>("company", s.companyId)!;
  records.update("company", {
    ...company,
    phone: "+14155550000",
    website: "https://demo-agency.example",
    address: "1 Embarcadero Center",
    city: "San Francisco",
    state: "CA",
    postalCode: "94111",
    country: "US",
    timezone: "America/Los_Angeles",
    currency: "USD",
    customerType: "agency",
    status: "active",
    isReselling: false,
    premiumUpgraded: false,
    isSandboxAccount: true,
  });

  // The user seedWorld made (it owns the seeded tokens) becomes the agency admin.
  const existing = records.get<{ id: string; email: string }>("user", s.userId)!;
  const users: UserDoc[] = [
    newUser(
      state,
      s.companyId,
      {
        firstName: "Alex",
        lastName: "Agent",
        email: existing.email,
        phone: "+14155550010",
        type: "agency",
        role: "admin",
        locationIds: [s.locationId, s.otherLocationId],
      },
      s.userId,
    ),
    newUser(state, s.companyId, {
      firstName: "Jordan",
      lastName: "Blake",
      email: "jordan.blake@demo-realty.example",
      phone: "+14155550011",
      type: "account",
      role: "admin",
      locationIds: [s.locationId],
    }),
    newUser(state, s.companyId, {
      firstName: "Taylor",
      lastName: "Nguyen",
      email: "taylor.nguyen@demo-realty.example",
      phone: "+14155550012",
      type: "account",
      role: "user",
      locationIds: [s.locationId],
      permissions: { settingsEnabled: false, assignedDataOnly: true },
    }),
    newUser(state, s.companyId, {
      firstName: "Sam",
      lastName: "Rivera",
      email: "sam.rivera@harbor-homes.example",
      phone: "+14155550013",
      type: "account",
      role: "user",
      locationIds: [s.otherLocationId],
    }),
  ];
  for (const [i, u] of users.entries()) {
    u.dateAdded = at(i);
    if (u.id === s.userId) records.update("user", u, SEED_AT);
    else records.insert("user", u, { sortMs: SEED_AT + i * DAY });
  }

  records.insert("snapshot", {
    id: ids.id(),
    companyId: s.companyId,
    name: "Real Estate Starter",
    type: "own",
  } satisfies SnapshotDoc);

  for (const [position, f] of REAL_ESTATE_FIELDS.entries()) {
    const doc: CustomFieldDoc = {
      id: ids.id(),
      locationId: s.locationId,
      position,
      dateAdded: at(position),
      ...f,
    };
    records.insert(CUSTOM_FIELD_KIND, doc, { locationId: s.locationId, sortMs: position });
  }
  // One field in the other location, so per-location listing is observable.
  records.insert(
    CUSTOM_FIELD_KIND,
    {
      id: ids.id(),
      locationId: s.otherLocationId,
      name: "Boat Slip",
      fieldKey: "contact.boat_slip",
      placeholder: "Slip number",
      dataType: "TEXT",
      position: 0,
      model: "contact",
      dateAdded: at(0),
    } satisfies CustomFieldDoc,
    { locationId: s.otherLocationId },
  );

  seedAutomations(state, s, at);
}

/** A stable id per location and tag name (the sandbox keeps no tag records of its own). */
function tagId(locationId: string, name: string): string {
  return createHash("sha256").update(`${locationId}\0${name}`).digest("base64url").slice(0, 20);
}
