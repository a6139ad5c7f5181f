// The sync side of a mapping file: which statuses are hot, which tags every lead gets, which lead
// facts go to which custom fields (and with what type when a field has to be created), and the
// task title. Every default here can be changed in the mapping file (LeadMapping).
import type { LeadMapping } from "../lead.ts";

/** A custom field as the import needs it: its name in HighLevel and the type to create it with. */
export interface FieldSpec {
  name: string;
  dataType: "TEXT" | "LARGE_TEXT" | "NUMERICAL" | "MONETORY" | "DATE";
}

export interface SyncSettings {
  /** Lowercased, trimmed. */
  hotStatuses: ReadonlySet<string>;
  extraTags: string[];
  tagWithList: boolean;
  tagBatchleads: boolean;
  /** Fact name -> field; facts without an entry are not written. */
  customFields: Record<string, FieldSpec>;
  taskTitle: string;
  country: string;
}

export const LEAD_KEY_FIELD = "BatchLeads Key";

/** Default fields: the mailing address, the property facts, owner 2 and the lead's phones. */
export const DEFAULT_CUSTOM_FIELDS: Record<string, FieldSpec> = {
  mailingAddress: { name: "Mailing Address", dataType: "TEXT" },
  propertyType: { name: "Property Type", dataType: "TEXT" },
  bedrooms: { name: "Bedrooms", dataType: "NUMERICAL" },
  bathrooms: { name: "Bathrooms", dataType: "NUMERICAL" },
  buildingSqft: { name: "Building Sqft", dataType: "NUMERICAL" },
  lotSqft: { name: "Lot Sqft", dataType: "NUMERICAL" },
  yearBuilt: { name: "Year Built", dataType: "NUMERICAL" },
  estimatedValue: { name: "Estimated Value", dataType: "MONETORY" },
  equity: { name: "Equity", dataType: "MONETORY" },
  ltv: { name: "LTV", dataType: "NUMERICAL" },
  assessedValue: { name: "Assessed Value", dataType: "MONETORY" },
  lastSalePrice: { name: "Last Sale Price", dataType: "MONETORY" },
  lastSaleDate: { name: "Last Sale Date", dataType: "DATE" },
  mlsStatus: { name: "MLS Status", dataType: "TEXT" },
  ownerOccupied: { name: "Owner Occupied", dataType: "TEXT" },
  vacant: { name: "Vacant", dataType: "TEXT" },
  owner2Name: { name: "Owner 2", dataType: "TEXT" },
  apn: { name: "APN", dataType: "TEXT" },
  list: { name: "BatchLeads List", dataType: "TEXT" },
  status: { name: "BatchLeads Status", dataType: "TEXT" },
  phones: { name: "BatchLeads Phones", dataType: "LARGE_TEXT" },
  // The lead's key on its contact: a lead without email or phone is found by it when the state is lost.
  leadKey: { name: LEAD_KEY_FIELD, dataType: "TEXT" },
};

export const DEFAULT_TASK_TITLE = "Call {name} about {address}";

export function normalizeTag(tag: string): string {
  return tag.trim().toLowerCase();
}

/**
 * Resolve a mapping's sync rules over the defaults. A custom field mapped to "" is switched off;
 * a fact the defaults do not know gets a TEXT field.
 */
export function syncSettings(mapping: LeadMapping = {}): SyncSettings {
  const customFields: Record<string, FieldSpec> = { ...DEFAULT_CUSTOM_FIELDS };
  for (const [fact, name] of Object.entries(mapping.customFields ?? {})) {
    const trimmed = typeof name === "string" ? name.trim() : "";
    if (!trimmed) {
      delete customFields[fact];
      continue;
    }
    customFields[fact] = { name: trimmed, dataType: DEFAULT_CUSTOM_FIELDS[fact]?.dataType ?? "TEXT" };
  }
  return {
    hotStatuses: new Set((mapping.hotStatuses ?? ["Hot"]).map((s) => s.trim().toLowerCase()).filter(Boolean)),
    extraTags: (mapping.tags ?? []).map(normalizeTag).filter(Boolean),
    tagWithList: mapping.tagWithList ?? true,
    tagBatchleads: mapping.tagBatchleads ?? true,
    customFields,
    taskTitle: mapping.taskTitle?.trim() || DEFAULT_TASK_TITLE,
    country: mapping.defaultCountry?.trim().toUpperCase() || "US",
  };
}

export function isHot(settings: SyncSettings, status: string | undefined | null): boolean {
  return !!status && settings.hotStatuses.has(status.trim().toLowerCase());
}
