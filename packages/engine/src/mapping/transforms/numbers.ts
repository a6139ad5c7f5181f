// Numbers and money: reading amounts as people type them ("$250,000.50", "1.234,5", "(1,200)")
// and writing them back as currency or percent.
import type { TransformTable } from "./types.ts";

const CURRENCIES = new Set(Intl.supportedValuesOf("currency"));
const isCurrency = (code: string) => CURRENCIES.has(code.toUpperCase());

/** A number from a number or text; null when it is not one. */
export function toNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string") return null;
  let s = v.trim();
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  // Currency codes around the amount, symbols, percent signs and spaces used as thousands separators.
  const code = (m: string, c: string) => (isCurrency(c) ? "" : m);
  s = s
    .replace(/^([A-Za-z]{3})\s*(?=[-+\d$€£¥₹.])/, code)
    .replace(/(?<=[\d.])\s*([A-Za-z]{3})$/, code)
    .replace(/[\s\u00a0\u202f$€£¥₹%']/g, "");
  if (s.startsWith("-")) {
    negative = !negative;
    s = s.slice(1);
  } else if (s.startsWith("+")) s = s.slice(1);
  if (/^\d+(?:\.\d+)?e[+-]?\d+$/i.test(s)) return finite(Number(s), negative);
  if (!/^[\d.,]*\d[\d.,]*$/.test(s)) return null;
  const normalized = normalizeSeparators(s);
  return normalized === null ? null : finite(Number(normalized), negative);
}

function finite(n: number, negative: boolean): number | null {
  if (!Number.isFinite(n)) return null;
  return negative ? -n : n;
}

/**
 * Which of "," and "." is the decimal mark: the last one when both appear; a lone "," followed
 * by other than three digits ("1,5"); a lone "." always ("1.234" is one point two three four).
 */
function normalizeSeparators(s: string): string | null {
  const commas = s.split(",").length - 1;
  const dots = s.split(".").length - 1;
  let decimal: "," | "." | undefined;
  if (commas && dots) decimal = s.lastIndexOf(",") > s.lastIndexOf(".") ? "," : ".";
  else if (commas === 1 && !/,\d{3}$/.test(s)) decimal = ",";
  else if (dots === 1) decimal = ".";
  const thousands = decimal === "," ? "." : decimal === "." ? "," : commas ? "," : ".";
  const [whole = "", fraction = "", extra] = decimal ? s.split(decimal) : [s];
  if (extra !== undefined) return null;
  const digits = whole.split(thousands).join("");
  if (!/^\d*$/.test(digits) || !/^\d*$/.test(fraction)) return null;
  return `${digits || "0"}.${fraction || "0"}`;
}

/** Rounds half away from zero without binary surprises (1.005 -> 1.01). */
export function roundTo(x: number, digits: number): number {
  const shift = (n: number, by: number) => {
    const [m, e = "0"] = String(n).split("e");
    return Number(`${m}e${Number(e) + by}`);
  };
  const r = Math.sign(x) * Math.round(shift(Math.abs(x), digits));
  return shift(r, -digits) + 0;
}

function format(n: number, options: Intl.NumberFormatOptions, locale: unknown): string | null {
  try {
    return new Intl.NumberFormat(typeof locale === "string" ? locale : "en-US", options).format(n);
  } catch {
    return null;
  }
}

const wholeIn = (min: number, max: number) => (_i: number, v: unknown) =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
    ? undefined
    : `must be a whole number from ${min} to ${max}`;

export const numberTransforms: TransformTable = {
  number: {
    describe:
      'A number from text: currency signs and codes, thousands separators, "1,5" decimal commas, (1,200) negatives and "12%" (-> 12) are understood; null when it is not a number.',
    args: [],
    examples: [
      ['"$250,000.50" | number', "250000.5"],
      ['"(1,200)" | number', "-1200"],
      ['"n/a" | number', "null"],
    ],
    apply: (input) => toNumber(input),
  },
  round: {
    describe: "Rounds a number (or numeric text) to `digits` decimals (default 0), half away from zero.",
    args: ["digits?"],
    examples: [
      ['"2.345" | round(2)', "2.35"],
      ["1234.5 | round", "1235"],
    ],
    checkArg: wholeIn(-15, 15),
    apply: (input, [digits]) => {
      const n = toNumber(input);
      if (n === null) return null;
      const d = digits === undefined ? 0 : digits;
      return typeof d === "number" && Number.isInteger(d) && Math.abs(d) <= 15 ? roundTo(n, d) : null;
    },
  },
  money: {
    describe: 'Formats an amount as currency (ISO code, default "USD") in `locale` (default "en-US").',
    args: ["currency?", "locale?"],
    examples: [
      ['"250000.5" | money', '"$250,000.50"'],
      ['1234.5 | money("EUR", "de-DE")', '"1.234,50 €"'],
    ],
    checkArg: (i, v) => {
      if (typeof v !== "string") return "must be text in quotes";
      if (i === 0 && !isCurrency(v)) return `unknown currency "${v}": use an ISO code such as "USD" or "EUR"`;
      return undefined;
    },
    apply: (input, [currency, locale]) => {
      const n = toNumber(input);
      const code = currency === undefined ? "USD" : currency;
      if (n === null || typeof code !== "string" || !isCurrency(code)) return null;
      return format(n, { style: "currency", currency: code.toUpperCase() }, locale);
    },
  },
  percent: {
    describe: "Formats a fraction as a percent (0.125 -> 12.5%), with up to `decimals` decimals (default 2).",
    args: ["decimals?"],
    examples: [
      ["0.125 | percent", '"12.5%"'],
      ["0.3333 | percent(0)", '"33%"'],
    ],
    checkArg: wholeIn(0, 10),
    apply: (input, [decimals]) => {
      const n = toNumber(input);
      const d = decimals === undefined ? 2 : decimals;
      if (n === null || typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > 10) return null;
      return format(n, { style: "percent", maximumFractionDigits: d }, "en-US");
    },
  },
};
