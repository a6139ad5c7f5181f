// Users: the seed's seven user operations. Users belong to the agency; a location token sees
// those of its location. `highlevel.users.search` is where other entries pick a user from.
import { HighLevelError } from "@hlconnect/client";
import { z } from "zod";
import { defineTrigger, extendEntry, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture, uniqueSuffix } from "../examples.ts";
import { email, id, meta, phone, text } from "../fields.ts";
import { callOperation, specFields } from "../operation-input.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry, TriggerEntry } from "../types.ts";
import { companyIdOf, listSnapshot, locationSource, sample, withCompany, without } from "./locations.ts";

export const userSource = { entry: "highlevel.users.search", value: "id", label: "name" };
const userId = () => id("User", userSource, "The user's id.");

/**
 * The spec's user sample without the fields a user does not always have: `lcPhone` (a
 * LeadConnector number), `platformLanguage` (once chosen) and `scopes` (the document types it as
 * one scope string while requests send a list, so no shape can be promised for it).
 */
const OPTIONAL_USER_FIELDS = ["scopes", "lcPhone", "platformLanguage"];
const userSample = (op: string) => without(sample(op), OPTIONAL_USER_FIELDS);
const usersSample = (op: string) => {
  const r = sample(op) as { users?: unknown[] };
  return { ...r, users: (r.users ?? []).map((u) => without(u, OPTIONAL_USER_FIELDS)) };
};

const USER_TYPES = ["account", "agency"] as const;
const USER_ROLES = ["admin", "user"] as const;
const PAGE = 100;

// --- example fixtures: a user of the location to read, a scratch user to change or delete ---
registerExampleFixture("user", async (ctx) => {
  const r = (await ctx.client.call("get-user-by-location", { locationId: ctx.locationId })) as {
    users?: Array<Record<string, unknown>>;
  };
  const u = r.users?.[0];
  if (!u) throw new Error("the location has no user to use in an example");
  return u;
});
registerExampleFixture("scratchUser", async (ctx) => {
  const s = uniqueSuffix(ctx);
  return ctx.client.call("create-user", undefined, {
    companyId: companyIdOf(ctx),
    firstName: "Example",
    lastName: `Scratch ${s}`,
    email: `example-user-${s}@example.com`,
    password: `Example-${s}-Pw1!`,
    type: "account",
    role: "user",
    locationIds: [ctx.locationId],
  } as never);
});

/** Ids as a list or one comma-separated text, sent as HighLevel's comma-separated string. */
const commaList = (label: string, options?: typeof userSource) =>
  meta(
    z.union([z.string(), z.array(z.string())]).transform((v) =>
      (Array.isArray(v) ? v : v.split(","))
        .map((s) => s.trim())
        .filter(Boolean)
        .join(","),
    ),
    { label, ...(options ? { options } : {}), help: "A list, or one comma-separated text." },
  );

/** Email addresses as a list or comma-separated text: each checked, lowercased, comma-joined. */
const emailList = () =>
  meta(
    z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
      const list = [
        ...new Set((Array.isArray(v) ? v : v.split(",")).map((s) => s.trim().toLowerCase()).filter(Boolean)),
      ];
      const bad = list.filter((e) => !z.email().safeParse(e).success);
      if (bad.length || !list.length) {
        ctx.addIssue({
          code: "custom",
          message: list.length
            ? `not valid email address(es): ${bad.map((e) => `"${e}"`).join(", ")}`
            : "give at least one email address",
        });
        return z.NEVER;
      }
      return list.join(",");
    }),
    { label: "Emails", format: "email", help: "A list, or one comma-separated text." },
  );

/** The request builder's own words for it, kept so callers that look for them (MCP) still find them. */
const MISSING_COMPANY = 'missing required query parameter "companyId"';

/**
 * Users search asks for the agency's id, which a connection made from a location's Private Integration
 * Token may not know. Said here, before the client's request builder refuses the request with its
 * generic words, with where a person sets it (the entry does not know which connection it runs on).
 */
