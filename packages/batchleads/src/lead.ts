// The lead: one property from a BatchLeads export (or Zapier post), normalised. This is the contract
// between reading files (src/file/, src/normalize/) and syncing to HighLevel (src/sync/).

/** A phone kept with its compliance flag; numbers are E.164. */
export interface LeadPhone {
  number: string;
  /** As the export says ("Mobile", "Landline", "VoIP", "Wireless"...), lowercased; undefined when blank. */
  type?: string;
  dnc: boolean;
  /**
   * 1..5: the column it came from (Phone 1 ranks first). After rows of one property merge, 1..n in the merged
   * order (the later row's phones first), so it may pass 5.
   */
  rank: number;
}

export interface LeadAddress {
  address?: string;
  city?: string;
  state?: string;
  zip?: string;
  county?: string;
}

export interface Lead {
  /**
   * Stable identity: `apn:<APN>|<county>|<state>` when there is an APN, else
   * `addr:<normalised street address>|<zip5>` (all lowercased, whitespace folded; the APN without
   * separators, the county without "County", the state as its 2-letter code: see normalize/address.ts).
   */
  key: string;
  /** 1-based data row numbers (header excluded) merged into this lead, in file order. */
  rows: number[];
  owner: {
    firstName?: string;
    lastName?: string;
    /** The entity (LLC, trust...) when the first name is blank. */
    companyName?: string;
    /** A readable name for the contact in every case ("Mary Williams", "Acme Holdings LLC"). */
    displayName: string;
  };
  owner2?: { firstName?: string; lastName?: string };
  property: LeadAddress & { apn?: string };
  mailing?: LeadAddress;
  /** Every valid phone, ordered by rank. */
  phones: LeadPhone[];
  /** The lowest-ranked valid non-DNC phone, mobile preferred among those; undefined when none. */
  primaryPhone?: string;
  /** Valid emails, lowercased, de-duplicated, in column order. */
  emails: string[];
  compliance: { litigator: boolean; optOut: boolean };
  /** Lead Status as written (e.g. "Hot", "Follow Up"). */
  status?: string;
  list?: string;
  /** Tag Names split on commas, trimmed, lowercased, de-duplicated. */
  tags: string[];
  notes?: string;
  /**
   * Property facts for custom fields, keyed by a stable field name: propertyType, bedrooms, bathrooms,
   * buildingSqft, lotSqft, yearBuilt, estimatedValue, equity, ltv, assessedValue, lastSalePrice, lastSaleDate,
   * mlsStatus, ownerOccupied, vacant, mailingAddress, owner2Name, apn, list... Numbers are numbers (money and
   * percentages parsed), dates ISO YYYY-MM-DD.
   */
  facts: Record<string, string | number | boolean>;
  /** Non-fatal problems: dropped invalid phones and emails, unreadable values. */
  problems: string[];
}

/** A row that could not become a lead, kept with the reason and its original values. */
export interface RejectedRow {
  row: number;
  reason: string;
  values: Record<string, string>;
}

/**
 * The mapping file (JSON or YAML): every default rule can be changed.
 * - `columns`: header aliases, e.g. {"Property Address": ["Property Address", "Site Address"]}.
 * - `hotStatuses`: statuses that create a call task on transition (default ["Hot"]).
 * - `tags`: extra tags for every lead; `tagWithList` (default true), `tagBatchleads` (default true).
 * - `customFields`: fact name -> HighLevel custom field name (default names like "Property Type").
 * - `defaultCountry` for phones (default "US"); `taskTitle` template ("Call {name} about {address}").
 * - `fieldValues`: picklist values onto options, per field.
 */
export interface LeadMapping {
  columns?: Record<string, string[]>;
  hotStatuses?: string[];
  tags?: string[];
  tagWithList?: boolean;
  tagBatchleads?: boolean;
  customFields?: Record<string, string>;
  defaultCountry?: string;
  taskTitle?: string;
  /**
   * Per custom field name, values onto the field's options: {"Property Type": {"Duplex": "Multi-Family"}}.
   * An empty option leaves the value out. Checked before the built-in synonyms.
   */
  fieldValues?: Record<string, Record<string, string>>;
}
