import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lead } from "../src/lead.ts";
import { mergeLeads } from "../src/normalize/merge.ts";
import { ALL_DNC_PROBLEM, isRejected, normalizeRow } from "../src/normalize/row.ts";
import { readLeads, writeExport } from "./fixtures/messy.ts";

const HOUSE = {
  Apn: "111-22-3333",
  "Property County": "Harris",
  "Property State": "TX",
  "Property Address": "1 Main St",
  "Property City": "Houston",
  "Property Zip": "77002",
};

function row(n: number, values: Record<string, string>): Lead {
  const r = normalizeRow({ ...HOUSE, ...values }, n);
  if (isRejected(r)) throw new Error(r.reason);
  return r;
}

describe("mergeLeads: rows of one property, the later row winning", () => {
  it("later values win field by field; a blank later value never erases an earlier one", () => {
    const a = row(3, {
      "First Name": "Mary",
      "Last Name": "Williams",
      "Lead Status": "New",
      List: "Vacant Atlanta",
      "Estimated Value": "300000",
      "Bedroom Count": "3",
      "Year Built": "1950",
    });
    const b = row(9, { "Lead Status": "Hot", "Estimated Value": "$320,000", "Bedroom Count": "", List: "" });
    const m = mergeLeads(a, b);
    expect(m.rows).toEqual([3, 9]);
    expect(m.status).toBe("Hot");
    expect(m.list).toBe("Vacant Atlanta");
    expect(m.facts).toMatchObject({
      estimatedValue: 320000,
      bedrooms: 3,
      yearBuilt: 1950,
      status: "Hot",
      list: "Vacant Atlanta",
    });
    // b has no owner name at all: a's real owner stays.
    expect(m.owner).toEqual({ firstName: "Mary", lastName: "Williams", displayName: "Mary Williams" });
  });

  it("a later real owner replaces the earlier one whole, never a mix of the two", () => {
    const a = row(1, { "First Name": "Mary", "Last Name": "Williams" });
    const b = row(2, { "First Name": "", "Last Name": "Oak Holdings LLC" });
    expect(mergeLeads(a, b).owner).toEqual({
      companyName: "Oak Holdings LLC",
      displayName: "Oak Holdings LLC",
    });
  });

  it("phones: the union, the later row's first and ranks renumbered; DNC sticks if any row says so", () => {
    const a = row(1, {
      "Phone 1": "7135550001",
      "Phone 1 DNC": "No",
      "Phone 1 TYPE": "Landline",
      "Phone 2": "7135550002",
      "Phone 2 DNC": "Yes",
    });
    const b = row(2, {
      "Phone 1": "(713) 555-0003",
      "Phone 1 DNC": "No",
      "Phone 2": "7135550001",
      "Phone 2 DNC": "Yes",
    });
    const m = mergeLeads(a, b);
    expect(m.phones).toEqual([
      { number: "+17135550003", dnc: false, rank: 1 },
      { number: "+17135550001", dnc: true, rank: 2, type: "landline" },
      { number: "+17135550002", dnc: true, rank: 3 },
    ]);
    expect(m.primaryPhone).toBe("+17135550003");
  });

  it("the primary phone is chosen again on the merged phones, and an all-DNC lead says so once", () => {
    const a = row(1, { "Phone 1": "7135550001", "Phone 1 DNC": "No" });
    const b = row(2, { "Phone 1": "7135550001", "Phone 1 DNC": "Yes" });
    const m = mergeLeads(a, b);
    expect(m.primaryPhone).toBeUndefined();
    expect(m.problems).toEqual([ALL_DNC_PROBLEM]);
    const c = row(3, { "Phone 1": "7135550009", "Phone 1 DNC": "No", "Phone 1 TYPE": "Mobile" });
    const m2 = mergeLeads(m, c);
    expect(m2.primaryPhone).toBe("+17135550009");
    expect(m2.problems).toEqual([]);
  });

  it("emails and tags: unions with the later row's first", () => {
    const a = row(1, { Email: "a@example.com", "Email 2": "b@example.com", "Tag Names": "vacant, absentee" });
    const b = row(2, {
      Email: "c@example.com",
      "Email 2": "A@example.com",
      "Tag Names": "high equity, vacant",
    });
    const m = mergeLeads(a, b);
    expect(m.emails).toEqual(["c@example.com", "a@example.com", "b@example.com"]);
    expect(m.tags).toEqual(["high equity", "vacant", "absentee"]);
  });

  it("compliance: a litigator or opt-out flag on any row sticks", () => {
    const a = row(1, { Litigator: "Yes", "Opt-Out": "No" });
    const b = row(2, { Litigator: "No", "Opt-Out": "Yes" });
    expect(mergeLeads(a, b).compliance).toEqual({ litigator: true, optOut: true });
    expect(mergeLeads(b, a).compliance).toEqual({ litigator: true, optOut: true });
  });

  it("notes: both texts are kept unless one contains the other", () => {
    const note = (n: number, text: string) => row(n, { Notes: text });
    expect(mergeLeads(note(1, "Left voicemail"), note(2, "Wants cash")).notes).toBe(
      "Left voicemail\n\nWants cash",
    );
    expect(mergeLeads(note(1, "Left voicemail"), note(2, "Left voicemail. Called back")).notes).toBe(
      "Left voicemail. Called back",
    );
    expect(mergeLeads(note(1, "Left voicemail"), note(2, "")).notes).toBe("Left voicemail");
    expect(mergeLeads(note(1, "A\nB"), note(2, "A\nB")).notes).toBe("A\nB");
  });

  it("the mailing address is one unit: a later one with a street replaces the earlier whole", () => {
    const a = row(1, {
      "Mailing Address": "PO Box 1",
      "Mailing City": "Dallas",
      "Mailing State": "TX",
      "Mailing Zip": "75201",
    });
    const b = row(2, { "Mailing Address": "9 Elm St", "Mailing City": "Houston", "Mailing Zip": "" });
    const m = mergeLeads(a, b);
    expect(m.mailing).toEqual({ address: "9 Elm St", city: "Houston" });
    expect(m.facts.mailingAddress).toBe("9 Elm St, Houston");
    const c = row(3, { "Mailing County": "Dallas" });
    const m2 = mergeLeads(a, c);
    expect(m2.mailing).toEqual({
      address: "PO Box 1",
      city: "Dallas",
      state: "TX",
      zip: "75201",
      county: "Dallas",
    });
    expect(m2.facts.mailingAddress).toBe("PO Box 1, Dallas, TX 75201");
  });

  it("is pure: neither input changes", () => {
    const a = row(1, { "Phone 1": "7135550001", "Tag Names": "x" });
    const b = row(2, { "Phone 1": "7135550002", "Tag Names": "y" });
    const before = JSON.stringify([a, b]);
    mergeLeads(a, b);
    expect(JSON.stringify([a, b])).toBe(before);
  });

  it("folding rows one at a time gives one lead per property", () => {
    const rows = [
      row(1, { "Lead Status": "New", "Tag Names": "a" }),
      row(2, { "Lead Status": "", "Tag Names": "b" }),
      row(3, { "Lead Status": "Hot", "Tag Names": "a, c" }),
    ];
    const m = rows.reduce((acc, l) => mergeLeads(acc, l));
    expect(m.rows).toEqual([1, 2, 3]);
    expect(m.status).toBe("Hot");
    expect(m.tags).toEqual(["a", "c", "b"]);
  });
});

