// One export row -> one Lead (or a RejectedRow that keeps the row's values and says why). Bad values are
// never fatal: they are left out and listed in the lead's `problems`.
import { canonicalValues } from "../file/columns.ts";
import type { Lead, LeadAddress, LeadMapping, RejectedRow } from "../lead.ts";
import { formatAddress, leadKey } from "./address.ts";
import { readEmails, readOwner } from "./contact.ts";
import { readFacts } from "./facts.ts";
import { choosePrimary, readPhones } from "./phones.ts";
import { clean, parseBool, stateCode, zip5 } from "./values.ts";

export const NO_KEY_REASON = "no APN and no property address with ZIP";
export const ALL_DNC_PROBLEM = "every valid phone is marked DNC: no primary phone";

export function isRejected(r: Lead | RejectedRow): r is RejectedRow {
  return "reason" in r;
}

function readAddress(
  values: Record<string, string>,
  prefix: "Property" | "Mailing",
  problems: string[],
): LeadAddress & { zipValid: boolean } {
  const rawZip = values[`${prefix} Zip`];
  const zip = zip5(rawZip);
  if (zip === null) problems.push(`${prefix} Zip "${clean(rawZip)}" is not a US ZIP code`);
  const a: LeadAddress & { zipValid: boolean } = { zipValid: typeof zip === "string" };
  const address = clean(values[`${prefix} Address`]);
  const city = clean(values[`${prefix} City`]);
  const state = stateCode(values[`${prefix} State`]);
  const county = clean(values[`${prefix} County`]);
  if (address) a.address = address;
  if (city) a.city = city;
  if (state) a.state = state;
  // A ZIP we cannot read is kept as written for the contact, but never becomes part of the key.
  if (zip) a.zip = zip;
  else if (zip === null) a.zip = clean(rawZip);
  if (county) a.county = county;
  return a;
}

function compliance(values: Record<string, string>, column: string, problems: string[]): boolean {
  const v = parseBool(values[column]);
  if (v === null) {
    // Unreadable compliance flags count as set: wrongly calling a litigator costs more than skipping a lead.
    problems.push(`${column} "${clean(values[column])}" is not Yes or No: taken as Yes`);
    return true;
  }
  return v === true;
}

/** "pre-foreclosure, High Equity,,vacant" -> ["pre-foreclosure", "high equity", "vacant"]. */
export function splitTags(v: string | undefined): string[] {
  if (!v) return [];
  const tags: string[] = [];
  for (const part of v.split(",")) {
    const t = part.replace(/\s+/g, " ").trim().toLowerCase();
    if (t !== "" && !tags.includes(t)) tags.push(t);
  }
  return tags;
}

/**
 * Normalise one row. `values` may be keyed by any spelling of the headers (they are resolved like the file
 * reader does); `row` is its 1-based data row number.
 */
export function normalizeRow(
  values: Record<string, string>,
  row: number,
  mapping: LeadMapping = {},
): Lead | RejectedRow {
  const v = canonicalValues(values, mapping);
  const problems: string[] = [];

  const { zipValid, ...propertyAddress } = readAddress(v, "Property", problems);
  const apn = clean(v["Apn"]);
  const property: Lead["property"] = apn ? { ...propertyAddress, apn } : propertyAddress;
  const key = leadKey({
    apn,
    county: property.county,
    state: property.state,
    address: property.address,
    zip: zipValid ? property.zip : undefined,
  });
  if (!key) return { row, reason: NO_KEY_REASON, values };

  const { zipValid: _mailingZipValid, ...mailing } = readAddress(v, "Mailing", problems);
  const hasMailing = Object.keys(mailing).length > 0;
  const propertyLabel = formatAddress(property) || `APN ${apn}`;
  const { owner, owner2 } = readOwner(v, propertyLabel);

  const phones = readPhones(v, mapping.defaultCountry ?? "US", problems);
  const primaryPhone = choosePrimary(phones);
  if (phones.length > 0 && !primaryPhone) problems.push(ALL_DNC_PROBLEM);
  const emails = readEmails(v, problems);

  const status = clean(v["Lead Status"]);
  const list = clean(v["List"]);
  const notes = v["Notes"]?.replace(/\r\n?/g, "\n").trim() || undefined;

  const facts = readFacts(v, problems);
  if (hasMailing) facts.mailingAddress = formatAddress(mailing);
  const owner2Name = [owner2?.firstName, owner2?.lastName].filter(Boolean).join(" ");
  if (owner2Name) facts.owner2Name = owner2Name;
  if (apn) facts.apn = apn;
  if (list) facts.list = list;
  if (status) facts.status = status;

  const lead: Lead = {
    key,
    rows: [row],
    owner,
    property,
    phones,
    emails,
    compliance: {
      litigator: compliance(v, "Litigator", problems),
      optOut: compliance(v, "Opt-Out", problems),
    },
    tags: splitTags(v["Tag Names"]),
    facts,
    problems,
  };
  if (owner2) lead.owner2 = owner2;
  if (hasMailing) lead.mailing = mailing;
  if (primaryPhone) lead.primaryPhone = primaryPhone;
  if (status) lead.status = status;
  if (list) lead.list = list;
  if (notes) lead.notes = notes;
  return lead;
}
