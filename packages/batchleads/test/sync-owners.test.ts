// Nothing an export holds is silently lost, against the sandbox: one owner with several properties (by
// email, by phone, and by both across different owners' names), picklist values onto options (added
// once per field, or left out with --no-new-options, and reported), contacts deleted or edited by hand
// (--verify, the sample check, hand edits kept), and the per-row report.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lead, LeadMapping, RejectedRow } from "../src/lead.ts";
import { formatAddress } from "../src/sync/plan.ts";
import type { RowReportLine } from "../src/sync/row-report.ts";
import { type ImportOptions, runImport } from "../src/sync/run-import.ts";
import { SyncState } from "../src/sync/state.ts";
import { stateScope } from "../src/sync/state-location.ts";
import { makeLead, notesOf, SAMPLE, sandboxContacts, startWorld, type TestWorld } from "./sync-helpers.ts";

let world: TestWorld;
let dir: string;
let fileNo = 0;

beforeAll(async () => {
  world = await startWorld(13);
  dir = mkdtempSync(path.join(tmpdir(), "bl-owners-"));
});
afterAll(async () => {
  await world?.close();
});

/** An import of `items` into the sandbox, as if read from a file named `name`. */
function importItems(
  name: string,
  items: Array<Lead | RejectedRow>,
  stateFile: string,
  extra: Partial<ImportOptions> = {},
) {
  const file = path.join(dir, `${name}.csv`);
  writeFileSync(file, `${name} ${++fileNo}\n`);
  return runImport({
    file,
    locationId: world.locationId,
    client: world.client(),
    stateFile,
    now: () => new Date(2026, 2, 13, 15, 30),
    source: async function* () {
      yield* items;
    },
    ...extra,
  });
}

/** A property of an owner: its own address, APN and row. */
function property(n: number, over: Partial<Lead>): Lead {
  return makeLead({
    key: `apn:${n}|harris|tx`,
    rows: [n],
    property: { address: `${n} Owner St`, city: "Houston", state: "TX", zip: "77002", apn: String(n) },
    phones: over.primaryPhone ? [{ number: over.primaryPhone, dnc: false, rank: 1 }] : [],
    notes: undefined,
    status: "New",
    facts: { propertyType: "Duplex", bedrooms: n % 5, estimatedValue: 100_000 + n },
    ...over,
  });
}

async function contactsById() {
  return new Map((await sandboxContacts(world)).map((c) => [String(c.id), c]));
}

