import { describe, expect, it } from "vitest";
import { canonicalValues, headerResolver } from "../src/file/columns.ts";
import { readable } from "../src/normalize/contact.ts";
import {
  parseBool,
  parseDate,
  parseMoney,
  parseNumber,
  parsePercent,
  stateCode,
  zip5,
} from "../src/normalize/values.ts";

describe("cell values", () => {
  it("booleans: Yes/No, Y/N, true/false, 1/0; blank is undefined, anything else null", () => {
    for (const v of ["Yes", "y", "TRUE", "1", " yes "]) expect(parseBool(v)).toBe(true);
    for (const v of ["No", "n", "false", "0"]) expect(parseBool(v)).toBe(false);
    expect(parseBool("")).toBeUndefined();
    expect(parseBool(undefined)).toBeUndefined();
    expect(parseBool("maybe")).toBeNull();
  });

  it("money: $ and commas, negatives, K/M suffixes", () => {
    expect(parseMoney("$316,000")).toBe(316000);
    expect(parseMoney("316000")).toBe(316000);
    expect(parseMoney("$1,234.56")).toBe(1234.56);
    expect(parseMoney("-$12,500")).toBe(-12500);
    expect(parseMoney("($12,500)")).toBe(-12500);
    expect(parseMoney("$1.2M")).toBe(1200000);
    expect(parseMoney("350K")).toBe(350000);
    expect(parseMoney(" ")).toBeUndefined();
    expect(parseMoney("call")).toBeNull();
  });

  it("percentages and numbers", () => {
    expect(parsePercent("57%")).toBe(57);
    expect(parsePercent("5.5 %")).toBe(5.5);
    expect(parsePercent("57")).toBe(57);
    expect(parsePercent("high")).toBeNull();
    expect(parseNumber("2.5")).toBe(2.5);
    expect(parseNumber("1,234")).toBe(1234);
    expect(parseNumber("1234.0")).toBe(1234);
    expect(parseNumber("3 beds")).toBeNull();
  });

  it("dates: MM-DD-YYYY (and M/D/YYYY, ISO) to YYYY-MM-DD, real calendar dates only", () => {
    expect(parseDate("02-08-2026")).toBe("2026-02-08");
    expect(parseDate("2/8/2026")).toBe("2026-02-08");
    expect(parseDate("2026-02-08")).toBe("2026-02-08");
    expect(parseDate("02-29-2024")).toBe("2024-02-29");
    expect(parseDate("02-29-2026")).toBeNull();
    expect(parseDate("13-01-2026")).toBeNull();
    expect(parseDate("soon")).toBeNull();
    expect(parseDate("")).toBeUndefined();
  });

  it("ZIP codes to 5 digits", () => {
    expect(zip5("32819")).toBe("32819");
    expect(zip5("32819-1234")).toBe("32819");
    expect(zip5("328191234")).toBe("32819");
    expect(zip5("32819.0")).toBe("32819");
    expect(zip5("2134")).toBe("02134");
    expect(zip5("1234567")).toBeNull();
    expect(zip5("ABCDE")).toBeNull();
  });

  it("states to their 2-letter codes", () => {
    expect(stateCode("fl")).toBe("FL");
    expect(stateCode("Florida")).toBe("FL");
    expect(stateCode("new york")).toBe("NY");
    expect(stateCode("Ontario")).toBe("Ontario");
  });

  it("readable names: all caps or all lowercase get title case, acronyms stay", () => {
    expect(readable("SMITH FAMILY TRUST")).toBe("Smith Family Trust");
    expect(readable("blue sky investments inc")).toBe("Blue Sky Investments Inc");
    expect(readable("ESTATE OF JOHN DOE II")).toBe("Estate of John Doe II");
    expect(readable("McDonald Holdings LLC")).toBe("McDonald Holdings LLC");
  });
});

describe("header names", () => {
  it("resolve loosely to the canonical names, mapping aliases first", () => {
    const resolve = headerResolver();
    expect(resolve(" phone 3 dnc ")).toBe("Phone 3 DNC");
    expect(resolve("% arv")).toBe("% ARV");
    expect(resolve("ARV")).toBe("ARV");
    expect(resolve("Foreclosure Recording Date")).toBe("Foreclosure Loan Recording Date");
    expect(resolve("Something Else")).toBeUndefined();
    const mapped = headerResolver({ columns: { Notes: ["Comments"], "Lead Status": ["Stage"] } });
    expect(mapped("comments")).toBe("Notes");
    expect(mapped("STAGE")).toBe("Lead Status");
    expect(mapped("Notes")).toBe("Notes");
  });

  it("canonicalValues returns canonical objects as they are and re-keys the others", () => {
    const canonical = { "Phone 1": "1", Extra: "x" };
    expect(canonicalValues(canonical)).toBe(canonical);
    expect(canonicalValues({ "phone 1": "", PHONE1: "2", extra: "x" })).toEqual({
      "Phone 1": "2",
      extra: "x",
    });
  });
});
