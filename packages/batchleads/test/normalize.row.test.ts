import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { isRowError, readExportRows } from "../src/file/read.ts";
import type { Lead, RejectedRow } from "../src/lead.ts";
import { ALL_DNC_PROBLEM, isRejected, NO_KEY_REASON, normalizeRow } from "../src/normalize/row.ts";

const SAMPLE = fileURLToPath(new URL("../../../specs/batchleads/sample-export.csv", import.meta.url));

/** The sample's leads by data row number, read through the real reader. */
const byRow = new Map<number, Lead>();
beforeAll(async () => {
  for await (const item of readExportRows(SAMPLE)) {
    if (isRowError(item)) throw new Error(item.error);
    const lead = normalizeRow(item.values, item.row);
    if (isRejected(lead)) throw new Error(`row ${item.row} rejected: ${lead.reason}`);
    byRow.set(item.row, lead);
  }
});

function lead(row: number): Lead {
  const l = byRow.get(row);
  if (!l) throw new Error(`no lead for row ${row}`);
  return l;
}

function one(values: Record<string, string>, mapping = {}): Lead {
  const r = normalizeRow(values, 1, mapping);
  if (isRejected(r)) throw new Error(r.reason);
  return r;
}

const HOUSE = {
  "Property Address": "1 Main St",
  "Property City": "Houston",
  "Property State": "TX",
  "Property Zip": "77002",
};

