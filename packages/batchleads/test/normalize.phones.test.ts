import { parsePhoneNumberFromString } from "libphonenumber-js";
import { describe, expect, it } from "vitest";
import type { LeadPhone } from "../src/lead.ts";
import { choosePrimary, readPhones, toE164 } from "../src/normalize/phones.ts";

describe("toE164", () => {
  it.each([
    ["(713) 555-1234", "+17135551234"],
    ["713.555.1234", "+17135551234"],
    ["713-555-1234", "+17135551234"],
    ["7135551234", "+17135551234"],
    ["7135551234.0", "+17135551234"],
    ["7.135551234E+09", "+17135551234"],
    ["+1 713 555 1234", "+17135551234"],
    ["1-713-555-1234", "+17135551234"],
    [" 713 555 1234 ", "+17135551234"],
  ])("%s -> %s", (raw, e164) => {
    expect(toE164(raw)).toBe(e164);
  });

  it.each(["555-1234", "12345", "000-000-0000", "1234567890", "n/a", "", "71355512345"])(
    "%j is invalid",
    (raw) => {
      expect(toE164(raw)).toBeUndefined();
    },
  );

  it("the fast path for North American numbers agrees with libphonenumber", () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 3000; i++) {
      const ten = `${2 + (next() % 8)}${String(next() % 1e9).padStart(9, "0")}`;
      const formats = [
        ten,
        `(${ten.slice(0, 3)}) ${ten.slice(3, 6)}-${ten.slice(6)}`,
        `+1 ${ten}`,
        `1-${ten}`,
      ];
      const parsed = parsePhoneNumberFromString(ten, "US");
      const expected = parsed?.isValid() ? parsed.number : undefined;
      for (const f of formats) expect(toE164(f), f).toBe(expected);
    }
  });

  it("uses the default country for national numbers", () => {
    expect(toE164("020 7946 0958", "GB")).toBe("+442079460958");
    expect(toE164("+44 20 7946 0958")).toBe("+442079460958");
  });
});

const phone = (rank: number, dnc: boolean, type?: string): LeadPhone => ({
  number: `+1713555000${rank}`,
  dnc,
  rank,
  ...(type ? { type } : {}),
});

describe("the primary phone", () => {
  it("is the lowest-ranked non-DNC phone", () => {
    expect(choosePrimary([phone(1, true), phone(2, false), phone(3, false)])).toBe("+17135550002");
  });

  it("prefers a mobile (mobile, wireless, cell) among the non-DNC phones, whatever its rank", () => {
    expect(choosePrimary([phone(1, false, "landline"), phone(4, false, "wireless")])).toBe("+17135550004");
    expect(choosePrimary([phone(1, false), phone(2, false, "cell"), phone(3, false, "mobile")])).toBe(
      "+17135550002",
    );
  });

  it("is never a DNC number while a valid non-DNC number exists, even a DNC mobile", () => {
    expect(choosePrimary([phone(1, true, "mobile"), phone(2, false, "landline")])).toBe("+17135550002");
  });

  it("is undefined when every phone is DNC, or there is none", () => {
    expect(choosePrimary([phone(1, true, "mobile"), phone(2, true)])).toBeUndefined();
    expect(choosePrimary([])).toBeUndefined();
  });

  it("DNC is never primary: every combination of DNC flags and types over five phones", () => {
    const types = [undefined, "mobile", "landline"];
    for (let mask = 0; mask < 32; mask++) {
      for (let t = 0; t < 3 ** 5; t++) {
        const phones = [1, 2, 3, 4, 5].map((rank) =>
          phone(rank, ((mask >> (rank - 1)) & 1) === 1, types[Math.floor(t / 3 ** (rank - 1)) % 3]),
        );
        const primary = choosePrimary(phones);
        const callable = phones.filter((p) => !p.dnc);
        if (callable.length === 0) {
          expect(primary).toBeUndefined();
          continue;
        }
        const chosen = phones.find((p) => p.number === primary)!;
        expect(chosen.dnc).toBe(false);
        const mobiles = callable.filter((p) => p.type === "mobile");
        expect(chosen.rank).toBe((mobiles[0] ?? callable[0])!.rank);
      }
    }
  });
});

describe("readPhones", () => {
  it("keeps one phone for a number written in two columns, DNC if either column says so", () => {
    const problems: string[] = [];
    const phones = readPhones(
      {
        "Phone 1": "7135551234",
        "Phone 1 DNC": "No",
        "Phone 2": "(713) 555-1234",
        "Phone 2 DNC": "Yes",
        "Phone 2 TYPE": "Mobile",
      },
      "US",
      problems,
    );
    expect(phones).toEqual([{ number: "+17135551234", dnc: true, rank: 1, type: "mobile" }]);
    expect(problems).toEqual([]);
  });

  it("a blank or missing DNC column means not DNC", () => {
    expect(readPhones({ "Phone 1": "7135551234" }, "US", [])).toEqual([
      { number: "+17135551234", dnc: false, rank: 1 },
    ]);
  });
});
