// What a lead should become in HighLevel, decided without any call: contact payload, tags, note,
// task; the settings a mapping file changes; the mapping file itself.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { nextBusinessDay } from "../src/sync/business-day.ts";
import { hashOf, stableJson } from "../src/sync/hash.ts";
import { loadMappingFile, MappingFileError } from "../src/sync/mapping-file.ts";
import { contactPlan, noteText, tagSet, taskPlan } from "../src/sync/plan.ts";
import { isHot, syncSettings } from "../src/sync/settings.ts";
import { makeLead } from "./sync-helpers.ts";

const defaults = syncSettings();

describe("contact payload", () => {
  it("a person: names, property address, primary phone, first email, facts by field name", () => {
    const p = contactPlan(makeLead(), defaults);
    expect(p.fields).toEqual({
      source: "BatchLeads",
      firstName: "Mary",
      lastName: "Williams",
      address1: "6568 Hillcrest Rd",
      city: "Orlando",
      state: "FL",
      postalCode: "32819",
      country: "US",
      phone: "+13056875749",
      email: "mary.williams72@example.com",
    });
    expect(p.fields).not.toHaveProperty("dnd");
    expect(p.fields).not.toHaveProperty("tags"); // upsert replaces tags: never sent there
    const values = Object.fromEntries(Object.entries(p.custom).map(([k, v]) => [k, v.value]));
    expect(values).toMatchObject({
      "Mailing Address": "1050 Sunset Blvd, Orlando, FL 32819",
      "Property Type": "Single Family Residential",
      Bedrooms: 5,
      Bathrooms: 3,
      "Estimated Value": 316000,
      Vacant: false,
      APN: "188-65-7851",
      "BatchLeads List": "High Equity Phoenix",
      "BatchLeads Status": "Follow Up",
      "BatchLeads Phones": "+17867181909 DNC\n+13056875749 mobile",
    });
    expect(p.custom["Estimated Value"]!.spec.dataType).toBe("MONETORY");
  });

  it("an entity: the entity in companyName and a readable name", () => {
    const p = contactPlan(
      makeLead({ owner: { companyName: "SUNRISE PROPERTIES LLC", displayName: "Sunrise Properties LLC" } }),
      defaults,
    );
    expect(p.fields).toMatchObject({ name: "Sunrise Properties LLC", companyName: "SUNRISE PROPERTIES LLC" });
    expect(p.fields).not.toHaveProperty("firstName");
  });

  it("litigator or opt-out: dnd on every channel", () => {
    for (const compliance of [
      { litigator: true, optOut: false },
      { litigator: false, optOut: true },
    ]) {
      const p = contactPlan(makeLead({ compliance }), defaults);
      expect(p.fields.dnd).toBe(true);
      const settings = p.fields.dndSettings as Record<string, { status: string }>;
      expect(Object.keys(settings).sort()).toEqual(["Call", "Email", "FB", "GMB", "SMS", "WhatsApp"]);
      for (const s of Object.values(settings)) expect(s.status).toBe("active");
    }
  });

  it("the hash: same content same hash, whatever the key order; any change changes it", () => {
    const a = contactPlan(makeLead(), defaults).hash;
    expect(
      contactPlan(
        makeLead({
          facts: {
            vacant: false,
            estimatedValue: 316000,
            bathrooms: 3,
            bedrooms: 5,
            propertyType: "Single Family Residential",
          },
        }),
        defaults,
      ).hash,
    ).toBe(a);
    expect(contactPlan(makeLead({ status: "Hot" }), defaults).hash).not.toBe(a);
    expect(contactPlan(makeLead({ primaryPhone: "+17867181909" }), defaults).hash).not.toBe(a);
    // Tags and notes are not part of the contact: they have their own hashes.
    expect(contactPlan(makeLead({ tags: ["x"], notes: "other" }), defaults).hash).toBe(a);
    expect(stableJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(hashOf("x")).toBe(hashOf("x"));
  });

  it("a mapping renames fields, switches some off and adds facts the defaults leave out", () => {
    const s = syncSettings({ customFields: { bedrooms: "Beds", phones: "", loanType: "Loan Type" } });
    const p = contactPlan(makeLead({ facts: { bedrooms: 2, loanType: "FHA" } }), s);
    expect(Object.keys(p.custom)).toEqual(expect.arrayContaining(["Beds", "Loan Type"]));
    expect(p.custom).not.toHaveProperty("Bedrooms");
    expect(p.custom).not.toHaveProperty("BatchLeads Phones");
    expect(p.custom["Loan Type"]!.spec.dataType).toBe("TEXT");
  });
});

describe("tags, note and task", () => {
  it("tags: every Tag Names entry, the list and batchleads (lowercased, sorted), configurable", () => {
    expect(tagSet(makeLead(), defaults)).toEqual([
      "batchleads",
      "high equity",
      "high equity phoenix",
      "pre-foreclosure",
    ]);
    const s = syncSettings({ tagWithList: false, tagBatchleads: false, tags: [" Imported ", "Q1"] });
    expect(tagSet(makeLead(), s)).toEqual(["high equity", "imported", "pre-foreclosure", "q1"]);
  });

  it("note: the trimmed Notes text, none when blank", () => {
    expect(noteText(makeLead({ notes: "  hi \n" }))).toBe("hi");
    expect(noteText(makeLead({ notes: "   " }))).toBeUndefined();
    expect(noteText(makeLead({ notes: undefined }))).toBeUndefined();
  });

  it("task: 'Call NAME about ADDRESS', due the next business day, a reference per transition", () => {
    const friday = new Date(2026, 2, 13, 18, 0);
    const t = taskPlan(makeLead({ status: "Hot" }), defaults, 1, friday);
    expect(t.title).toBe("Call Mary Williams about 6568 Hillcrest Rd, Orlando, FL 32819");
    expect(t.dueDate).toBe(new Date(2026, 2, 16, 9, 0).toISOString());
    expect(t.body).toContain(`[${t.ref}]`);
    expect(taskPlan(makeLead(), defaults, 2, friday).ref).not.toBe(t.ref);
    const custom = syncSettings({ taskTitle: "Phone {name} ({status})" });
    expect(taskPlan(makeLead({ status: "Hot" }), custom, 1, friday).title).toBe("Phone Mary Williams (Hot)");
  });

  it("next business day skips Saturday and Sunday", () => {
    const day = (d: number) => nextBusinessDay(new Date(2026, 2, d, 12)).getDate();
    expect(day(12)).toBe(13); // Thu -> Fri
    expect(day(13)).toBe(16); // Fri -> Mon
    expect(day(14)).toBe(16); // Sat -> Mon
    expect(day(15)).toBe(16); // Sun -> Mon
    expect(day(16)).toBe(17); // Mon -> Tue
  });

  it("hot statuses: default Hot, configurable, case and spaces ignored", () => {
    expect(isHot(defaults, " hot ")).toBe(true);
    expect(isHot(defaults, "Warm")).toBe(false);
    expect(isHot(defaults, undefined)).toBe(false);
    const s = syncSettings({ hotStatuses: ["Hot", "Appointment Set"] });
    expect(isHot(s, "appointment set")).toBe(true);
  });
});

describe("mapping file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "bl-map-"));
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it("reads JSON and YAML", () => {
    expect(loadMappingFile(write("m.json", '{"hotStatuses":["Hot","Warm"],"tagBatchleads":false}'))).toEqual({
      hotStatuses: ["Hot", "Warm"],
      tagBatchleads: false,
    });
    expect(
      loadMappingFile(write("m.yaml", "tags:\n  - imported\ncustomFields:\n  bedrooms: Beds\n")),
    ).toEqual({
      tags: ["imported"],
      customFields: { bedrooms: "Beds" },
    });
  });

  it("says what is wrong and where", () => {
    const bad = (name: string, text: string) => () => loadMappingFile(write(name, text));
    expect(bad("a.json", "{nope")).toThrow(MappingFileError);
    expect(bad("a.json", "{nope")).toThrow(/a\.json: is not valid JSON/);
    expect(bad("b.json", '{"hotStatus":["Hot"]}')).toThrow(/unknown key "hotStatus"/);
    expect(bad("c.json", '{"hotStatuses":"Hot"}')).toThrow(/"hotStatuses" must be a list of strings/);
    expect(bad("d.yaml", "customFields:\n  bedrooms: 3\n")).toThrow(
      /"customFields" "bedrooms" must be a string/,
    );
    expect(bad("e.yaml", "- a\n- b\n")).toThrow(/must hold an object/);
    expect(() => loadMappingFile(path.join(dir, "missing.json"))).toThrow(/missing\.json: no such file/);
  });
});