describe("the sample export, rule by rule on chosen rows", () => {
  it("row 1: every part of a person's lead", () => {
    expect(lead(1)).toEqual({
      key: "apn:188657851|orange|fl",
      rows: [1],
      owner: { firstName: "Mary", lastName: "Williams", displayName: "Mary Williams" },
      property: {
        address: "6568 Hillcrest Rd",
        city: "Orlando",
        state: "FL",
        zip: "32819",
        county: "Orange",
        apn: "188-65-7851",
      },
      mailing: { address: "1050 Sunset Blvd", city: "Orlando", state: "FL", zip: "32819", county: "Orange" },
      phones: [
        { number: "+17867181909", dnc: true, rank: 1 },
        { number: "+18137797543", type: "landline", dnc: false, rank: 2 },
        { number: "+13056875749", type: "mobile", dnc: false, rank: 3 },
        { number: "+18134527601", dnc: false, rank: 4 },
        { number: "+14077597971", type: "voip", dnc: false, rank: 5 },
      ],
      // Phone 1 is DNC; among the rest the mobile (rank 3) beats the lower-ranked landline.
      primaryPhone: "+13056875749",
      emails: ["mary.williams72@example.com"],
      compliance: { litigator: false, optOut: false },
      status: "Follow Up",
      list: "High Equity Phoenix",
      tags: ["pre-foreclosure", "high equity"],
      facts: {
        propertyType: "Single Family Residential",
        ownerOccupied: false,
        bedrooms: 5,
        bathrooms: 3,
        buildingSqft: 2324,
        yearBuilt: 1926,
        estimatedValue: 316000,
        ltv: 5,
        vacant: false,
        mailingVacant: false,
        batchrankScore: "Low",
        createdDate: "2026-02-08",
        updatedDate: "2026-11-21",
        mailingAddress: "1050 Sunset Blvd, Orlando, FL 32819",
        apn: "188-65-7851",
        list: "High Equity Phoenix",
        status: "Follow Up",
      },
      problems: [],
    });
  });

  it("row 2: a litigator; the DNC wireless number loses to a non-DNC number of unknown type", () => {
    const l = lead(2);
    expect(l.compliance).toEqual({ litigator: true, optOut: false });
    expect(l.phones.map((p) => [p.number, p.type, p.dnc])).toEqual([
      ["+12164122330", undefined, false],
      ["+12166402685", "voip", false],
      ["+12162786666", "wireless", true],
    ]);
    expect(l.primaryPhone).toBe("+12164122330");
    expect(l.facts.bathrooms).toBe(2.5);
    expect(l.facts.ltv).toBe(57);
  });

  it("row 3: the only phone is DNC, so there is no primary phone and the lead says why", () => {
    const l = lead(3);
    expect(l.phones).toEqual([{ number: "+17135852808", type: "mobile", dnc: true, rank: 1 }]);
    expect(l.primaryPhone).toBeUndefined();
    expect(l.problems).toEqual([ALL_DNC_PROBLEM]);
    expect(l.notes).toBe("Wants cash offer, roof needs work");
    expect(l.tags).toEqual(["vacant", "absentee", "high equity"]);
    expect(l.emails).toEqual([]);
  });

  it("row 10: hot status; two DNC numbers before the first callable one", () => {
    const l = lead(10);
    expect(l.status).toBe("Hot");
    expect(l.compliance.litigator).toBe(true);
    expect(l.primaryPhone).toBe("+14802207764");
    expect(l.phones.filter((p) => p.dnc).map((p) => p.rank)).toEqual([1, 2]);
  });

  it("row 11: an entity owner without an APN, opted out", () => {
    const l = lead(11);
    expect(l.key).toBe("addr:5278 oak ave|32848");
    expect(l.owner).toEqual({ companyName: "Sunrise Properties LLC", displayName: "Sunrise Properties LLC" });
    expect(l.property.apn).toBeUndefined();
    expect(l.facts.apn).toBeUndefined();
    expect(l.compliance).toEqual({ litigator: false, optOut: true });
    expect(l.primaryPhone).toBe("+18132688310");
  });

  it("row 22: no APN and no phones: an address key, no primary phone and nothing to complain about", () => {
    const l = lead(22);
    expect(l.key).toBe("addr:8158 pine st|30316");
    expect(l.phones).toEqual([]);
    expect(l.primaryPhone).toBeUndefined();
    expect(l.problems).toEqual([]);
    expect(l.notes).toBe("Left voicemail");
  });

  it("row 27: a trust with an APN; the rank-2 mobile is preferred over the rank-1 VoIP", () => {
    const l = lead(27);
    expect(l.key).toBe("apn:588223173|shelby|tn");
    expect(l.owner.companyName).toBe("Smith Family Trust");
    expect(l.owner.displayName).toBe("Smith Family Trust");
    expect(l.primaryPhone).toBe("+19018083400");
    expect(l.phones).toHaveLength(5);
    expect(l.phones[4]).toEqual({ number: "+19013661605", type: "voip", dnc: true, rank: 5 });
    expect(l.tags).toEqual(["free and clear", "vacant", "tired landlord"]);
  });

  it("row 34: opt-out, two emails in column order, mailing address elsewhere", () => {
    const l = lead(34);
    expect(l.compliance.optOut).toBe(true);
    expect(l.emails).toEqual(["james.lopez14@example.com", "lopez583@example.net"]);
    expect(l.facts.mailingAddress).toBe("9309 Church St, Memphis, TN 38199");
    expect(l.property.address).toBe("1748 Hillcrest Rd");
  });

  it("every row, checked against its raw values", () => {
    const [header, ...records] = parse(readFileSync(SAMPLE), { columns: false }) as string[][];
    const col = (r: string[], name: string) => r[header!.indexOf(name)] ?? "";
    expect(byRow.size).toBe(300);
    expect(new Set([...byRow.values()].map((l) => l.key)).size).toBe(300);
    records.forEach((r, i) => {
      const l = lead(i + 1);
      const slots = [1, 2, 3, 4, 5].filter((n) => col(r, `Phone ${n}`) !== "");
      expect(l.phones.map((p) => p.rank)).toEqual(slots);
      for (const p of l.phones) {
        expect(p.number).toBe(`+1${col(r, `Phone ${p.rank}`)}`);
        expect(p.dnc).toBe(col(r, `Phone ${p.rank} DNC`) === "Yes");
        expect(p.type).toBe(col(r, `Phone ${p.rank} TYPE`).toLowerCase() || undefined);
      }
      const callable = l.phones.filter((p) => !p.dnc);
      const mobile = callable.find((p) => ["mobile", "wireless"].includes(p.type ?? ""));
      expect(l.primaryPhone).toBe((mobile ?? callable[0])?.number);
      expect(l.compliance.litigator).toBe(col(r, "Litigator") === "Yes");
      expect(l.compliance.optOut).toBe(col(r, "Opt-Out") === "Yes");
      const apn = col(r, "Apn");
      expect(l.key.startsWith(apn ? "apn:" : "addr:")).toBe(true);
      if (col(r, "First Name") === "") {
        expect(l.owner.companyName).toBe(col(r, "Last Name"));
        expect(l.owner.firstName).toBeUndefined();
      } else {
        expect(l.owner.displayName).toBe(`${col(r, "First Name")} ${col(r, "Last Name")}`);
      }
      const tags = col(r, "Tag Names")
        .split(",")
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean);
      expect(l.tags).toEqual([...new Set(tags)]);
      expect(l.status).toBe(col(r, "Lead Status"));
      expect(l.facts.estimatedValue).toBe(Number(col(r, "Estimated Value")));
      expect(l.facts.ltv).toBe(Number(col(r, "Ltv Current Estimated Combined").replace("%", "")));
    });
  });
});

