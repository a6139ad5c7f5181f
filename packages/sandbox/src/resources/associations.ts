// Associations (typed links between objects: SYSTEM_DEFINED ones every location has, and the
// location's USER_DEFINED ones) and relations (one link between two records through an
// association). Lists page with skip/limit in creation order.
import { type HandlerContext, type HandlerMap, isoNow, type State } from "../context.ts";
import { badRequest, unprocessable } from "../http/errors.ts";

export type AssociationType = "SYSTEM_DEFINED" | "USER_DEFINED";

export interface AssociationDoc {
  id: string;
  locationId: string;
  key: string;
  firstObjectKey: string;
  firstObjectLabel: string;
  secondObjectKey: string;
  secondObjectLabel: string;
  associationType: AssociationType;
  firstObjectToSecondObjectCardinality: string;
  secondObjectToFirstObjectCardinality: string;
  createdAt: string;
}

export interface RelationDoc {
  id: string;
  locationId: string;
  associationId: string;
  firstObjectKey: string;
  firstRecordId: string;
  secondObjectKey: string;
  secondRecordId: string;
  createdAt: string;
}

/** Object keys an association may link, and the record kind holding each object's records. */
const OBJECT_KINDS: Record<string, string> = {
  contact: "contact",
  opportunity: "opportunity",
  business: "business",
};

/** The SYSTEM_DEFINED associations of every location (keys inferred, see SPEC-DEVIATIONS.md). */
const SYSTEM_ASSOCIATIONS = [
  ["contact_contact", "contact", "Contact", "contact", "Contact"],
  ["contact_opportunity", "contact", "Contact", "opportunity", "Opportunity"],
  ["contact_business", "contact", "Contact", "business", "Business"],
] as const;

const MAX_LIMIT = 100;

function view(a: AssociationDoc) {
  return {
    id: a.id,
    key: a.key,
    locationId: a.locationId,
    firstObjectKey: a.firstObjectKey,
    firstObjectLabel: a.firstObjectLabel,
    secondObjectKey: a.secondObjectKey,
    secondObjectLabel: a.secondObjectLabel,
    associationType: a.associationType,
  };
}

function relationView(r: RelationDoc) {
  return {
    id: r.id,
    associationId: r.associationId,
    firstObjectKey: r.firstObjectKey,
    firstRecordId: r.firstRecordId,
    secondObjectKey: r.secondObjectKey,
    secondRecordId: r.secondRecordId,
    locationId: r.locationId,
  };
}

function emitAssociation(state: State, type: string, a: AssociationDoc): void {
  const { locationId: _, createdAt: __, ...fields } = a;
  // AssociationCreate documents no cardinality fields; Update and Delete do.
  if (type === "AssociationCreate") {
    const {
      firstObjectToSecondObjectCardinality: ___,
      secondObjectToFirstObjectCardinality: ____,
      ...rest
    } = fields;
    state.webhooks.emit(type, a.locationId, rest);
  } else state.webhooks.emit(type, a.locationId, fields);
}

function emitRelation(state: State, type: string, r: RelationDoc): void {
  const { locationId: _, ...fields } = relationView(r);
  state.webhooks.emit(type, r.locationId, fields);
}

function insertAssociation(
  state: State,
  locationId: string,
  input: Pick<
    AssociationDoc,
    | "key"
    | "firstObjectKey"
    | "firstObjectLabel"
    | "secondObjectKey"
    | "secondObjectLabel"
    | "associationType"
  >,
): AssociationDoc {
  const a: AssociationDoc = {
    // HighLevel's association and relation ids are Mongo ObjectIds.
    id: state.ids.hex(24),
    locationId,
    ...input,
    firstObjectToSecondObjectCardinality: "MANY_TO_MANY",
    secondObjectToFirstObjectCardinality: "MANY_TO_MANY",
    createdAt: isoNow(state),
  };
  return state.records.insert("association", a, { locationId, sortMs: state.now() });
}

function insertRelation(
  state: State,
  a: AssociationDoc,
  firstRecordId: string,
  secondRecordId: string,
): RelationDoc {
  const r: RelationDoc = {
    id: state.ids.hex(24),
    locationId: a.locationId,
    associationId: a.id,
    firstObjectKey: a.firstObjectKey,
    firstRecordId,
    secondObjectKey: a.secondObjectKey,
    secondRecordId,
    createdAt: isoNow(state),
  };
  return state.records.insert("relation", r, {
    locationId: a.locationId,
    parentId: a.id,
    sortMs: state.now(),
  });
}

/** A record of an object, or undefined when the object is unknown or the record does not exist. */
function findRecord(state: State, objectKey: string, id: string): { locationId: string } | undefined {
  const kind = OBJECT_KINDS[objectKey];
  return kind ? state.records.get<{ locationId: string }>(kind, id) : undefined;
}

/** A relation whose records were deleted since is gone too (HighLevel removes them with the record). */
function alive(state: State, r: RelationDoc): boolean {
  return (
    findRecord(state, r.firstObjectKey, r.firstRecordId) !== undefined &&
    findRecord(state, r.secondObjectKey, r.secondRecordId) !== undefined
  );
}

