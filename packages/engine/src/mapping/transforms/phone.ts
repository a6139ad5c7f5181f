// Phone numbers with libphonenumber-js: E.164 for the CRM, national or international for people.
// A number that is not valid for its country gives null, never an exception.
import {
  type CountryCode,
  isSupportedCountry,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from "libphonenumber-js";
import { scalarText } from "../values.ts";
import type { TransformContext, TransformTable } from "./types.ts";

const FORMATS = ["e164", "national", "international", "rfc3966"] as const;
type PhoneFormat = (typeof FORMATS)[number];

const normalizeFormat = (f: string) => f.toLowerCase().replace(/[^a-z0-9]/g, "") as PhoneFormat;

function parse(input: unknown, country: unknown, ctx: TransformContext): PhoneNumber | null {
  const text = scalarText(input);
  const code = typeof country === "string" ? country.toUpperCase() : ctx.country.toUpperCase();
  if (text === undefined || !isSupportedCountry(code)) return null;
  try {
    const phone = parsePhoneNumberFromString(text, code as CountryCode);
    return phone?.isValid() ? phone : null;
  } catch {
    return null;
  }
}

function write(phone: PhoneNumber, format: PhoneFormat): string {
  if (format === "national") return phone.formatNational();
  if (format === "international") return phone.formatInternational();
  if (format === "rfc3966") return phone.getURI();
  return phone.number;
}

const countryProblem = (v: unknown) =>
  typeof v === "string" && isSupportedCountry(v.toUpperCase())
    ? undefined
    : `unknown country ${JSON.stringify(v)}: use a two-letter ISO code such as "US" or "GB"`;

export const phoneTransforms: TransformTable = {
  phone: {
    describe:
      'A phone number in E.164 ("+12133734253"), reading numbers without a country code as `country` (default: the flow\'s default country, else "US"); null when the number is not valid. Extensions are dropped.',
    args: ["country?"],
    examples: [
      ['"(213) 373-4253" | phone', '"+12133734253"'],
      ['"020 7946 0958" | phone("GB")', '"+442079460958"'],
      ['"12345" | phone', "null"],
    ],
    checkArg: (_i, v) => countryProblem(v),
    apply: (input, [country], ctx) => {
      const phone = parse(input, country, ctx);
      return phone ? phone.number : null;
    },
  },
  phoneFormat: {
    describe:
      'A valid phone number written as "national", "international", "e164" or "rfc3966" (tel: link), reading it as `phone` does; null when not valid.',
    args: ["format", "country?"],
    examples: [
      ['"+12133734253" | phoneFormat("national")', '"(213) 373-4253"'],
      ['"2133734253" | phoneFormat("international")', '"+1 213 373 4253"'],
    ],
    checkArg: (i, v) => {
      if (i === 1) return countryProblem(v);
      return typeof v === "string" && FORMATS.includes(normalizeFormat(v))
        ? undefined
        : `unknown phone format ${JSON.stringify(v)}: use "national", "international", "e164" or "rfc3966"`;
    },
    apply: (input, [format, country], ctx) => {
      if (typeof format !== "string" || !FORMATS.includes(normalizeFormat(format))) return null;
      const phone = parse(input, country, ctx);
      return phone ? write(phone, normalizeFormat(format)) : null;
    },
  },
};
