// Where the official v2 specs are wrong or silent and the generator corrects them. Keyed by
// "service:operationId". Each entry says why; keep it short and sourced.

export interface SpecFix {
  securitySchemes?: string[];
  scopes?: string[];
  /** Replaces the request body schema in the generated request schemas. */
  bodySchema?: Record<string, unknown>;
  /** Replaces the body schema's `required` list. */
  bodyRequired?: string[];
  why: string;
}

const searchFilter = {
  type: "object",
  properties: {
    field: { type: "string" },
    operator: {
      type: "string",
      enum: ["eq", "not_eq", "contains", "not_contains", "exists", "not_exists", "range"],
    },
    value: {},
    group: { type: "string", enum: ["AND", "OR"] },
    filters: { type: "array", items: { type: "object" } },
  },
};

export const SPEC_FIXES: Record<string, SpecFix> = {
  "contacts:search-contacts-advanced": {
    why: "The spec leaves the contact search body empty; this is the body HighLevel documents in prose.",
    bodySchema: {
      type: "object",
      properties: {
        locationId: { type: "string" },
        page: { type: "number", minimum: 1 },
        pageLimit: { type: "number", minimum: 1, maximum: 500 },
        searchAfter: { type: "array" },
        filters: { type: "array", items: searchFilter },
        sort: {
          type: "array",
          items: {
            type: "object",
            properties: { field: { type: "string" }, direction: { type: "string", enum: ["asc", "desc"] } },
            required: ["field"],
          },
        },
        query: { type: "string" },
      },
      required: ["locationId"],
    },
  },
  "opportunities:search-opportunities-advanced": {
    why: "The advanced opportunity search body marks every field required; only locationId is needed.",
    bodyRequired: ["locationId"],
  },
  "conversations:send-a-new-message": {
    why: "subType and status are marked required but sending works without them.",
    bodyRequired: ["type", "contactId"],
  },
  "contacts:create-association": {
    securitySchemes: ["Location-Access"],
    scopes: ["contacts.write"],
    why: "Bulk tag update (POST /contacts/bulk/tags/update/{type}) has no security block; it takes contacts.write in practice.",
  },
  "contacts:add-remove-contact-from-business": {
    securitySchemes: ["Location-Access"],
    scopes: ["contacts.write"],
    why: "Bulk business update has no security block; it takes contacts.write in practice.",
  },
};

const COMMON_REF = "../common/common-schemas.json";

/**
 * Some specs point at shared error schemas as if they were local (links.json's BadRequestDTO):
 * such a $ref is redirected to the common schemas file, where the schema lives.
 */
export function repairRefs(spec: unknown, commonSchemas: Record<string, unknown>): string[] {
  const repaired = new Set<string>();
  const local = ((spec as { components?: { schemas?: Record<string, unknown> } }).components?.schemas ??
    {}) as Record<string, unknown>;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const v of node) walk(v);
      return;
    }
    if (!node || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    const ref = obj.$ref;
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
      const name = ref.slice("#/components/schemas/".length);
      if (!(name in local) && name in commonSchemas) {
        obj.$ref = `${COMMON_REF}${ref}`;
        repaired.add(name);
      }
    }
    for (const v of Object.values(obj)) walk(v);
  };
  walk(spec);
  return [...repaired];
}
