import path from "node:path";
import { describe, expect, it } from "vitest";
import { isRowError, readExportRows } from "../src/file/read.ts";
import type { Lead } from "../src/lead.ts";
import { normalizeRow } from "../src/normalize/row.ts";
import { leadFromZapierPost, leadsFromZapierPayload, zapierEvent } from "../src/zapier/index.ts";

const SAMPLE = path.resolve(import.meta.dirname, "../../../specs/batchleads/sample-export.csv");
const snake = (header: string) =>
  header
    .toLowerCase()
    .replace(/%/g, "pct")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

function lead(r: ReturnType<typeof leadFromZapierPost>): Lead {
  if (!("lead" in r)) throw new Error(`rejected: ${r.rejected.reason}`);
  return r.lead;
}

describe("leadFromZapierPost", () => {
  it("gives the same Lead as the export row for every sample row posted with Zapier's snake_case keys", async () => {
    let n = 0;
    for await (const item of readExportRows(SAMPLE)) {
      if (isRowError(item)) continue;
      const fromFile = normalizeRow(item.values, 1);
      const post = Object.fromEntries(Object.entries(item.values).map(([k, v]) => [snake(k), v]));
      const fromZap = leadFromZapierPost(post);
      if ("reason" in fromFile)
        expect("rejected" in fromZap && fromZap.rejected.reason).toBe(fromFile.reason);
      else expect(lead(fromZap)).toEqual(fromFile);
      n++;
    }
    expect(n).toBe(300);
  });

  it("reads a status-updated post with short keys and the owner's full name", () => {
    const r = leadFromZapierPost({
      event: "Property Status Updated",
      address: "6568 Hillcrest Rd",
      city: "Orlando",
      state: "FL",
      zip: "32819",
      owner_name: "Williams, Mary",
      status: "Hot",
      tags: ["Pre-Foreclosure", "high equity"],
      list_name: "High Equity Phoenix",
      notes: 'Called twice, "motivated"',
    });
    expect(r.event).toBe("status-updated");
    const l = lead(r);
    expect(l.key).toBe(
      (normalizeRow({ "Property Address": "6568 Hillcrest Rd", "Property Zip": "32819" }, 1) as Lead).key,
    );
    expect(l.owner).toMatchObject({ firstName: "Mary", lastName: "Williams", displayName: "Mary Williams" });
    expect(l.property).toMatchObject({
      address: "6568 Hillcrest Rd",
      city: "Orlando",
      state: "FL",
      zip: "32819",
    });
    expect(l).toMatchObject({
      status: "Hot",
      list: "High Equity Phoenix",
      tags: ["pre-foreclosure", "high equity"],
      notes: 'Called twice, "motivated"',
    });
  });

  it("applies the phone rule to a skip-traced post: DNC never primary, a mobile preferred", () => {
    const r = leadFromZapierPost({
      event: "Property Is Skip Traced (Phone Number Available)",
      property: { address: "1164 Main St", zip: "44189", county: "Cuyahoga" },
      owner: { first_name: "Mei", last_name: "White" },
      phones: [
        { number: "2164122330", dnc: true, type: "Wireless" },
        { number: "(216) 640-2685", dnc: false, type: "Landline" },
        { number: "216.278.6666", dnc: "No", type: "Mobile" },
        { number: "12", type: "Mobile" },
        { number: "2165550199.0", tcpa: true },
      ],
      emails: [{ email: "MEI.WHITE54@example.com" }, "not-an-email"],
      litigator: false,
    });
    expect(r.event).toBe("skip-traced-phone");
    const l = lead(r);
    expect(l.owner).toMatchObject({ firstName: "Mei", lastName: "White" });
    expect(l.phones.map((p) => [p.number, p.dnc, p.rank])).toEqual([
      ["+12164122330", true, 1],
      ["+12166402685", false, 2],
      ["+12162786666", false, 3],
      ["+12165550199", true, 5],
    ]);
    expect(l.primaryPhone).toBe("+12162786666");
    expect(l.emails).toEqual(["mei.white54@example.com"]);
    expect(l.problems.join(" | ")).toMatch(/Phone 4 "12" is not a valid phone number/);
    expect(l.problems.join(" | ")).toMatch(/not-an-email/);
    expect(l.compliance).toEqual({ litigator: false, optOut: false });
  });

  it("keeps entities whole, reads booleans and compliance flags, reports phones beyond five", () => {
    const l = lead(
      leadFromZapierPost(
        JSON.stringify({
          owner_name: "SUNRISE PROPERTIES LLC",
          property_address: "10 Elm St",
          property_zip: "77002",
          is_litigator: true,
          opt_out: "No",
          phone: "7132401001",
          phone_numbers: ["7132401002", "7132401003", "7132401004", "7132401005", "7132401006"],
        }),
      ),
    );
    expect(l.owner).toMatchObject({
      companyName: "SUNRISE PROPERTIES LLC",
      displayName: "Sunrise Properties LLC",
    });
    expect(l.compliance).toEqual({ litigator: true, optOut: false });
    expect(l.phones.map((p) => p.number)).toEqual([
      "+17132401001",
      "+17132401002",
      "+17132401003",
      "+17132401004",
      "+17132401005",
    ]);
    expect(l.problems).toContain('phone "7132401006" is beyond the 5 phone columns: not used');
  });

  it("rejects what cannot be a lead, with the reason and the values, and never throws", () => {
    const noKey = leadFromZapierPost({
      event: "Property Added to a List",
      list: "Vacant",
      owner_name: "Ann Lee",
    });
    expect(noKey.event).toBe("added-to-list");
    expect("rejected" in noKey && noKey.rejected).toMatchObject({
      row: 1,
      reason: "no APN and no property address with ZIP",
      values: { list: "Vacant", "First Name": "Ann", "Last Name": "Lee" },
    });
    for (const bad of ["{oops", 42, null, [1, 2]]) {
      const r = leadFromZapierPost(bad);
      expect("rejected" in r).toBe(true);
    }
    const many = leadsFromZapierPayload([
      { address: "1 A St", zip: "77002" },
      { address: "", zip: "" },
    ]);
    expect(many.map((r) => ("lead" in r ? "lead" : r.rejected.row))).toEqual(["lead", 2]);
  });

  it("tells the four triggers apart when the post does not name one", () => {
    expect(zapierEvent({}, { phone_1: "7132401001" })).toBe("skip-traced-phone");
    expect(zapierEvent({}, { email: "a@b.co" })).toBe("skip-traced-email");
    expect(zapierEvent({}, { status: "Hot" })).toBe("status-updated");
    expect(zapierEvent({}, { list: "Vacant" })).toBe("added-to-list");
    expect(zapierEvent({ event: "skip-traced-email" })).toBe("skip-traced-email");
    expect(zapierEvent({ trigger: "Property Is Skip Traced (Email Available)" })).toBe("skip-traced-email");
    expect(zapierEvent({ event: "Direct Mail Delivered" })).toBe("unknown");
  });
});