describe("one owner, several properties", () => {
  const stateFile = () => path.join(dir, "owners.db");
  const mary = { firstName: "Mary", lastName: "Owner", displayName: "Mary Owner" };
  const bob = { firstName: "Bob", lastName: "Other", displayName: "Bob Other" };
  const leads = [
    // Two properties by email.
    property(101, { owner: mary, emails: ["mary@example.com"], primaryPhone: undefined }),
    property(102, { owner: mary, emails: ["mary@example.com"], primaryPhone: undefined }),
    // Three properties by phone.
    property(201, { emails: [], primaryPhone: "+17135550201" }),
    property(202, { emails: [], primaryPhone: "+17135550201" }),
    property(203, { emails: [], primaryPhone: "+17135550201" }),
    // By both, across owners' names: 302 shares 301's phone, 303 shares 302's email.
    property(301, { owner: mary, emails: ["a@example.com"], primaryPhone: "+17135550301" }),
    property(302, { owner: bob, emails: ["b@example.com"], primaryPhone: "+17135550301" }),
    property(303, {
      owner: { companyName: "Acme LLC", displayName: "Acme LLC" },
      emails: ["b@example.com"],
      primaryPhone: "+17135550303",
    }),
    // An owner of one property.
    property(401, { emails: ["single@example.com"], primaryPhone: undefined }),
  ];
  const byKey = (n: number) => leads.find((l) => l.key === `apn:${n}|harris|tx`)!;

  it("keeps one contact per owner, with the first property's address and each other property as a note", async () => {
    const mark = world.mark();
    const s = await importItems("owners", leads, stateFile());
    expect(s.complete).toBe(true);
    expect(s.contacts).toEqual({ created: 4, updated: 0, unchanged: 0, joined: 5 });
    expect(s.joined.map((j) => [j.key, j.homeKey, j.by])).toEqual([
      ["apn:102|harris|tx", "apn:101|harris|tx", "email"],
      ["apn:202|harris|tx", "apn:201|harris|tx", "phone"],
      ["apn:203|harris|tx", "apn:201|harris|tx", "phone"],
      ["apn:302|harris|tx", "apn:301|harris|tx", "phone"],
      ["apn:303|harris|tx", "apn:301|harris|tx", "email"],
    ]);
    const upserts = world.requestsSince(mark).filter((r) => r.operationId === "upsert-contact");
    expect(upserts).toHaveLength(4);

    const contacts = await contactsById();
    for (const [home, others] of [
      [101, [102]],
      [201, [202, 203]],
      [301, [302, 303]],
      [401, []],
    ] as const) {
      const joinedIds = s.joined.filter((j) => j.homeKey === byKey(home).key).map((j) => j.contactId);
      const contactId =
        joinedIds[0] ?? [...contacts.values()].find((c) => c.email === "single@example.com")!.id;
      const c = contacts.get(String(contactId))!;
      // The contact's own address is its first property's.
      expect(c.address1, `home ${home}`).toBe(`${home} Owner St`);
      expect(new Set(joinedIds).size).toBeLessThanOrEqual(1);
      const notes = (await notesOf(world, String(contactId))).map((n) => n.body);
      const propertyNotes = notes.filter((n) => n.startsWith("Property: "));
      expect(propertyNotes.sort()).toEqual(
        others.map((o) => expect.stringContaining(`Property: ${formatAddress(byKey(o).property)}`)),
      );
      for (const o of others) {
        const note = propertyNotes.find((n) => n.includes(`${o} Owner St`))!;
        expect(note).toContain(`Estimated Value: ${100_000 + o}`);
        expect(note).toContain(`BatchLeads key: ${byKey(o).key}`);
      }
    }
  });

  it("re-importing twice changes nothing and writes nothing; the contact's address never moves", async () => {
    for (const round of [1, 2]) {
      const mark = world.mark();
      // Reversed: the later properties come first this time; the owners' contacts stay as they were.
      const s = await importItems(`owners-again-${round}`, [...leads].reverse(), stateFile());
      expect(world.writesSince(mark), `round ${round}`).toBe(0);
      expect(s.contacts).toEqual({ created: 0, updated: 0, unchanged: 4, joined: 5 });
    }
    const contacts = await contactsById();
    const marys = [...contacts.values()].find((c) => c.email === "mary@example.com")!;
    expect(marys.address1).toBe("101 Owner St");
  });

  it("a changed property updates its own note, not the owner's contact", async () => {
    const changed = leads.map((l) =>
      l.key === byKey(203).key ? { ...l, facts: { ...l.facts, estimatedValue: 999_999 } } : l,
    );
    const mark = world.mark();
    const s = await importItems("owners-changed", changed, stateFile());
    const writes = world.requestsSince(mark).filter((r) => r.method !== "GET");
    expect(writes.map((r) => r.operationId).filter((o) => o !== "search-contacts-advanced")).toEqual([
      "update-note",
    ]);
    expect(s.contacts.joined).toBe(5);
    const ownerId = s.joined.find((j) => j.key === byKey(203).key)!.contactId;
    const notes = (await notesOf(world, ownerId)).map((n) => n.body);
    expect(notes.filter((n) => n.includes("203 Owner St"))).toEqual([
      expect.stringContaining("Estimated Value: 999999"),
    ]);
  });

  it("the report file has one line per row, naming the contact and what was written or skipped", async () => {
    const reportFile = path.join(dir, "owners-report.jsonl");
    const rejected: RejectedRow = { row: 99, reason: "no APN and no address with ZIP", values: {} };
    const merged = { ...byKey(401), rows: [9, 10] };
    const items = [...leads.filter((l) => l.key !== merged.key), merged, rejected];
    const s = await importItems("owners-report", items, stateFile(), { reportFile });
    expect(s.reportFile).toBe(reportFile);
    const lines = readFileSync(reportFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RowReportLine);
    expect(lines.map((l) => l.row).sort((a, b) => a - b)).toEqual([
      9, 10, 99, 101, 102, 201, 202, 203, 301, 302, 303,
    ]);
    const joined = lines.find((l) => l.row === 302)!;
    expect(joined).toMatchObject({
      key: "apn:302|harris|tx",
      outcome: "joined",
      joinedLead: "apn:301|harris|tx",
    });
    expect(joined.contactId).toBe(s.joined.find((j) => j.key === "apn:302|harris|tx")!.contactId);
    expect(joined.skipped.map((x) => x.what)).toContain("contact fields");
    expect(lines.find((l) => l.row === 99)).toMatchObject({ outcome: "rejected", key: null });
    expect(lines.find((l) => l.row === 9)).toMatchObject({ mergedWith: [10], outcome: "unchanged" });
    expect(lines.every((l) => l.outcome === "rejected" || typeof l.contactId === "string")).toBe(true);
  });
});

