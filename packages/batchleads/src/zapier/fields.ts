// What BatchLeads' Zapier triggers send, and which export column each field is. BatchLeads does not
// publish its Zapier field keys: the trigger names are known (specs/batchleads/README.md), the keys
// below are INFERRED from the export's headers and the usual Zapier spellings (snake_case, camelCase,
// nested objects flattened). Keys that only differ from a header by case, spacing or punctuation
// ("property_address", "PropertyAddress", "phone_1_dnc", "estimated_value") need no entry here: the
// export's own header matching (file/columns.ts headerKey) already resolves them.

/** The four triggers a BatchLeads Zap can forward here. */
export const ZAPIER_EVENTS = {
  "status-updated": "Property Status Updated",
  "added-to-list": "Property Added to a List",
  "skip-traced-phone": "Property Is Skip Traced (Phone Number Available)",
  "skip-traced-email": "Property Is Skip Traced (Email Available)",
} as const;
export type ZapierEvent = keyof typeof ZAPIER_EVENTS | "unknown";

/**
 * Export header -> the Zapier keys taken for it beyond its own spellings. All inferred; the ones
 * most likely (used by BatchLeads' Zapier action "Add Property" and by the example flow
 * examples/flows/batchleads-lead.yaml) come first.
 */
export const ZAPIER_ALIASES: Record<string, readonly string[]> = {
  "Property Address": [
    "address",
    "street",
    "street_address",
    "property_street",
    "property address line 1",
    "site_address",
  ],
  "Property City": ["city", "property city name"],
  "Property State": ["state", "state_code"],
  "Property Zip": ["zip", "zip_code", "zipcode", "postal_code", "property_zipcode"],
  "Property County": ["county"],
  "First Name": ["owner_first_name", "owner1_first_name", "firstname"],
  "Last Name": ["owner_last_name", "owner1_last_name", "lastname"],
  "Owner 2 First Name": ["owner2_first_name", "second_owner_first_name"],
  "Owner 2 Last Name": ["owner2_last_name", "second_owner_last_name"],
  "Lead Status": ["status", "property_status", "new_status", "lead_status_name"],
  List: ["list", "list_name", "added_to_list"],
  "Tag Names": ["tags", "tag", "tag_list"],
  Notes: ["note", "property_notes"],
  Apn: ["apn", "parcel_number", "parcel_id"],
  Email: ["email", "email_1", "owner_email", "primary_email"],
  "Phone 1": ["phone", "phone_number", "owner_phone", "primary_phone"],
  "Phone 1 DNC": ["phone_dnc", "dnc"],
  "Phone 1 TYPE": ["phone_type"],
  Litigator: ["is_litigator"],
  "Opt-Out": ["opt_out", "optout", "is_opt_out"],
};

/** Keys that hold the owner's full name when the post has no first/last name fields (inferred). */
export const FULL_NAME_KEYS = ["owner_name", "owner_full_name", "owner", "full_name", "name"];

/** Keys naming the trigger, which users add to the Zapier POST step (recommended in templates/). */
export const EVENT_KEYS = ["event", "trigger", "zap_trigger", "zapier_trigger"];

/** Lists of phones or emails some payloads carry instead of numbered fields (inferred). */
export const PHONE_LIST_KEYS = ["phones", "phone_numbers", "phonenumbers"];
export const EMAIL_LIST_KEYS = ["emails", "email_addresses"];
