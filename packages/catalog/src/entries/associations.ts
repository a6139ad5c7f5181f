// Associations (typed links between objects: contact, opportunity, business, custom objects) and
// relations (one link between two records through an association): the seed's eleven operations.
// HighLevel documents every association operation with the one-association schema; the lists
// answer wrapped arrays, relations have their own fields, so those samples are written here.
import { z } from "zod";
import { extendEntry, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture, uniqueSuffix } from "../examples.ts";
import { id, meta, text } from "../fields.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry } from "../types.ts";
import { listSnapshot, sample } from "./locations.ts";

export const associationSource = { entry: "highlevel.associations.list", value: "id", label: "key" };
const associationId = () => id("Association", associationSource);
const MAX_LIMIT = 100;

const associationSample = sample("get-association-by-ID") as Record<string, unknown>;
const relationSample = {
  id: "66b1f4b2c0ffee0011223344",
  associationId: "ve9EPM428h8vShlRW1KT",
  firstObjectKey: "contact",
  firstRecordId: "sx6wyHhbFdRXh302LLNR",
  secondObjectKey: "custom_objects.car",
  secondRecordId: "66b1f4b2c0ffee0011229988",
  locationId: "clF1LD04GTUKN3b3XuOj",
};

type Association = Record<string, unknown> & { id: string; key: string };
type Relation = Record<string, unknown> & { id: string; firstRecordId: string; secondRecordId: string };

async function associationsOf(ctx: CatalogContext): Promise<Association[]> {
  const r = (await ctx.client.call("find-associations", {
    locationId: ctx.locationId,
    skip: 0,
    limit: MAX_LIMIT,
  })) as { associations?: Association[] };
  return r.associations ?? [];
}

async function relationsOf(
  ctx: CatalogContext,
  recordId: string,
  associationIds?: string[],
): Promise<Relation[]> {
  const r = (await ctx.client.call("get-relations-by-record-id", {
    recordId,
    locationId: ctx.locationId,
    skip: 0,
    limit: MAX_LIMIT,
    ...(associationIds ? { associationIds } : {}),
  })) as { relations?: Relation[] };
  return r.relations ?? [];
}

// --- example fixtures ---------------------------------------------------------------------
/** A contact-to-contact association made for the example, with a unique key. */
registerExampleFixture("scratchAssociation", async (ctx) => {
  const s = uniqueSuffix(ctx);
  return ctx.client.call("associations:create-association", undefined, {
    locationId: ctx.locationId,
    key: `example_referral_${s}`,
    firstObjectKey: "contact",
    firstObjectLabel: "Referred By",
    secondObjectKey: "contact",
    secondObjectLabel: "Referred",
  } as never);
});
/** A USER_DEFINED association of the account (system ones cannot be changed), else a new one. */
registerExampleFixture("association", async (ctx, get) => {
  const found = (await associationsOf(ctx)).find((a) => a.associationType === "USER_DEFINED");
  return found ?? get("scratchAssociation");
});
/** A second scratch contact, to relate to the first. */
registerExampleFixture("secondScratchContact", async (ctx) => {
  const s = uniqueSuffix(ctx);
  const r = (await ctx.client.call("create-contact", undefined, {
    locationId: ctx.locationId,
    firstName: "Example",
    lastName: `Referral ${s}`,
    email: `example-referral-${s}@example.com`,
  } as never)) as { contact: Record<string, unknown> };
  return r.contact;
});
registerExampleFixture("scratchRelation", async (ctx, get) => {
  const [association, first, second] = (await Promise.all([
    get("scratchAssociation"),
    get("scratchContact"),
    get("secondScratchContact"),
  ])) as Array<{ id: string }>;
  return ctx.client.call("create-relation", undefined, {
    locationId: ctx.locationId,
    associationId: association!.id,
    firstRecordId: first!.id,
    secondRecordId: second!.id,
  } as never);
});
/** A relation of one of the first contacts, else a new one. */
registerExampleFixture("relation", async (ctx, get) => {
  const r = (await ctx.client.call("search-contacts-advanced", undefined, {
    locationId: ctx.locationId,
    pageLimit: 10,
  } as never)) as { contacts?: Array<{ id: string }> };
  for (const c of r.contacts ?? []) {
    const found = (await relationsOf(ctx, c.id))[0];
    if (found) return found;
  }
  return get("scratchRelation");
});

