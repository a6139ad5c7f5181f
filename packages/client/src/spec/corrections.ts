// The one list of corrections to HighLevel's official v2 OpenAPI documents (specs/highlevel/v2).
// Both the client generator (scripts/generate-api.ts) and the sandbox's request validator
// (packages/sandbox/src/spec/load.ts) apply it to the parsed documents before reading them, so
// they cannot disagree on an operation's parameters, security or bodies (a test checks that).
// The vendored documents stay byte-identical to upstream. Each correction carries its evidence:
// what HighLevel's live API does, what its SDK or docs say, or what the document itself shows.
// Pure functions over JSON: no file access, so the sandbox can use it from a package install.

type Json = Record<string, unknown>;

export interface SpecCorrection {
  /** Short unique name, for messages and docs. */
  id: string;
  /** The document (file name without .json) it applies to, or "*" for every document. */
  service: string;
  /** Why: the live behaviour, SDK or doc passage that shows the document is wrong. */
  evidence: string;
  apply(doc: Json): void;
}

const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);
/** Error schemas that some documents reference as local but that live in the common document. */
const COMMON_ERROR_SCHEMAS = ["BadRequestDTO", "UnauthorizedDTO", "UnprocessableDTO"];
export const COMMON_SCHEMAS_REF = "../common/common-schemas.json";

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Repair one schema node and recurse into its subschemas (never into examples). */
export function repairSchema(node: unknown): void {
  if (!isObject(node)) return;
  if (typeof node.type === "string" && !JSON_TYPES.has(node.type)) delete node.type; // e.g. "any"
  // `type: object` on scalar fields (dateOfBirth, numeric custom field values, direction):
  // the document's own example or default is a scalar, so the type is the mistake.
  if (node.type === "object" && !("properties" in node)) {
    const sample = "example" in node ? node.example : node.default;
    if (sample !== undefined && !isObject(sample)) delete node.type;
  }
  if ("nullable" in node && !("type" in node)) delete node.nullable; // ajv refuses nullable without type
  if (isObject(node.properties)) for (const v of Object.values(node.properties)) repairSchema(v);
  if (isObject(node.items)) repairSchema(node.items);
  if (isObject(node.additionalProperties)) repairSchema(node.additionalProperties);
  if (isObject(node.not)) repairSchema(node.not);
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    const list = node[k];
    if (Array.isArray(list)) for (const s of list) repairSchema(s);
  }
}

function repairAllSchemas(doc: Json): void {
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  for (const s of Object.values(schemas)) repairSchema(s);
  for (const item of Object.values((doc.paths ?? {}) as Record<string, Json>)) {
    for (const op of Object.values(item)) {
      if (!isObject(op)) continue;
      for (const p of (op.parameters ?? []) as Json[]) repairSchema(p.schema);
      const rb = op.requestBody as Json | undefined;
      for (const c of Object.values((rb?.content ?? {}) as Record<string, Json>)) repairSchema(c.schema);
      for (const r of Object.values((op.responses ?? {}) as Record<string, Json>)) {
        for (const c of Object.values((r.content ?? {}) as Record<string, Json>)) repairSchema(c.schema);
      }
    }
  }
}

function resolvesLocally(doc: Json, ref: string): boolean {
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(cur) || !(part in cur)) return false;
    cur = cur[part];
  }
  return true;
}

function repairDanglingRefs(node: unknown, doc: Json): void {
  if (Array.isArray(node)) {
    for (const v of node) repairDanglingRefs(v, doc);
    return;
  }
  if (!isObject(node)) return;
  const ref = node.$ref;
  if (typeof ref === "string" && ref.startsWith("#/") && !resolvesLocally(doc, ref)) {
    const name = ref.split("/").pop()!;
    if (COMMON_ERROR_SCHEMAS.includes(name)) node.$ref = `${COMMON_SCHEMAS_REF}${ref}`;
    else delete node.$ref; // points nowhere: an unconstrained schema is the honest reading
  }
  for (const v of Object.values(node)) repairDanglingRefs(v, doc);
}

function schema(doc: Json, name: string): Json {
  const s = ((doc.components as Json | undefined)?.schemas as Json | undefined)?.[name];
  if (!isObject(s)) throw new Error(`schema ${name} is missing`);
  return s;
}

function props(doc: Json, name: string): Json {
  return schema(doc, name).properties as Json;
}

function operation(doc: Json, path: string, method: string): Json {
  const op = ((doc.paths as Json)[path] as Json | undefined)?.[method];
  if (!isObject(op)) throw new Error(`${method} ${path} is missing`);
  return op;
}