function intParam(v: unknown, name: string, min: number, max?: number): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw unprocessable([`${name} must be an integer number`]);
  if (n < min) throw unprocessable([`${name} must not be less than ${min}`]);
  if (max !== undefined && n > max) throw unprocessable([`${name} must not be greater than ${max}`]);
  return n;
}

/** skip/limit, both required by the spec (the server has already refused a missing one). */
function skipLimit<T>(ctx: HandlerContext, all: T[]): T[] {
  const skip = intParam(ctx.query.skip, "skip", 0);
  const limit = intParam(ctx.query.limit, "limit", 1, MAX_LIMIT);
  return all.slice(skip, skip + limit);
}

function loadAssociation(ctx: HandlerContext, id: string): AssociationDoc {
  const a = ctx.state.records.get<AssociationDoc>("association", id);
  if (!a) throw badRequest("Association not found");
  ctx.ensureLocation(a.locationId);
  return a;
}

function label(v: unknown, name: string): string {
  if (typeof v !== "string" || !v.trim()) throw unprocessable([`${name} must be a non-empty string`]);
  return v.trim();
}

function objectKey(v: unknown, name: string): string {
  if (typeof v !== "string" || !v) throw unprocessable([`${name} must be a string`]);
  const key = v.trim().toLowerCase();
  // Custom objects are not emulated, so no custom_objects.* schema exists to associate.
  if (!(key in OBJECT_KINDS)) throw badRequest(`Object with key ${v} not found`);
  return key;
}

function forLocation(state: State, locationId: string): AssociationDoc[] {
  return state.records.list<AssociationDoc>("association", { locationId });
}

function create(ctx: HandlerContext) {
  const b = ctx.body as Record<string, unknown>;
  const locationId = String(b.locationId);
  const key = label(b.key, "key");
  const input = {
    key,
    firstObjectKey: objectKey(b.firstObjectKey, "firstObjectKey"),
    firstObjectLabel: label(b.firstObjectLabel, "firstObjectLabel"),
    secondObjectKey: objectKey(b.secondObjectKey, "secondObjectKey"),
    secondObjectLabel: label(b.secondObjectLabel, "secondObjectLabel"),
    associationType: "USER_DEFINED" as const,
  };
  if (forLocation(ctx.state, locationId).some((a) => a.key.toLowerCase() === key.toLowerCase())) {
    throw badRequest(`Association with key ${key} already exists`);
  }
  const a = insertAssociation(ctx.state, locationId, input);
  emitAssociation(ctx.state, "AssociationCreate", a);
  return { status: 201, body: view(a) };
}

function update(ctx: HandlerContext) {
  const a = loadAssociation(ctx, ctx.params.associationId!);
  // Only the labels of an association can change (the spec's description); system ones not at all.
  if (a.associationType === "SYSTEM_DEFINED")
    throw badRequest("System defined associations cannot be updated");
  const b = ctx.body as Record<string, unknown>;
  a.firstObjectLabel = label(b.firstObjectLabel, "firstObjectLabel");
  a.secondObjectLabel = label(b.secondObjectLabel, "secondObjectLabel");
  ctx.state.records.update("association", a);
  emitAssociation(ctx.state, "AssociationUpdate", a);
  return { body: view(a) };
}

function remove(ctx: HandlerContext) {
  const a = loadAssociation(ctx, ctx.params.associationId!);
  if (a.associationType === "SYSTEM_DEFINED")
    throw badRequest("System defined associations cannot be deleted");
  // Its relations go with it.
  ctx.state.records.deleteChildren("relation", a.id);
  ctx.state.records.delete("association", a.id);
  emitAssociation(ctx.state, "AssociationDelete", a);
  return { body: { deleted: true, id: a.id, message: "Association deleted successfully" } };
}

function createRelation(ctx: HandlerContext) {
  const b = ctx.body as Record<string, string>;
  const a = loadAssociation(ctx, b.associationId!);
  if (a.locationId !== b.locationId) throw badRequest("Association not found");
  const sides = [
    ["firstRecordId", b.firstRecordId!, a.firstObjectKey],
    ["secondRecordId", b.secondRecordId!, a.secondObjectKey],
  ] as const;
  for (const [field, id, key] of sides) {
    const record = findRecord(ctx.state, key, id);
    if (!record) throw badRequest(`${field} ${id} is not a record of ${key}`);
    ctx.ensureLocation(record.locationId);
    if (record.locationId !== a.locationId) throw badRequest(`${field} ${id} is not a record of ${key}`);
  }
  if (b.firstRecordId === b.secondRecordId) throw badRequest("A record cannot be related to itself");
  // A symmetric association (contact-contact) links the same pair whichever record comes first.
  const symmetric = a.firstObjectKey === a.secondObjectKey;
  const duplicate = ctx.state.records
    .list<RelationDoc>("relation", { parentId: a.id })
    .some(
      (r) =>
        (r.firstRecordId === b.firstRecordId && r.secondRecordId === b.secondRecordId) ||
        (symmetric && r.firstRecordId === b.secondRecordId && r.secondRecordId === b.firstRecordId),
    );
  if (duplicate) {
    throw badRequest(
      `Could not create relation: duplicate relation of object Ids for given association ${a.id}`,
    );
  }
  const r = insertRelation(ctx.state, a, b.firstRecordId!, b.secondRecordId!);
  emitRelation(ctx.state, "RelationCreate", r);
  return { status: 201, body: relationView(r) };
}

