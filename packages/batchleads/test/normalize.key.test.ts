import { describe, expect, it } from "vitest";
import type { Lead } from "../src/lead.ts";
import { leadKey, normalizeStreet } from "../src/normalize/address.ts";
import { isRejected, normalizeRow } from "../src/normalize/row.ts";

function keyOf(values: Record<string, string>): string | undefined {
  const r = normalizeRow(values, 1);
  return isRejected(r) ? undefined : (r as Lead).key;
}

describe("the lead key", () => {
  it("is APN + county + state when there is an APN", () => {
    expect(keyOf({ Apn: "188-65-7851", "Property County": "Orange", "Property State": "FL" })).toBe(
      "apn:188657851|orange|fl",
    );
  });

  it("one parcel written differently is one key: APN separators, county suffix and punctuation, state name", () => {
    const variants: Record<string, string>[] = [
      { Apn: "123-45-6789", "Property County": "Miami-Dade", "Property State": "FL" },
      { Apn: "123456789", "Property County": "Miami Dade County", "Property State": "Florida" },
      { Apn: " 123.45.6789 ", "Property County": "MIAMI-DADE", "Property State": "fl" },
      {
        Apn: "123 45 6789",
        "Property County": "miami  dade",
        "Property State": "FL.",
        "Property Address": "x",
      },
    ];
    const keys = variants.map((v) => keyOf(v));
    expect(new Set(keys)).toEqual(new Set(["apn:123456789|miami dade|fl"]));
  });

  it("is the normalised street address with its 5-digit ZIP when there is no APN", () => {
    const variants = [
      ["6568 Hillcrest Rd", "32819"],
      ["6568 HILLCREST ROAD", "32819-1234"],
      ["6568  Hillcrest Rd.", "328191234"],
      [" 6568 hillcrest road ", "32819.0"],
    ];
    const keys = variants.map(([a, z]) => keyOf({ "Property Address": a!, "Property Zip": z! }));
    expect(new Set(keys)).toEqual(new Set(["addr:6568 hillcrest rd|32819"]));
  });

  it("folds suffixes, directions, ordinals and unit words", () => {
    const same = [
      "123 North Main Street Apartment 4",
      "123 N. MAIN ST #4",
      "123 n main st, apt 4",
      "123 North Main St Unit 4",
      "123 N Main Str. # 4",
    ];
    expect(new Set(same.map(normalizeStreet))).toEqual(new Set(["123 n main st # 4"]));
    expect(normalizeStreet("55 West First Avenue")).toBe("55 w 1st ave");
    expect(normalizeStreet("9 Sunset Boulevard Suite 200")).toBe("9 sunset blvd # 200");
    expect(normalizeStreet("12-14 O'Neil Parkway")).toBe("12-14 oneil pkwy");
    expect(normalizeStreet("12-14 ONeil Pkwy")).toBe("12-14 oneil pkwy");
  });

  it("keeps different properties apart", () => {
    const keys = [
      ["123 Main St", "77002"],
      ["123 Main Ave", "77002"],
      ["125 Main St", "77002"],
      ["123 Main St #4", "77002"],
      ["123 Main St", "77003"],
      ["123 S Main St", "77002"],
    ].map(([a, z]) => keyOf({ "Property Address": a!, "Property Zip": z! }));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("restores a ZIP's leading zero dropped by a spreadsheet", () => {
    expect(keyOf({ "Property Address": "9 Elm St", "Property Zip": "2134" })).toBe(
      keyOf({ "Property Address": "9 Elm St", "Property Zip": "02134" }),
    );
  });

  it("an APN without county or state falls back to the address; with no address, the APN alone", () => {
    expect(leadKey({ apn: "1-2", state: "TX", address: "1 Main St", zip: "77002" })).toBe(
      "addr:1 main st|77002",
    );
    expect(leadKey({ apn: "1-2", state: "TX" })).toBe("apn:12||tx");
    expect(leadKey({ apn: "", address: "1 Main St" })).toBeUndefined();
  });

  it("a ZIP that is not a US ZIP never becomes part of a key", () => {
    const r = normalizeRow(
      {
        "Property Address": "1 Main St",
        "Property Zip": "K1A 0B1",
        Apn: "9",
        "Property County": "X",
        "Property State": "ON",
      },
      3,
    );
    expect(isRejected(r)).toBe(false);
    const l = r as Lead;
    expect(l.key).toBe("apn:9|x|on");
    expect(l.property.zip).toBe("K1A 0B1");
    expect(l.problems).toEqual(['Property Zip "K1A 0B1" is not a US ZIP code']);
  });
});
