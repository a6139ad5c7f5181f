// BatchLeads' live paths as catalog actions: BatchData skip trace and DNC check merged into
// HighLevel contacts (compliance first: a DNC or TCPA number never becomes the primary phone while a
// callable one exists, litigators get DND), and a lead update posted back to BatchLeads through the
// user's Zapier catch hook. The BatchData client itself is @hlconnect/client/batchdata.

import { HighLevelError } from "@hlconnect/client";
import {
  BatchDataClient,
  type BatchDataPerson,
  type SkipTraceRequest,
  type SkipTraceResult,
} from "@hlconnect/client/batchdata";
import {
  excerpt,
  guardedFetch,
  type OutboundAnswer,
  OutboundRefusedError,
} from "@hlconnect/client/outbound/guard";
import { z } from "zod";
import { defineAction } from "../define.ts";
import { registerExampleFixture } from "../examples.ts";
import { id, meta, tags, text, toE164 } from "../fields.ts";
import { choosePrimaryPhone } from "../phones.ts";
import type { CatalogContext, CatalogEntry } from "../types.ts";
import { contactSource } from "./contacts.ts";

const CATEGORY = "BatchLeads & BatchData";
type Rec = Record<string, unknown>;

// ---------------------------------------------------------------- phones and the primary-phone rule

/** A phone found by a skip trace, in E.164, with its flags; rank is its order in BatchData's answer. */
export interface TracedPhone {
  number: string;
  type?: string;
  carrier?: string;
  reachable?: boolean;
  dnc: boolean;
  tcpa: boolean;
  rank: number;
}

/** Every valid phone of every person, once each (a number flagged by any person stays flagged). */
export function tracedPhones(persons: BatchDataPerson[], defaultCountry = "US"): TracedPhone[] {
  const out = new Map<string, TracedPhone>();
  for (const person of persons) {
    for (const p of person.phones) {
      const number = toE164(p.number, defaultCountry);
      if (!number) continue;
      const seen = out.get(number);
      if (seen) {
        seen.dnc ||= p.dnc;
        seen.tcpa ||= p.tcpa;
        continue;
      }
      out.set(number, {
        number,
        ...(p.type ? { type: p.type.toLowerCase().replace(/\s+/g, "") } : {}),
        ...(p.carrier ? { carrier: p.carrier } : {}),
        ...(p.reachable !== undefined ? { reachable: p.reachable } : {}),
        dnc: p.dnc,
        tcpa: p.tcpa,
        rank: out.size + 1,
      });
    }
  }
  return [...out.values()];
}

/** "+17135550100 (mobile, DNC, TCPA); ..." for a text field or a note. */
export function phonesText(phones: TracedPhone[]): string {
  return phones
    .map((p) => {
      const flags = [p.type, p.dnc ? "DNC" : "", p.tcpa ? "TCPA" : ""].filter(Boolean);
      return flags.length ? `${p.number} (${flags.join(", ")})` : p.number;
    })
    .join("; ");
}

/** TCPA-flagged numbers belong to known litigators: as unsafe to call as DNC ones. */
const notCallable = (p: TracedPhone) => p.dnc || p.tcpa;

const EMAIL = z.email();

export interface TraceSummary {
  matched: boolean;
  phones: TracedPhone[];
  emails: string[];
  primaryPhone?: string;
  litigator: boolean;
  deceased: boolean;
  names: string[];
}

export function summarizeTrace(result: SkipTraceResult, defaultCountry = "US"): TraceSummary {
  const phones = tracedPhones(result.persons, defaultCountry);
  const emails = [
    ...new Set(result.persons.flatMap((p) => p.emails.map((e) => e.trim().toLowerCase()))),
  ].filter((e) => EMAIL.safeParse(e).success);
  const primaryPhone = choosePrimaryPhone(phones, notCallable);
  return {
    matched: result.matched,
    phones,
    emails,
    ...(primaryPhone ? { primaryPhone } : {}),
    litigator: result.persons.some((p) => p.litigator),
    deceased: result.persons.length > 0 && result.persons.every((p) => p.deceased),
    names: result.persons.map((p) => p.name.full ?? [p.name.first, p.name.last].filter(Boolean).join(" ")),
  };
}

