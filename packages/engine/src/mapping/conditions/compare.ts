// What the comparison operators mean for the values flows see: numeric text compares as numbers,
// ISO dates as instants, "true" equals true; ==, != and in are exact for text, while contains,
// starts_with and ends_with ignore case.
import { toDateTime } from "../transforms/date-parse.ts";
import type { TransformContext } from "../transforms/types.ts";
import type { CompareOp } from "../types.ts";
import { booleanWord, isBlank, isDateTime, isMissing, isPlainObject, scalarText } from "../values.ts";

const NUMERIC = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?\s*$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const asNumber = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && NUMERIC.test(v) ? Number(v) : undefined;

const isDateLike = (v: unknown) => isDateTime(v) || v instanceof Date;

/** Milliseconds of both sides when they are to be compared as dates. */
function asDates(a: unknown, b: unknown, ctx: TransformContext): [number, number] | undefined {
  const either = isDateLike(a) || isDateLike(b);
  const bothIso =
    typeof a === "string" && typeof b === "string" && ISO_DATE.test(a.trim()) && ISO_DATE.test(b.trim());
  if (!either && !bothIso) return undefined;
  const da = toDateTime(a, ctx);
  const db = toDateTime(b, ctx);
  return da && db ? [da.toMillis(), db.toMillis()] : undefined;
}

/** -1, 0 or 1; undefined when the values have no order (a list and a number, say). */
export function order(a: unknown, b: unknown, ctx: TransformContext): number | undefined {
  if (isMissing(a) || isMissing(b)) return undefined;
  const dates = asDates(a, b, ctx);
  if (dates) return Math.sign(dates[0] - dates[1]);
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return Math.sign(na - nb);
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

export function equals(a: unknown, b: unknown, ctx: TransformContext): boolean {
  if (isMissing(a) || isMissing(b)) return isMissing(a) && isMissing(b);
  if (typeof a === "boolean" || typeof b === "boolean") {
    const ba = typeof a === "string" ? booleanWord(a) : a;
    const bb = typeof b === "string" ? booleanWord(b) : b;
    return ba === bb;
  }
  if (Array.isArray(a) || Array.isArray(b) || isPlainObject(a) || isPlainObject(b)) return deepEqual(a, b);
  return order(a, b, ctx) === 0;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

const lower = (v: unknown) => scalarText(v)?.toLowerCase();

function contains(a: unknown, b: unknown, ctx: TransformContext): boolean {
  if (isMissing(a) || isMissing(b)) return false;
  if (Array.isArray(a)) {
    const lb = lower(b);
    return a.some((item) => equals(item, b, ctx) || (lb !== undefined && lower(item) === lb));
  }
  const la = lower(a);
  const lb = lower(b);
  return la !== undefined && lb !== undefined && la.includes(lb);
}

/** A pattern written "/.../flags" or bare; undefined when it is not a valid regular expression. */
export function toRegExp(pattern: unknown): RegExp | undefined {
  const text = scalarText(pattern);
  if (text === undefined) return undefined;
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(text);
  try {
    return slashed ? new RegExp(slashed[1]!, slashed[2]) : new RegExp(text);
  } catch {
    return undefined;
  }
}

/** Members of the right side of `in`: a list, or text separated by commas. */
function members(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  const text = scalarText(v);
  return text === undefined ? [] : text.split(",").map((s) => s.trim());
}

export function compare(op: CompareOp, a: unknown, b: unknown, ctx: TransformContext): boolean {
  switch (op) {
    case "==":
      return equals(a, b, ctx);
    case "!=":
      return !equals(a, b, ctx);
    case ">":
      return (order(a, b, ctx) ?? Number.NaN) > 0;
    case ">=":
      return (order(a, b, ctx) ?? Number.NaN) >= 0;
    case "<":
      return (order(a, b, ctx) ?? Number.NaN) < 0;
    case "<=":
      return (order(a, b, ctx) ?? Number.NaN) <= 0;
    case "contains":
      return contains(a, b, ctx);
    case "not_contains":
      return !contains(a, b, ctx);
    case "starts_with":
    case "ends_with": {
      const la = lower(a);
      const lb = lower(b);
      if (la === undefined || lb === undefined) return false;
      return op === "starts_with" ? la.startsWith(lb) : la.endsWith(lb);
    }
    case "in":
      return !isMissing(a) && members(b).some((m) => equals(a, m, ctx));
    case "exists":
      return !isBlank(a);
    case "not_exists":
      return isBlank(a);
    case "matches": {
      const text = scalarText(a);
      const re = toRegExp(b);
      if (text === undefined) return false;
      return re?.test(text) ?? false;
    }
  }
}