function requireCompany(ctx: CatalogContext): void {
  if (ctx.companyId) return;
  throw new HighLevelError(
    `highlevel.users.search: ${MISSING_COMPANY}: this connection has no company id: add it with ` +
      "`hlconnect connections edit ID --company-id ...` or in the web app's Connections page " +
      "(with HIGHLEVEL_* variables instead of a stored connection: set HIGHLEVEL_COMPANY_ID)",
    { code: "INVALID_REQUEST", operationId: "search-users", messages: [MISSING_COMPANY] },
  );
}

const searchFilterFields = {
  query: text("Search text", "Matches name, email and phone.").optional(),
  type: meta(z.enum(USER_TYPES), { label: "User type" }).optional(),
  role: meta(z.enum(USER_ROLES), { label: "Role" }).optional(),
  ids: commaList("Users", userSource).optional(),
  sort: meta(z.enum(["dateAdded", "firstName", "lastName", "email"]), { label: "Sort by" }).optional(),
  sortDirection: meta(z.enum(["asc", "desc"]), { label: "Sort direction" }).optional(),
  skip: meta(z.coerce.number().int().min(0), { label: "Skip" }).optional(),
  limit: meta(z.coerce.number().int().min(1).max(100), { label: "Page size" }).default(25),
};

const userWriteOverrides = {
  email: email(),
  phone: phone().optional(),
  password: meta(z.string().min(8, "Password must have at least 8 characters"), { label: "Password" }),
  type: meta(z.enum(USER_TYPES), { label: "User type", help: "account (a location user) or agency." }),
  role: meta(z.enum(USER_ROLES), { label: "Role" }),
  locationIds: meta(z.array(z.string().min(1)), {
    label: "Locations",
    options: locationSource,
    help: "The locations the user works in; the connection's location when left empty.",
  }),
};

/** Create bodies need the company, and a location user needs a location: the connection's. */
async function prepareCreate(ctx: CatalogContext, input: Record<string, unknown>) {
  const out: Record<string, unknown> = await withCompany(ctx, input);
  if (!Array.isArray(out.locationIds) || out.locationIds.length === 0) out.locationIds = [ctx.locationId];
  return out;
}

/** Update bodies carry the company only for agency connections ("required for agency level access"). */
async function prepareUpdate(ctx: CatalogContext, input: Record<string, unknown>) {
  if (ctx.client.credentials.info().kind !== "agency") return input;
  return withCompany(ctx, input);
}

async function findUserByEmail(ctx: CatalogContext, address: string): Promise<unknown | undefined> {
  const r = (await ctx.client.call("search-users", {
    companyId: companyIdOf(ctx),
    query: address,
    limit: String(PAGE),
  })) as { users?: Array<Record<string, unknown>> };
  return r.users?.find((u) => String(u.email ?? "").toLowerCase() === address.toLowerCase());
}

const filterByEmailFields = specFields("filter-users-by-email", {
  override: {
    emails: emailList(),
    deleted: meta(z.boolean(), {
      label: "Deleted users",
      help: "true to find deleted users instead.",
    }).optional(),
    skip: meta(z.coerce.number().int().min(0).transform(String), { label: "Skip" }).optional(),
    limit: meta(z.coerce.number().int().min(1).max(100).transform(String), { label: "Page size" }).optional(),
    projection: meta(z.string().trim().min(1), {
      label: "Fields",
      help: '"all" (the default here) or comma-separated field names; HighLevel alone answers id and email.',
    }).default("all"),
  },
});

/** The search entry's read says where to set a missing company id (its polls do, through `prepare`). */
function withCompanyCheck(entry: TriggerEntry): CatalogEntry {
  const read = entry.read;
  if (!read) return entry;
  return extendEntry(entry, {
    read: (ctx: CatalogContext, input: unknown) => {
      requireCompany(ctx);
      return read(ctx, input);
    },
  });
}

