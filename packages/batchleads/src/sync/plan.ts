// What a lead should look like in HighLevel, computed without any call: the contact's fields and
// custom field values (by field name, so the hash needs no field ids), its tag set, the note text
// and the hot-status call task.
import type { Lead, LeadAddress } from "../lead.ts";
import { nextBusinessDay } from "./business-day.ts";
import { hashOf } from "./hash.ts";
import { type FieldSpec, normalizeTag, type SyncSettings } from "./settings.ts";

export type FactValue = string | number | boolean;

export interface ContactPlan {
  /** Standard contact fields as HighLevel takes them (no locationId, tags or customFields). */
  fields: Record<string, unknown>;
  /** Custom field values keyed by the field's name in HighLevel. */
  custom: Record<string, { spec: FieldSpec; value: FactValue }>;
  /** Hash of fields + custom: equal to the last written one means nothing to send. */
  hash: string;
  /** Every value by name (custom ones as "cf:<field name>"): compared field by field with what was written. */
  values: Record<string, unknown>;
}

/** The name a custom field value has among a plan's `values`. */
export const customKey = (name: string) => `cf:${name}`;

const DND_CHANNELS = ["Call", "SMS", "Email", "WhatsApp", "GMB", "FB"] as const;

/** "6568 Hillcrest Rd, Orlando, FL 32819" (blank parts left out). */
export function formatAddress(a: LeadAddress | undefined): string {
  if (!a) return "";
  const stateZip = [a.state, a.zip].filter(Boolean).join(" ");
  return [a.address, a.city, stateZip].filter(Boolean).join(", ");
}

export function isCompliance(lead: Lead): boolean {
  return lead.compliance.litigator || lead.compliance.optOut;
}

/** The lead's facts plus the ones derived from its other parts (mailing address, owner 2, phones...). */
export function leadFacts(lead: Lead): Record<string, FactValue> {
  const facts: Record<string, FactValue> = { ...lead.facts };
  const derived: Record<string, FactValue | undefined> = {
    mailingAddress: formatAddress(lead.mailing) || undefined,
    owner2Name: [lead.owner2?.firstName, lead.owner2?.lastName].filter(Boolean).join(" ") || undefined,
    apn: lead.property.apn,
    list: lead.list,
    status: lead.status,
    leadKey: lead.key,
    phones: lead.phones.length
      ? lead.phones.map((p) => [p.number, p.type, p.dnc ? "DNC" : ""].filter(Boolean).join(" ")).join("\n")
      : undefined,
  };
  for (const [k, v] of Object.entries(derived)) if (facts[k] === undefined && v !== undefined) facts[k] = v;
  return facts;
}

export function contactPlan(lead: Lead, settings: SyncSettings): ContactPlan {
  const { owner, property } = lead;
  const fields: Record<string, unknown> = { source: "BatchLeads" };
  if (owner.firstName) fields.firstName = owner.firstName;
  if (owner.lastName && owner.firstName) fields.lastName = owner.lastName;
  // Entities (and rows with no owner name at all): the readable name, and the entity as company.
  if (!owner.firstName) fields.name = owner.displayName;
  if (owner.companyName) fields.companyName = owner.companyName;
  if (property.address) fields.address1 = property.address;
  if (property.city) fields.city = property.city;
  if (property.state) fields.state = property.state;
  if (property.zip) fields.postalCode = property.zip;
  fields.country = settings.country;
  if (lead.primaryPhone) fields.phone = lead.primaryPhone;
  if (lead.emails[0]) fields.email = lead.emails[0];
  if (isCompliance(lead)) {
    // Only ever switched on: a DND someone set in HighLevel is never switched off by an import.
    const why = lead.compliance.litigator ? "BatchLeads: litigator" : "BatchLeads: opted out";
    fields.dnd = true;
    fields.dndSettings = Object.fromEntries(DND_CHANNELS.map((c) => [c, { status: "active", message: why }]));
  }

  const custom: ContactPlan["custom"] = {};
  for (const [fact, value] of Object.entries(leadFacts(lead))) {
    const spec = settings.customFields[fact];
    if (!spec || value === "") continue;
    custom[spec.name] = { spec, value };
  }
  const customValues = Object.fromEntries(Object.entries(custom).map(([name, c]) => [name, c.value]));
  const values: Record<string, unknown> = { ...fields };
  for (const [name, v] of Object.entries(customValues)) values[customKey(name)] = v;
  return { fields, custom, hash: hashOf({ fields, custom: customValues }), values };
}

