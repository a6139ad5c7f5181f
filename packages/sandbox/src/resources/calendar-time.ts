// Wall-clock arithmetic in IANA time zones with Intl only (no tz database dependency):
// calendars keep their open hours in the location's zone, and HighLevel writes times as
// ISO strings with the zone's offset (2024-10-28T10:00:00-05:00).

const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface CivilDate {
  year: number;
  month: number; // 1..12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false; // RangeError: invalid time zone
  }
}

interface Wall extends CivilDate {
  hour: number;
  minute: number;
  second: number;
}

function wall(ms: number, tz: string): Wall {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return {
    year: out.year!,
    month: out.month!,
    day: out.day!,
    hour: out.hour!,
    minute: out.minute!,
    second: out.second!,
  };
}

/** Offset of the zone from UTC at that instant, in minutes (-300 for New York in winter). */
export function offsetMinutes(ms: number, tz: string): number {
  const w = wall(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / MINUTE);
}

/** The civil date of an instant in a zone. */
export function civilDate(ms: number, tz: string): CivilDate {
  const { year, month, day } = wall(ms, tz);
  return { year, month, day };
}

/** The civil date `n` days after `d`. */
export function addDays(d: CivilDate, n: number): CivilDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** 0 = Sunday .. 6 = Saturday, as the spec's `daysOfTheWeek`. */
export function weekday(d: CivilDate): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
}

export function dateKey(d: CivilDate): string {
  return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** The instant at which the wall clock of `tz` shows `minutes` after midnight of `d`. */
export function zonedInstant(d: CivilDate, minutes: number, tz: string): number {
  const naive = Date.UTC(d.year, d.month - 1, d.day, 0, minutes);
  // Two passes settle the offset except inside a DST gap, where the later offset wins.
  let ms = naive - offsetMinutes(naive, tz) * MINUTE;
  ms = naive - offsetMinutes(ms, tz) * MINUTE;
  return ms;
}

/** ISO 8601 with the zone's offset and no milliseconds, like HighLevel's slot strings. */
export function isoInZone(ms: number, tz: string): string {
  const w = wall(ms, tz);
  const off = offsetMinutes(ms, tz);
  const abs = Math.abs(off);
  const pad = (n: number) => String(n).padStart(2, "0");
  const sign = off < 0 ? "-" : "+";
  return `${dateKey(w)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const UNIT_MS: Record<string, number> = {
  mins: MINUTE,
  hours: 60 * MINUTE,
  days: DAY,
  weeks: 7 * DAY,
  months: 30 * DAY, // a booking horizon in months is approximated by 30-day months
};

/** A calendar duration setting (slotDuration + slotDurationUnit, ...) in ms; unit defaults to minutes. */
export function durationMs(value: number | undefined, unit: string | undefined, fallback = 0): number {
  if (value === undefined || value === null) return fallback;
  return value * (UNIT_MS[unit ?? "mins"] ?? MINUTE);
}
