// A BatchLeads Zapier post -> the same Lead an export row gives. The post is flattened into
// export-style columns (nested objects, phone and email lists, a full owner name split) and then
// goes through the export's own normalizeRow, so every rule (key, phones, DNC, compliance, tags)
// is applied exactly as for a file.
import { headerKey, headerResolver } from "../file/columns.ts";
import type { Lead, LeadMapping, RejectedRow } from "../lead.ts";
import { looksLikeEntity } from "../normalize/contact.ts";
import { PHONE_SLOTS } from "../normalize/phones.ts";
import { normalizeRow } from "../normalize/row.ts";
import {
  EMAIL_LIST_KEYS,
  EVENT_KEYS,
  FULL_NAME_KEYS,
  PHONE_LIST_KEYS,
  ZAPIER_ALIASES,
  ZAPIER_EVENTS,
  type ZapierEvent,
} from "./fields.ts";

export type ZapierPostResult =
  | { event: ZapierEvent; lead: Lead }
  | { event: ZapierEvent; rejected: RejectedRow };

type Json = Record<string, unknown>;
const keyed = (list: readonly string[]) => new Set(list.map(headerKey));
const PHONE_LISTS = keyed(PHONE_LIST_KEYS);
const EMAIL_LISTS = keyed(EMAIL_LIST_KEYS);
const EVENTS = keyed(EVENT_KEYS);
const FULL_NAMES = keyed(FULL_NAME_KEYS);

const DEFAULT_MAPPING: LeadMapping = {
  columns: Object.fromEntries(Object.entries(ZAPIER_ALIASES).map(([k, v]) => [k, [...v]])),
};
const merged = new WeakMap<LeadMapping, LeadMapping>();

/** The user's mapping with the Zapier aliases underneath (the user's own aliases win). */
function withAliases(mapping: LeadMapping | undefined): LeadMapping {
  if (!mapping) return DEFAULT_MAPPING;
  let m = merged.get(mapping);
  if (!m) {
    const columns: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(ZAPIER_ALIASES)) columns[k] = [...v];
    for (const [k, v] of Object.entries(mapping.columns ?? {})) columns[k] = [...(columns[k] ?? []), ...v];
    m = { ...mapping, columns };
    merged.set(mapping, m);
  }
  return m;
}

function scalar(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === "string") return v;
  return undefined;
}

interface Flat {
  values: Record<string, string>;
  phones: unknown[];
  emails: unknown[];
  event?: string;
  fullName?: string;
}