// ---------------------------------------------------------------- merging into a contact

export interface ContactNow {
  phone?: string;
  email?: string;
  dnd?: boolean;
  dndSettings?: Record<string, { status?: string } | undefined>;
}

const DND_ACTIVE = (why: string) => ({ status: "active", message: why });

/**
 * The update a trace makes to a contact: only what changes. It fills a missing phone or email,
 * replaces a phone the trace found to be DNC when a callable one exists, turns DND on for
 * litigators (all channels) and for a contact left with only a DNC phone (calls and texts), and
 * never turns DND off or drops data the contact already has.
 */
export function planContactUpdate(contact: ContactNow, trace: TraceSummary): Rec {
  const update: Rec = {};
  const current = contact.phone
    ? trace.phones.find((p) => p.number === toE164(contact.phone ?? ""))
    : undefined;
  if (trace.primaryPhone && (!contact.phone || (current && notCallable(current)))) {
    if (trace.primaryPhone !== contact.phone) update.phone = trace.primaryPhone;
  }
  if (!contact.email && trace.emails[0]) update.email = trace.emails[0];
  if (trace.litigator && contact.dnd !== true) update.dnd = true;
  const phoneAfter = (update.phone as string | undefined) ?? contact.phone;
  const after = phoneAfter ? trace.phones.find((p) => p.number === toE164(phoneAfter)) : undefined;
  if (!trace.litigator && after && notCallable(after)) {
    const settings = contact.dndSettings ?? {};
    const missing = ["Call", "SMS"].filter(
      (ch) => settings[ch]?.status !== "active" && settings[ch]?.status !== "permanent",
    );
    if (missing.length) {
      update.dndSettings = {
        ...settings,
        ...Object.fromEntries(missing.map((ch) => [ch, DND_ACTIVE("DNC registry (BatchData)")])),
      };
    }
  }
  return update;
}

// ---------------------------------------------------------------- BatchLeads' import columns

/** The export's headers for the columns BatchLeads imports back (address, owner, status, tags, notes). */
export const BATCHLEADS_IMPORT_HEADERS = [
  "Property Address",
  "Property City",
  "Property State",
  "Property Zip",
  "First Name",
  "Last Name",
  "Lead Status",
  "Tag Names",
  "Notes",
] as const;
export type BatchLeadsImportRow = Record<(typeof BATCHLEADS_IMPORT_HEADERS)[number], string>;

/** A HighLevel contact as a BatchLeads import row; entities (no first name) keep the entity as last name. */
export function contactToImportRow(
  contact: Rec,
  extra: { status?: string; notes?: string; excludeTags?: string[] } = {},
): BatchLeadsImportRow {
  const s = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  const exclude = new Set((extra.excludeTags ?? ["batchleads"]).map((t) => t.toLowerCase()));
  const first = s(contact.firstName);
  return {
    "Property Address": s(contact.address1),
    "Property City": s(contact.city),
    "Property State": s(contact.state),
    "Property Zip": s(contact.postalCode),
    "First Name": first,
    "Last Name": first ? s(contact.lastName) : s(contact.companyName) || s(contact.lastName),
    "Lead Status": extra.status?.trim() ?? "",
    "Tag Names": (Array.isArray(contact.tags) ? contact.tags : [])
      .map((t) => String(t).trim())
      .filter((t) => t && !exclude.has(t.toLowerCase()))
      .join(", "),
    Notes: extra.notes?.trim() ?? "",
  };
}

// ---------------------------------------------------------------- helpers shared by the actions

async function getContact(ctx: CatalogContext, contactId: string): Promise<Rec> {
  const r = (await ctx.client.call("get-contact", { contactId })) as { contact?: Rec };
  if (!r.contact) throw new HighLevelError(`contact ${contactId} was not found`, { code: "INVALID_REQUEST" });
  return r.contact;
}

