// How polling triggers find new items without missing or repeating any, with a cursor that stays
// small however large the account is.
//
// Time-ordered sources (contacts by dateAdded, opportunities by updatedAt, ...): the cursor keeps a
// `since` time and the dedupe keys seen at or after it. Each poll fetches newest-first pages down
// to `since`; items already seen are dropped, the rest are new. `since` trails the newest time by a
// look-back window, so items whose timestamps equal the newest one, or that surface late in an
// eventually consistent search, are still caught once. An idle poll costs one request.
//
// Unordered small lists (calendars, pipelines, users): the cursor keeps short hashes of the items'
// dedupe keys; an item whose hash is new is emitted.
import { createHash } from "node:crypto";
import type { CatalogContext, PollCursor, PollingTrigger, PollResult } from "./types.ts";

export const DEFAULT_LOOKBACK_MS = 120_000;
const MAX_PAGES_PER_POLL = 50;

export interface TimeOrderedPage {
  items: unknown[];
  /** Whether an older page exists. */
  more: boolean;
}

export interface TimeOrderedSource<I> {
  /** One page, newest first. `page` counts from 0; only items at or after `since` are needed. */
  fetchPage(ctx: CatalogContext, input: I, page: number, since: number | undefined): Promise<TimeOrderedPage>;
  idOf(item: unknown): string;
  /** Creation time for "new" triggers, update time for "updated" triggers (epoch ms). */
  timeOf(item: unknown): number;
}

export function timeOrderedTrigger<I>(
  source: TimeOrderedSource<I>,
  opts: { dedupe: "id" | "id+updated"; describe: string; lookbackMs?: number },
): PollingTrigger {
  const lookback = opts.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  const keyOf = (item: unknown) =>
    opts.dedupe === "id" ? source.idOf(item) : `${source.idOf(item)}@${source.timeOf(item)}`;
  return {
    type: "polling",
    dedupe: opts.dedupe,
    describe: opts.describe,
    async poll(ctx, input, cursor): Promise<PollResult> {
      const since = cursor?.since;
      // Items older than `floor` are not needed. The first poll learns it from the newest item, and
      // reads everything within the look-back so that none of it counts as new next time.
      let floor = since;
      const fetched: unknown[] = [];
      let requests = 0;
      for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
        const res = await source.fetchPage(ctx, input as I, page, floor);
        requests++;
        if (floor === undefined) {
          if (res.items.length === 0) break;
          floor = Math.max(...res.items.map(source.timeOf)) - lookback;
        }
        const f = floor;
        const recent = res.items.filter((i) => source.timeOf(i) >= f);
        fetched.push(...recent);
        if (!res.more || recent.length < res.items.length || res.items.length === 0) break;
      }
      const seen = new Map<string, number>(cursor?.seen ?? []);
      const fresh: unknown[] = [];
      const freshKeys = new Set<string>();
      for (const item of fetched) {
        const k = keyOf(item);
        if (!seen.has(k) && !freshKeys.has(k)) {
          freshKeys.add(k);
          fresh.push(item);
        }
        seen.set(k, source.timeOf(item));
      }
      const newest = Math.max(floor ?? 0, ...[...seen.values()]);
      const nextSince = Math.max(floor ?? 0, newest - lookback);
      const next: PollCursor = {
        since: nextSince,
        seen: [...seen.entries()].filter(([, t]) => t >= nextSince).sort((a, b) => a[1] - b[1]),
      };
      // The first poll records where "now" is and emits nothing.
      if (!cursor) return { items: [], cursor: next, requests };
      fresh.sort((a, b) => source.timeOf(a) - source.timeOf(b) || (source.idOf(a) < source.idOf(b) ? -1 : 1));
      return { items: fresh, keys: fresh.map(keyOf), cursor: next, requests };
    },
  };
}

export interface SnapshotSource<I> {
  /** The whole (small) list, and how many requests that took. */
  list(ctx: CatalogContext, input: I): Promise<{ items: unknown[]; requests: number }>;
  /** The dedupe key: the id for "new" triggers, id plus version for "updated" ones. */
  keyOf(item: unknown): string;
}

const shortHash = (s: string) => createHash("sha256").update(s).digest("base64url").slice(0, 12);

export function snapshotTrigger<I>(
  source: SnapshotSource<I>,
  opts: { dedupe: "id" | "id+updated"; describe: string },
): PollingTrigger {
  return {
    type: "polling",
    dedupe: opts.dedupe,
    describe: opts.describe,
    async poll(ctx, input, cursor): Promise<PollResult> {
      const { items, requests } = await source.list(ctx, input as I);
      const hashes = items.map((i) => shortHash(source.keyOf(i)));
      const next: PollCursor = { snapshot: [...new Set(hashes)].sort() };
      if (!cursor) return { items: [], cursor: next, requests };
      const before = new Set(cursor.snapshot ?? []);
      const fresh = items.filter((_, i) => !before.has(hashes[i]!));
      return { items: fresh, keys: fresh.map((i) => source.keyOf(i)), cursor: next, requests };
    },
  };
}

/** Epoch ms of a HighLevel timestamp field (ISO string or number); 0 when absent. */
export function timeField(item: unknown, ...fields: string[]): number {
  const o = (item ?? {}) as Record<string, unknown>;
  for (const f of fields) {
    const v = o[f];
    if (typeof v === "number") return v;
    if (typeof v === "string" && v) {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return t;
    }
  }
  return 0;
}
