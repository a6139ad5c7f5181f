// Property facts for custom fields, keyed by stable names (the ones lead.ts lists, plus a few more a mapping
// can switch on). Money, percentages, numbers, MM-DD-YYYY dates and Yes/No flags are parsed; a value that
// does not parse is left out and reported.
import { clean, parseBool, parseDate, parseMoney, parseNumber, parsePercent } from "./values.ts";

type Kind = "text" | "number" | "money" | "percent" | "date" | "bool";

export const FACT_COLUMNS: readonly { column: string; fact: string; kind: Kind }[] = [
  { column: "Property Type Detail", fact: "propertyType", kind: "text" },
  { column: "Bedroom Count", fact: "bedrooms", kind: "number" },
  { column: "Bathroom Count", fact: "bathrooms", kind: "number" },
  { column: "Total Building Area Square Feet", fact: "buildingSqft", kind: "number" },
  { column: "Lot Size Square Feet", fact: "lotSqft", kind: "number" },
  { column: "Year Built", fact: "yearBuilt", kind: "number" },
  { column: "Estimated Value", fact: "estimatedValue", kind: "money" },
  { column: "Equity Current Estimated Balance", fact: "equity", kind: "money" },
  { column: "Ltv Current Estimated Combined", fact: "ltv", kind: "percent" },
  { column: "Total Assessed Value", fact: "assessedValue", kind: "money" },
  { column: "Last Sale Price", fact: "lastSalePrice", kind: "money" },
  { column: "Last Sale Date", fact: "lastSaleDate", kind: "date" },
  { column: "Mls Status", fact: "mlsStatus", kind: "text" },
  { column: "Owner Occupied", fact: "ownerOccupied", kind: "bool" },
  { column: "Is Vacant", fact: "vacant", kind: "bool" },
  // Not written by default; a mapping's customFields can name a field for them.
  { column: "Is Mailing Vacant", fact: "mailingVacant", kind: "bool" },
  { column: "Total Loan Balance", fact: "loanBalance", kind: "money" },
  { column: "Loan Type", fact: "loanType", kind: "text" },
  { column: "Loan Amount", fact: "loanAmount", kind: "money" },
  { column: "Loan Est Interest Rate", fact: "loanInterestRate", kind: "percent" },
  { column: "ARV", fact: "arv", kind: "money" },
  { column: "Spread", fact: "spread", kind: "money" },
  { column: "% ARV", fact: "arvPercent", kind: "percent" },
  { column: "Zoning Code", fact: "zoning", kind: "text" },
  { column: "Unit Count", fact: "unitCount", kind: "number" },
  { column: "Batchrank Score Category", fact: "batchrankScore", kind: "text" },
  { column: "Foreclosure Status", fact: "foreclosureStatus", kind: "text" },
  { column: "Foreclosure Document Type", fact: "foreclosureDocumentType", kind: "text" },
  { column: "Foreclosure Auction Date", fact: "foreclosureAuctionDate", kind: "date" },
  { column: "Foreclosure Loan Default Date", fact: "foreclosureDefaultDate", kind: "date" },
  { column: "Foreclosure Loan Recording Date", fact: "foreclosureRecordingDate", kind: "date" },
  { column: "Mls Listing Date", fact: "mlsListingDate", kind: "date" },
  { column: "Mls Listing Amount", fact: "mlsListingAmount", kind: "money" },
  { column: "Created Date", fact: "createdDate", kind: "date" },
  { column: "Updated Date", fact: "updatedDate", kind: "date" },
];

const PARSERS: Record<Exclude<Kind, "text">, (v: string) => string | number | boolean | undefined | null> = {
  number: parseNumber,
  money: parseMoney,
  percent: parsePercent,
  date: parseDate,
  bool: parseBool,
};

const WHAT: Record<Exclude<Kind, "text">, string> = {
  number: "a number",
  money: "an amount",
  percent: "a percentage",
  date: "a date (MM-DD-YYYY)",
  bool: "Yes or No",
};

/** The facts of a row; blank cells give no fact, so a merge never erases a value with a blank. */
export function readFacts(
  values: Record<string, string>,
  problems: string[],
): Record<string, string | number | boolean> {
  const facts: Record<string, string | number | boolean> = {};
  for (const { column, fact, kind } of FACT_COLUMNS) {
    const raw = values[column];
    if (raw === undefined || raw === "") continue;
    if (kind === "text") {
      const s = clean(raw);
      if (s !== undefined) facts[fact] = s;
      continue;
    }
    const v = PARSERS[kind](raw);
    if (v === undefined) continue;
    if (v === null) {
      problems.push(`${column} "${clean(raw)}" is not ${WHAT[kind]}: left out`);
      continue;
    }
    facts[fact] = v;
  }
  return facts;
}
