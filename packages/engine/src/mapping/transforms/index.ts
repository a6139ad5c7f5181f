// Every transform by name. TRANSFORMS is the published help (for docs and editors); the parser
// and evaluator use the full definitions.
import { dataTransforms } from "./data.ts";
import { dateTransforms } from "./dates.ts";
import { nameTransforms } from "./names.ts";
import { numberTransforms } from "./numbers.ts";
import { phoneTransforms } from "./phone.ts";
import { textTransforms } from "./text.ts";
import type { TransformDef, TransformTable } from "./types.ts";

export const TRANSFORM_DEFS: TransformTable = {
  ...textTransforms,
  ...nameTransforms,
  ...numberTransforms,
  ...dateTransforms,
  ...phoneTransforms,
  ...dataTransforms,
};

export const TRANSFORMS: Record<string, { describe: string; args: string[] }> = Object.fromEntries(
  Object.entries(TRANSFORM_DEFS).map(([name, def]) => [
    name,
    { describe: def.describe, args: [...def.args] },
  ]),
);

export function getTransform(name: string): TransformDef | undefined {
  return Object.hasOwn(TRANSFORM_DEFS, name) ? TRANSFORM_DEFS[name] : undefined;
}

/** How many arguments a transform takes: the required ones, then all. */
export function arity(def: TransformDef): { min: number; max: number } {
  return { min: def.args.filter((a) => !a.endsWith("?")).length, max: def.args.length };
}
