// Contacts: the seed's 28 contact operations, plus Find Contact done properly and the
// new-contact / contact-updated / new-task polling triggers users ask for.
import { getOperation, HighLevelError, requestSchema } from "@hlconnect/client";
import { z } from "zod";
import { defineAction, defineTrigger, operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture, uniqueSuffix } from "../examples.ts";
import { customFieldValues, dateTime, email, id, meta, phone, tags, text, toE164 } from "../fields.ts";
import { callOperation } from "../operation-input.ts";
import { snapshotTrigger, timeField, timeOrderedTrigger } from "../poll.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry } from "../types.ts";

const CATEGORY = "Contacts";
const sample = (op: string) => requestSchema(getOperation(op).key)?.responseSample ?? {};
/** One contact as the search endpoint returns it (fewer fields than GET /contacts/{id}). */
const pick = (o: Record<string, unknown> | undefined, keys: string[]) =>
  Object.fromEntries(keys.filter((k) => o && k in o).map((k) => [k, o?.[k]]));
// The spec gives no schema for search results: keep the fields both answers share.
const searchedContactSample = () =>
  pick((sample("get-contact") as { contact?: Record<string, unknown> }).contact, [
    "id",
    "locationId",
    "firstName",
    "lastName",
    "tags",
    "dateAdded",
  ]);

export const contactSource = { entry: "highlevel.contacts.list", value: "id", label: "name" };
const contactId = () => id("Contact", contactSource, "The contact's id.");

// --- example fixtures: a seeded contact to read, scratch records to change or delete ----------
registerExampleFixture("contact", async (ctx) => {
  // A contact with an email and a phone when there is one: examples look contacts up by either.
  const r = (await ctx.client.call("search-contacts-advanced", undefined, {
    locationId: ctx.locationId,
    pageLimit: 20,
  } as never)) as { contacts?: Array<Record<string, unknown>> };
  const all = r.contacts ?? [];
  const c = all.find((x) => x.email && x.phone) ?? all.find((x) => x.email) ?? all[0];
  if (!c) throw new Error("the account has no contact to use in an example");
  return c;
});
registerExampleFixture("scratchContact", async (ctx) => {
  const s = uniqueSuffix(ctx);
  const r = (await ctx.client.call("create-contact", undefined, {
    locationId: ctx.locationId,
    firstName: "Example",
    lastName: `Scratch ${s}`,
    email: `example-${s}@example.com`,
  } as never)) as { contact: Record<string, unknown> };
  return r.contact;
});
registerExampleFixture("scratchTask", async (ctx, get) => {
  const contact = (await get("scratchContact")) as { id: string };
  const r = (await ctx.client.call("create-task", { contactId: contact.id }, {
    title: "Example task",
    dueDate: new Date(ctx.now() + 86_400_000).toISOString(),
    completed: false,
  } as never)) as { task: Record<string, unknown> };
  return { ...r.task, contactId: contact.id };
});
registerExampleFixture("scratchNote", async (ctx, get) => {
  const contact = (await get("scratchContact")) as { id: string };
  const r = (await ctx.client.call("create-note", { contactId: contact.id }, {
    body: "Example note",
  } as never)) as {
    note: Record<string, unknown>;
  };
  return { ...r.note, contactId: contact.id };
});

// ---- reconciliation: after a create whose answer was lost, find what it made (if it did) -------
async function findCreatedContact(ctx: CatalogContext, input: Record<string, unknown>) {
  if (!input.email && !input.phone) return undefined;
  const r = (await ctx.client.call("get-duplicate-contact", {
    locationId: ctx.locationId,
    ...(input.email ? { email: String(input.email) } : {}),
    ...(input.phone ? { number: String(input.phone) } : {}),
  })) as { contact?: unknown };
  return r.contact ? { contact: r.contact } : undefined;
}

async function findCreatedTask(ctx: CatalogContext, input: Record<string, unknown>) {
  const r = (await ctx.client.call("get-all-tasks", { contactId: String(input.contactId) })) as {
    tasks?: Array<{ title?: string; dueDate?: string }>;
  };
  const due = Date.parse(String(input.dueDate));
  const task = r.tasks?.find((t) => t.title === input.title && Date.parse(String(t.dueDate)) === due);
  return task ? { task } : undefined;
}

