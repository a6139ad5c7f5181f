// The stored contact, how request bodies change it, and how it is shown in responses and
// webhooks. Absent fields are omitted (never null) because the response schemas declare
// them as non-nullable strings.

import { getLocation, type HandlerContext, isoNow, type State } from "../context.ts";
import { badRequest } from "../http/errors.ts";

export interface CustomFieldValue {
  id: string;
  value: unknown;
}

export interface ContactDoc {
  id: string;
  locationId: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  email?: string;
  phone?: string;
  companyName?: string;
  address1?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  website?: string;
  timezone?: string;
  source?: string;
  gender?: string;
  type: string;
  dnd: boolean;
  dndSettings?: Record<string, unknown>;
  inboundDndSettings?: Record<string, unknown>;
  tags: string[];
  customFields: CustomFieldValue[];
  dateOfBirth?: string;
  assignedTo?: string;
  businessId?: string;
  followers: string[];
  additionalEmails: string[];
  additionalPhones: string[];
  dateAdded: string;
  dateUpdated: string;
}

/** Tags are stored trimmed and lowercase, without duplicates or blanks. */
export function normalizeTags(tags: unknown): string[] {
  if (!Array.isArray(tags)) return [];
  const out: string[] = [];
  for (const t of tags) {
    const v = String(t).trim().toLowerCase();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

/** E.164 the way HighLevel stores phones: keep digits, assume +1 for a bare 10-digit number. */
export function normalizePhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, "");
  if (!digits) return phone.trim();
  if (!phone.trim().startsWith("+") && digits.length === 10) return `+1${digits}`;
  return `+${digits}`;
}

const STRING_FIELDS = [
  "firstName",
  "lastName",
  "name",
  "companyName",
  "address1",
  "city",
  "state",
  "postalCode",
  "country",
  "website",
  "timezone",
  "source",
  "gender",
  "assignedTo",
] as const;

function setOrClear(doc: Record<string, unknown>, key: string, value: unknown): void {
  if (value === null || value === "") delete doc[key];
  else if (value !== undefined) doc[key] = value;
}

function toDateOfBirth(v: unknown): string | null | undefined {
  if (v === undefined || v === null || v === "") return v === undefined ? undefined : null;
  if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString();
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o.year && o.month && o.day) {
      return new Date(Date.UTC(Number(o.year), Number(o.month) - 1, Number(o.day))).toISOString();
    }
  }
  throw badRequest("dateOfBirth must be a valid date");
}

function mergeCustomFields(current: CustomFieldValue[], input: unknown): CustomFieldValue[] {
  if (!Array.isArray(input)) return current;
  const out = [...current];
  for (const raw of input) {
    const f = (raw ?? {}) as Record<string, unknown>;
    const id = String(f.id ?? f.key ?? "");
    if (!id) continue;
    const value = "field_value" in f ? f.field_value : f.value;
    const i = out.findIndex((c) => c.id === id);
    if (i >= 0) out[i] = { id, value };
    else out.push({ id, value });
  }
  return out;
}

/** Apply a create/update/upsert body. Tags given here REPLACE the contact's tags. */
export function applyContactInput(doc: ContactDoc, input: Record<string, unknown>): void {
  const d = doc as unknown as Record<string, unknown>;
  for (const k of STRING_FIELDS) setOrClear(d, k, input[k]);
  if (input.email !== undefined)
    setOrClear(d, "email", typeof input.email === "string" ? input.email.trim() : null);
  if (input.phone !== undefined) {
    setOrClear(
      d,
      "phone",
      typeof input.phone === "string" && input.phone ? normalizePhone(input.phone) : null,
    );
  }
  if (typeof input.dnd === "boolean") doc.dnd = input.dnd;
  if (input.dndSettings !== undefined) doc.dndSettings = input.dndSettings as Record<string, unknown>;
  if (input.inboundDndSettings !== undefined) {
    doc.inboundDndSettings = input.inboundDndSettings as Record<string, unknown>;
  }
  if (input.tags !== undefined) doc.tags = normalizeTags(input.tags);
  if (input.customFields !== undefined)
    doc.customFields = mergeCustomFields(doc.customFields, input.customFields);
  const dob = toDateOfBirth(input.dateOfBirth);
  if (dob !== undefined) setOrClear(d, "dateOfBirth", dob);
}

export function newContact(state: State, locationId: string, input: Record<string, unknown>): ContactDoc {
  const now = isoNow(state);
  const doc: ContactDoc = {
    id: state.ids.id(),
    locationId,
    type: "lead",
    dnd: false,
    tags: [],
    customFields: [],
    followers: [],
    additionalEmails: [],
    additionalPhones: [],
    dateAdded: now,
    dateUpdated: now,
  };
  applyContactInput(doc, input);
  return doc;
}

