// The import against the sandbox, with the sample export: every default rule visible in the
// sandbox's state, the zero-call re-import, changes (tags, notes, status) and the call budget.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lead } from "../src/lead.ts";
import { isRejected } from "../src/normalize/row.ts";
import { nextBusinessDay } from "../src/sync/business-day.ts";
import { contactPlan, formatAddress, isCompliance, noteText, tagSet } from "../src/sync/plan.ts";
import { csvCell } from "../src/sync/rejected-report.ts";
import { runImport } from "../src/sync/run-import.ts";
import { DEFAULT_CUSTOM_FIELDS, syncSettings } from "../src/sync/settings.ts";
import { readLeads } from "../src/sync/source.ts";
import { SyncState } from "../src/sync/state.ts";
import { stateScope } from "../src/sync/state-location.ts";
import { notesOf, SAMPLE, sandboxContacts, startWorld, type TestWorld, tasksOf } from "./sync-helpers.ts";

// A Friday: the call tasks are due on Monday.
const FRIDAY = new Date(2026, 2, 13, 15, 30);
const MONDAY_9AM = new Date(2026, 2, 16, 9, 0).toISOString();
const settings = syncSettings();

type Row = Record<string, string>;

function readSample(): { header: string[]; rows: Row[] } {
  const rows = parse(readFileSync(SAMPLE, "utf8"), { columns: true, bom: true }) as Row[];
  const header = readFileSync(SAMPLE, "utf8")
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/, 1)[0]!
    .split(",");
  return { header, rows };
}

