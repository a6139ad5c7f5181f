// Workflows & Campaigns: the seed's eight operations: the workflow, campaign and snapshot lists
// (which other entries pick from) and what puts a contact into automations, followers and
// businesses.
import { z } from "zod";
import { operationAction, operationTrigger } from "../define.ts";
import { registerExampleFixture } from "../examples.ts";
import { dateTime, id, meta } from "../fields.ts";
import { fromSeed } from "../seed.ts";
import type { CatalogContext, CatalogEntry } from "../types.ts";
import { contactSource } from "./contacts.ts";
import { listSnapshot, sample } from "./locations.ts";
import { userSource } from "./users.ts";

export const workflowSource = { entry: "highlevel.workflows.list", value: "id", label: "name" };
export const campaignSource = { entry: "highlevel.campaigns.list", value: "id", label: "name" };
const businessSource = { entry: "highlevel.businesses.list", value: "id", label: "name" };

const contactId = () => id("Contact", contactSource, "The contact's id.");
const workflowId = () => id("Workflow", workflowSource);

/** The first published item of a list, else the first: what an example should act on. */
async function firstOf(ctx: CatalogContext, op: "get-workflow" | "get-campaigns", key: string, what: string) {
  const r = (await ctx.client.call(op, { locationId: ctx.locationId })) as Record<
    string,
    Array<Record<string, unknown>> | undefined
  >;
  const items = r[key] ?? [];
  const item = items.find((i) => i.status === "published") ?? items[0];
  if (!item) throw new Error(`the account has no ${what} to use in an example`);
  return item;
}

registerExampleFixture("workflow", (ctx) => firstOf(ctx, "get-workflow", "workflows", "workflow"));
registerExampleFixture("campaign", (ctx) => firstOf(ctx, "get-campaigns", "campaigns", "campaign"));

/** Users as a list or one comma-separated text. */
const userList = (label: string) =>
  meta(
    z
      .union([z.string(), z.array(z.string())])
      .transform((v) => [
        ...new Set((Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter(Boolean)),
      ])
      .pipe(z.array(z.string()).min(1, `${label}: give at least one user`)),
    { label, options: userSource, help: "User ids: a list, or one comma-separated text." },
  );

export const automationEntries: CatalogEntry[] = [
  // ---------------------------------------------------------------- triggers (reads)
  operationTrigger({
    key: "highlevel.workflows.list",
    ...fromSeed("List Workflows"),
    operation: "get-workflow",
    output: {
      description: "{workflows}: each workflow's id, name, status (published/draft) and version.",
      sample: sample("get-workflow"),
    },
    example: {},
    trigger: listSnapshot("get-workflow", { items: "workflows", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.snapshots.list",
    ...fromSeed("List Snapshots"),
    help: "Needs an agency (company) token: snapshots belong to the agency.",
    operation: "get-custom-snapshots",
    output: {
      description: "{snapshots}: each snapshot's id, name and type.",
      sample: sample("get-custom-snapshots"),
    },
    example: {},
    trigger: listSnapshot("get-custom-snapshots", { items: "snapshots", dedupe: "id" }),
  }),
  operationTrigger({
    key: "highlevel.campaigns.list",
    ...fromSeed("List Campaigns"),
    operation: "get-campaigns",
    fields: {
      override: { status: meta(z.enum(["published", "draft"]), { label: "Status" }).optional() },
    },
    output: {
      description: "{campaigns}: each campaign's id, name and status.",
      sample: sample("get-campaigns"),
    },
    example: {},
    trigger: listSnapshot("get-campaigns", { items: "campaigns", dedupe: "id" }),
  }),

  // ---------------------------------------------------------------- actions
  operationAction({
    key: "highlevel.contacts.workflows.add",
    ...fromSeed("Add Contact to Workflow"),
    help: "Starts the workflow for the contact, which may send messages at once. Never repeated automatically: a second enrolment runs the workflow again when it allows re-entry.",
    operation: "add-contact-to-workflow",
    idempotency: "unsafe",
    fields: {
      override: {
        contactId: contactId(),
        workflowId: workflowId(),
        eventStartTime: dateTime(
          "Start time",
          "iso",
          "When the workflow's first event runs (ISO 8601, MM/DD/YYYY h:mm am, or epoch ms); now when empty.",
        ).optional(),
      },
    },
    output: { description: "{succeded: true}.", sample: sample("add-contact-to-workflow") },
    example: { contactId: { $example: "scratchContact.id" }, workflowId: { $example: "workflow.id" } },
  }),
  operationAction({
    key: "highlevel.contacts.workflows.remove",
    ...fromSeed("Remove from Workflow"),
    operation: "delete-contact-from-workflow",
    idempotency: "safe",
    fields: { omit: ["eventStartTime"], override: { contactId: contactId(), workflowId: workflowId() } },
    output: { description: "{succeded: true}.", sample: sample("delete-contact-from-workflow") },
    example: { contactId: { $example: "scratchContact.id" }, workflowId: { $example: "workflow.id" } },
  }),
  operationAction({
    key: "highlevel.contacts.followers.add",
    ...fromSeed("Add Contact Followers"),
    help: "Followers are users who get notified of the contact's activity. Adding a follower twice changes nothing.",
    operation: "add-followers-contact",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), followers: userList("Followers") } },
    output: {
      description: "{followers, followersAdded}: the contact's followers now, and those this call added.",
      sample: sample("add-followers-contact"),
    },
    example: { contactId: { $example: "scratchContact.id" }, followers: [{ $example: "user.id" }] },
  }),
  operationAction({
    key: "highlevel.contacts.followers.remove",
    ...fromSeed("Remove Contact Followers"),
    operation: "remove-followers-contact",
    idempotency: "safe",
    fields: { override: { contactId: contactId(), followers: userList("Followers") } },
    output: {
      description: "{followers, followersRemoved}: the contact's followers now, and those this call removed.",
      sample: sample("remove-followers-contact"),
    },
    example: { contactId: { $example: "scratchContact.id" }, followers: [{ $example: "user.id" }] },
  }),
  operationAction({
    key: "highlevel.contacts.business.bulk",
    ...fromSeed("Bulk Business Update"),
    help: "One request for many contacts: links each to the business, or unlinks them from their business when the business is null.",
    operation: "add-remove-contact-from-business",
    idempotency: "safe",
    fields: {
      override: {
        ids: meta(z.array(z.string().min(1)).min(1).max(50), {
          label: "Contacts",
          options: contactSource,
          help: "Up to 50 contact ids.",
        }),
        businessId: meta(z.string().trim().min(1).nullable(), {
          label: "Business",
          options: businessSource,
          help: "The business to link them to, or null to unlink them from their business.",
        }),
      },
    },
    output: {
      description: "{success, ids}: whether it worked and the contacts updated.",
      sample: sample("add-remove-contact-from-business"),
    },
    example: { ids: [{ $example: "scratchContact.id" }], businessId: { $example: "business.id" } },
  }),
];
