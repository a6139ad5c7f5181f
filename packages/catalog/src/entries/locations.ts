// Locations, the agency (company), snapshots' targets and custom field definitions: the
// "Other Operations" of the seed that are about the account itself. Also the small helpers the
// other-operations modules share (list snapshots, the company id, hand-written samples).
import { createHash } from "node:crypto";
import { getOperation, HighLevelError, requestSchema } from "@hlconnect/client";
import { z } from "zod";
import { extendEntry, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture } from "../examples.ts";
import { email, id, meta, phone, text } from "../fields.ts";
import { callOperation } from "../operation-input.ts";
import { snapshotTrigger } from "../poll.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry, PollingTrigger } from "../types.ts";

export const sample = (op: string) => requestSchema(getOperation(op).key)?.responseSample ?? {};

/** A sample without fields HighLevel only sends sometimes (the output promises the rest). */
export function without(value: unknown, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries((value ?? {}) as Record<string, unknown>).filter(([k]) => !keys.includes(k)),
  );
}

export const locationSource = { entry: "highlevel.locations.search", value: "id", label: "name" };
export const snapshotSource = { entry: "highlevel.snapshots.list", value: "id", label: "name" };

/** The agency id bodies ask for: the connection's, or a clear error naming what to set. */
export function companyIdOf(ctx: CatalogContext): string {
  if (ctx.companyId) return ctx.companyId;
  throw new HighLevelError(
    "This operation needs the agency (company) id: set HIGHLEVEL_COMPANY_ID (or pass companyId to the connection).",
    { code: "INVALID_REQUEST" },
  );
}

/** Add the connection's company id to a body that requires one. */
export async function withCompany(ctx: CatalogContext, input: Record<string, unknown>) {
  return { ...input, companyId: companyIdOf(ctx) };
}

const digest = (v: unknown) =>
  createHash("sha256").update(JSON.stringify(v)).digest("base64url").slice(0, 16);

/** The id of a listed item: HighLevel uses `id`, the blog services `_id`. */
export function itemId(item: unknown): string {
  const o = (item ?? {}) as Record<string, unknown>;
  return String(o.id ?? o._id ?? digest(o));
}

export interface ListSnapshotOptions {
  /** Where the items are in the answer; absent when the answer is the one record itself. */
  items?: string;
  dedupe: "id" | "id+updated";
  /** Field telling a record's version; without one the record's content is the version. */
  updatedField?: string;
  /** Shape the input before the call (e.g. add the company id). */
  prepare?: (ctx: CatalogContext, input: Record<string, unknown>) => Promise<Record<string, unknown>>;
  /**
   * Page through the whole list: the input with page `n` applied, and whether a next page exists
   * given the answer and the items read so far. Without it one request reads the list.
   */
  pages?: {
    at(input: Record<string, unknown>, page: number): Record<string, unknown>;
    more(answer: Record<string, unknown>, items: unknown[], read: number): boolean;
  };
  describe?: string;
}

const MAX_SNAPSHOT_PAGES = 20;

/** A snapshot trigger over one operation's (small) list, or over one record for a watch. */
export function listSnapshot(op: string, opts: ListSnapshotOptions): PollingTrigger {
  const spec = getOperation(op);
  const itemsOf = (r: Record<string, unknown>): unknown[] => {
    if (!opts.items) return [r];
    const v = r[opts.items];
    return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  };
  return snapshotTrigger<Record<string, unknown>>(
    {
      async list(ctx, input) {
        const base = opts.prepare ? await opts.prepare(ctx, input) : input;
        const all: unknown[] = [];
        let requests = 0;
        for (let page = 0; page < (opts.pages ? MAX_SNAPSHOT_PAGES : 1); page++) {
          const r = (await callOperation(ctx, op, opts.pages ? opts.pages.at(base, page) : base)) as Record<
            string,
            unknown
          >;
          requests++;
          const items = itemsOf(r ?? {});
          all.push(...items);
          if (!opts.pages || items.length === 0 || !opts.pages.more(r, items, all.length)) break;
        }
        return { items: all, requests };
      },
      keyOf: (i) => {
        if (opts.dedupe === "id") return itemId(i);
        const o = i as Record<string, unknown>;
        const version = opts.updatedField && o[opts.updatedField] ? String(o[opts.updatedField]) : digest(o);
        return `${itemId(i)}@${version}`;
      },
    },
    {
      dedupe: opts.dedupe,
      describe:
        opts.describe ??
        `${spec.method} ${spec.path}${opts.pages ? ", every page" : ""}: ${
          opts.items ? "the whole list, compared with the last" : "the record, compared with the last version"
        }`,
    },
  );
}

