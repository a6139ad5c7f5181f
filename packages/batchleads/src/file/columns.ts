// Header names: BatchLeads' export header (the 95 columns of specs/batchleads/sample-export.csv) and the
// drift seen across versions. Headers match case-insensitively, trimmed, ignoring spacing and punctuation,
// so "PHONE 1 type", "Opt Out" and " apn " all land on the canonical name.
import type { LeadMapping } from "../lead.ts";

/** The export's header row, in file order: the canonical column names. */
export const EXPORT_COLUMNS = [
  "Lead Status",
  "First Name",
  "Last Name",
  "Mailing Address",
  "Mailing City",
  "Mailing State",
  "Mailing Zip",
  "Mailing County",
  "Property City",
  "Property State",
  "Property Address",
  "Property Zip",
  "Property County",
  "Owner 2 First Name",
  "Owner 2 Last Name",
  "List Count",
  "Tag Count",
  "Email",
  "Email 2",
  "Litigator",
  "Is Vacant",
  "Is Mailing Vacant",
  "Opt-Out",
  "Created Date",
  "Updated Date",
  "Apn",
  "Parcel Count",
  "Property Type Detail",
  "Owner Occupied",
  "Bedroom Count",
  "Bathroom Count",
  "Total Building Area Square Feet",
  "Lot Size Square Feet",
  "Year Built",
  "Total Assessed Value",
  "Zoning Code",
  "Last Sale Date",
  "Last Sale Price",
  "Total Loan Balance",
  "Equity Current Estimated Balance",
  "Estimated Value",
  "Ltv Current Estimated Combined",
  "Mls Status",
  "Self Managed",
  "Pushed to BatchDialer",
  "Loan Recording Date",
  "Loan Type",
  "Loan Amount",
  "Loan Lender Name",
  "Loan Due Date",
  "Loan Est Payment",
  "Loan Est Interest Rate",
  "Loan Est Balance",
  "Loan Term (Months)",
  "ARV",
  "Spread",
  "% ARV",
  "Batchrank Score Category",
  "Tag Names",
  "Notes",
  "Foreclosure Document Type",
  "Foreclosure Status",
  "Foreclosure Auction Date",
  "Foreclosure Loan Default Date",
  "Foreclosure Loan Recording Date",
  "Foreclosure Case Number",
  "Foreclosure Trustee/Attorney Name",
  "Unit Count",
  "Commercial Unit Count",
  "Residential Unit Count",
  "Contact Obtained",
  "Mls Listing Date",
  "Mls Listing Amount",
  "Mls Listing Agent Fullname",
  "Mls Agent Primary Phone",
  "Mls Agent Email",
  "Mls Agent Brokerage Name",
  "Mls Agent Brokerage Phone",
  "Office",
  "Phone 1",
  "Phone 1 DNC",
  "Phone 1 TYPE",
  "Phone 2",
  "Phone 2 DNC",
  "Phone 2 TYPE",
  "Phone 3",
  "Phone 3 DNC",
  "Phone 3 TYPE",
  "Phone 4",
  "Phone 4 DNC",
  "Phone 4 TYPE",
  "Phone 5",
  "Phone 5 DNC",
  "Phone 5 TYPE",
  "List",
] as const;

/** Names other export versions and hand-edited files use for the same columns. */
export const COLUMN_DRIFT: Record<string, readonly string[]> = {
  "Foreclosure Loan Recording Date": ["Foreclosure Recording Date"],
  "Foreclosure Loan Default Date": ["Foreclosure Default Date"],
  Apn: ["APN Number", "Parcel Number", "Parcel ID"],
  "Lead Status": ["Status"],
  "Tag Names": ["Tags"],
  List: ["List Name", "Lists"],
  Email: ["Email 1", "Email Address"],
  "First Name": ["Owner First Name", "Owner 1 First Name"],
  "Last Name": ["Owner Last Name", "Owner 1 Last Name"],
  "Property Zip": ["Property Zip Code", "Property Postal Code"],
  "Mailing Zip": ["Mailing Zip Code", "Mailing Postal Code"],
  "Property Address": ["Property Street Address", "Property Address 1"],
  "Mailing Address": ["Mailing Street Address", "Mailing Address 1"],
  "Bathroom Count": ["Bathrooms", "Baths"],
  "Bedroom Count": ["Bedrooms", "Beds"],
  "Ltv Current Estimated Combined": ["LTV"],
  "Equity Current Estimated Balance": ["Equity", "Estimated Equity"],
};