async function updateContact(ctx: CatalogContext, contactId: string, body: Rec): Promise<void> {
  await ctx.client.call("update-contact", { contactId }, body as never);
}

/** Adds each tag to its contacts: one bulk call per tag (and per 100 contacts), never replacing tags. */
async function addTagsInBulk(ctx: CatalogContext, byTag: Map<string, string[]>): Promise<number> {
  let calls = 0;
  for (const [tag, contacts] of byTag) {
    for (let i = 0; i < contacts.length; i += 100) {
      await ctx.client.call("contacts:create-association", { type: "add" }, {
        contacts: contacts.slice(i, i + 100),
        tags: [tag],
        locationId: ctx.locationId,
      } as never);
      calls++;
    }
  }
  return calls;
}

const optionalText = (label: string, help?: string) => text(label, help).optional();

const propertyFields = {
  contactId: id("Contact", contactSource, "The HighLevel contact to merge the results into.").optional(),
  street: optionalText(
    "Street address",
    "The property's street address (the contact's address1 when left out).",
  ),
  city: optionalText("City"),
  state: optionalText("State"),
  zip: optionalText("ZIP"),
  apn: optionalText(
    "APN",
    "Assessor's parcel number; with county and state, matched instead of the address.",
  ),
  county: optionalText("County"),
  firstName: optionalText("Owner first name", "Helps BatchData pick the right person."),
  lastName: optionalText("Owner last name"),
};
type PropertyInput = { [K in keyof typeof propertyFields]?: string };

/** The request BatchData takes for a property, or why there is none. */
function traceRequest(p: PropertyInput): SkipTraceRequest | string {
  const name =
    p.firstName || p.lastName
      ? {
          name: {
            ...(p.firstName ? { first: p.firstName } : {}),
            ...(p.lastName ? { last: p.lastName } : {}),
          },
        }
      : {};
  if (p.apn && p.county && p.state) return { apn: p.apn, county: p.county, state: p.state, ...name };
  if (p.street && (p.zip || (p.city && p.state))) {
    return {
      propertyAddress: {
        street: p.street,
        ...(p.city ? { city: p.city } : {}),
        ...(p.state ? { state: p.state } : {}),
        ...(p.zip ? { zip: p.zip } : {}),
      },
      ...name,
    };
  }
  return "no address to trace: give street with zip (or city and state), or apn with county and state";
}

/** What the contact knows fills what the input left out. */
function withContactAddress(p: PropertyInput, c: Rec | undefined): PropertyInput {
  if (!c) return p;
  const s = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  const fill = (k: keyof PropertyInput, v: unknown) => p[k] ?? s(v);
  const out: PropertyInput = { ...p };
  for (const [k, v] of [
    ["street", c.address1],
    ["city", c.city],
    ["state", c.state],
    ["zip", c.postalCode],
    ["firstName", c.firstName],
    ["lastName", c.lastName],
  ] as const) {
    const value = fill(k, v);
    if (value) out[k] = value;
  }
  return out;
}

function batchData(): BatchDataClient {
  return BatchDataClient.fromEnv(process.env);
}

// ---------------------------------------------------------------- example fixtures

registerExampleFixture("zapierCatchHook", async (ctx) => ({
  // A real account's example posts to BATCHLEADS_ZAPIER_HOOK_URL; the sandbox emulates catch hooks.
  url: process.env.BATCHLEADS_ZAPIER_HOOK_URL ?? `${ctx.client.baseUrl}/zapier/hooks/catch/100000/example/`,
}));

// ---------------------------------------------------------------- the entries