/**
 * A property that joined another lead's contact (same owner): one note with its address and facts, so
 * it is on the contact without taking the contact's address or fields. Its text changes only when the
 * property's data does.
 */
export function propertyNote(lead: Lead, settings: SyncSettings): { text: string; hash: string } {
  const lines = [`Property: ${formatAddress(lead.property) || lead.key}`];
  const owner2 = [lead.owner2?.firstName, lead.owner2?.lastName].filter(Boolean).join(" ");
  lines.push(`Owner: ${lead.owner.displayName}${owner2 ? ` & ${owner2}` : ""}`);
  for (const [fact, value] of Object.entries(leadFacts(lead))) {
    if (value === "" || fact === "owner2Name" || fact === "phones" || fact === "leadKey") continue;
    const label = settings.customFields[fact]?.name ?? fact;
    lines.push(`${label}: ${typeof value === "boolean" ? (value ? "Yes" : "No") : String(value)}`);
  }
  if (lead.phones.length) {
    lines.push(
      `Phones: ${lead.phones.map((p) => [p.number, p.type, p.dnc ? "DNC" : ""].filter(Boolean).join(" ")).join(", ")}`,
    );
  }
  if (lead.emails.length) lines.push(`Emails: ${lead.emails.join(", ")}`);
  if (isCompliance(lead)) lines.push(lead.compliance.litigator ? "Litigator: Yes" : "Opted out: Yes");
  lines.push(`BatchLeads key: ${lead.key}`);
  const notes = noteText(lead);
  if (notes) lines.push("", notes);
  const text = lines.join("\n");
  return { text, hash: hashOf(text) };
}

/** Every Tag Names entry, the list, `batchleads` and the configured extras; lowercased, sorted. */
export function tagSet(lead: Lead, settings: SyncSettings): string[] {
  const tags = new Set<string>();
  for (const t of lead.tags) tags.add(normalizeTag(t));
  if (settings.tagWithList && lead.list) tags.add(normalizeTag(lead.list));
  if (settings.tagBatchleads) tags.add("batchleads");
  for (const t of settings.extraTags) tags.add(t);
  tags.delete("");
  return [...tags].sort();
}

export function noteText(lead: Lead): string | undefined {
  const text = lead.notes?.trim();
  return text ? text : undefined;
}

export interface TaskPlan {
  title: string;
  body: string;
  dueDate: string;
  /** Written into the body, so a task whose creation went unconfirmed can be found again. */
  ref: string;
}

/** The call task for the lead's n-th hot transition. */
export function taskPlan(lead: Lead, settings: SyncSettings, transition: number, now: Date): TaskPlan {
  const address = formatAddress(lead.property) || lead.key;
  const title = settings.taskTitle
    .replaceAll("{name}", lead.owner.displayName)
    .replaceAll("{address}", address)
    .replaceAll("{status}", lead.status ?? "");
  const ref = `bl-${hashOf(`${lead.key}#${transition}`).slice(0, 12)}`;
  const phone = lead.primaryPhone ? ` Phone: ${lead.primaryPhone}.` : "";
  return {
    title,
    body: `BatchLeads status is now ${lead.status ?? ""}.${phone} [${ref}]`,
    dueDate: nextBusinessDay(now).toISOString(),
    ref,
  };
}
