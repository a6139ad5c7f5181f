// Phones 1-5 of a row: E.164, each kept with its DNC flag and type, and the one number we may call first.

import { choosePrimaryPhone, isMobileType } from "@hlconnect/catalog/phones";
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import type { LeadPhone } from "../lead.ts";
import { clean, parseBool } from "./values.ts";

export const PHONE_SLOTS = 5;

/**
 * A phone as E.164, or undefined when it is not a valid number. Accepts "(713) 555-1234", "713.555.1234",
 * "+1 713 555 1234" and the spreadsheet-mangled "7135551234.0" / "7.135551234E+09".
 */
export function toE164(raw: string, defaultCountry = "US"): string | undefined {
  let s = raw.trim();
  if (/^\d+\.0+$/.test(s)) s = s.replace(/\.0+$/, "");
  else if (SCIENTIFIC.test(s)) {
    // Digits a spreadsheet rounded away are not there to read: "7.13555E+09" is no number of ours.
    if (isTruncated(s)) return undefined;
    const n = Number(s);
    if (Number.isInteger(n)) s = n.toFixed(0);
  }
  if (!s) return undefined;
  const country = defaultCountry.toUpperCase();
  if (country === "US") {
    const fast = nanp(s);
    if (fast !== null) return fast;
  }
  const parsed = parsePhoneNumberFromString(s, country as CountryCode);
  if (parsed?.isValid()) return parsed.number;
  // A vanity number ("1-800-FLOWERS", "713-555-CALL"): letters as a phone keypad has them.
  if (VANITY.test(s)) return toE164(s.replace(/[a-z]/gi, keypad), defaultCountry);
  return undefined;
}

/** Why `raw` is no phone number, in a few words for the row's report. */
export function phoneProblem(raw: string): string {
  const s = raw.trim();
  if (SCIENTIFIC.test(s) && isTruncated(s)) {
    return "was cut short by a spreadsheet (scientific notation keeps too few digits): format the column as text before saving";
  }
  return "is not a valid phone number";
}

const SCIENTIFIC = /^\d(\.\d+)?e\+?\d+$/i;
/** Digits, then letters (and separators) at the end, no "ext"/"x" extension. */
const VANITY = /^\+?[\d\s().-]*\d[\d\s().-]*[a-z]{2}[a-z\d\s.-]*$/i;

/** More digits than the mantissa holds ("7.13555E+09": 6 of 10). */
function isTruncated(s: string): boolean {
  const [mantissa, exponent] = s.toLowerCase().split("e") as [string, string];
  const digits = mantissa.replace(".", "").length;
  return digits < Number(exponent) + 1;
}

function keypad(letter: string): string {
  const c = letter.toLowerCase();
  return String("22233344455566677778889999".charCodeAt(c.charCodeAt(0) - 97) - 48);
}

const NANP_DIGITS = /^(?:\+?1)?([2-9]\d{9})$/;
const prefixValid = new Map<string, boolean>();

/**
 * The fast path for the common case, a 10-digit North American number: whether one is valid depends only on
 * its first six digits (area code and exchange; checked against libphonenumber for all 800,000 of them), so
 * libphonenumber is asked once per prefix. Null when the number is not of that shape.
 */
function nanp(s: string): string | undefined | null {
  const m = NANP_DIGITS.exec(s.replace(/[\s().-]/g, ""));
  if (!m) return null;
  const ten = m[1]!;
  const prefix = ten.slice(0, 6);
  let ok = prefixValid.get(prefix);
  if (ok === undefined) {
    ok = parsePhoneNumberFromString(ten, "US")?.isValid() ?? false;
    // Bounded: a few MB at most, whatever the file size.
    if (prefixValid.size >= 100_000) prefixValid.clear();
    prefixValid.set(prefix, ok);
  }
  return ok ? `+1${ten}` : undefined;
}

/** True when the phone's type says it is a mobile ("Mobile", "Wireless", "Cell"). */
export function isMobile(p: LeadPhone): boolean {
  return isMobileType(p.type);
}

/**
 * The number to call first: the lowest-ranked valid phone not marked DNC, a mobile one preferred among those.
 * A DNC number is never chosen; undefined when every phone is DNC (or there is none).
 */
export function choosePrimary(phones: readonly LeadPhone[]): string | undefined {
  return choosePrimaryPhone(phones, (p) => p.dnc);
}

/** The phones of a row, ordered by rank; invalid numbers and unreadable DNC flags are reported in `problems`. */
export function readPhones(
  values: Record<string, string>,
  defaultCountry: string,
  problems: string[],
): LeadPhone[] {
  const phones: LeadPhone[] = [];
  for (let n = 1; n <= PHONE_SLOTS; n++) {
    const raw = clean(values[`Phone ${n}`]);
    if (raw === undefined) continue;
    const number = toE164(raw, defaultCountry);
    if (!number) {
      problems.push(`Phone ${n} "${raw}" ${phoneProblem(raw)}: dropped`);
      continue;
    }
    const flag = values[`Phone ${n} DNC`];
    let dnc = parseBool(flag);
    if (dnc === null) {
      // A flag we cannot read is taken as DNC: calling a number we may not call is the worse mistake.
      problems.push(`Phone ${n} DNC "${clean(flag)}" is not Yes or No: taken as DNC`);
      dnc = true;
    }
    const type = clean(values[`Phone ${n} TYPE`])?.toLowerCase();
    const same = phones.find((p) => p.number === number);
    if (same) {
      // The same number in two columns: one phone, DNC if either says so.
      same.dnc = same.dnc || dnc === true;
      same.type ??= type;
      continue;
    }
    phones.push({ number, ...(type ? { type } : {}), dnc: dnc === true, rank: n });
  }
  return phones;
}