const skipTraceInput = z
  .strictObject({
    ...propertyFields,
    properties: meta(z.array(z.strictObject(propertyFields)).min(1).max(10_000), {
      label: "Properties",
      help: "Many properties at once (sent 100 per BatchData call); each like the single-property fields.",
    }).optional(),
    updateContacts: meta(z.boolean(), {
      label: "Update contacts",
      help: "Merge the results into the contacts named by contactId (default true).",
    }).default(true),
    phonesField: optionalText(
      "Phones custom field",
      "A text custom field (name or key) that receives every phone found with its type and DNC/TCPA flags.",
    ),
    emailsField: optionalText("Emails custom field", "A text custom field that receives every email found."),
    tagMatched: meta(z.string().trim(), {
      label: "Tag when found",
      help: 'Added to contacts with a match (default "skip-traced"; empty for none).',
    }).default("skip-traced"),
    tagNoMatch: meta(z.string().trim(), {
      label: "Tag when not found",
      help: 'Added to contacts without a match (default "skip-trace-no-match"; empty for none).',
    }).default("skip-trace-no-match"),
  })
  .refine((v) => v.properties?.length || v.contactId || v.street || v.apn, {
    message: "give a contactId, an address (street...), an apn, or a list of properties",
  });

interface TraceOutcome {
  index: number;
  contactId?: string;
  matched: boolean;
  error?: string;
  primaryPhone?: string;
  phones: TracedPhone[];
  phonesText: string;
  emails: string[];
  litigator: boolean;
  deceased: boolean;
  names: string[];
  updated: string[];
}

async function runSkipTrace(ctx: CatalogContext, input: z.output<typeof skipTraceInput>) {
  const { properties, updateContacts, phonesField, emailsField, tagMatched, tagNoMatch, ...single } = input;
  const items: PropertyInput[] = properties?.length ? properties : [single];
  // Fail on a wrong field name before BatchData bills anything.
  if (phonesField) await ctx.customFields.find(phonesField);
  if (emailsField) await ctx.customFields.find(emailsField);
  const client = batchData();
  const contacts = new Map<string, Rec>();
  for (const item of items) {
    if (item.contactId && !contacts.has(item.contactId))
      contacts.set(item.contactId, await getContact(ctx, item.contactId));
  }
  const outcomes: TraceOutcome[] = items.map((item, index) => ({
    index,
    ...(item.contactId ? { contactId: item.contactId } : {}),
    matched: false,
    phones: [],
    phonesText: "",
    emails: [],
    litigator: false,
    deceased: false,
    names: [],
    updated: [],
  }));
  const requests: SkipTraceRequest[] = [];
  const sentFor: number[] = [];
  items.forEach((item, i) => {
    const r = traceRequest(
      withContactAddress(item, item.contactId ? contacts.get(item.contactId) : undefined),
    );
    if (typeof r === "string") (outcomes[i] as TraceOutcome).error = r;
    else {
      requests.push(r);
      sentFor.push(i);
    }
  });
  const results = requests.length ? await client.skipTrace(requests) : [];
  const byTag = new Map<string, string[]>();
  const tagFor = (tag: string, contactId: string) => {
    if (tag) byTag.set(tag, [...(byTag.get(tag) ?? []), contactId]);
  };
  for (const result of results) {
    const o = outcomes[sentFor[result.index] as number] as TraceOutcome;
    const trace = summarizeTrace(result, ctx.defaultCountry);
    Object.assign(o, {
      matched: trace.matched,
      ...(result.error ? { error: result.error } : {}),
      ...(trace.primaryPhone ? { primaryPhone: trace.primaryPhone } : {}),
      phones: trace.phones,
      phonesText: phonesText(trace.phones),
      emails: trace.emails,
      litigator: trace.litigator,
      deceased: trace.deceased,
      names: trace.names,
    });
    if (!o.contactId || !updateContacts) continue;
    const contact = contacts.get(o.contactId) as Rec;
    const update = planContactUpdate(contact as ContactNow, trace);
    const fields: Rec = {};
    if (phonesField && trace.phones.length) fields[phonesField] = phonesText(trace.phones);
    if (emailsField && trace.emails.length) fields[emailsField] = trace.emails.join(", ");
    if (Object.keys(fields).length) update.customFields = await ctx.customFields.toApi(fields);
    if (Object.keys(update).length) {
      await updateContact(ctx, o.contactId, update);
      o.updated = Object.keys(update);
      // The same contact traced twice in one call merges into what the first trace wrote.
      Object.assign(contact, update);
    }
    if (!result.error) tagFor(trace.matched ? tagMatched : tagNoMatch, o.contactId);
  }
  if (updateContacts) await addTagsInBulk(ctx, byTag);
  return {
    traced: requests.length,
    matched: outcomes.filter((o) => o.matched).length,
    noMatch: outcomes.filter((o) => !o.matched && !o.error).length,
    errors: outcomes.filter((o) => o.error).length,
    batchDataCalls: client.calls,
    results: outcomes,
  };
}