describe("merging in a file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bl-merge-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("the same property written three ways across a file is one lead with all three rows", async () => {
    const header = [
      "Property Address",
      "Property Zip",
      "Property City",
      "Lead Status",
      "Phone 1",
      "Phone 1 DNC",
      "Tag Names",
    ];
    const path = join(dir, "dups.csv");
    await writeExport(
      path,
      header,
      [
        {
          "Property Address": "123 North Main Street",
          "Property Zip": "77002",
          "Lead Status": "New",
          "Phone 1": "7135550001",
          "Phone 1 DNC": "No",
          "Tag Names": "vacant",
        },
        { "Property Address": "9 Elm St", "Property Zip": "77003", "Lead Status": "New" },
        {
          "Property Address": "123 N. MAIN ST",
          "Property Zip": "77002-4410",
          "Lead Status": "Hot",
          "Tag Names": "absentee",
        },
        { "Property Address": "123 n main st", "Property Zip": "77002", "Property City": "Houston" },
      ],
      { headerDrift: false },
    );
    const { leads } = await readLeads(path);
    expect(leads.size).toBe(2);
    const l = leads.get("addr:123 n main st|77002")!;
    expect(l.rows).toEqual([1, 3, 4]);
    expect(l.status).toBe("Hot");
    expect(l.tags).toEqual(["absentee", "vacant"]);
    expect(l.primaryPhone).toBe("+17135550001");
    expect(l.property.city).toBe("Houston");
    // The later row's spelling of the address is the one the contact gets.
    expect(l.property.address).toBe("123 n main st");
  });
});