/** Nested objects become "parent child" columns; Zapier's "parent__child" keys likewise. */
function flatten(obj: Json, prefix: string, into: Flat): void {
  for (const [rawKey, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix} ${rawKey}` : rawKey.replace(/__/g, " ").trim();
    const k = headerKey(key);
    if (v === null || v === undefined) continue;
    if (!prefix && PHONE_LISTS.has(k)) {
      into.phones.push(...(Array.isArray(v) ? v : String(v).split(/[,;]/)));
      continue;
    }
    if (!prefix && EMAIL_LISTS.has(k)) {
      into.emails.push(...(Array.isArray(v) ? v : String(v).split(/[,;]/)));
      continue;
    }
    if (!prefix && EVENTS.has(k) && typeof v === "string") {
      into.event = v;
      continue;
    }
    if (!prefix && FULL_NAMES.has(k) && typeof v === "string") {
      into.fullName = v;
      continue;
    }
    if (Array.isArray(v)) {
      const text = v.map(scalar).filter((x) => x !== undefined && x.trim() !== "");
      if (text.length) into.values[key] = text.join(", ");
      continue;
    }
    if (typeof v === "object") {
      flatten(v as Json, key, into);
      continue;
    }
    const s = scalar(v);
    if (s !== undefined) into.values[key] = s;
  }
}

const first = (o: Json, names: string[]) => {
  for (const n of names) {
    const hit = Object.entries(o).find(([k]) => headerKey(k) === headerKey(n));
    if (hit && hit[1] !== undefined && hit[1] !== null && String(hit[1]).trim() !== "") return hit[1];
  }
  return undefined;
};

type Resolve = (name: string) => string | undefined;
const YES = new Set(["yes", "true", "y", "1"]);
const isYes = (v: unknown) =>
  v === true ||
  YES.has(
    String(v ?? "")
      .trim()
      .toLowerCase(),
  );

/** The canonical columns the flattened post already fills (aliases resolved). */
function filled(flat: Flat, resolve: Resolve): Set<string> {
  return new Set(
    Object.entries(flat.values)
      .filter(([, v]) => v.trim() !== "")
      .map(([k]) => resolve(k) ?? k),
  );
}

/** Listed phones fill the numbered columns left free; what does not fit is reported, not dropped silently. */
function placePhones(flat: Flat, resolve: Resolve, problems: string[]): void {
  const used = filled(flat, resolve);
  const taken = (n: number) => used.has(`Phone ${n}`);
  let slot = 1;
  for (const item of flat.phones) {
    const o = item && typeof item === "object" ? (item as Json) : { number: item };
    const number = scalar(first(o, ["number", "phone", "phone_number", "value"]));
    if (!number?.trim()) continue;
    while (slot <= PHONE_SLOTS && taken(slot)) slot++;
    if (slot > PHONE_SLOTS) {
      problems.push(`phone "${number}" is beyond the ${PHONE_SLOTS} phone columns: not used`);
      continue;
    }
    flat.values[`Phone ${slot}`] = number;
    const dnc = first(o, ["dnc", "is_dnc", "do_not_call"]);
    const tcpa = first(o, ["tcpa"]);
    // A TCPA-flagged number is as unsafe to call as a DNC one.
    if (dnc !== undefined || tcpa !== undefined) {
      flat.values[`Phone ${slot} DNC`] = isYes(dnc) || isYes(tcpa) ? "Yes" : "No";
    }
    const type = scalar(first(o, ["type", "phone_type", "line_type"]));
    if (type) flat.values[`Phone ${slot} TYPE`] = type;
    slot++;
  }
}

function placeEmails(flat: Flat, resolve: Resolve): void {
  let n = 1;
  const column = (i: number) => (i === 1 ? "Email" : `Email ${i}`);
  const used = filled(flat, resolve);
  const taken = (i: number) =>
    used.has(column(i)) || Object.keys(flat.values).some((k) => headerKey(k) === headerKey(column(i)));
  for (const item of flat.emails) {
    const email =
      typeof item === "string" ? item : scalar(first((item ?? {}) as Json, ["email", "address", "value"]));
    if (!email?.trim()) continue;
    while (taken(n)) n++;
    flat.values[column(n)] = email.trim();
  }
}

/** "Acme Holdings LLC" stays whole (an entity); "Smith, John" and "John Smith" split. */
function placeFullName(flat: Flat, resolve: Resolve): void {
  const name = flat.fullName?.trim();
  if (!name) return;
  const used = filled(flat, resolve);
  if (used.has("First Name") || used.has("Last Name")) return;
  if (looksLikeEntity(name)) {
    flat.values["Last Name"] = name;
    return;
  }
  const comma = /^([^,]+),\s*(.+)$/.exec(name);
  const [firstName, lastName] = comma
    ? [comma[2], comma[1]]
    : [name.split(/\s+/)[0], name.split(/\s+/).slice(1).join(" ")];
  if (firstName) flat.values["First Name"] = firstName.trim();
  if (lastName) flat.values["Last Name"] = lastName.trim();
}

/** Which trigger sent the post: named by the post ("event"), else guessed from what it carries. */
export function zapierEvent(payload: Json, values: Record<string, string> = {}): ZapierEvent {
  const named = typeof payload === "object" ? first(payload, EVENT_KEYS) : undefined;
  if (typeof named === "string") {
    const k = headerKey(named);
    for (const [id, name] of Object.entries(ZAPIER_EVENTS)) {
      if (k === headerKey(id) || k === headerKey(name)) return id as ZapierEvent;
    }
    if (k.includes("status")) return "status-updated";
    if (k.includes("list")) return "added-to-list";
    if (k.includes("skiptrace") && k.includes("email")) return "skip-traced-email";
    if (k.includes("skiptrace")) return "skip-traced-phone";
    return "unknown";
  }
  const has = (prefix: string) => Object.keys(values).some((c) => headerKey(c).startsWith(prefix));
  if (has("phone")) return "skip-traced-phone";
  if (has("email")) return "skip-traced-email";
  if (has("leadstatus") || has("status")) return "status-updated";
  if (has("list")) return "added-to-list";
  return "unknown";
}

/**
 * One Zapier post (an object, or its JSON text) -> a Lead, or a RejectedRow saying why not.
 * `row` numbers the post in a batch (1 by default) for reports.
 */
export function leadFromZapierPost(
  payload: unknown,
  options: { mapping?: LeadMapping; row?: number } = {},
): ZapierPostResult {
  const row = options.row ?? 1;
  let body = payload;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return {
        event: "unknown",
        rejected: { row, reason: "the post is not JSON", values: { body: payload as string } },
      };
    }
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return {
      event: "unknown",
      rejected: {
        row,
        reason: Array.isArray(body)
          ? "a post carries one property; this one is a list (use leadsFromZapierPayload)"
          : "the post is not a JSON object",
        values: { body: JSON.stringify(body) ?? String(body) },
      },
    };
  }
  const flat: Flat = { values: {}, phones: [], emails: [] };
  flatten(body as Json, "", flat);
  const problems: string[] = [];
  const mapping = withAliases(options.mapping);
  const resolve = headerResolver(mapping);
  placePhones(flat, resolve, problems);
  placeEmails(flat, resolve);
  placeFullName(flat, resolve);
  const event = zapierEvent(body as Json, flat.values);
  const result = normalizeRow(flat.values, row, mapping);
  if ("reason" in result) return { event, rejected: result };
  if (problems.length) result.problems.push(...problems);
  return { event, lead: result };
}

/** A post holding a list of properties (Zapier line items) -> one result per property. */
export function leadsFromZapierPayload(
  payload: unknown,
  options: { mapping?: LeadMapping } = {},
): ZapierPostResult[] {
  const list = Array.isArray(payload) ? payload : [payload];
  return list.map((p, i) => leadFromZapierPost(p, { ...options, row: i + 1 }));
}