const dncInput = z
  .strictObject({
    phones: meta(z.union([z.string(), z.array(z.string())]), {
      label: "Phones",
      format: "phone",
      help: "Numbers to check (a list, or one comma-separated text); any common format.",
    }).optional(),
    contactId: id(
      "Contact",
      contactSource,
      "Check this contact's phone (when phones is left out) and set DND on calls and texts if it is DNC.",
    ).optional(),
    updateContact: meta(z.boolean(), { label: "Update the contact", help: "Default true." }).default(true),
  })
  .refine((v) => v.contactId || v.phones?.length, { message: "give phones or a contactId" });

async function runDncCheck(ctx: CatalogContext, input: z.output<typeof dncInput>) {
  const contact = input.contactId ? await getContact(ctx, input.contactId) : undefined;
  const given =
    input.phones === undefined ? [] : Array.isArray(input.phones) ? input.phones : input.phones.split(",");
  const raw = given.map((p) => p.trim()).filter(Boolean);
  if (!raw.length && typeof contact?.phone === "string") raw.push(contact.phone);
  const valid: string[] = [];
  const invalid: string[] = [];
  for (const p of raw) {
    const e164 = toE164(p, ctx.defaultCountry);
    if (e164) {
      if (!valid.includes(e164)) valid.push(e164);
    } else invalid.push(p);
  }
  if (!valid.length) {
    throw new HighLevelError(
      raw.length
        ? `no valid phone number to check (${invalid.map((p) => `"${p}"`).join(", ")})`
        : "the contact has no phone to check",
      { code: "INVALID_REQUEST" },
    );
  }
  const client = batchData();
  // BatchData writes US numbers as ten digits; others go as E.164.
  const checked = await client.checkDnc(valid.map((n) => (n.startsWith("+1") ? n.slice(2) : n)));
  const phones = valid.map((number, i) => {
    const r = checked[i];
    return { number, dnc: r?.dnc ?? false, tcpa: r?.tcpa ?? false, ...(r?.error ? { error: r.error } : {}) };
  });
  let contactUpdated = false;
  if (contact && input.contactId && input.updateContact && typeof contact.phone === "string") {
    const own = phones.find((p) => p.number === toE164(contact.phone as string, ctx.defaultCountry));
    if (own) {
      const update = planContactUpdate(contact as ContactNow, {
        matched: true,
        phones: [{ ...own, rank: 1 }],
        emails: [],
        litigator: false,
        deceased: false,
        names: [],
      });
      if (Object.keys(update).length) {
        await updateContact(ctx, input.contactId, update);
        contactUpdated = true;
      }
    }
  }
  return {
    phones,
    invalid,
    anyDnc: phones.some((p) => p.dnc || p.tcpa),
    allDnc: phones.every((p) => p.dnc || p.tcpa),
    contactUpdated,
    batchDataCalls: client.calls,
  };
}