describe("values a custom field cannot take", () => {
  const types = ["Condominium", "Single Family Residential", "Duplex", "Castle", "Tiny House"];
  const typed = (base: number) =>
    types.map((t, i) =>
      property(base + i, {
        emails: [`type${base + i}@example.com`],
        primaryPhone: undefined,
        facts: { propertyType: t, bedrooms: "lots" as unknown as number, yearBuilt: 1990 },
      }),
    );

  async function propertyTypeField() {
    const r = (await world.client().callByKey("get-custom-fields", { locationId: world.locationId })) as {
      customFields: Array<{ id: string; name: string; picklistOptions?: string[] }>;
    };
    return r.customFields.find((f) => f.name === "Property Type")!;
  }

  it("--no-new-options: synonyms map onto options, the rest is left out and reported per field", async () => {
    const mapping: LeadMapping = { fieldValues: { "Property Type": { "Tiny House": "Single Family" } } };
    const mark = world.mark();
    const s = await importItems("types-fixed", typed(500), path.join(dir, "types-fixed.db"), {
      noNewOptions: true,
      mapping,
    });
    expect(
      world.requestsSince(mark).filter((r) => r.operationId === "locations:update-custom-field"),
    ).toEqual([]);
    const f = s.fields.find((x) => x.field === "Property Type")!;
    expect(f.mapped).toEqual({
      "Condominium -> Condo": 1,
      "Single Family Residential -> Single Family": 1,
      "Duplex -> Multi-Family": 1,
      "Tiny House -> Single Family": 1,
    });
    expect(f.added).toEqual([]);
    expect(f.dropped).toEqual([
      { value: "Castle", leads: 1, why: expect.stringContaining("--no-new-options") },
    ]);
    // A number field given text: counted and named too.
    const beds = s.fields.find((x) => x.field === "Bedrooms")!;
    expect(beds.dropped).toEqual([{ value: "lots", leads: 5, why: expect.stringContaining("not a number") }]);
    expect(s.warnings.some((w) => w.startsWith("Property Type: 1 value(s) left out"))).toBe(true);
    const contacts = [...(await contactsById()).values()];
    const field = await propertyTypeField();
    const propertyTypeOf = (email: string) =>
      (contacts.find((c) => c.email === email)!.customFields as Array<{ id: string; value: unknown }>).find(
        (v) => v.id === field.id,
      )?.value;
    expect(propertyTypeOf("type500@example.com")).toBe("Condo");
    expect(propertyTypeOf("type502@example.com")).toBe("Multi-Family");
    expect(propertyTypeOf("type503@example.com")).toBeUndefined();
  });

  it("options no value matches are added to the field in one update, then written", async () => {
    const before = await propertyTypeField();
    const mark = world.mark();
    const s = await importItems("types-added", typed(600), path.join(dir, "types-added.db"));
    const updates = world
      .requestsSince(mark)
      .filter((r) => r.operationId === "locations:update-custom-field");
    expect(updates).toHaveLength(1);
    const f = s.fields.find((x) => x.field === "Property Type")!;
    expect(f.added).toEqual(["Castle", "Tiny House"]);
    expect(f.dropped).toEqual([]);
    const after = await propertyTypeField();
    expect(after.picklistOptions).toEqual([...(before.picklistOptions ?? []), "Castle", "Tiny House"]);
    const castle = [...(await contactsById()).values()].find((c) => c.email === "type603@example.com")!;
    expect(
      (castle.customFields as Array<{ id: string; value: unknown }>).find((v) => v.id === after.id)?.value,
    ).toBe("Castle");
  });
});