describe("owners", () => {
  it("an all-caps entity gets a readable display name, the company name as written", () => {
    const l = one({ ...HOUSE, "First Name": "", "Last Name": "RED DOOR CAPITAL, LLC" });
    expect(l.owner).toEqual({ companyName: "RED DOOR CAPITAL, LLC", displayName: "Red Door Capital, LLC" });
  });

  it("no owner names at all: owner 2 names the contact, else the property does", () => {
    const with2 = one({ ...HOUSE, "Owner 2 First Name": "Ana", "Owner 2 Last Name": "Ruiz" });
    expect(with2.owner).toEqual({ displayName: "Ana Ruiz" });
    expect(with2.owner2).toEqual({ firstName: "Ana", lastName: "Ruiz" });
    expect(with2.facts.owner2Name).toBe("Ana Ruiz");
    expect(one(HOUSE).owner).toEqual({ displayName: "Unknown owner of 1 Main St, Houston, TX 77002" });
  });

  it("an entity written in the first-name column is still an entity", () => {
    expect(one({ ...HOUSE, "First Name": "Oak Holdings LLC" }).owner).toEqual({
      companyName: "Oak Holdings LLC",
      displayName: "Oak Holdings LLC",
    });
    expect(one({ ...HOUSE, "First Name": "Cher" }).owner).toEqual({ firstName: "Cher", displayName: "Cher" });
  });
});

describe("phones, emails and flags", () => {
  it("normalises mangled phones, drops invalid ones into problems and reads DNC flags in every spelling", () => {
    const l = one({
      ...HOUSE,
      "Phone 1": "(713) 555-1234",
      "Phone 1 DNC": "Y",
      "Phone 2": "713.555.1235",
      "Phone 2 DNC": "false",
      "Phone 2 TYPE": " Landline ",
      "Phone 3": "555-12",
      "Phone 3 DNC": "No",
      "Phone 4": "7135551236.0",
      "Phone 4 DNC": "0",
      "Phone 4 TYPE": "Cell",
      "Phone 5": "+1 713 555 1237",
      "Phone 5 DNC": "maybe",
    });
    expect(l.phones).toEqual([
      { number: "+17135551234", dnc: true, rank: 1 },
      { number: "+17135551235", type: "landline", dnc: false, rank: 2 },
      { number: "+17135551236", type: "cell", dnc: false, rank: 4 },
      { number: "+17135551237", dnc: true, rank: 5 },
    ]);
    expect(l.primaryPhone).toBe("+17135551236");
    expect(l.problems).toEqual([
      'Phone 3 "555-12" is not a valid phone number: dropped',
      'Phone 5 DNC "maybe" is not Yes or No: taken as DNC',
    ]);
  });

  it("phones without a country code use the mapping's default country", () => {
    const l = one({ ...HOUSE, "Phone 1": "020 7946 0958" }, { defaultCountry: "GB" });
    expect(l.phones[0]?.number).toBe("+442079460958");
  });

  it("emails: lowercased, de-duplicated, several in one cell, invalid ones reported", () => {
    const l = one({
      ...HOUSE,
      Email: " Mary.W@Example.COM ; bob@example.com",
      "Email 2": "mary.w@example.com",
      "Email 3": "not-an-email",
    });
    expect(l.emails).toEqual(["mary.w@example.com", "bob@example.com"]);
    expect(l.problems).toEqual(['Email 3 "not-an-email" is not a valid email address: dropped']);
  });

  it("Litigator/Opt-Out in any Yes spelling set the compliance flags; an unreadable one counts as set", () => {
    expect(one({ ...HOUSE, Litigator: "TRUE", "Opt-Out": "1" }).compliance).toEqual({
      litigator: true,
      optOut: true,
    });
    expect(one({ ...HOUSE, Litigator: "N", "Opt-Out": "" }).compliance).toEqual({
      litigator: false,
      optOut: false,
    });
    const odd = one({ ...HOUSE, Litigator: "unknown" });
    expect(odd.compliance.litigator).toBe(true);
    expect(odd.problems).toEqual(['Litigator "unknown" is not Yes or No: taken as Yes']);
  });
});