function makeNullable(doc: Json, name: string, fields: string[]): void {
  const p = props(doc, name);
  for (const f of fields) (p[f] as Json).nullable = true;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

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

const cursorFields = ["nextPageUrl", "startAfterId", "startAfter", "nextPage", "prevPage"];

export const SPEC_CORRECTIONS: readonly SpecCorrection[] = [
  // ---- Generic repairs: schema nodes that are not valid JSON Schema or contradict themselves.
  {
    id: "dangling-refs",
    service: "*",
    evidence:
      "links.json references BadRequestDTO/UnauthorizedDTO/UnprocessableDTO as local schemas it does not " +
      "define; they are defined in common/common-schemas.json.",
    apply: (doc) => repairDanglingRefs(doc, doc),
  },
  {
    id: "invalid-schema-types",
    service: "*",
    evidence:
      'Several documents use `type: "any"`, `nullable` without a type, or `type: object` on fields whose own ' +
      "example/default is a scalar (dateOfBirth, numeric custom field values): not valid JSON Schema, and the " +
      "live API sends the scalars the examples show.",
    apply: repairAllSchemas,
  },
  // ---- contacts
  {
    id: "contacts-bulk-tags-route",
    service: "contacts",
    evidence:
      "POST /contacts/bulk/tags/update/{type} uses {type} without declaring it and has no security block; " +
      "HighLevel's docs list type as add|remove and the route takes a location token with contacts.write.",
    apply(doc) {
      const bulk = operation(doc, "/contacts/bulk/tags/update/{type}", "post");
      bulk.parameters = [
        ...((bulk.parameters ?? []) as Json[]),
        { name: "type", in: "path", required: true, schema: { type: "string", enum: ["add", "remove"] } },
      ];
      bulk.security = [{ "Location-Access": ["contacts.write"] }];
    },
  },
  {
    id: "contacts-bulk-business-security",
    service: "contacts",
    evidence:
      "POST /contacts/bulk/business has no security block; it takes a location token with contacts.write.",
    apply(doc) {
      operation(doc, "/contacts/bulk/business", "post").security = [
        { "Location-Access": ["contacts.write"] },
      ];
    },
  },
  {
    id: "contacts-bulk-tags-results",
    service: "contacts",
    evidence:
      "UpdateTagsResponseDTO.responses is typed as strings, but the document's own example lists objects.",
    apply(doc) {
      props(doc, "UpdateTagsResponseDTO").responses = {
        type: "array",
        items: {
          type: "object",
          properties: {
            contactId: { type: "string" },
            message: { type: "string" },
            type: { type: "string", enum: ["success", "error"] },
            oldTags: { type: "array", items: { type: "string" } },
            tagsAdded: { type: "array", items: { type: "string" } },
            tagsRemoved: { type: "array", items: { type: "string" } },
          },
          required: ["contactId", "message", "type"],
        },
      };
    },
  },
  {
    id: "contacts-search-body",
    service: "contacts",
    evidence:
      "POST /contacts/search leaves SearchBodyV2DTO empty; HighLevel's Search Contacts doc page describes this " +
      "body (locationId required, page/pageLimit up to 500 or searchAfter, filters with groups, sort, query).",
    apply(doc) {
      const s = schema(doc, "SearchBodyV2DTO");
      for (const k of Object.keys(s)) if (k !== "description") delete s[k];
      Object.assign(s, {
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
      });
    },
  },
  {
    id: "contacts-search-meta",
    service: "contacts",
    evidence:
      "GET /contacts/ answers carry `meta` (the keyset cursor the SDK pages with), whose cursor fields are " +
      "null on the last page; the document omits meta from that answer. Only that operation: the schema is " +
      "shared with contacts by business, documented without a cursor.",
    apply(doc) {
      const schemas = (doc.components as Json).schemas as Json;
      const list = structuredClone(schema(doc, "ContactsSearchSuccessfulResponseDto"));
      (list.properties as Json).meta = ref("ContactsMetaSchema");
      schemas.ContactsListResponseDto = list;
      const ok = (operation(doc, "/contacts/", "get").responses as Json)["200"] as Json;
      ok.content = { "application/json": { schema: ref("ContactsListResponseDto") } };
      makeNullable(doc, "ContactsMetaSchema", cursorFields);
    },
  },
  // ---- opportunities
  {
    id: "opportunities-search-body-required",
    service: "opportunities",
    evidence:
      "The advanced opportunity search body marks every field required; the live API and HighLevel's doc " +
      "example send only locationId (plus optional filters).",
    apply(doc) {
      schema(doc, "OpportunitySearchBodyDTO").required = ["locationId"];
      schema(doc, "AdditionalDetailsDTO").required = [];
    },
  },
  {
    id: "opportunities-response-shapes",
    service: "opportunities",
    evidence:
      "Pipeline stages are objects and notes/tasks/calendarEvents/followers hold objects or ids (the documents' " +
      "own examples); indexVersion is declared a string but its example is a number; cursor fields are null on " +
      "the last page.",
    apply(doc) {
      props(doc, "PipelinesResponseSchema").stages = {
        type: "array",
        items: {
          type: "object",
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            position: { type: "number" },
            showInFunnel: { type: "boolean" },
            showInPieChart: { type: "boolean" },
          },
        },
      };
      const opp = props(doc, "SearchOpportunitiesResponseSchema");
      for (const f of ["notes", "tasks", "calendarEvents", "followers"]) opp[f] = { type: "array" };
      delete (opp.indexVersion as Json).type;
      makeNullable(doc, "SearchMetaResponseSchema", cursorFields);
    },
  },
  // ---- calendars
  {
    id: "calendars-free-slots-trace-id",
    service: "calendars",
    evidence: "The free-slots map keyed by date also carries traceId (a string) in every live answer.",
    apply(doc) {
      const content = (
        (operation(doc, "/calendars/{calendarId}/free-slots", "get").responses as Json)["200"] as Json
      ).content as Record<string, Json>;
      (content["application/json"]!.schema as Json).properties = { traceId: { type: "string" } };
    },
  },
  {
    id: "calendars-block-slot-required",
    service: "calendars",
    evidence:
      "A block slot belongs to a calendar or to a user, not both (highlevel-api-docs#23), so calendarId cannot " +
      "be required.",
    apply(doc) {
      schema(doc, "BlockSlotCreateRequestDTO").required = ["locationId"];
      schema(doc, "BlockSlotEditRequestDTO").required = ["locationId"];
    },
  },
  // ---- associations
  {
    id: "associations-responses",
    service: "associations",
    evidence:
      "Every operation is documented with the one-association schema. Lists answer wrapped arrays " +
      "(`associations`, `relations`: what clients of the live API read), relations have their own fields, and " +
      "deletes answer the document's own, otherwise unused DeleteAssociationsResponseDTO.",
    apply(doc) {
      const schemas = (doc.components as Json).schemas as Json;
      const relationFields = [
        "id",
        "associationId",
        "firstObjectKey",
        "firstRecordId",
        "secondObjectKey",
        "secondRecordId",
        "locationId",
      ];
      schemas.RelationResponseDto = {
        type: "object",
        properties: Object.fromEntries(relationFields.map((f) => [f, { type: "string" }])),
        required: relationFields,
      };
      schemas.AssociationListResponseDto = {
        type: "object",
        properties: {
          associations: { type: "array", items: ref("GetPostSuccessfulResponseDto") },
          total: { type: "number" },
        },
        required: ["associations"],
      };
      schemas.RelationListResponseDto = {
        type: "object",
        properties: {
          relations: { type: "array", items: ref("RelationResponseDto") },
          total: { type: "number" },
        },
        required: ["relations", "total"],
      };
      const answer = (path: string, method: string, status: string, name: string) => {
        (operation(doc, path, method).responses as Json)[status] = {
          description: "Successful response",
          content: { "application/json": { schema: ref(name) } },
        };
      };
      answer("/associations/", "get", "200", "AssociationListResponseDto");
      answer("/associations/objectKey/{objectKey}", "get", "200", "AssociationListResponseDto");
      answer("/associations/{associationId}", "delete", "200", "DeleteAssociationsResponseDTO");
      answer("/associations/relations", "post", "201", "RelationResponseDto");
      answer("/associations/relations/{recordId}", "get", "200", "RelationListResponseDto");
      answer("/associations/relations/{relationId}", "delete", "200", "DeleteAssociationsResponseDTO");
    },
  },
  // ---- blogs
  {
    id: "blogs-category-label",
    service: "blogs",
    evidence:
      "Categories carry `label` (the document's own properties); its required list names an undeclared `name`.",
    apply(doc) {
      const category = schema(doc, "CategoryResponseDTO");
      category.required = (category.required as string[]).map((f) => (f === "name" ? "label" : f));
    },
  },
  {
    id: "blogs-create-post-201",
    service: "blogs",
    evidence: "Creating a post answers 201 like HighLevel's other creates; the document says 200.",
    apply(doc) {
      const created = operation(doc, "/blogs/posts", "post").responses as Json;
      created["201"] = created["200"];
      delete created["200"];
    },
  },
  // ---- conversations
  {
    id: "conversations-send-message-required",
    service: "conversations",
    evidence:
      "SendMessageBodyDto marks subType and status required; the live API and the SDK send messages without them.",
    apply(doc) {
      schema(doc, "SendMessageBodyDto").required = ["type", "contactId"];
    },
  },
  {
    id: "conversations-typing-flag",
    service: "conversations",
    evidence:
      "UserTypingBody.isTyping is declared a string but documented with the example `true`: both are accepted.",
    apply(doc) {
      props(doc, "UserTypingBody").isTyping = { type: ["boolean", "string"], description: "Typing status" };
    },
  },
];

/** Apply every correction for `service` (and the generic ones) to a parsed document, in place. */
export function correctDocument(service: string, doc: Json): Json {
  for (const c of SPEC_CORRECTIONS) {
    if (c.service !== "*" && c.service !== service) continue;
    try {
      c.apply(doc);
    } catch (err) {
      throw new Error(`spec correction ${c.id} (${service}.json): ${(err as Error).message}`);
    }
  }
  return doc;
}