/** `associationIds` as repeated keys, `associationIds[]`, or a comma-separated list. */
function associationIdsOf(q: Record<string, unknown>): string[] | null {
  const raw = [q.associationIds, q["associationIds[]"]].flat().filter((v) => typeof v === "string");
  const ids = (raw as string[]).flatMap((v) => v.split(",")).filter(Boolean);
  return ids.length ? ids : null;
}

function relationsOf(ctx: HandlerContext) {
  const recordId = ctx.params.recordId!;
  const ids = associationIdsOf(ctx.query);
  const all = ctx.state.records
    .list<RelationDoc>("relation", { locationId: String(ctx.query.locationId) })
    .filter((r) => r.firstRecordId === recordId || r.secondRecordId === recordId)
    .filter((r) => !ids || ids.includes(r.associationId))
    .filter((r) => alive(ctx.state, r));
  return { body: { relations: skipLimit(ctx, all).map(relationView), total: all.length } };
}

function deleteRelation(ctx: HandlerContext) {
  const r = ctx.state.records.get<RelationDoc>("relation", ctx.params.relationId!);
  if (!r) throw badRequest("Relation not found");
  ctx.ensureLocation(r.locationId);
  if (r.locationId !== ctx.query.locationId) throw badRequest("Relation not found");
  ctx.state.records.delete("relation", r.id);
  emitRelation(ctx.state, "RelationDelete", r);
  return { body: { deleted: true, id: r.id, message: "Relation deleted successfully" } };
}

export const associationHandlers: HandlerMap = {
  "find-associations": (ctx) => {
    const all = forLocation(ctx.state, String(ctx.query.locationId));
    return { body: { associations: skipLimit(ctx, all).map(view), total: all.length } };
  },
  "get-association-by-ID": (ctx) => ({ body: view(loadAssociation(ctx, ctx.params.associationId!)) }),
  "get-association-key-by-key-name": (ctx) => {
    const name = ctx.params.key_name!.toLowerCase();
    const a = forLocation(ctx.state, String(ctx.query.locationId)).find((x) => x.key.toLowerCase() === name);
    if (!a) throw badRequest("Association not found");
    return { body: view(a) };
  },
  "get-association-by-object-keys": (ctx) => {
    // locationId is optional here: a location token means its own location.
    const locationId =
      typeof ctx.query.locationId === "string" && ctx.query.locationId
        ? ctx.query.locationId
        : ctx.principal.locationId;
    if (!locationId) throw unprocessable(["locationId should not be empty"]);
    const key = ctx.params.objectKey!.toLowerCase();
    const matches = forLocation(ctx.state, locationId).filter(
      (a) => a.firstObjectKey === key || a.secondObjectKey === key,
    );
    return { body: { associations: matches.map(view) } };
  },
  "associations:create-association": create,
  "update-association": update,
  "delete-association": remove,
  "create-relation": createRelation,
  "get-relations-by-record-id": relationsOf,
  "delete-relation": deleteRelation,
};

/**
 * Seed every location's system associations, the USER_DEFINED `property_owner` (contact ↔
 * opportunity) of the main location and one relation through it (the second contact owns
 * the property of the first opportunity).
 */
export function seedAssociations(
  state: State,
  locationId: string,
  otherLocationId: string,
  at: number,
): void {
  // Seeded records get a fixed date whatever the sandbox clock says.
  const real = state.now;
  state.now = () => at;
  try {
    seedAt(state, locationId, otherLocationId);
  } finally {
    state.now = real;
  }
}

function seedAt(state: State, locationId: string, otherLocationId: string): void {
  for (const loc of [locationId, otherLocationId]) {
    for (const [
      key,
      firstObjectKey,
      firstObjectLabel,
      secondObjectKey,
      secondObjectLabel,
    ] of SYSTEM_ASSOCIATIONS) {
      insertAssociation(state, loc, {
        key,
        firstObjectKey,
        firstObjectLabel,
        secondObjectKey,
        secondObjectLabel,
        associationType: "SYSTEM_DEFINED",
      });
    }
  }
  const owner = insertAssociation(state, locationId, {
    key: "property_owner",
    firstObjectKey: "contact",
    firstObjectLabel: "Property Owner",
    secondObjectKey: "opportunity",
    secondObjectLabel: "Owned Property",
    associationType: "USER_DEFINED",
  });
  const contacts = state.records.list<{ id: string }>("contact", { locationId });
  const opportunities = state.records.list<{ id: string }>("opportunity", { locationId });
  if (contacts[1] && opportunities[0]) insertRelation(state, owner, contacts[1].id, opportunities[0].id);
}
