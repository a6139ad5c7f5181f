// Coercions every part of the language agrees on: what counts as empty, as text, as true.
import { DateTime } from "luxon";

export const isMissing = (v: unknown): v is null | undefined => v === null || v === undefined;

/** Empty for `default`, `exists` and `not_exists`: missing, blank text or an empty list. */
export function isBlank(v: unknown): boolean {
  if (isMissing(v)) return true;
  if (typeof v === "string") return v.trim() === "";
  return Array.isArray(v) && v.length === 0;
}

export const isDateTime = (v: unknown): v is DateTime => DateTime.isDateTime(v);

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !isDateTime(v) && !(v instanceof Date);

/** A date as the language writes it: ISO 8601 with the offset, milliseconds only when there are some. */
export function isoOf(dt: DateTime): string {
  return dt.toISO({ suppressMilliseconds: true }) ?? "";
}

/** Text for strings, numbers, booleans and dates; undefined for anything else. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (isDateTime(v)) return v.isValid ? isoOf(v) : undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  return undefined;
}

/** JSON text, or undefined when the value cannot be written (cycles). */
export function safeJson(v: unknown): string | undefined {
  try {
    // The holder's raw value: JSON.stringify has already applied luxon's toJSON to `x`.
    return JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
      const raw = this[k];
      return isDateTime(raw) ? isoOf(raw) : typeof x === "bigint" ? String(x) : x;
    });
  } catch {
    return undefined;
  }
}

/** How a value reads inside mixed text: missing is "", lists of scalars are joined with ", ". */
export function toText(v: unknown): string {
  if (isMissing(v)) return "";
  const s = scalarText(v);
  if (s !== undefined) return s;
  if (Array.isArray(v)) {
    return v
      .filter((x) => !isMissing(x))
      .map((x) => scalarText(x) ?? safeJson(x) ?? "")
      .join(", ");
  }
  return safeJson(v) ?? "";
}

const TRUE_WORDS = new Set(["true", "yes", "y", "on", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "off", "0"]);

/** true/false for the usual words, undefined for other text. */
export function booleanWord(v: string): boolean | undefined {
  const w = v.trim().toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  return undefined;
}

/** Truthiness for `if`, `boolean` and bare conditions. */
export function toBool(v: unknown): boolean {
  if (isMissing(v)) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "string") return booleanWord(v) ?? v.trim() !== "";
  if (Array.isArray(v)) return v.length > 0;
  if (isDateTime(v)) return v.isValid;
  return true;
}

/** Own properties only, so paths can never reach `__proto__` or `constructor`. */
export function child(container: unknown, key: string | number): unknown {
  if (Array.isArray(container)) {
    const i = typeof key === "number" ? key : /^-?\d+$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isInteger(i)) return undefined;
    return container[i < 0 ? container.length + i : i];
  }
  if (container !== null && typeof container === "object" && !isDateTime(container)) {
    const k = String(key);
    return Object.hasOwn(container, k) ? (container as Record<string, unknown>)[k] : undefined;
  }
  return undefined;
}