const skipLimit = {
  skip: meta(z.coerce.number().int().min(0), { label: "Skip" }).default(0),
  limit: meta(z.coerce.number().int().min(1).max(MAX_LIMIT), { label: "Page size" }).default(MAX_LIMIT),
};

const objectKey = (label: string) =>
  meta(z.string().trim().toLowerCase().min(1, `${label} must not be empty`), {
    label,
    help: "contact, opportunity, business, or a custom object's key (custom_objects.car).",
  });
const objectLabel = (label: string) =>
  text(label, "How this side of the link is named, e.g. Property Owner.");

export const associationEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.associations.list",
    ...fromSeed("Find Associations"),
    operation: "find-associations",
    fields: { override: skipLimit },
    output: {
      description: "{associations, total}: the location's associations, system and user defined.",
      sample: { associations: [associationSample], total: 1 },
    },
    example: {},
    trigger: listSnapshot("find-associations", {
      items: "associations",
      dedupe: "id",
      pages: {
        at: (input, page) => ({ ...input, skip: page * MAX_LIMIT, limit: MAX_LIMIT }),
        more: (r, items, read) =>
          items.length === MAX_LIMIT && read < Number(r.total ?? Number.POSITIVE_INFINITY),
      },
    }),
  }),
  operationTrigger({
    key: "highlevel.associations.get",
    ...fromSeed("Get Association"),
    operation: "get-association-by-ID",
    fields: { override: { associationId: associationId() } },
    output: {
      description: "The association: its key, the two objects and their labels.",
      sample: associationSample,
    },
    example: { associationId: { $example: "association.id" } },
    trigger: listSnapshot("get-association-by-ID", { dedupe: "id+updated" }),
  }),
  operationTrigger({
    key: "highlevel.associations.by-key",
    ...fromSeed("Get Association Key"),
    operation: "get-association-key-by-key-name",
    fields: {
      override: { key_name: text("Association key", "The association's unique key, e.g. property_owner.") },
    },
    output: {
      description: "The association with that key.",
      sample: sample("get-association-key-by-key-name"),
    },
    example: { key_name: { $example: "association.key" } },
    trigger: listSnapshot("get-association-key-by-key-name", { dedupe: "id+updated" }),
  }),
  operationTrigger({
    key: "highlevel.associations.by-object-key",
    ...fromSeed("Get Association by Keys"),
    operation: "get-association-by-object-keys",
    fields: { override: { objectKey: objectKey("Object key") } },
    output: {
      description: "{associations}: the associations that link the object, on either side.",
      sample: { associations: [associationSample] },
    },
    example: { objectKey: "contact" },
    trigger: listSnapshot("get-association-by-object-keys", { items: "associations", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.associations.relations.list",
    ...fromSeed("Get Relations by Record"),
    help: "As a trigger it fires once for each new relation of the record.",
    operation: "get-relations-by-record-id",
    fields: {
      override: {
        recordId: id("Record", undefined, "A contact, opportunity, business or custom object record id."),
        associationIds: meta(z.array(z.string().min(1)), {
          label: "Associations",
          options: associationSource,
          help: "Only relations through these associations.",
        }).optional(),
        ...skipLimit,
      },
    },
    output: {
      description: "{relations, total}: the record's links to other records.",
      sample: { relations: [relationSample], total: 1 },
    },
    example: { recordId: { $example: "relation.firstRecordId" } },
    trigger: listSnapshot("get-relations-by-record-id", {
      items: "relations",
      dedupe: "id",
      pages: {
        at: (input, page) => ({ ...input, skip: page * MAX_LIMIT, limit: MAX_LIMIT }),
        more: (r, items, read) =>
          items.length === MAX_LIMIT && read < Number(r.total ?? Number.POSITIVE_INFINITY),
      },
    }),
  }),

  // ---------------------------------------------------------------- actions
  (() => {
    const entry = operationAction({
      key: "highlevel.associations.create",
      ...fromSeed("Create Association"),
      help: "Keys are unique in a location: an association with this key is the one made.",
      operation: "associations:create-association",
      idempotency: "reconcilable",
      fields: {
        override: {
          key: meta(
            z
              .string()
              .trim()
              .regex(/^[a-z0-9_]+$/i, "Key: letters, digits and underscores only"),
            { label: "Key", help: "Unique in the location, e.g. property_owner." },
          ),
          firstObjectKey: objectKey("First object"),
          firstObjectLabel: objectLabel("First object's label"),
          secondObjectKey: objectKey("Second object"),
          secondObjectLabel: objectLabel("Second object's label"),
        },
      },
      output: { description: "The new association.", sample: associationSample },
      example: {
        key: "business_partner",
        firstObjectKey: "contact",
        firstObjectLabel: "Partner Contact",
        secondObjectKey: "business",
        secondObjectLabel: "Partner Business",
      },
    });
    return extendEntry(entry, {
      operations: [...entry.operations, "find-associations"],
      reconcile: async (ctx: CatalogContext, input: Record<string, unknown>) => {
        const key = String(input.key).toLowerCase();
        return (await associationsOf(ctx)).find((a) => a.key.toLowerCase() === key);
      },
    });
  })(),
  operationAction({
    key: "highlevel.associations.update",
    ...fromSeed("Update Association"),
    help: "Only the labels of a user-defined association can change.",
    operation: "update-association",
    idempotency: "safe",
    fields: {
      override: {
        associationId: associationId(),
        firstObjectLabel: objectLabel("First object's label"),
        secondObjectLabel: objectLabel("Second object's label"),
      },
    },
    output: { description: "The updated association.", sample: associationSample },
    example: {
      associationId: { $example: "scratchAssociation.id" },
      firstObjectLabel: "Referrer",
      secondObjectLabel: "Referral",
    },
  }),
  operationAction({
    key: "highlevel.associations.delete",
    ...fromSeed("Delete Association"),
    help: "Deletes the association's relations too. System associations cannot be deleted.",
    operation: "delete-association",
    idempotency: "safe",
    fields: { override: { associationId: associationId() } },
    output: { description: "{deleted, id, message}.", sample: sample("delete-association") },
    example: { associationId: { $example: "scratchAssociation.id" } },
  }),
  (() => {
    const entry = operationAction({
      key: "highlevel.associations.relations.create",
      ...fromSeed("Create Relation"),
      help: "Links two records through an association: the first record is of the association's first object, the second of its second.",
      operation: "create-relation",
      idempotency: "reconcilable",
      fields: {
        override: {
          associationId: associationId(),
          firstRecordId: id("First record"),
          secondRecordId: id("Second record"),
        },
      },
      output: { description: "The new relation.", sample: relationSample },
      example: {
        associationId: { $example: "scratchAssociation.id" },
        firstRecordId: { $example: "scratchContact.id" },
        secondRecordId: { $example: "secondScratchContact.id" },
      },
    });
    return extendEntry(entry, {
      operations: [...entry.operations, "get-relations-by-record-id"],
      reconcile: async (ctx: CatalogContext, input: Record<string, unknown>) =>
        (await relationsOf(ctx, String(input.firstRecordId), [String(input.associationId)])).find(
          (r) => r.firstRecordId === input.firstRecordId && r.secondRecordId === input.secondRecordId,
        ),
    });
  })(),
  operationAction({
    key: "highlevel.associations.relations.delete",
    ...fromSeed("Delete Relation"),
    operation: "delete-relation",
    idempotency: "safe",
    fields: { override: { relationId: id("Relation") } },
    output: {
      description: "{deleted, id, message}.",
      sample: { deleted: true, id: relationSample.id, message: "Relation deleted successfully" },
    },
    example: { relationId: { $example: "scratchRelation.id" } },
  }),
];
