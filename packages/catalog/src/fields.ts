// Input fields that take what a person types and give what the endpoint wants: phones to E.164,
// dates to ISO or epoch ms, tags trimmed and lowercased. Each carries its label and help.
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import type { FieldMeta, OptionSource } from "./types.ts";

export function meta<T extends z.ZodType>(schema: T, m: FieldMeta): T {
  return schema.meta(m as unknown as Record<string, unknown>) as T;
}

export function text(label: string, help?: string): z.ZodString {
  return meta(z.string().trim().min(1, `${label} must not be empty`), { label, ...(help ? { help } : {}) });
}

export function id(label: string, options?: OptionSource, help?: string): z.ZodString {
  return meta(z.string().trim().min(1, `${label} must not be empty`), {
    label,
    ...(help ? { help } : {}),
    ...(options ? { options } : {}),
  });
}

export function email(label = "Email"): z.ZodType<string> {
  return meta(
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.email(`${label} is not a valid email address`)),
    { label, format: "email" },
  );
}

/**
 * A phone number as E.164. Accepts "(713) 555-1234", "713.555.1234", "+44 20 7946 0958" and the
 * spreadsheet-mangled "7135551234.0"; numbers without a country code use `defaultCountry`.
 */
export function toE164(raw: string, defaultCountry = "US"): string | undefined {
  let s = String(raw).trim();
  if (/^\d+\.0+$/.test(s)) s = s.replace(/\.0+$/, "");
  if (!s) return undefined;
  const parsed = parsePhoneNumberFromString(s, defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed.number : undefined;
}

export function phone(label = "Phone", defaultCountry = "US"): z.ZodType<string> {
  return meta(
    z.union([z.string(), z.number()]).transform((v, ctx) => {
      const e164 = toE164(String(v), defaultCountry);
      if (!e164) {
        ctx.addIssue({ code: "custom", message: `${label} "${v}" is not a valid phone number` });
        return z.NEVER;
      }
      return e164;
    }),
    {
      label,
      format: "phone",
      help: `Any common format; numbers without +country are taken as ${defaultCountry}.`,
    },
  );
}

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?)?$/i;

/** Parse what a person types as a date/time: ISO 8601, epoch ms or s, "MM/DD/YYYY [h:mm am]". */
export function parseDateInput(v: unknown): Date | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v;
  if (typeof v === "number") return new Date(v < 1e11 ? v * 1000 : v);
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  if (/^\d{10}$/.test(s)) return new Date(Number(s) * 1000);
  if (/^\d{12,14}$/.test(s)) return new Date(Number(s));
  const us = US_DATE.exec(s);
  if (us) {
    let hour = Number(us[4] ?? 0);
    const ampm = us[7]?.toLowerCase();
    if (ampm === "pm" && hour < 12) hour += 12;
    if (ampm === "am" && hour === 12) hour = 0;
    const d = new Date(
      Date.UTC(Number(us[3]), Number(us[1]) - 1, Number(us[2]), hour, Number(us[5] ?? 0), Number(us[6] ?? 0)),
    );
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A date/time converted to what the endpoint takes: an ISO string, epoch milliseconds, or YYYY-MM-DD. */
export function dateTime(label: string, as: "iso" | "epoch-ms" | "date" = "iso", help?: string) {
  return meta(
    z.union([z.string(), z.number(), z.date()]).transform((v, ctx) => {
      const d = parseDateInput(v);
      if (!d) {
        ctx.addIssue({ code: "custom", message: `${label} "${String(v)}" is not a date or time I can read` });
        return z.NEVER;
      }
      return as === "epoch-ms" ? d.getTime() : as === "date" ? d.toISOString().slice(0, 10) : d.toISOString();
    }),
    {
      label,
      format: as === "epoch-ms" ? "epoch-ms" : as === "date" ? "date" : "datetime",
      help: help ?? "ISO 8601 (2026-11-30T15:00:00Z), MM/DD/YYYY h:mm am, or epoch milliseconds.",
    },
  );
}

/** Tags as HighLevel stores them: trimmed, lowercased, de-duplicated; a comma-separated string works too. */
export function tags(label = "Tags") {
  return meta(
    z.union([z.string(), z.array(z.string())]).transform((v) => {
      const list = Array.isArray(v) ? v : v.split(",");
      return [...new Set(list.map((t) => t.trim().toLowerCase()).filter(Boolean))];
    }),
    { label, format: "tags", help: "A list, or one comma-separated text." },
  );
}

/** Custom field values by field name, key or id: {"Estimated Value": 250000}. Resolved at run time. */
export function customFieldValues(label = "Custom fields") {
  return meta(z.record(z.string(), z.unknown()), {
    label,
    format: "custom-fields",
    help: 'Values by the field\'s name, key or id, e.g. {"Estimated Value": 250000}. Names are matched case-insensitively.',
  });
}