const postInput = z.strictObject({
  url: meta(
    z.url("URL must be an http(s) URL").refine((u) => /^https?:\/\//i.test(u), "URL must be an http(s) URL"),
    {
      label: "Zapier catch hook URL",
      format: "url",
      help: "https://hooks.zapier.com/hooks/catch/... of the Zap that updates BatchLeads.",
    },
  ),
  contactId: id("Contact", contactSource, "Read address, owner names and tags from this contact.").optional(),
  status: optionalText(
    "Lead status",
    'BatchLeads\' Lead Status, e.g. "Hot" (often the pipeline stage name).',
  ),
  tags: tags("Tags").optional(),
  notes: optionalText("Notes"),
  address: optionalText("Property address"),
  city: optionalText("City"),
  state: optionalText("State"),
  zip: optionalText("ZIP"),
  firstName: optionalText("First name"),
  lastName: optionalText("Last name"),
  excludeTags: meta(z.array(z.string()), {
    label: "Tags not sent back",
    help: 'Tags that mean nothing to BatchLeads (default ["batchleads"]).',
  }).optional(),
});

async function runPost(ctx: CatalogContext, input: z.output<typeof postInput>) {
  const contact = input.contactId ? await getContact(ctx, input.contactId) : {};
  const merged: Rec = {
    ...contact,
    ...(input.address ? { address1: input.address } : {}),
    ...(input.city ? { city: input.city } : {}),
    ...(input.state ? { state: input.state } : {}),
    ...(input.zip ? { postalCode: input.zip } : {}),
    ...(input.firstName ? { firstName: input.firstName } : {}),
    ...(input.lastName ? { lastName: input.lastName } : {}),
    ...(input.tags ? { tags: input.tags } : {}),
  };
  const row = contactToImportRow(merged, {
    ...(input.status ? { status: input.status } : {}),
    ...(input.notes ? { notes: input.notes } : {}),
    ...(input.excludeTags ? { excludeTags: input.excludeTags } : {}),
  });
  if (!row["Property Address"]) {
    throw new HighLevelError("the lead has no property address: BatchLeads matches updates by it", {
      code: "INVALID_REQUEST",
    });
  }
  const payload = { ...row, ...(input.contactId ? { "HighLevel Contact ID": input.contactId } : {}) };
  // The URL is the user's (or mapped from a hook's payload): it goes through the outbound guard, and
  // only the status and a short excerpt of the answer are kept in the run.
  let res: OutboundAnswer;
  try {
    res = await guardedFetch(input.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError) {
      throw new HighLevelError(`the catch hook URL was not called: ${err.message}`, {
        code: "INVALID_REQUEST",
        cause: err,
      });
    }
    throw new HighLevelError(`posting to the catch hook failed: ${(err as Error).message}`, {
      code: "NETWORK_ERROR",
      retryable: true,
      cause: err,
    });
  }
  if (!res.ok) {
    throw new HighLevelError(`the catch hook answered ${res.status}: ${excerpt(res.body)}`, {
      code: "HTTP_ERROR",
      status: res.status,
      retryable: res.status >= 500 || res.status === 429,
    });
  }
  return { posted: true, status: res.status, payload, response: excerpt(res.body) };
}

const TRACE_SAMPLE: TraceOutcome = {
  index: 0,
  contactId: "ve9EPM428h8vShlRW1KT",
  matched: true,
  primaryPhone: "+17132401234",
  phones: [
    {
      number: "+13058675309",
      type: "landline",
      carrier: "Frontier",
      reachable: true,
      dnc: true,
      tcpa: false,
      rank: 1,
    },
    {
      number: "+17132401234",
      type: "mobile",
      carrier: "T-Mobile USA",
      reachable: true,
      dnc: false,
      tcpa: false,
      rank: 2,
    },
  ],
  phonesText: "+13058675309 (landline, DNC); +17132401234 (mobile)",
  emails: ["maria.garcia41@example.com"],
  litigator: false,
  deceased: false,
  names: ["Maria Garcia"],
  updated: ["phone", "email"],
};

export const batchDataEntries: CatalogEntry[] = [
  defineAction({
    key: "batchdata.skip-trace",
    name: "Skip Trace Property (BatchData)",
    description:
      "Find the owner's phones and emails with BatchData and merge them into the HighLevel contact",
    category: CATEGORY,
    help:
      "Needs BATCHDATA_TOKEN (and BATCHDATA_BASE_URL for a sandbox). Properties go 100 per BatchData call, paced to " +
      "3,000 calls a minute. With a contactId the address defaults to the contact's, and the results are merged: " +
      "a missing phone becomes the lowest-ranked number that is neither DNC nor TCPA-flagged (a mobile preferred), a " +
      "DNC phone is replaced when a callable one exists, a missing email is filled, litigators get DND on every " +
      "channel, a contact left with only a DNC phone gets DND on calls and texts; nothing is removed. Every phone " +
      "with its flags is in the output (and in a text custom field if you name one).",
    operations: ["get-contact", "update-contact", "contacts:create-association", "get-custom-fields"],
    idempotency: "safe",
    input: skipTraceInput,
    output: {
      description:
        "{traced, matched, noMatch, errors, batchDataCalls, results}: one result per property (matched, primaryPhone, phones with type/DNC/TCPA, emails, litigator, deceased, the contact fields updated).",
      sample: { traced: 1, matched: 1, noMatch: 0, errors: 0, batchDataCalls: 1, results: [TRACE_SAMPLE] },
    },
    example: {
      contactId: { $example: "scratchContact.id" },
      street: "6568 Hillcrest Rd",
      city: "Orlando",
      state: "FL",
      zip: "32819",
    },
    run: (ctx, input) => runSkipTrace(ctx, input as z.output<typeof skipTraceInput>),
  }),
  defineAction({
    key: "batchdata.dnc-check",
    name: "Check DNC Status (BatchData)",
    description: "Check phone numbers against the Do-Not-Call registry and TCPA litigator lists",
    category: CATEGORY,
    help:
      "Needs BATCHDATA_TOKEN. 100 numbers per BatchData call. With a contactId (and no phones) the contact's own " +
      "phone is checked, and when it is DNC or TCPA-flagged the contact gets DND on calls and texts (never turned off).",
    operations: ["get-contact", "update-contact"],
    idempotency: "safe",
    input: dncInput,
    output: {
      description:
        "{phones: [{number, dnc, tcpa}], invalid, anyDnc, allDnc, contactUpdated, batchDataCalls}.",
      sample: {
        phones: [{ number: "+17132401234", dnc: false, tcpa: false }],
        invalid: [],
        anyDnc: false,
        allDnc: false,
        contactUpdated: false,
        batchDataCalls: 1,
      },
    },
    example: { phones: ["(713) 240-1234", "+1 305 867 5309"] },
    run: (ctx, input) => runDncCheck(ctx, input as z.output<typeof dncInput>),
  }),
  defineAction({
    key: "batchleads.update.post",
    name: "Send Lead Update to BatchLeads (Zapier hook)",
    description:
      "Post a lead's status, tags and notes to a Zapier catch hook that updates the property in BatchLeads",
    category: CATEGORY,
    help:
      "BatchLeads has no API: a Zap (Catch Hook -> BatchLeads) applies the update. The JSON posted uses the export's " +
      "column names (Property Address, Property City, Property State, Property Zip, First Name, Last Name, Lead Status, " +
      "Tag Names, Notes) plus HighLevel Contact ID. Posting the same update twice sets the same values again.",
    operations: ["get-contact"],
    idempotency: "safe",
    input: postInput,
    output: {
      description:
        "{posted, status, payload, response}: what was sent, the hook's status and the start of its answer (200 characters at most).",
      sample: {
        posted: true,
        status: 200,
        payload: {
          "Property Address": "6568 Hillcrest Rd",
          "Property City": "Orlando",
          "Property State": "FL",
          "Property Zip": "32819",
          "First Name": "Mary",
          "Last Name": "Williams",
          "Lead Status": "Hot",
          "Tag Names": "pre-foreclosure, high equity",
          Notes: "Wants an offer by Friday",
          "HighLevel Contact ID": "ve9EPM428h8vShlRW1KT",
        },
        response: '{"status":"success"}',
      },
    },
    example: {
      url: { $example: "zapierCatchHook.url" },
      contactId: { $example: "scratchContact.id" },
      address: "6568 Hillcrest Rd",
      city: "Orlando",
      state: "FL",
      zip: "32819",
      status: "Hot",
      notes: "Wants an offer by Friday",
    },
    run: (ctx, input) => runPost(ctx, input as z.output<typeof postInput>),
  }),
];
