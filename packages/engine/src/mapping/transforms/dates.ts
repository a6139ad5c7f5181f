// Date transforms, on luxon. A date travels between transforms as a date and becomes ISO 8601
// text at the end, in the flow's time zone unless `tz` moved it.
import { DateTime, type DateTimeUnit } from "luxon";
import { didYouMean } from "../suggest.ts";
import { isoOf } from "../values.ts";
import { type DateContext, parseWithFormat, toDateTime } from "./date-parse.ts";
import { parseDuration, shift } from "./durations.ts";
import type { TransformContext, TransformTable } from "./types.ts";

const ZONES = Intl.supportedValuesOf("timeZone");
const START_UNITS = ["minute", "hour", "day", "week", "month", "quarter", "year"];

const dateCtx = (ctx: TransformContext): DateContext => ({ zone: ctx.zone, now: ctx.now });

export const isZone = (zone: string) => DateTime.utc().setZone(zone).isValid;

const textArg = (what: string) => (_i: number, v: unknown) =>
  typeof v === "string" && v !== "" ? undefined : `${what} must be text in quotes`;

function formatIn(dt: DateTime, format: string, locale: unknown): string | null {
  try {
    return dt.setLocale(typeof locale === "string" ? locale : "en-US").toFormat(format);
  } catch {
    return null;
  }
}

function moved(sign: 1 | -1) {
  return (input: unknown, [duration]: unknown[], ctx: TransformContext) => {
    const dt = toDateTime(input, dateCtx(ctx));
    if (!dt || typeof duration !== "string") return null;
    const parsed = parseDuration(duration);
    return "parts" in parsed ? shift(dt, parsed.parts, sign) : null;
  };
}

const durationArg = (_i: number, v: unknown) => {
  if (typeof v !== "string") return 'must be a duration in quotes, like "2 days"';
  const parsed = parseDuration(v);
  return "error" in parsed ? parsed.error : undefined;
};

const unitArg = (_i: number, v: unknown) =>
  typeof v === "string" && START_UNITS.includes(v) ? undefined : `must be one of ${START_UNITS.join(", ")}`;

export const dateTransforms: TransformTable = {
  date: {
    describe:
      'Reads a date (ISO, epoch seconds or ms, "MM/dd/yyyy", "dd.MM.yyyy", "yyyy-MM-dd HH:mm", "Nov 30, 2026", "now", "today", "tomorrow", ...) and, given a luxon `format`, writes it as text in `locale` (default "en-US"); without one the value stays a date (ISO text at the end). Null when it is not a date.',
    args: ["format?", "locale?"],
    examples: [
      ['"2026-11-30T15:00:00Z" | date("MM/dd/yyyy")', '"11/30/2026"'],
      ['"Nov 30, 2026" | date("cccc d LLLL")', '"Monday 30 November"'],
      ['"tomorrow" | date("yyyy-MM-dd")', '"2026-12-01"', "today being 2026-11-30"],
    ],
    checkArg: textArg("the format"),
    apply: (input, [format, locale], ctx) => {
      const dt = toDateTime(input, dateCtx(ctx));
      if (!dt) return null;
      if (format === undefined) return dt;
      return typeof format === "string" && format !== "" ? formatIn(dt, format, locale) : null;
    },
  },
  parseDate: {
    describe: 'Reads text with an exact luxon `format` (e.g. "dd/MM/yy"), for layouts `date` does not guess.',
    args: ["format"],
    examples: [['"30/11/26" | parseDate("dd/MM/yy") | iso', '"2026-11-30T00:00:00Z"']],
    checkArg: textArg("the format"),
    apply: (input, [format], ctx) =>
      typeof format === "string" ? parseWithFormat(input, format, dateCtx(ctx)) : null,
  },
  tz: {
    describe:
      'The same instant in another IANA time zone (e.g. "America/New_York"), so later `date` formats show its local time.',
    args: ["zone"],
    examples: [['"2026-11-30T15:00:00Z" | tz("America/New_York") | date("h:mm a")', '"10:00 AM"']],
    checkArg: (_i, v) =>
      typeof v === "string" && isZone(v)
        ? undefined
        : `unknown time zone ${JSON.stringify(v)}${typeof v === "string" ? didYouMean(v, ZONES) : ""}: use a name like "America/Chicago"`,
    apply: (input, [zone], ctx) => {
      const dt = toDateTime(input, dateCtx(ctx));
      if (!dt || typeof zone !== "string") return null;
      const out = dt.setZone(zone);
      return out.isValid ? out : null;
    },
  },
  add: {
    describe:
      'Adds a duration: seconds, minutes, hours, days, weeks, months, years or business days (Monday to Friday), e.g. "1 business day", "2 hours 30 minutes".',
    args: ["duration"],
    examples: [
      ['"2026-11-27T09:00:00Z" | add("1 business day") | iso', '"2026-11-30T09:00:00Z"', "Friday to Monday"],
      ['"2026-01-31" | add("1 month") | date("yyyy-MM-dd")', '"2026-02-28"'],
    ],
    checkArg: durationArg,
    apply: moved(1),
  },
  subtract: {
    describe: "Subtracts a duration, with the same units as `add`.",
    args: ["duration"],
    examples: [['"2026-11-30T09:00:00Z" | subtract("1 business day") | iso', '"2026-11-27T09:00:00Z"']],
    checkArg: durationArg,
    apply: moved(-1),
  },
  startOf: {
    describe: `The start of the date's ${START_UNITS.join(", ")} (weeks start on Monday), in its time zone.`,
    args: ["unit"],
    examples: [['"2026-11-30T15:45:00Z" | startOf("day") | iso', '"2026-11-30T00:00:00Z"']],
    checkArg: unitArg,
    apply: (input, [unit], ctx) => {
      const dt = toDateTime(input, dateCtx(ctx));
      return dt && typeof unit === "string" && START_UNITS.includes(unit)
        ? dt.startOf(unit as DateTimeUnit)
        : null;
    },
  },
  endOf: {
    describe: "The last millisecond of the date's unit, with the same units as `startOf`.",
    args: ["unit"],
    examples: [['"2026-11-30T15:45:00Z" | endOf("month") | iso', '"2026-11-30T23:59:59.999Z"']],
    checkArg: unitArg,
    apply: (input, [unit], ctx) => {
      const dt = toDateTime(input, dateCtx(ctx));
      return dt && typeof unit === "string" && START_UNITS.includes(unit)
        ? dt.endOf(unit as DateTimeUnit)
        : null;
    },
  },
  iso: {
    describe: "The date as ISO 8601 text with its offset (milliseconds only when there are some).",
    args: [],
    examples: [["1796050800 | iso", '"2026-11-30T15:00:00Z"']],
    apply: (input, _args, ctx) => {
      const dt = toDateTime(input, dateCtx(ctx));
      return dt ? isoOf(dt) : null;
    },
  },
  epoch: {
    describe: "Milliseconds since 1970-01-01 UTC.",
    args: [],
    examples: [['"2026-11-30T15:00:00Z" | epoch', "1796050800000"]],
    apply: (input, _args, ctx) => toDateTime(input, dateCtx(ctx))?.toMillis() ?? null,
  },
  epochSeconds: {
    describe: "Whole seconds since 1970-01-01 UTC.",
    args: [],
    examples: [['"2026-11-30T15:00:00Z" | epochSeconds', "1796050800"]],
    apply: (input, _args, ctx) => {
      const dt = toDateTime(input, dateCtx(ctx));
      return dt ? Math.floor(dt.toMillis() / 1000) : null;
    },
  },
};
