// Businesses: the companies contacts work for (a brokerage, a title company, a lender). The seed's
// 5 operations; the list is also the option source for business pickers.
import { getOperation, requestSchema } from "@hlconnect/client";
import { z } from "zod";
import { defineTrigger, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture, uniqueSuffix } from "../examples.ts";
import { email, id, meta, phone, text } from "../fields.ts";
import { snapshotTrigger } from "../poll.ts";
import { fromSeed } from "../seed.ts";
import type { ActionEntry, CatalogContext, CatalogEntry, OptionSource } from "../types.ts";
import { snapshotOf } from "./opportunities.ts";

const sample = (op: string) => requestSchema(getOperation(op).key)?.responseSample ?? {};

type Rec = Record<string, unknown>;

export const businessSource: OptionSource = {
  entry: "highlevel.businesses.list",
  value: "id",
  label: "name",
};
const businessId = () => id("Business", businessSource, "The business's id.");

registerExampleFixture("business", async (ctx) => {
  const r = (await ctx.client.call("get-businesses-by-location", {
    locationId: ctx.locationId,
    limit: "1",
  } as never)) as { businesses?: Rec[] };
  const b = r.businesses?.[0];
  if (!b) throw new Error("the account has no business to use in an example");
  return b;
});
registerExampleFixture("scratchBusiness", async (ctx) => {
  const r = (await ctx.client.call("create-business", undefined, {
    locationId: ctx.locationId,
    name: `Example Business ${uniqueSuffix(ctx)}`,
  } as never)) as { buiseness?: Rec; business?: Rec };
  const b = r.buiseness ?? r.business;
  if (!b) throw new Error("creating an example business answered no business");
  return b;
});

const PAGE = 100;
const MAX_PAGES = 100;

/** Every business of the location (skip/limit pages of 100), and how many requests that took. */
async function allBusinesses(ctx: CatalogContext): Promise<{ items: Rec[]; requests: number }> {
  const items: Rec[] = [];
  let requests = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = (await ctx.client.call("get-businesses-by-location", {
      locationId: ctx.locationId,
      limit: String(PAGE),
      skip: String(page * PAGE),
    } as never)) as { businesses?: Rec[] };
    requests++;
    const got = r.businesses ?? [];
    items.push(...got);
    if (got.length < PAGE) break;
  }
  return { items, requests };
}

const writeOverrides = {
  phone: phone().optional(),
  email: email().optional(),
  website: meta(z.string().trim().min(1), { label: "Website", format: "url" }).optional(),
};

const createBusiness = operationAction({
  key: "highlevel.businesses.create",
  ...fromSeed("Create Business"),
  help: "HighLevel does not refuse a second business of the same name.",
  operation: "create-business",
  idempotency: "reconcilable",
  fields: { override: { name: text("Name"), ...writeOverrides } },
  output: {
    description: '{success, buiseness}: the new business (under "buiseness", sic, as HighLevel spells it).',
    sample: sample("create-business"),
  },
  example: {
    name: "Bay Area Home Inspections",
    phone: "(415) 555-0177",
    email: "Office@BayAreaInspect.example",
    city: "San Francisco",
  },
});

/** A create whose answer was lost: the business of that name, if there is one. */
async function reconcileCreate(ctx: CatalogContext, input: Rec): Promise<unknown | undefined> {
  const name = String(input.name).trim().toLowerCase();
  const hit = (await allBusinesses(ctx)).items.find((b) => String(b.name).trim().toLowerCase() === name);
  return hit ? { success: true, buiseness: hit } : undefined;
}

export const businessEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.businesses.get",
    ...fromSeed("Get Business"),
    help: "As a trigger it fires when the business changes.",
    operation: "get-business",
    fields: { override: { businessId: businessId() } },
    output: { description: "{business}: name, contact details and address.", sample: sample("get-business") },
    example: { businessId: { $example: "business.id" } },
    trigger: snapshotOf("get-business", "business", "id+updated"),
  }),
  defineTrigger({
    key: "highlevel.businesses.list",
    ...fromSeed("List Businesses by Location"),
    help: "Oldest first; skip/limit page it (100 at most a page). As a trigger it fires for each new business.",
    operations: ["get-businesses-by-location"],
    input: z.strictObject({
      limit: meta(z.number().int().min(1).max(100), { label: "Page size" }).default(100),
      skip: meta(z.number().int().min(0), { label: "Skip" }).default(0),
    }),
    output: {
      description: "{businesses}: one page of the location's businesses.",
      sample: sample("get-businesses-by-location"),
    },
    example: { limit: 10 },
    read: (ctx, raw) => {
      const input = raw as { limit: number; skip: number };
      return ctx.client.call("get-businesses-by-location", {
        locationId: ctx.locationId,
        limit: String(input.limit),
        skip: String(input.skip),
      } as never);
    },
    trigger: snapshotTrigger<Rec>(
      {
        list: (ctx) => allBusinesses(ctx),
        keyOf: (b) => String((b as Rec).id),
      },
      {
        dedupe: "id",
        describe: "GET /businesses/ (every page of 100): the whole list, compared with the last",
      },
    ),
  }),

  // ---------------------------------------------------------------- actions
  { ...createBusiness, reconcile: reconcileCreate } as ActionEntry,
  operationAction({
    key: "highlevel.businesses.update",
    ...fromSeed("Update Business"),
    help: "Only the fields given change.",
    operation: "update-business",
    idempotency: "safe",
    fields: { override: { businessId: businessId(), name: text("Name").optional(), ...writeOverrides } },
    output: {
      description: '{success, buiseness}: the updated business (under "buiseness", sic).',
      sample: sample("update-business"),
    },
    example: {
      businessId: { $example: "scratchBusiness.id" },
      website: "https://example.com",
      city: "Oakland",
    },
  }),
  operationAction({
    key: "highlevel.businesses.delete",
    ...fromSeed("Delete Business"),
    operation: "delete-Business",
    idempotency: "safe",
    fields: { override: { businessId: businessId() } },
    output: { description: "{success: true}.", sample: sample("delete-Business") },
    example: { businessId: { $example: "scratchBusiness.id" } },
  }),
];