async function findCreatedNote(ctx: CatalogContext, input: Record<string, unknown>) {
  const r = (await ctx.client.call("get-all-notes", { contactId: String(input.contactId) })) as {
    notes?: Array<{ body?: string }>;
  };
  const note = r.notes?.find((n) => n.body === input.body);
  return note ? { note } : undefined;
}

/** Contact bodies take custom fields by name and phones as a person types them. */
async function prepareContact(ctx: CatalogContext, input: Record<string, unknown>) {
  const out = { ...input };
  if (input.customFields && !Array.isArray(input.customFields)) {
    out.customFields = await ctx.customFields.toApi(input.customFields as Record<string, unknown>);
  }
  return out;
}

const contactWriteOverrides = {
  email: email().optional(),
  phone: phone().optional(),
  tags: tags().optional(),
  customFields: customFieldValues().optional(),
  dateOfBirth: dateTime("Date of birth", "date").optional(),
};

/** Newest-first contacts from the search endpoint: one request when nothing is new. */
function contactsByTime(field: "dateAdded" | "dateUpdated", dedupe: "id" | "id+updated", what: string) {
  return timeOrderedTrigger<Record<string, unknown>>(
    {
      async fetchPage(ctx, input, page) {
        const r = (await ctx.client.call("search-contacts-advanced", undefined, {
          locationId: ctx.locationId,
          pageLimit: 50,
          page: page + 1,
          sort: [{ field, direction: "desc" }],
          ...(Array.isArray(input.filters) ? { filters: input.filters } : {}),
          ...(typeof input.query === "string" ? { query: input.query } : {}),
        } as never)) as { contacts?: unknown[]; total?: number };
        const items = r.contacts ?? [];
        return { items, more: items.length === 50 };
      },
      idOf: (c) => String((c as { id: string }).id),
      timeOf: (c) => timeField(c, field, "dateAdded"),
    },
    {
      dedupe,
      describe: `POST /contacts/search sorted by ${field}, newest first, down to the cursor: ${what}`,
    },
  );
}

/** The most recent contacts, newest first: what the new/updated triggers look at. */
async function newestContacts(
  ctx: CatalogContext,
  input: Record<string, unknown>,
  field: "dateAdded" | "dateUpdated",
) {
  return ctx.client.call("search-contacts-advanced", undefined, {
    locationId: ctx.locationId,
    pageLimit: 20,
    sort: [{ field, direction: "desc" }],
    ...(Array.isArray(input.filters) ? { filters: input.filters } : {}),
    ...(typeof input.query === "string" ? { query: input.query } : {}),
  } as never);
}

function listSnapshot(
  op: string,
  itemsKey: string,
  dedupe: "id" | "id+updated",
  updatedField = "dateUpdated",
) {
  return snapshotTrigger<Record<string, unknown>>(
    {
      async list(ctx, input) {
        const r = (await callOperation(ctx, op, input)) as Record<string, unknown>;
        const items = (r[itemsKey] ?? []) as unknown[];
        return { items: Array.isArray(items) ? items : [items], requests: 1 };
      },
      keyOf: (i) => {
        const o = i as Record<string, unknown>;
        return dedupe === "id" ? String(o.id) : `${o.id}@${o[updatedField] ?? JSON.stringify(o)}`;
      },
    },
    {
      dedupe,
      describe: `${getOperation(op).method} ${getOperation(op).path}: the whole list, compared with the last`,
    },
  );
}

const searchFilters = meta(z.array(z.record(z.string(), z.unknown())), {
  label: "Filters",
  help: 'HighLevel search filters, e.g. [{"field":"tags","operator":"contains","value":"hot"}]; groups: {"group":"OR","filters":[...]}.',
}).optional();

