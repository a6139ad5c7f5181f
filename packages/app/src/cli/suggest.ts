// Bad names on the command line are answered with the closest known ones (typos), kept free of
// imports so the lightest commands can use it.
import { editDistance } from "@hlconnect/client/edit-distance";
import { CliError } from "./errors.ts";

/** Up to `max` candidates within a small edit distance of `word`, nearest first. */
export function nearest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  return [...new Set(candidates)]
    .map((c) => {
      const l = c.toLowerCase();
      // A prefix or part of a long name counts as close ("contact" for "contacts").
      const d = l.startsWith(w) || (w.length >= 4 && l.includes(w)) ? 1 : editDistance(w, l);
      return { c, d };
    })
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

/**
 * `value` as one of `known` (compared without case), or a usage error (exit 2) naming the closest
 * values, or all of them when there are few.
 */
export function oneOf(what: string, value: string, known: readonly string[], hint?: string): string {
  const hit = known.find((k) => k.toLowerCase() === value.toLowerCase());
  if (hit) return hit;
  const near = nearest(value, known);
  const parts = [`unknown ${what} "${value}"`];
  if (near.length) parts.push(`did you mean ${near.map((n) => `"${n}"`).join(" or ")}?`);
  if (known.length <= 60) parts.push(`known: ${known.join(", ")}`);
  else if (hint) parts.push(hint);
  throw new CliError(parts.join("; "), 2);
}
