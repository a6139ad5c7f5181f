// What flow validation needs from the catalog: which keys may start a flow or run as a step, the
// input fields of each, and "did you mean" suggestions for keys that are not there.
import { CATALOG, type CatalogEntry, getEntry, type TriggerEntry } from "@hlconnect/catalog";
import { closest } from "@hlconnect/client";
import { editDistance } from "@hlconnect/client/edit-distance";
import type { z } from "zod";

const BY_KEY = new Map(CATALOG.map((e) => [e.key, e]));

export function triggerKeys(): string[] {
  return CATALOG.filter((e) => e.kind === "trigger").map((e) => e.key);
}

/** Actions, and triggers that can read once (e.g. "Find Contact"): what a step may run. */
export function stepKeys(): string[] {
  return CATALOG.filter(isStepEntry).map((e) => e.key);
}

export function isStepEntry(e: CatalogEntry): boolean {
  return e.kind === "action" || typeof (e as TriggerEntry).read === "function";
}

export type Lookup = { entry: CatalogEntry } | { error: string; suggestion?: string };

/** The entry for a key, or an error that names the closest keys among `candidates`. */
export function lookupEntry(key: string, candidates: string[]): Lookup {
  const entry = BY_KEY.get(key);
  if (entry) return { entry };
  let byName: CatalogEntry | undefined;
  let catalogText = "";
  try {
    byName = getEntry(key); // also finds entries by their readable name
  } catch (err) {
    catalogText = err instanceof Error ? err.message : String(err);
  }
  if (byName) {
    return {
      error: `"${key}" is the name of an operation; flows use its key`,
      suggestion: `Write "${byName.key}".`,
    };
  }
  const near = nearest(key, candidates);
  if (near.length) return { error: `unknown operation "${key}"`, suggestion: didYouMean(near) };
  return { error: catalogText || `unknown operation "${key}"`, suggestion: "See `hlconnect ops list`." };
}

/**
 * The closest names (by `closest`), keeping only those as close as the best one: a typo in
 * "highlevel.contacts.nwe" suggests "highlevel.contacts.new", not every short key nearby. A name
 * that needs as many edits as the word has letters is no suggestion ("a" is not a typo of "id").
 */
export function nearest(word: string, candidates: string[], max = 3): string[] {
  const d = (c: string) => editDistance(word.toLowerCase(), c.toLowerCase());
  const near = closest(word, candidates, max).filter((c) => d(c) < word.length);
  const best = near[0];
  if (best === undefined) return [];
  const bound = d(best);
  return near.filter((c) => d(c) <= bound);
}

export function didYouMean(options: string[]): string {
  return `Did you mean ${options.map((o) => `"${o}"`).join(" or ")}?`;
}

/** The entry's input fields by name (entries' inputs are strict zod objects). */
export function inputFields(e: CatalogEntry): Record<string, z.ZodType> | undefined {
  const shape = (e.input as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape && typeof shape === "object" ? shape : undefined;
}

/** A field is required when leaving it out fails its schema (no optional, no default). */
export function isRequired(field: z.ZodType): boolean {
  try {
    return !field.safeParse(undefined).success;
  } catch {
    return false; // an async refinement: decided at run time
  }
}

/** The schema's complaint about a literal value, or undefined when it is accepted. */
export function literalError(field: z.ZodType, value: unknown): string | undefined {
  try {
    const r = field.safeParse(value);
    if (r.success) return undefined;
    const issue = r.error.issues[0];
    if (!issue) return "is not accepted";
    const where = issue.path.length ? ` (at ${issue.path.join(".")})` : "";
    return `${issue.message}${where}`;
  } catch {
    return undefined;
  }
}