describe("status, list, tags, notes and facts", () => {
  it("tags are split, trimmed, lowercased and de-duplicated; notes are kept verbatim, trimmed", () => {
    const l = one({
      ...HOUSE,
      "Tag Names": " Vacant ,HIGH  equity,,vacant, absentee ",
      Notes: '  He said "call me, later"\r\nsecond line  ',
      "Lead Status": " Follow Up ",
      List: "Tired Landlords",
    });
    expect(l.tags).toEqual(["vacant", "high equity", "absentee"]);
    expect(l.notes).toBe('He said "call me, later"\nsecond line');
    expect(l.status).toBe("Follow Up");
    expect(l.list).toBe("Tired Landlords");
  });

  it("money, percentages, numbers, dates and booleans are parsed; unreadable values are left out and reported", () => {
    const l = one({
      ...HOUSE,
      "Estimated Value": "$316,000",
      "Equity Current Estimated Balance": "($12,500)",
      "Ltv Current Estimated Combined": "57.5 %",
      "Bedroom Count": "3.0",
      "Total Building Area Square Feet": "1,234",
      "Last Sale Date": "3-7-2019",
      "Year Built": "unknown",
      "Foreclosure Auction Date": "02-30-2026",
      "Owner Occupied": "Yes",
      "Is Vacant": "N",
      "Mls Status": " Pending ",
    });
    expect(l.facts).toMatchObject({
      estimatedValue: 316000,
      equity: -12500,
      ltv: 57.5,
      bedrooms: 3,
      buildingSqft: 1234,
      lastSaleDate: "2019-03-07",
      ownerOccupied: true,
      vacant: false,
      mlsStatus: "Pending",
    });
    expect(l.facts.yearBuilt).toBeUndefined();
    expect(l.facts.foreclosureAuctionDate).toBeUndefined();
    expect(l.problems).toEqual([
      'Year Built "unknown" is not a number: left out',
      'Foreclosure Auction Date "02-30-2026" is not a date (MM-DD-YYYY): left out',
    ]);
  });

  it("values keyed by other spellings of the headers (a Zapier post) read the same", () => {
    const l = one({
      "property address": "1 Main St",
      "PROPERTY ZIP": "77002",
      "first name": "Mary",
      "last name": "Williams",
      "phone 1": "7135551234",
      "phone 1 dnc": "No",
      "phone 1 type": "Mobile",
    });
    expect(l.key).toBe("addr:1 main st|77002");
    expect(l.owner.displayName).toBe("Mary Williams");
    expect(l.primaryPhone).toBe("+17135551234");
  });
});

describe("rejected rows", () => {
  it("a row with neither an APN nor an address with ZIP is rejected with its values and the reason", () => {
    const values = {
      "First Name": "Mary",
      "Last Name": "Williams",
      "Property Address": "6568 Hillcrest Rd",
      "Property Zip": "",
      Apn: " ",
      Notes: "keep me",
    };
    const r = normalizeRow(values, 17) as RejectedRow;
    expect(r).toEqual({ row: 17, reason: NO_KEY_REASON, values });
    expect(r.reason).toBe("no APN and no property address with ZIP");
    expect(isRejected(normalizeRow({ "Property Zip": "77002" }, 1))).toBe(true);
    expect(
      isRejected(normalizeRow({ "Property Address": "1 Main St", "Property Zip": "not a zip" }, 1)),
    ).toBe(true);
  });
});