// --- example fixtures ---------------------------------------------------------------------
registerExampleFixture("location", async (ctx) => {
  const r = (await ctx.client.call("get-location", { locationId: ctx.locationId })) as {
    location: Record<string, unknown>;
  };
  return r.location;
});
registerExampleFixture("customField", async (ctx) => {
  const r = (await ctx.client.call("get-custom-fields", { locationId: ctx.locationId, model: "all" })) as {
    customFields?: Array<Record<string, unknown>>;
  };
  const f = r.customFields?.[0];
  if (!f) throw new Error("the account has no custom field to use in an example");
  return f;
});

const CUSTOM_FIELD_MODELS = ["contact", "opportunity", "all"] as const;

export const locationEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.locations.search",
    ...fromSeed("List Locations"),
    help: "With a location token HighLevel lists only that location; with an agency token, the agency's locations.",
    operation: "search-locations",
    fields: {
      override: {
        email: email("Location email").optional(),
        order: meta(z.enum(["asc", "desc"]), { label: "Order (by creation)" }).optional(),
        skip: meta(z.coerce.number().int().min(0), { label: "Skip" }).optional(),
        limit: meta(z.coerce.number().int().min(1).max(100), { label: "Page size" }).default(10),
      },
    },
    output: { description: "{locations}: the locations (sub-accounts).", sample: sample("search-locations") },
    example: { limit: 10 },
    trigger: listSnapshot("search-locations", { items: "locations", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.locations.custom-fields.list",
    ...fromSeed("List Custom Fields"),
    help: "The location's custom field definitions: their ids, names, keys (contact.estimated_value) and types. Entries that take custom fields by name read this list.",
    operation: "get-custom-fields",
    fields: {
      override: {
        model: meta(z.enum(CUSTOM_FIELD_MODELS), {
          label: "Object",
          help: "contact, opportunity, or all (the default here; HighLevel alone answers contact fields).",
        }).default("all"),
      },
    },
    output: {
      description: "{customFields}: each field's id, name, fieldKey, dataType, model and options.",
      sample: sample("get-custom-fields"),
    },
    example: { model: "all" },
    trigger: listSnapshot("get-custom-fields", { items: "customFields", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.companies.get",
    ...fromSeed("Get Company"),
    help: "Needs an agency (company) token; the company is the connection's.",
    operation: "get-company",
    output: { description: "{company}: the agency's details.", sample: sample("get-company") },
    example: {},
    trigger: listSnapshot("get-company", { dedupe: "id+updated" }),
  }),

  // ---------------------------------------------------------------- actions
  operationAction({
    key: "highlevel.locations.get",
    ...fromSeed("Find Location by ID"),
    operation: "get-location",
    idempotency: "safe",
    fields: {
      pick: ["locationId"],
      override: {
        locationId: id(
          "Location",
          locationSource,
          "Leave empty for the connection's own location.",
        ).optional(),
      },
    },
    output: {
      description: "{location}: the location with its address, settings and social links.",
      sample: sample("get-location"),
    },
    example: { locationId: { $example: "location.id" } },
  }),
  (() => {
    const entry = operationAction({
      key: "highlevel.locations.create",
      ...fromSeed("Create Location"),
      help: "Needs an agency (company) token; the location is made in the connection's agency. A snapshot loads its workflows, funnels and settings into the new location.",
      operation: "create-location",
      idempotency: "reconcilable",
      fields: {
        override: {
          name: text("Name"),
          phone: phone("Business phone").optional(),
          snapshotId: id("Snapshot", snapshotSource).optional(),
          prospectInfo: meta(
            z.strictObject({ firstName: text("First name"), lastName: text("Last name"), email: email() }),
            { label: "Prospect", help: "The person the location is for: first name, last name, email." },
          ).optional(),
        },
      },
      prepare: withCompany,
      // A new location has no domain until one is connected.
      output: { description: "The new location.", sample: without(sample("create-location"), ["domain"]) },
      example: {
        name: "Demo Realty East Bay",
        phone: "(510) 555-0140",
        address: "300 Broadway",
        city: "Oakland",
        state: "CA",
        country: "US",
        postalCode: "94607",
        website: "https://eastbay.demo-realty.example",
        timezone: "America/Los_Angeles",
        prospectInfo: { firstName: "Morgan", lastName: "Example", email: "morgan.example@example.com" },
      },
    });
    return extendEntry(entry, {
      operations: [...entry.operations, "search-locations"],
      // A location of the same name made in the agency since: the newest 100 are enough to look at.
      reconcile: async (ctx: CatalogContext, input: Record<string, unknown>) => {
        const r = (await ctx.client.call("search-locations", {
          companyId: companyIdOf(ctx),
          order: "desc",
          limit: "100",
        })) as { locations?: Array<Record<string, unknown>> };
        const name = String(input.name).trim().toLowerCase();
        return r.locations?.find(
          (l) =>
            String(l.name ?? "")
              .trim()
              .toLowerCase() === name,
        );
      },
    });
  })(),
];
