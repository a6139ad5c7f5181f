// Durations as people write them: "1 business day", "2 hours", "30 min", "1 week 2 days".
import { editDistance } from "@hlconnect/client/edit-distance";
import type { DateTime } from "luxon";

type Unit =
  | "milliseconds"
  | "seconds"
  | "minutes"
  | "hours"
  | "days"
  | "weeks"
  | "months"
  | "years"
  | "business";

const UNITS: Record<string, Unit> = {};
const names: Array<[Unit, string]> = [
  ["milliseconds", "ms millisecond milliseconds"],
  ["seconds", "s sec secs second seconds"],
  ["minutes", "m min mins minute minutes"],
  ["hours", "h hr hrs hour hours"],
  ["days", "d day days"],
  ["weeks", "w wk wks week weeks"],
  ["months", "mo mos month months"],
  ["years", "y yr yrs year years"],
  ["business", "bd businessday businessdays workday workdays weekday weekdays"],
];
for (const [unit, words] of names) for (const w of words.split(" ")) UNITS[w] = unit;

// Exact lengths: these may be fractional ("1.5 hours"); calendar units must be whole.
const EXACT_MS: Partial<Record<Unit, number>> = {
  milliseconds: 1,
  seconds: 1000,
  minutes: 60_000,
  hours: 3_600_000,
};
/** Business days are counted one by one; more than this is surely a typo. */
const MAX_BUSINESS_DAYS = 10_000;

export interface DurationPart {
  amount: number;
  unit: Unit;
}

/** The parts of a duration, or an error saying what is wrong with it. */
export function parseDuration(text: string): { parts: DurationPart[] } | { error: string } {
  const parts: DurationPart[] = [];
  const re = /\s*(-?\d+(?:\.\d+)?)\s*(business\s+days?|work\s+days?|[a-z]+)\s*(?:,|\band\b)?/giy;
  let pos = 0;
  const source = text.trim();
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const word = m[2]!.toLowerCase().replace(/\s+/g, "");
    const unit = UNITS[word];
    if (!unit) return { error: unknownUnit(m[2]!, source.slice(re.lastIndex), text) };
    const amount = Number(m[1]);
    if (!Number.isInteger(amount) && EXACT_MS[unit] === undefined) {
      return {
        error: `"${m[0].trim()}": ${unit === "business" ? "business days" : unit} must be a whole number`,
      };
    }
    if (unit === "business" && Math.abs(amount) > MAX_BUSINESS_DAYS) {
      return { error: `"${m[0].trim()}": at most ${MAX_BUSINESS_DAYS} business days` };
    }
    parts.push({ amount, unit });
    pos = re.lastIndex;
  }
  if (parts.length === 0 || pos < source.length) {
    return {
      error: `"${text}" is not a duration: write an amount and a unit, like "30 minutes" or "1 business day"`,
    };
  }
  return { parts };
}

/** Moves a date by a duration, forwards (sign 1) or backwards (-1). */
export function shift(dt: DateTime, parts: DurationPart[], sign: 1 | -1): DateTime {
  let out = dt;
  for (const { amount, unit } of parts) {
    const n = amount * sign;
    const exact = EXACT_MS[unit];
    if (exact !== undefined) out = out.plus({ milliseconds: Math.round(n * exact) });
    else if (unit === "business") out = addBusinessDays(out, n);
    else out = out.plus({ [unit]: n });
  }
  return out;
}

/** Steps day by day, counting only Monday to Friday in the date's own zone; the time of day stays. */
export function addBusinessDays(dt: DateTime, n: number): DateTime {
  const step = n < 0 ? -1 : 1;
  let out = dt;
  for (let left = Math.abs(n); left > 0; ) {
    out = out.plus({ days: step });
    if (out.weekday <= 5) left--;
  }
  return out;
}

/**
 * Name the word that is wrong: in "1 business dya" that is "dya" (after a "business" or "work" that
 * wanted "days"), and say which unit was probably meant.
 */
function unknownUnit(word: string, rest: string, text: string): string {
  const next = /^([a-z]+)/i.exec(rest)?.[1];
  if (/^(business|work)$/i.test(word) && next) {
    return `unknown unit "${word} ${next}" in "${text}": did you mean "${word} days"?`;
  }
  if (/^(business|work)$/i.test(word)) return `"${word}" needs "days" in "${text}": write "1 ${word} day"`;
  const near = Object.keys(UNITS)
    .filter((u) => u.length > 2 && editDistance(u, word.toLowerCase()) <= 2)
    .sort(
      (a, b) =>
        editDistance(a, word.toLowerCase()) - editDistance(b, word.toLowerCase()) || b.length - a.length,
    );
  return `unknown unit "${word}" in "${text}"${near.length ? `: did you mean "${near[0]}"?` : ""}`;
}