export const contactEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.contacts.get",
    ...fromSeed("Get Contact"),
    operation: "get-contact",
    fields: { override: { contactId: contactId() } },
    output: {
      description: "{contact}: the contact with its fields, tags and custom fields.",
      sample: sample("get-contact"),
    },
    example: { contactId: { $example: "contact.id" } },
    trigger: listSnapshot("get-contact", "contact", "id+updated"),
  }),
  operationTrigger({
    key: "highlevel.contacts.search",
    ...fromSeed("Search Contacts"),
    operation: "search-contacts-advanced",
    fields: {
      override: {
        query: text("Search text", "Matches name, email, phone and more.").optional(),
        filters: searchFilters,
        pageLimit: meta(z.number().int().min(1).max(500), { label: "Page size" }).default(20),
        page: meta(z.number().int().min(1), { label: "Page" }).optional(),
        sort: meta(z.array(z.record(z.string(), z.unknown())), { label: "Sort" }).optional(),
        searchAfter: meta(z.array(z.unknown()), { label: "Search after" }).optional(),
      },
    },
    output: {
      description: "{contacts, total}: the matching contacts.",
      sample: { contacts: [sample("get-contact")], total: 1 },
    },
    example: { pageLimit: 5 },
    trigger: contactsByTime("dateAdded", "id", "new contacts matching the search"),
  }),
  operationTrigger({
    key: "highlevel.contacts.by-business",
    ...fromSeed("Get Contacts by Business"),
    operation: "get-contacts-by-businessId",
    fields: {
      override: {
        businessId: id("Business", { entry: "highlevel.businesses.list", value: "id", label: "name" }),
      },
    },
    output: {
      description: "{contacts, count}: contacts linked to the business.",
      sample: sample("get-contacts-by-businessId"),
    },
    example: { businessId: { $example: "business.id" } },
    trigger: listSnapshot("get-contacts-by-businessId", "contacts", "id"),
  }),
  operationTrigger({
    key: "highlevel.contacts.duplicate",
    ...fromSeed("Get Duplicate Contact"),
    operation: "get-duplicate-contact",
    fields: { override: { email: email().optional(), number: phone("Phone").optional() } },
    output: {
      description: "{contact}: the contact an upsert would match (email first, then phone), or null.",
      sample: sample("get-duplicate-contact"),
    },
    example: { email: { $example: "contact.email" } },
    trigger: listSnapshot("get-duplicate-contact", "contact", "id"),
  }),
  operationTrigger({
    key: "highlevel.contacts.appointments",
    ...fromSeed("Get Contact Appointments"),
    operation: "get-appointments-for-contact",
    fields: { override: { contactId: contactId() } },
    output: {
      description: "{events}: the contact's appointments.",
      sample: sample("get-appointments-for-contact"),
    },
    example: { contactId: { $example: "contact.id" } },
    trigger: listSnapshot("get-appointments-for-contact", "events", "id"),
  }),
  operationTrigger({
    key: "highlevel.contacts.tasks.list",
    ...fromSeed("Get Contact Tasks"),
    operation: "get-all-tasks",
    fields: { override: { contactId: contactId() } },
    output: { description: "{tasks}: every task of the contact.", sample: sample("get-all-tasks") },
    example: { contactId: { $example: "contact.id" } },
    trigger: listSnapshot("get-all-tasks", "tasks", "id"),
  }),
  operationTrigger({
    key: "highlevel.contacts.tasks.get",
    ...fromSeed("Get Contact Task by ID"),
    operation: "get-task",
    fields: { override: { contactId: contactId(), taskId: id("Task") } },
    output: { description: "{task}: one task.", sample: sample("get-task") },
    example: { contactId: { $example: "scratchTask.contactId" }, taskId: { $example: "scratchTask.id" } },
    trigger: listSnapshot("get-task", "task", "id+updated"),
  }),
  operationTrigger({
    key: "highlevel.contacts.notes.list",
    ...fromSeed("Get Contact Notes"),
    operation: "get-all-notes",
    fields: { override: { contactId: contactId() } },
    output: { description: "{notes}: every note on the contact.", sample: sample("get-all-notes") },
    example: { contactId: { $example: "contact.id" } },
    trigger: listSnapshot("get-all-notes", "notes", "id"),
  }),
  operationTrigger({
    key: "highlevel.contacts.notes.get",
    ...fromSeed("Get Contact Note by ID"),
    operation: "get-note",
    fields: { override: { contactId: contactId(), id: id("Note") } },
    output: { description: "{note}: one note.", sample: sample("get-note") },
    example: { contactId: { $example: "scratchNote.contactId" }, id: { $example: "scratchNote.id" } },
    trigger: listSnapshot("get-note", "note", "id+updated"),
  }),
  operationTrigger({
    key: "highlevel.contacts.list",
    ...fromSeed("List Contacts (Deprecated)"),
    help: "HighLevel deprecated GET /contacts/; reads still work. Polling uses the search endpoint.",
    operation: "get-contacts",
    extraOperations: ["search-contacts-advanced"],
    fields: {
      override: { limit: meta(z.number().int().min(1).max(100), { label: "Page size" }).default(20) },
    },
    output: { description: "{contacts, meta}: one page of contacts.", sample: sample("get-contacts") },
    example: { limit: 5 },
    trigger: contactsByTime("dateAdded", "id", "new contacts"),
  }),

  // ---------------------------------------------------------------- event-style polling triggers
  defineTrigger({
    key: "highlevel.contacts.new",
    name: "New Contact",
    description: "Fires for each contact added to the location",
    category: CATEGORY,
    operations: ["search-contacts-advanced"],
    input: z.strictObject({ filters: searchFilters, query: text("Search text").optional() }),
    output: {
      description: "The new contact.",
      sample: searchedContactSample(),
    },
    example: {},
    trigger: contactsByTime("dateAdded", "id", "contacts added since the last poll"),
    read: (ctx, input) => newestContacts(ctx, input as Record<string, unknown>, "dateAdded"),
  }),
  defineTrigger({
    key: "highlevel.contacts.updated",
    name: "Contact Updated",
    description: "Fires each time a contact changes (one run per change)",
    category: CATEGORY,
    operations: ["search-contacts-advanced"],
    input: z.strictObject({ filters: searchFilters, query: text("Search text").optional() }),
    output: {
      description: "The updated contact.",
      sample: searchedContactSample(),
    },
    example: {},
    trigger: contactsByTime("dateUpdated", "id+updated", "contacts updated since the last poll"),
    read: (ctx, input) => newestContacts(ctx, input as Record<string, unknown>, "dateUpdated"),
  }),
  defineTrigger({
    key: "highlevel.contacts.tasks.new",
    name: "New Contact Task",
    description: "Fires for each new task on a contact",
    category: CATEGORY,
    operations: ["get-all-tasks"],
    input: z.strictObject({ contactId: contactId() }),
    output: {
      description: "The new task.",
      sample: pick((sample("get-task") as { task?: Record<string, unknown> }).task, [
        "id",
        "title",
        "dueDate",
        "completed",
      ]),
    },
    example: { contactId: { $example: "scratchTask.contactId" } },
    trigger: listSnapshot("get-all-tasks", "tasks", "id"),
    read: (ctx, input) => callOperation(ctx, "get-all-tasks", input as Record<string, unknown>),
  }),

  // ---------------------------------------------------------------- actions
  operationAction({
    key: "highlevel.contacts.create",
    ...fromSeed("Create Contact"),
    operation: "create-contact",
    idempotency: "reconcilable",
    reconcile: findCreatedContact,
    fields: { override: contactWriteOverrides },
    prepare: prepareContact,
    output: { description: "{contact}: the new contact.", sample: sample("create-contact") },
    example: {
      firstName: "Jane",
      lastName: "Example",
      email: "jane.example@example.com",
      phone: "(713) 555-0142",
      tags: "lead, website",
    },
  }),
  operationAction({
    key: "highlevel.contacts.update",
    ...fromSeed("Update Contact"),
    operation: "update-contact",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), ...contactWriteOverrides } },
    prepare: prepareContact,
    output: { description: "{succeded, contact}: the updated contact.", sample: sample("update-contact") },
    example: { contactId: { $example: "scratchContact.id" }, city: "Houston", tags: ["seller"] },
  }),
  defineAction({
    key: "highlevel.contacts.find",
    ...fromSeed("Find Contact"),
    help: "Give one of id, email or phone. Email and phone are matched the way an upsert would (phones normalised to E.164). Answers {found: false} when nothing matches.",
    operations: ["get-contact", "get-duplicate-contact"],
    idempotency: "safe",
    input: z
      .strictObject({
        id: id("Contact ID").optional(),
        email: email().optional(),
        phone: meta(z.union([z.string(), z.number()]), { label: "Phone", format: "phone" }).optional(),
      })
      .refine((v) => v.id || v.email || v.phone !== undefined, {
        message: "give an id, an email or a phone",
      }),
    output: {
      description: "{found, contact}: the contact, or found: false.",
      sample: { found: true, contact: (sample("get-contact") as { contact?: unknown }).contact },
      // Built here, not passed through: a shape the entry can promise.
      schema: z.object({ found: z.boolean(), contact: z.record(z.string(), z.unknown()).nullable() }),
    },
    example: { email: { $example: "contact.email" } },
    run: async (ctx, input) => {
      if (input.id) {
        try {
          const r = (await ctx.client.call("get-contact", { contactId: input.id })) as { contact?: unknown };
          return { found: Boolean(r.contact), contact: r.contact ?? null };
        } catch (err) {
          if (err instanceof HighLevelError && (err.status === 400 || err.status === 404))
            return { found: false, contact: null };
          throw err;
        }
      }
      let number: string | undefined;
      if (input.phone !== undefined) {
        number = toE164(String(input.phone), ctx.defaultCountry);
        if (!number)
          throw new HighLevelError(`phone "${input.phone}" is not a valid phone number`, {
            code: "INVALID_REQUEST",
          });
      }
      const r = (await ctx.client.call("get-duplicate-contact", {
        locationId: ctx.locationId,
        ...(input.email ? { email: input.email } : {}),
        ...(number ? { number } : {}),
      })) as { contact?: unknown };
      return { found: Boolean(r.contact), contact: r.contact ?? null };
    },
  }),
  operationAction({
    key: "highlevel.contacts.delete",
    ...fromSeed("Delete Contact"),
    operation: "delete-contact",
    idempotency: "safe",
    fields: { override: { contactId: contactId() } },
    output: {
      description: "{succeded: true} (sic, as HighLevel spells it).",
      sample: sample("delete-contact"),
    },
    example: { contactId: { $example: "scratchContact.id" } },
  }),
  operationAction({
    key: "highlevel.contacts.upsert",
    ...fromSeed("Upsert Contact"),
    help: "Matches by the location's duplicate setting (email, then phone). Tags sent here REPLACE the contact's tags: use Add Tags to add.",
    operation: "upsert-contact",
    idempotency: "safe",
    fields: { override: contactWriteOverrides, optional: ["createNewIfDuplicateAllowed"] },
    prepare: prepareContact,
    output: {
      description: "{new, contact}: whether it was created, and the contact.",
      sample: sample("upsert-contact"),
    },
    example: { firstName: "Jane", email: "jane.upsert@example.com", phone: "+1 713 555 0199" },
  }),
  operationAction({
    key: "highlevel.contacts.tags.add",
    ...fromSeed("Add Tags to Contact"),
    operation: "add-tags",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), tags: tags() } },
    output: { description: "{tags}: the contact's tags now.", sample: sample("add-tags") },
    example: { contactId: { $example: "scratchContact.id" }, tags: ["hot", "seller"] },
  }),
  operationAction({
    key: "highlevel.contacts.tags.remove",
    ...fromSeed("Remove Tags from Contact"),
    operation: "remove-tags",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), tags: tags() } },
    output: { description: "{tags}: the contact's tags now.", sample: sample("remove-tags") },
    example: { contactId: { $example: "scratchContact.id" }, tags: ["seller"] },
  }),
  operationAction({
    key: "highlevel.contacts.tags.bulk",
    ...fromSeed("Bulk Update Contact Tags"),
    help: "One request for many contacts: add or remove the same tags on each.",
    operation: "contacts:create-association",
    idempotency: "safe",
    fields: {
      override: {
        type: meta(z.enum(["add", "remove"]), { label: "Add or remove" }),
        contacts: meta(z.array(z.string()).min(1), { label: "Contacts", options: contactSource }),
        tags: tags(),
        removeAllTags: meta(z.boolean(), { label: "Remove all tags first" }).optional(),
      },
    },
    output: { description: "What the bulk update did.", sample: sample("contacts:create-association") },
    example: { type: "add", contacts: [{ $example: "scratchContact.id" }], tags: ["bulk-example"] },
  }),
  operationAction({
    key: "highlevel.contacts.tasks.create",
    ...fromSeed("Create Contact Task"),
    operation: "create-task",
    idempotency: "reconcilable",
    reconcile: findCreatedTask,
    fields: {
      override: {
        contactId: contactId(),
        title: text("Title"),
        dueDate: dateTime("Due"),
        assignedTo: id("Assigned user", {
          entry: "highlevel.users.search",
          value: "id",
          label: "name",
        }).optional(),
        completed: meta(z.boolean(), { label: "Completed" }).default(false),
      },
    },
    output: { description: "{task}: the new task.", sample: sample("create-task") },
    example: {
      contactId: { $example: "scratchContact.id" },
      title: "Call about the offer",
      dueDate: "2030-01-15T15:00:00Z",
      body: "Owner asked for a call back",
    },
  }),
  operationAction({
    key: "highlevel.contacts.tasks.update",
    ...fromSeed("Update Contact Task"),
    operation: "update-task",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), taskId: id("Task"), dueDate: dateTime("Due").optional() } },
    output: { description: "{task}: the updated task.", sample: sample("update-task") },
    example: {
      contactId: { $example: "scratchTask.contactId" },
      taskId: { $example: "scratchTask.id" },
      title: "Call about the offer (moved)",
    },
  }),
  operationAction({
    key: "highlevel.contacts.tasks.complete",
    ...fromSeed("Complete Contact Task"),
    operation: "update-task-completed",
    idempotency: "safe",
    fields: {
      override: {
        contactId: contactId(),
        taskId: id("Task"),
        completed: meta(z.boolean(), { label: "Completed" }).default(true),
      },
    },
    output: { description: "{task}: the task with its new state.", sample: sample("update-task-completed") },
    example: {
      contactId: { $example: "scratchTask.contactId" },
      taskId: { $example: "scratchTask.id" },
      completed: true,
    },
  }),
  operationAction({
    key: "highlevel.contacts.tasks.delete",
    ...fromSeed("Delete Contact Task"),
    operation: "delete-task",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), taskId: id("Task") } },
    output: { description: "{succeded: true}.", sample: sample("delete-task") },
    example: { contactId: { $example: "scratchTask.contactId" }, taskId: { $example: "scratchTask.id" } },
  }),
  operationAction({
    key: "highlevel.contacts.notes.create",
    ...fromSeed("Create Contact Note"),
    operation: "create-note",
    idempotency: "reconcilable",
    reconcile: findCreatedNote,
    fields: { override: { contactId: contactId(), body: text("Note") } },
    output: { description: "{note}: the new note.", sample: sample("create-note") },
    example: {
      contactId: { $example: "scratchContact.id" },
      body: "Spoke with the owner; motivated seller.",
    },
  }),
  operationAction({
    key: "highlevel.contacts.notes.update",
    ...fromSeed("Update Contact Note"),
    operation: "update-note",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), id: id("Note"), body: text("Note") } },
    output: { description: "{note}: the updated note.", sample: sample("update-note") },
    example: {
      contactId: { $example: "scratchNote.contactId" },
      id: { $example: "scratchNote.id" },
      body: "Updated note text",
    },
  }),
  operationAction({
    key: "highlevel.contacts.notes.delete",
    ...fromSeed("Delete Contact Note"),
    operation: "delete-note",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), id: id("Note") } },
    output: { description: "{succeded: true}.", sample: sample("delete-note") },
    example: { contactId: { $example: "scratchNote.contactId" }, id: { $example: "scratchNote.id" } },
  }),
  operationAction({
    key: "highlevel.contacts.campaigns.add",
    ...fromSeed("Add Contact to Campaign"),
    operation: "add-contact-to-campaign",
    idempotency: "safe",
    fields: {
      override: {
        contactId: contactId(),
        campaignId: id("Campaign", { entry: "highlevel.campaigns.list", value: "id", label: "name" }),
      },
    },
    output: { description: "{succeded: true}.", sample: sample("add-contact-to-campaign") },
    example: { contactId: { $example: "scratchContact.id" }, campaignId: { $example: "campaign.id" } },
  }),
  operationAction({
    key: "highlevel.contacts.campaigns.remove",
    ...fromSeed("Remove from Campaign"),
    operation: "remove-contact-from-campaign",
    idempotency: "safe",
    fields: {
      override: {
        contactId: contactId(),
        campaignId: id("Campaign", { entry: "highlevel.campaigns.list", value: "id", label: "name" }),
      },
    },
    output: { description: "{succeded: true}.", sample: sample("remove-contact-from-campaign") },
    example: { contactId: { $example: "scratchContact.id" }, campaignId: { $example: "campaign.id" } },
  }),
  operationAction({
    key: "highlevel.contacts.campaigns.remove-all",
    ...fromSeed("Remove from All Campaigns"),
    operation: "remove-contact-from-every-campaign",
    idempotency: "safe",
    fields: { override: { contactId: contactId() } },
    output: { description: "{succeded: true}.", sample: sample("remove-contact-from-every-campaign") },
    example: { contactId: { $example: "scratchContact.id" } },
  }),
];