export function fullName(c: ContactDoc): string | undefined {
  const joined = [c.firstName, c.lastName].filter(Boolean).join(" ");
  return joined || c.name;
}

function compact<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null) delete o[k];
  return o;
}

/** The contact as GET/PUT/upsert/search answer it (GetContectByIdSchema and its siblings). */
export function contactView(c: ContactDoc): Record<string, unknown> {
  const name = fullName(c);
  return compact({
    id: c.id,
    name,
    locationId: c.locationId,
    firstName: c.firstName,
    lastName: c.lastName,
    email: c.email,
    emailLowerCase: c.email?.toLowerCase(),
    timezone: c.timezone,
    companyName: c.companyName,
    phone: c.phone,
    dnd: c.dnd,
    dndSettings: c.dndSettings,
    type: c.type,
    source: c.source,
    assignedTo: c.assignedTo,
    address1: c.address1,
    city: c.city,
    state: c.state,
    country: c.country,
    postalCode: c.postalCode,
    website: c.website,
    tags: c.tags,
    dateOfBirth: c.dateOfBirth,
    dateAdded: c.dateAdded,
    dateUpdated: c.dateUpdated,
    firstNameLowerCase: c.firstName?.toLowerCase(),
    lastNameLowerCase: c.lastName?.toLowerCase(),
    fullNameLowerCase: name?.toLowerCase(),
    customFields: c.customFields,
    businessId: c.businessId,
    followers: c.followers,
    additionalEmails: c.additionalEmails,
    additionalPhones: c.additionalPhones,
  });
}

/** The flat entity fields of Contact* webhook events. */
export function contactEventFields(c: ContactDoc): Record<string, unknown> {
  return compact({
    id: c.id,
    address1: c.address1,
    city: c.city,
    state: c.state,
    companyName: c.companyName,
    country: c.country,
    source: c.source,
    dateAdded: c.dateAdded,
    dateOfBirth: c.dateOfBirth,
    dnd: c.dnd,
    dndSettings: c.dndSettings,
    email: c.email,
    name: fullName(c),
    firstName: c.firstName,
    lastName: c.lastName,
    phone: c.phone,
    postalCode: c.postalCode,
    tags: c.tags,
    website: c.website,
    attachments: [],
    assignedTo: c.assignedTo,
    customFields: c.customFields,
  });
}

/** Load a contact the token may see; unknown ids answer HighLevel's 400. */
export function loadContact(ctx: HandlerContext, id: string): ContactDoc {
  const c = ctx.state.records.get<ContactDoc>("contact", id);
  if (!c) throw badRequest("Contact not found");
  ctx.ensureLocation(c.locationId);
  return c;
}

export function saveContact(state: State, c: ContactDoc): ContactDoc {
  c.dateUpdated = isoNow(state);
  return state.records.update("contact", c);
}

export function insertContact(state: State, c: ContactDoc): ContactDoc {
  return state.records.insert("contact", c, { locationId: c.locationId, sortMs: Date.parse(c.dateAdded) });
}

export interface DuplicateMatch {
  contact: ContactDoc;
  field: "email" | "phone";
}

/** The contact an email (first) or phone would collide with in a location (the oldest such contact). */
export function findDuplicate(
  state: State,
  locationId: string,
  email: string | undefined | null,
  phone: string | undefined | null,
  exceptId?: string,
): DuplicateMatch | null {
  const e = email?.trim().toLowerCase();
  if (e) {
    const hit = firstContact(state, "lower(json_extract(doc, '$.email'))", locationId, e, exceptId);
    if (hit) return { contact: hit, field: "email" };
  }
  if (phone) {
    const hit = firstContact(
      state,
      "json_extract(doc, '$.phone')",
      locationId,
      normalizePhone(phone),
      exceptId,
    );
    if (hit) return { contact: hit, field: "phone" };
  }
  return null;
}

// Indexed lookups (contacts_by_email / contacts_by_phone): an upsert must not read every contact.
function firstContact(
  state: State,
  expr: string,
  locationId: string,
  value: string,
  exceptId: string | undefined,
): ContactDoc | undefined {
  const row = state.db
    .prepare(
      `SELECT doc FROM records WHERE kind = 'contact' AND location_id = ? AND ${expr} = ? AND id != ? ORDER BY sort_ms, rowid LIMIT 1`,
    )
    .get(locationId, value, exceptId ?? "") as { doc: string } | undefined;
  return row ? (JSON.parse(row.doc) as ContactDoc) : undefined;
}

export function allowsDuplicates(state: State, locationId: string): boolean {
  return getLocation(state, locationId)?.settings.allowDuplicateContact ?? false;
}

export function duplicateError(m: DuplicateMatch) {
  return badRequest("This location does not allow duplicated contacts.", {
    meta: { contactName: fullName(m.contact) ?? "", contactId: m.contact.id, matchingField: m.field },
  });
}