describe("the state and HighLevel drifting apart", () => {
  const stateFile = () => path.join(dir, "drift.db");
  const leads = [1, 2, 3, 4].map((n) =>
    property(700 + n, { emails: [`drift${n}@example.com`], primaryPhone: undefined, facts: { bedrooms: n } }),
  );
  const contactOf = (key: string) => {
    const st = SyncState.open({ file: stateFile() });
    try {
      return st.getWritten(stateScope(world.baseUrl, world.locationId), key)!.contactId!;
    } finally {
      st.close();
    }
  };

  it("a contact deleted by hand: the sample check says so, --verify creates it again", async () => {
    await importItems("drift", leads, stateFile());
    const gone = contactOf(leads[1]!.key);
    await world.client().callByKey("delete-contact", { contactId: gone });

    const plain = await importItems("drift", leads, stateFile());
    expect(plain.contacts.unchanged).toBe(4);
    expect(plain.warnings.join("\n")).toMatch(/1 of 4 remembered contacts checked are gone.*--verify/);

    const mark = world.mark();
    const v = await importItems("drift", leads, stateFile(), { verify: true });
    expect(v.verify).toMatchObject({ checked: 4, missing: 1, handChanged: [] });
    expect(v.contacts).toEqual({ created: 1, updated: 0, unchanged: 3, joined: 0 });
    const reads = world.requestsSince(mark).filter((r) => r.operationId === "search-contacts-advanced");
    expect(reads).toHaveLength(1); // four contacts, one search
    const again = contactOf(leads[1]!.key);
    expect(again).not.toBe(gone);
    expect((await contactsById()).get(again)?.email).toBe("drift2@example.com");
  });

  it("a field edited by hand is reported by --verify and not overwritten when other values change", async () => {
    const id = contactOf(leads[0]!.key);
    await world.client().callByKey("update-contact", { contactId: id }, { firstName: "Maria" });
    const changed = leads.map((l, i) => (i === 0 ? { ...l, facts: { bedrooms: 9 } } : l));
    const s = await importItems("drift-edit", changed, stateFile(), { verify: true });
    expect(s.verify!.handChanged).toEqual([
      { key: leads[0]!.key, contactId: id, fields: [{ field: "firstName", wrote: "Mary", now: "Maria" }] },
    ]);
    expect(s.contacts.updated).toBe(1);
    const c = (await contactsById()).get(id)!;
    expect(c.firstName).toBe("Maria");
    const r = (await world.client().callByKey("get-custom-fields", { locationId: world.locationId })) as {
      customFields: Array<{ id: string; name: string }>;
    };
    const beds = r.customFields.find((f) => f.name === "Bedrooms")!.id;
    expect((c.customFields as Array<{ id: string; value: unknown }>).find((v) => v.id === beds)?.value).toBe(
      9,
    );
  });
});

describe("losing the state", () => {
  it("never duplicates a contact: leads without email or phone are found by their BatchLeads Key", async () => {
    const first = await runImport({
      file: SAMPLE,
      locationId: world.locationId,
      client: world.client(),
      stateFile: path.join(dir, "lost-1.db"),
    });
    const before = (await sandboxContacts(world)).length;
    // Run from "another folder": a state that knows nothing.
    const mark = world.mark();
    const second = await runImport({
      file: SAMPLE,
      locationId: world.locationId,
      client: world.client(),
      stateFile: path.join(dir, "lost-2.db"),
    });
    expect((await sandboxContacts(world)).length).toBe(before);
    expect(second.contacts.created).toBe(0);
    expect(second.contacts.updated + second.contacts.joined).toBe(first.leads - first.contacts.joined);
    const searches = world.requestsSince(mark).filter((r) => r.operationId === "search-contacts-advanced");
    expect(searches.length).toBeLessThanOrEqual(Math.ceil(first.leads / 200));
  }, 180_000); // two imports of the 300-row sample
});
