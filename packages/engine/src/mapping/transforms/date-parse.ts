// Reading dates as they arrive from CRMs, forms and spreadsheets. Text without an offset is read
// in the flow's time zone; US month/day order wins when a date could be either.
import { DateTime } from "luxon";
import { isDateTime } from "../values.ts";

export interface DateContext {
  zone: string;
  now: () => Date;
}

const LOCALE = "en-US";

// Tried in order after ISO 8601, RFC 2822, HTTP and SQL forms.
const FORMATS = [
  "M/d/yyyy",
  "M/d/yyyy H:mm",
  "M/d/yyyy H:mm:ss",
  "M/d/yyyy h:mm a",
  "M/d/yyyy h:mm:ss a",
  "M/d/yy",
  "d/M/yyyy",
  "d/M/yyyy H:mm",
  "d.M.yyyy",
  "d.M.yyyy H:mm",
  "d.M.yyyy H:mm:ss",
  "yyyy/M/d",
  "yyyy/M/d H:mm",
  "yyyy-M-d H:mm",
  "yyyy-M-d h:mm a",
  "M-d-yyyy",
  "MMM d, yyyy",
  "MMM d, yyyy h:mm a",
  "MMM d, yyyy H:mm",
  "MMMM d, yyyy",
  "MMMM d, yyyy h:mm a",
  "MMM d yyyy",
  "MMMM d yyyy",
  "d MMM yyyy",
  "d MMMM yyyy",
  "d MMM yyyy H:mm",
  "EEE, MMM d, yyyy",
  "EEEE, MMMM d, yyyy",
  "EEE MMM d yyyy",
  "MMM yyyy",
  "MMMM yyyy",
];

/** Epoch numbers below this are seconds (a millisecond count this small is early 1973). */
const SECONDS_LIMIT = 1e11;

function fromEpoch(n: number, zone: string): DateTime | null {
  if (!Number.isFinite(n)) return null;
  const ms = Math.abs(n) < SECONDS_LIMIT ? n * 1000 : n;
  return valid(DateTime.fromMillis(ms, { zone, locale: LOCALE }));
}

const valid = (dt: DateTime): DateTime | null => (dt.isValid ? dt : null);

/** A date from a date, an epoch number (seconds or milliseconds) or text; null when it is none. */
export function toDateTime(value: unknown, ctx: DateContext): DateTime | null {
  if (isDateTime(value)) return valid(value);
  if (value instanceof Date) return valid(DateTime.fromJSDate(value, { zone: ctx.zone }).setLocale(LOCALE));
  if (typeof value === "number") return fromEpoch(value, ctx.zone);
  if (typeof value !== "string") return null;
  const text = value.trim().replace(/\s+/g, " ");
  if (text === "") return null;
  const relative = relativeDay(text.toLowerCase(), ctx);
  if (relative !== undefined) return relative;
  // Long digit strings are epochs; short ones ("2026") are not.
  if (/^-?\d{9,}(?:\.\d+)?$/.test(text)) return fromEpoch(Number(text), ctx.zone);
  const opts = { zone: ctx.zone, locale: LOCALE };
  const attempts = [
    () => DateTime.fromISO(text, opts),
    () => DateTime.fromRFC2822(text, opts),
    () => DateTime.fromHTTP(text, opts),
    () => DateTime.fromSQL(text, opts),
  ];
  for (const attempt of attempts) {
    const dt = attempt();
    if (dt.isValid) return dt.setZone(ctx.zone);
  }
  // Month names are matched case-insensitively by capitalising them first ("NOV" -> "Nov").
  const cased = text.replace(/\p{L}+/gu, (w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
  for (const format of FORMATS) {
    const dt = DateTime.fromFormat(cased, format, opts);
    if (dt.isValid) return dt;
  }
  return null;
}

/** "now", "today", "tomorrow", "yesterday" in the flow's zone; undefined for other text. */
function relativeDay(word: string, ctx: DateContext): DateTime | null | undefined {
  const now = DateTime.fromJSDate(ctx.now(), { zone: ctx.zone }).setLocale(LOCALE);
  if (!now.isValid) return null;
  if (word === "now") return now;
  const offsets: Record<string, number> = { today: 0, tomorrow: 1, yesterday: -1 };
  const days = offsets[word];
  return days === undefined ? undefined : now.startOf("day").plus({ days });
}

/** A date read with an exact luxon format, for layouts the automatic reading does not know. */
export function parseWithFormat(value: unknown, format: string, ctx: DateContext): DateTime | null {
  if (isDateTime(value)) return valid(value);
  if (typeof value !== "string" && typeof value !== "number") return null;
  try {
    return valid(DateTime.fromFormat(String(value).trim(), format, { zone: ctx.zone, locale: LOCALE }));
  } catch {
    // luxon builds a regular expression from the format; a huge one is too large to compile.
    return null;
  }
}