function writeCsv(file: string, header: string[], rows: Row[]): string {
  const lines = [header.map(csvCell).join(",")];
  for (const r of rows) lines.push(header.map((h) => csvCell(r[h] ?? "")).join(","));
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

async function leadsOf(file: string): Promise<Lead[]> {
  const out: Lead[] = [];
  for await (const item of readLeads(file, {})) if (!isRejected(item)) out.push(item);
  return out;
}

describe("import of the sample export into the sandbox", () => {
  let world: TestWorld;
  let dir: string;
  let stateFile: string;
  let leads: Lead[];
  const contactIdOf = (key: string) => {
    const state = SyncState.open({ file: stateFile });
    try {
      return state.getWritten(stateScope(world.baseUrl, world.locationId), key)?.contactId;
    } finally {
      state.close();
    }
  };
  const importFile = (file: string, extra: Partial<Parameters<typeof runImport>[0]> = {}) =>
    runImport({
      file,
      locationId: world.locationId,
      client: world.client(),
      stateFile,
      now: () => FRIDAY,
      ...extra,
    });

  beforeAll(async () => {
    world = await startWorld(11);
    dir = mkdtempSync(path.join(tmpdir(), "bl-sync-"));
    stateFile = path.join(dir, "state.db");
    leads = await leadsOf(SAMPLE);
  });
  afterAll(async () => {
    await world?.close();
  });

  it("first import: one upsert per lead, notes once, hot tasks, bulk tags, fields read once", async () => {
    const mark = world.mark();
    const s = await importFile(SAMPLE, { rejectedFile: path.join(dir, "sample.rejected.csv") });
    const seen = world.requestsSince(mark);
    const count = (op: string) => seen.filter((r) => r.operationId === op).length;

    const withNotes = leads.filter((l) => noteText(l)).length;
    const hot = leads.filter((l) => l.status === "Hot");
    const hotCompliance = hot.filter(isCompliance).length;
    expect(s.complete).toBe(true);
    expect(s.rowsRead).toBe(300);
    expect(s.leads).toBe(leads.length);
    expect(s.rowsRejected).toBe(0);
    expect(s.contacts).toEqual({ created: leads.length, updated: 0, unchanged: 0, joined: 0 });
    expect(s.notesCreated).toBe(withNotes);
    expect(s.tasksCreated).toBe(hot.length - hotCompliance);
    expect(s.complianceSkips).toBe(hotCompliance);
    expect(hotCompliance).toBeGreaterThan(0);

    // The call budget, counted by the sandbox.
    expect(count("upsert-contact")).toBe(leads.length);
    expect(count("get-custom-fields")).toBe(1);
    expect(count("create-note")).toBe(withNotes);
    expect(count("create-task")).toBe(s.tasksCreated);
    expect(count("contacts:create-association")).toBe(s.tagCalls);
    // Leads HighLevel cannot match (no email, no phone) are looked up by their "BatchLeads Key" field: at
    // most one search per page of 200 leads (none before the field exists).
    expect(leads.filter((l) => !l.emails[0] && !l.primaryPhone).length).toBeGreaterThan(0);
    expect(count("search-contacts-advanced")).toBeLessThanOrEqual(Math.ceil(leads.length / 200));
    expect(count("get-duplicate-contact")).toBe(0);
    // The sample's property types all mean one of the seeded picklist's options: none added, none lost.
    expect(count("locations:update-custom-field")).toBe(0);
    const propertyType = s.fields.find((f) => f.field === "Property Type")!;
    expect(propertyType.dropped).toEqual([]);
    expect(propertyType.mapped).toMatchObject({
      "Condominium -> Condo": expect.any(Number),
      "Single Family Residential -> Single Family": expect.any(Number),
      "Duplex -> Multi-Family": expect.any(Number),
    });
    expect(count("locations:create-custom-field")).toBe(s.customFieldsCreated);
    expect(seen.length).toBe(s.apiCalls);
    // Tags grouped across contacts: far fewer calls than contacts.
    expect(s.tagCalls).toBeLessThanOrEqual(Math.ceil(leads.length / 100) * 6);
    console.log(
      `[sample, first import] ${s.apiCalls} calls for ${s.leads} leads = ${(s.apiCalls / s.leads).toFixed(2)} per lead ` +
        `(upserts ${count("upsert-contact")}, notes ${s.notesCreated}, tasks ${s.tasksCreated}, ` +
        `tag calls ${s.tagCalls}, field list 1, fields created ${s.customFieldsCreated})`,
    );
  });

  it("custom fields the location lacked were created once, by name", async () => {
    const seeded = ["Mailing Address", "Property Type", "Bedrooms", "Estimated Value"];
    const expected = Object.values(DEFAULT_CUSTOM_FIELDS)
      .map((f) => f.name)
      .filter((n) => !seeded.includes(n));
    // Only fields some lead has a value for are needed.
    const used = new Set<string>();
    for (const l of leads) {
      for (const name of Object.keys(contactPlan(l, settings).custom)) used.add(name);
    }
    const created = (await world.createdFields()).sort();
    expect(created).toEqual(expected.filter((n) => used.has(n)).sort());
    expect(new Set(created).size).toBe(created.length);
  });

  it("every default rule shows in the sandbox's contacts, notes and tasks", async () => {
    const contacts = new Map((await sandboxContacts(world)).map((c) => [String(c.id), c]));
    const fieldsResp = (await world
      .client()
      .callByKey("get-custom-fields", { locationId: world.locationId })) as {
      customFields: Array<{ id: string; name: string }>;
    };
    const fieldName = new Map(fieldsResp.customFields.map((f) => [f.id, f.name]));
    const ids = new Set<string>();
    for (const lead of leads) {
      const id = contactIdOf(lead.key);
      expect(id, lead.key).toBeTruthy();
      ids.add(id!);
      const c = contacts.get(id!)!;
      expect(c, lead.key).toBeTruthy();
      // Names: owner 1, or the entity in companyName with a readable name.
      if (lead.owner.firstName) {
        expect(c.firstName).toBe(lead.owner.firstName);
        if (lead.owner.lastName) expect(c.lastName).toBe(lead.owner.lastName);
      } else {
        expect(c.name).toBe(lead.owner.displayName);
        if (lead.owner.companyName) expect(c.companyName).toBe(lead.owner.companyName);
      }
      // The property address; primary phone; first email.
      expect(c.address1).toBe(lead.property.address);
      expect(c.city).toBe(lead.property.city);
      expect(c.state).toBe(lead.property.state);
      expect(c.postalCode).toBe(lead.property.zip);
      expect(c.phone).toBe(lead.primaryPhone);
      expect(c.email).toBe(lead.emails[0]);
      // Compliance: DND on every channel for litigators and opt-outs, untouched otherwise.
      expect(c.dnd, lead.key).toBe(isCompliance(lead));
      if (isCompliance(lead)) {
        const dnd = c.dndSettings as Record<string, { status: string }>;
        for (const ch of ["Call", "SMS", "Email", "WhatsApp", "GMB", "FB"])
          expect(dnd[ch]?.status).toBe("active");
      }
      // Tags: every Tag Names entry, the list and batchleads.
      expect(c.tags).toEqual(expect.arrayContaining(tagSet(lead, settings)));
      expect(c.tags).toEqual(expect.arrayContaining(["batchleads", lead.list!.toLowerCase()]));
      // Custom fields by name: the mailing address and property facts.
      const values = new Map(
        (c.customFields as Array<{ id: string; value: unknown }>).map((f) => [fieldName.get(f.id), f.value]),
      );
      if (lead.mailing) expect(values.get("Mailing Address")).toBe(formatAddress(lead.mailing));
      if (lead.property.apn) expect(values.get("APN")).toBe(lead.property.apn);
      if (typeof lead.facts.bedrooms === "number") expect(values.get("Bedrooms")).toBe(lead.facts.bedrooms);
      if (lead.status) expect(values.get("BatchLeads Status")).toBe(lead.status);
    }
    expect(ids.size).toBe(leads.length);

    // Notes once; tasks for hot leads, never for litigators / opt-outs, due next business day.
    for (const lead of leads) {
      const id = contactIdOf(lead.key)!;
      const notes = await notesOf(world, id);
      expect(notes.map((n) => n.body)).toEqual(noteText(lead) ? [noteText(lead)] : []);
      const tasks = await tasksOf(world, id);
      if (lead.status === "Hot" && !isCompliance(lead)) {
        expect(tasks).toHaveLength(1);
        expect(tasks[0]!.title).toBe(`Call ${lead.owner.displayName} about ${formatAddress(lead.property)}`);
        expect(tasks[0]!.dueDate).toBe(MONDAY_9AM);
      } else {
        expect(tasks, lead.key).toHaveLength(0);
      }
    }
    expect(nextBusinessDay(FRIDAY).toISOString()).toBe(MONDAY_9AM);
  });

  it("the same file again makes no write and no read at all", async () => {
    const mark = world.mark();
    const s = await importFile(SAMPLE);
    expect(world.writesSince(mark)).toBe(0);
    // One read: a search checking that a sample of the remembered contacts still exists.
    expect(world.requestsSince(mark).map((r) => r.operationId)).toEqual(["search-contacts-advanced"]);
    expect(s.apiCalls).toBe(1);
    expect(s.contacts).toEqual({ created: 0, updated: 0, unchanged: leads.length, joined: 0 });
    expect(s.notesCreated + s.tasksCreated + s.tagCalls + s.complianceSkips).toBe(0);
    console.log(`[sample, re-import] ${s.apiCalls} calls for ${s.leads} leads`);
  });

  it("a changed file: new tags added without removing others, a new note, a task per hot transition", async () => {
    const { header, rows } = readSample();
    // Pick leads by their rows: a non-hot one without compliance flags, a hot litigator, one with notes.
    const plain = rows.findIndex(
      (r) => r["Lead Status"] === "Follow Up" && r.Litigator === "No" && r["Opt-Out"] === "No" && r.Notes,
    );
    const litigator = rows.findIndex((r) => r.Litigator === "Yes" && r["Lead Status"] !== "Hot");
    const hotOne = rows.findIndex(
      (r) => r["Lead Status"] === "Hot" && r.Litigator === "No" && r["Opt-Out"] === "No",
    );
    expect(Math.min(plain, litigator, hotOne)).toBeGreaterThanOrEqual(0);
    const plainLead = leads.find((l) => l.rows[0] === plain + 1)!;
    const plainId = contactIdOf(plainLead.key)!;

    // Someone adds a tag in HighLevel between imports: it must survive.
    await world.client().callByKey("add-tags", { contactId: plainId }, { tags: ["called by hand"] });

    const changed = rows.map((r) => ({ ...r }));
    changed[plain]!["Tag Names"] = `${changed[plain]!["Tag Names"]}, motivated seller`;
    changed[plain]!.Notes = `${changed[plain]!.Notes} Then agreed to a walkthrough.`;
    changed[plain]!["Lead Status"] = "Hot";
    changed[litigator]!["Lead Status"] = "Hot";
    changed[hotOne]!["Lead Status"] = "Hot"; // unchanged: still hot, no new task
    const file2 = writeCsv(path.join(dir, "changed.csv"), header, changed);

    const mark = world.mark();
    const s = await importFile(file2);
    const seen = world.requestsSince(mark);
    const count = (op: string) => seen.filter((r) => r.operationId === op).length;
    expect(s.contacts).toEqual({ created: 0, updated: 2, unchanged: leads.length - 2, joined: 0 });
    expect(count("upsert-contact") + count("update-contact")).toBe(2);
    expect(s.notesCreated).toBe(1);
    expect(s.tasksCreated).toBe(1);
    expect(s.complianceSkips).toBe(1);
    expect(s.tagCalls).toBe(1);
    expect(s.tagsAdded).toBe(1);
    expect(count("get-custom-fields")).toBe(1);
    expect(world.writesSince(mark)).toBe(2 + 1 + 1 + 1);

    const c = (await world.client().callByKey("get-contact", { contactId: plainId })) as {
      contact: { tags: string[] };
    };
    expect(c.contact.tags).toEqual(
      expect.arrayContaining(["called by hand", "motivated seller", ...tagSet(plainLead, settings)]),
    );
    const notes = (await notesOf(world, plainId)).map((n) => n.body);
    expect(notes).toHaveLength(2);
    expect(notes).toContain(noteText(plainLead));
    expect(notes).toContain(`${plainLead.notes} Then agreed to a walkthrough.`);
    expect(await tasksOf(world, plainId)).toHaveLength(1);
    const litigatorLead = leads.find((l) => l.rows[0] === litigator + 1)!;
    expect(await tasksOf(world, contactIdOf(litigatorLead.key)!)).toHaveLength(0);

    // Back to Follow Up, then Hot again: one more task (a new transition), the note unchanged.
    changed[plain]!["Lead Status"] = "Follow Up";
    const file3 = writeCsv(path.join(dir, "changed3.csv"), header, changed);
    const s3 = await importFile(file3);
    expect(s3.tasksCreated + s3.notesCreated).toBe(0);
    changed[plain]!["Lead Status"] = "Hot";
    const file4 = writeCsv(path.join(dir, "changed4.csv"), header, changed);
    const s4 = await importFile(file4);
    expect(s4.tasksCreated).toBe(1);
    expect(s4.notesCreated).toBe(0);
    expect(await tasksOf(world, plainId)).toHaveLength(2);
    expect(await notesOf(world, plainId)).toHaveLength(2);
    const fields = await world.createdFields();
    expect(fields.length).toBe(new Set(fields).size);
  });

  it("--dry-run makes no call at all and says what would be written", async () => {
    const mark = world.mark();
    const fresh = await runImport({ file: SAMPLE, locationId: world.locationId, dryRun: true });
    expect(world.requestsSince(mark)).toHaveLength(0);
    expect(fresh.apiCalls).toBe(0);
    expect(fresh.contacts.created).toBe(leads.length);
    expect(fresh.notesCreated).toBe(leads.filter((l) => noteText(l)).length);
    expect(fresh.tagCalls).toBeGreaterThan(0);

    // Against the real state: nothing would change for the sample itself... except what file4 changed.
    const against = await runImport({
      file: SAMPLE,
      locationId: world.locationId,
      baseUrl: world.baseUrl,
      dryRun: true,
      stateFile,
    });
    expect(world.requestsSince(mark)).toHaveLength(0);
    expect(against.contacts.updated).toBe(2); // the two leads the changed files moved
    // ...and the state file was only read.
    const mark2 = world.mark();
    const again = await importFile(path.join(dir, "changed4.csv"));
    expect(world.writesSince(mark2)).toBe(0);
    expect(again.contacts.unchanged).toBe(leads.length);
  });
});
