// Corrections applied to the official documents at load time. Each one is listed, with its
// reason, in SPEC-DEVIATIONS.md. Two kinds: generic repairs of schema nodes that are not
// valid JSON Schema (or contradict their own examples), and targeted fixes of operations the
// sandbox emulates, where the live API is known to differ from the document.

type Json = Record<string, unknown>;

const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

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

function repairDocument(doc: Json): void {
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

function schema(doc: Json, name: string): Json {
  const s = ((doc.components as Json).schemas as Json)[name];
  if (!isObject(s)) throw new Error(`spec patch: schema ${name} is missing`);
  return s;
}

function props(doc: Json, name: string): Json {
  return schema(doc, name).properties as Json;
}

function operation(doc: Json, path: string, method: string): Json {
  const op = ((doc.paths as Json)[path] as Json | undefined)?.[method];
  if (!isObject(op)) throw new Error(`spec patch: ${method} ${path} is missing`);
  return op;
}

function makeNullable(doc: Json, name: string, fields: string[]): void {
  const p = props(doc, name);
  for (const f of fields) (p[f] as Json).nullable = true;
}

const TARGETED: Record<string, (doc: Json) => void> = {
  contacts(doc) {
    // The bulk tag route forgets its {type} parameter and its security.
    const bulk = operation(doc, "/contacts/bulk/tags/update/{type}", "post");
    (bulk.parameters as Json[]).push({
      name: "type",
      in: "path",
      required: true,
      schema: { type: "string", enum: ["add", "remove"] },
    });
    bulk.security = [{ bearer: ["contacts.write"] }];
    operation(doc, "/contacts/bulk/business", "post").security = [{ bearer: ["contacts.write"] }];
    // Per-contact results are objects (the document's own example), not strings.
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
    // The search body is left empty by the document; this is the documented body.
    const filter = {
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
    Object.assign(schema(doc, "SearchBodyV2DTO"), {
      type: "object",
      properties: {
        locationId: { type: "string" },
        page: { type: "number", minimum: 1 },
        pageLimit: { type: "number", minimum: 1, maximum: 500 },
        searchAfter: { type: "array" },
        filters: { type: "array", items: filter },
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
    // Live list responses carry `meta` (keyset cursor); its cursor fields are null on the last page.
    props(doc, "ContactsSearchSuccessfulResponseDto").meta = {
      $ref: "#/components/schemas/ContactsMetaSchema",
    };
    makeNullable(doc, "ContactsMetaSchema", [
      "nextPageUrl",
      "startAfterId",
      "startAfter",
      "nextPage",
      "prevPage",
    ]);
  },
  opportunities(doc) {
    // The advanced search body marks every field required; only locationId is needed.
    schema(doc, "OpportunitySearchBodyDTO").required = ["locationId"];
    schema(doc, "AdditionalDetailsDTO").required = [];
    // Stages are objects, and these lists hold objects or ids, not arrays.
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
    delete (opp.indexVersion as Json).type; // declared string, example is a number
    makeNullable(doc, "SearchMetaResponseSchema", [
      "nextPageUrl",
      "startAfterId",
      "startAfter",
      "nextPage",
      "prevPage",
    ]);
  },
  calendars(doc) {
    // The free-slots map keyed by date also carries traceId (a string) in every live answer.
    const slots = (
      (operation(doc, "/calendars/{calendarId}/free-slots", "get").responses as Json)["200"] as Json
    ).content as Record<string, Json>;
    const slotsSchema = slots["application/json"]!.schema as Json;
    slotsSchema.properties = { traceId: { type: "string" } };
    // A block slot belongs to a calendar or to a user, not both (highlevel-api-docs#23), so
    // calendarId cannot be required.
    schema(doc, "BlockSlotCreateRequestDTO").required = ["locationId"];
    schema(doc, "BlockSlotEditRequestDTO").required = ["locationId"];
  },
  associations(doc) {
    // Every operation is documented with the one-association schema. Lists answer wrapped
    // arrays (`associations`, `relations`: what clients of the live API read), relations have
    // their own fields, and deletes answer the document's own, unused DeleteAssociationsResponseDTO.
    const schemas = (doc.components as Json).schemas as Json;
    const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
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
  blogs(doc) {
    // Categories carry `label`; the document requires a `name` it does not declare.
    const category = schema(doc, "CategoryResponseDTO");
    category.required = (category.required as string[]).map((f) => (f === "name" ? "label" : f));
    // Creating a post answers 201 like HighLevel's other creates; the document says 200.
    const created = operation(doc, "/blogs/posts", "post").responses as Json;
    created["201"] = created["200"];
    delete created["200"];
  },
  conversations(doc) {
    // `subType` and `status` are not required to send a message.
    schema(doc, "SendMessageBodyDto").required = ["type", "contactId"];
    // `isTyping` is declared a string but documented with the example `true`: both are accepted.
    props(doc, "UserTypingBody").isTyping = { type: ["boolean", "string"], description: "Typing status" };
  },
};

function resolvesLocally(doc: Json, ref: string): boolean {
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(cur) || !(part in cur)) return false;
    cur = cur[part];
  }
  return true;
}

/** links.json points at error schemas it does not define; they live in the common document. */
function repairDanglingRefs(node: unknown, doc: Json): void {
  if (Array.isArray(node)) {
    for (const v of node) repairDanglingRefs(v, doc);
    return;
  }
  if (!isObject(node)) return;
  const ref = node.$ref;
  if (typeof ref === "string" && ref.startsWith("#/") && !resolvesLocally(doc, ref)) {
    const name = ref.split("/").pop()!;
    if (["BadRequestDTO", "UnauthorizedDTO", "UnprocessableDTO"].includes(name)) {
      node.$ref = `../common/common-schemas.json#/components/schemas/${name}`;
    } else delete node.$ref;
  }
  for (const v of Object.values(node)) repairDanglingRefs(v, doc);
}

export function applyPatches(service: string, doc: Json): void {
  repairDocument(doc);
  repairDanglingRefs(doc, doc);
  TARGETED[service]?.(doc);
}