/** The comparison form of a header: lowercased, "%" spelled out, everything but letters and digits dropped. */
export function headerKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/%/g, "pct")
    .replace(/[^a-z0-9]/g, "");
}

const DEFAULTS: Map<string, string> = (() => {
  const m = new Map<string, string>();
  for (const c of EXPORT_COLUMNS) m.set(headerKey(c), c);
  for (const [canonical, aliases] of Object.entries(COLUMN_DRIFT)) {
    for (const a of aliases) if (!m.has(headerKey(a))) m.set(headerKey(a), canonical);
  }
  return m;
})();

const KNOWN = new Set<string>(EXPORT_COLUMNS);
const resolvers = new WeakMap<LeadMapping, (name: string) => string | undefined>();
const defaultResolver = memoResolver(DEFAULTS);

function memoResolver(table: Map<string, string>): (name: string) => string | undefined {
  // Header names repeat on every row of a Zapier post or re-keyed object: remember each answer.
  const memo = new Map<string, string | undefined>();
  return (name) => {
    if (memo.has(name)) return memo.get(name);
    const found = table.get(headerKey(name));
    if (memo.size < 10_000) memo.set(name, found);
    return found;
  };
}

/**
 * A resolver from a header as written to its canonical name, or undefined for a column we do not know.
 * The mapping's `columns` aliases come first, so a mapping can also redirect a known name.
 */
export function headerResolver(mapping?: LeadMapping): (name: string) => string | undefined {
  if (!mapping?.columns || Object.keys(mapping.columns).length === 0) return defaultResolver;
  const cached = resolvers.get(mapping);
  if (cached) return cached;
  const table = new Map(DEFAULTS);
  for (const [target, aliases] of Object.entries(mapping.columns)) {
    // The target itself may be written loosely ("property address").
    const canonical = DEFAULTS.get(headerKey(target)) ?? target.trim();
    for (const a of aliases) table.set(headerKey(a), canonical);
  }
  const resolver = memoResolver(table);
  resolvers.set(mapping, resolver);
  return resolver;
}

/** True for the export's own canonical names. */
export function isExportColumn(name: string): boolean {
  return KNOWN.has(name);
}

/**
 * The canonical names for a header row: known columns get their canonical name, unknown ones keep their
 * trimmed name (extra columns are fine). `known` counts the recognised columns.
 */
export function resolveHeader(
  cells: readonly string[],
  mapping?: LeadMapping,
): { names: string[]; known: number } {
  const resolve = headerResolver(mapping);
  let known = 0;
  const names = cells.map((cell, i) => {
    const trimmed = cell.replace(/^\uFEFF/, "").trim();
    const canonical = resolve(trimmed);
    if (canonical) {
      known++;
      return canonical;
    }
    return trimmed || `Column ${i + 1}`;
  });
  return { names, known };
}

/**
 * Values keyed by canonical names. Returns `values` itself when its keys already are canonical (the reader's
 * output), so normalising a row costs no copy; Zapier posts and hand-built objects get resolved.
 */
export function canonicalValues(
  values: Record<string, string>,
  mapping?: LeadMapping,
): Record<string, string> {
  const resolve = headerResolver(mapping);
  const keys = Object.keys(values);
  if (keys.every((k) => (resolve(k) ?? k) === k)) return values;
  // No prototype: a column named "__proto__" (any header is the file's to choose) is just a column.
  const out: Record<string, string> = Object.create(null);
  for (const k of keys) {
    const name = resolve(k) ?? k;
    const v = String(values[k] ?? "");
    // Two columns for one name: the first non-blank value wins.
    const prev = out[name];
    if (prev === undefined || (prev.trim() === "" && v.trim() !== "")) out[name] = v;
  }
  return out;
}
