// Rate-limit utilisation read from the sandbox's own request log: the sandbox's burst windows are
// aligned to multiples of windowMs on its clock, so an entry's time names the window it counted in.
import type { LoggedRequest } from "./sandbox-process.ts";

export interface WindowStats {
  /** Requests the limiter let through (everything but 429s and lost answers). */
  accepted: number;
  tooMany: number;
  /** Windows from the first request's to the last one's, both included. */
  windows: number;
  /** Accepted per window over the steady part: every window but the first and the last (partial ones). */
  steadyPerWindow: number;
  steadyWindows: number;
  /** steadyPerWindow / max. */
  utilisation: number;
  /** The least-filled steady window, as a share of max. */
  worstWindow: number;
}

export function windowStats(entries: LoggedRequest[], windowMs: number, max: number): WindowStats {
  const counts = new Map<number, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let accepted = 0;
  let tooMany = 0;
  for (const e of entries) {
    const w = Math.floor(Date.parse(e.time) / windowMs);
    first = Math.min(first, w);
    last = Math.max(last, w);
    if (e.status === 429) {
      tooMany++;
      continue;
    }
    accepted++;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const steady: number[] = [];
  for (let w = first + 1; w < last; w++) steady.push(counts.get(w) ?? 0);
  const steadyPerWindow = steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : Number.NaN;
  return {
    accepted,
    tooMany,
    windows: Number.isFinite(first) ? last - first + 1 : 0,
    steadyPerWindow,
    steadyWindows: steady.length,
    utilisation: steadyPerWindow / max,
    worstWindow: steady.length ? Math.min(...steady) / max : Number.NaN,
  };
}

/** The entries of one location (the sandbox logs the location each request was counted for). */
export function forLocation(entries: LoggedRequest[], locationId: string): LoggedRequest[] {
  return entries.filter((e) => e.locationId === locationId);
}
