// Durations as flow files write them: "90s", "5m", "1h" (or "5 min", "2 hours": the unit's first letter counts).
import { DURATION } from "./format.ts";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNIT_MS[(m[2] ?? "").charAt(0).toLowerCase()] ?? Number.NaN);
}

export const MINUTE = 60_000;
export const DEFAULT_EVERY_MS = 5 * MINUTE;
export const MIN_EVERY_MS = MINUTE;
export const MAX_EVERY_MS = 15 * MINUTE;
export const DEFAULT_BACKOFF_MS = 30_000;
export const MIN_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 3_600_000;
