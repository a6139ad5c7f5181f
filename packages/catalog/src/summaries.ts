// The catalog's entries as summaries, without building the catalog: read from a file generated from
// it (scripts/generate-catalog-index.ts, checked for staleness by `npm test`). For listings.
import type { EntrySummary } from "./describe.ts";
import summaries from "./generated/summaries.json" with { type: "json" };

export const SUMMARIES = summaries as EntrySummary[];

/** The categories, in catalog order. */
export function categories(): string[] {
  return [...new Set(SUMMARIES.map((s) => s.category))];
}