export const userEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  withCompanyCheck(
    operationTrigger({
      key: "highlevel.users.search",
      ...fromSeed("Search Users"),
      help: "With a location token only the users of the location are found. As a trigger it fires once for each user that appears.",
      operation: "search-users",
      fields: { override: searchFilterFields },
      output: { description: "{users, count}: the matching users.", sample: usersSample("search-users") },
      example: { limit: 10 },
      // Users are few: every page of the matching users, compared by id with the last poll.
      trigger: listSnapshot("search-users", {
        items: "users",
        dedupe: "id",
        pages: {
          at: (input, page) => ({ ...input, skip: String(page * PAGE), limit: String(PAGE) }),
          more: (r, items, read) =>
            items.length === PAGE && read < Number(r.count ?? Number.POSITIVE_INFINITY),
        },
        describe:
          "GET /users/search, every page (100 users each): the matching users, compared by id with the last",
        prepare: async (ctx, input) => {
          requireCompany(ctx);
          return input;
        },
      }),
    }),
  ),
  defineTrigger({
    key: "highlevel.users.filter-by-email",
    ...fromSeed("Filter Users by Email"),
    help: "Needs an agency (company) token. Finds the agency's users with any of the given emails.",
    operations: ["filter-users-by-email"],
    input: z.strictObject(filterByEmailFields),
    output: {
      description: "{users, count}: the users with those emails.",
      sample: usersSample("filter-users-by-email"),
    },
    example: { emails: { $example: "user.email" } },
    read: async (ctx, input) =>
      callOperation(ctx, "filter-users-by-email", await withCompany(ctx, input as Record<string, unknown>)),
    trigger: listSnapshot("filter-users-by-email", { items: "users", dedupe: "id", prepare: withCompany }),
  }),
  operationTrigger({
    key: "highlevel.users.get",
    ...fromSeed("Get User"),
    operation: "get-user",
    fields: { override: { userId: userId() } },
    output: {
      description: "The user: name, email, phone, roles and permissions.",
      sample: userSample("get-user"),
    },
    example: { userId: { $example: "user.id" } },
    trigger: listSnapshot("get-user", { dedupe: "id+updated" }),
  }),
  operationTrigger({
    key: "highlevel.users.list",
    ...fromSeed("List Users by Location"),
    operation: "get-user-by-location",
    output: {
      description: "{users}: every user of the location.",
      sample: usersSample("get-user-by-location"),
    },
    example: {},
    trigger: listSnapshot("get-user-by-location", { items: "users", dedupe: "id" }),
  }),

  // ---------------------------------------------------------------- actions
  (() => {
    const entry = operationAction({
      key: "highlevel.users.create",
      ...fromSeed("Create User"),
      help: "The user is made in the connection's agency, in the connection's location unless locations are given. Emails are unique in an agency.",
      operation: "create-user",
      idempotency: "reconcilable",
      fields: {
        override: {
          ...userWriteOverrides,
          type: userWriteOverrides.type.default("account"),
          role: userWriteOverrides.role.default("user"),
          locationIds: userWriteOverrides.locationIds.optional(),
        },
      },
      prepare: prepareCreate,
      output: { description: "The new user.", sample: userSample("create-user") },
      example: {
        firstName: "Jamie",
        lastName: "Example",
        email: "jamie.example@example.com",
        password: "Example-Passw0rd!",
        phone: "(415) 555-0177",
      },
    });
    return extendEntry(entry, {
      operations: [...entry.operations, "search-users"],
      // Emails are unique in an agency: a user with this one is the one made.
      reconcile: (ctx: CatalogContext, input: Record<string, unknown>) =>
        findUserByEmail(ctx, String(input.email)),
    });
  })(),
  operationAction({
    key: "highlevel.users.update",
    ...fromSeed("Update User"),
    help: "HighLevel no longer lets a user's email change. Permissions given are merged into the user's.",
    operation: "update-user",
    idempotency: "safe",
    fields: {
      omit: ["email"],
      override: {
        userId: userId(),
        phone: userWriteOverrides.phone,
        password: userWriteOverrides.password.optional(),
        type: userWriteOverrides.type.optional(),
        role: userWriteOverrides.role.optional(),
        locationIds: userWriteOverrides.locationIds.optional(),
      },
    },
    prepare: prepareUpdate,
    output: { description: "The updated user.", sample: userSample("update-user") },
    example: { userId: { $example: "scratchUser.id" }, lastName: "Example (updated)", phone: "415-555-0178" },
  }),
  operationAction({
    key: "highlevel.users.delete",
    ...fromSeed("Delete User"),
    operation: "delete-user",
    idempotency: "safe",
    fields: { override: { userId: userId() } },
    output: {
      description: "{succeded, message}: HighLevel queues the delete; it takes effect within minutes.",
      sample: sample("delete-user"),
    },
    example: { userId: { $example: "scratchUser.id" } },
  }),
];
