// Text transforms. They read strings, numbers, booleans and dates as text; lists and objects give
// null, except where a transform says it works on lists.
import { isMissing, scalarText, toText } from "../values.ts";
import { type TransformDef, type TransformTable, ValueTooLargeError } from "./types.ts";

/** A transform of text to text. */
function textual(
  describe: string,
  examples: TransformDef["examples"],
  fn: (s: string) => string,
): TransformDef {
  return {
    describe,
    args: [],
    examples,
    apply: (input) => {
      const s = scalarText(input);
      return s === undefined ? null : fn(s);
    },
  };
}

const stringArg = (what: string) => (_i: number, v: unknown) =>
  typeof v === "string" ? undefined : `${what} must be text in quotes`;

const intArg = (_i: number, v: unknown) =>
  typeof v === "number" && Number.isInteger(v) ? undefined : "must be a whole number";

/** Capitalises each word; after an apostrophe only in names like O'Brien, so "don't" stays. */
export function titleCase(s: string): string {
  return s
    .toLowerCase()
    .replace(
      /(^|[\s\-/(])(\p{L})(?:'(\p{L}))?/gu,
      (_m, pre: string, ch: string, after?: string) =>
        pre + ch.toUpperCase() + (after ? `'${after.toUpperCase()}` : ""),
    );
}

export const textTransforms: TransformTable = {
  trim: textual("Removes spaces at both ends.", [['"  Ann  " | trim', '"Ann"']], (s) => s.trim()),
  lower: textual("Lower case.", [['"ANN" | lower', '"ann"']], (s) => s.toLowerCase()),
  upper: textual("Upper case.", [['"ann" | upper', '"ANN"']], (s) => s.toUpperCase()),
  title: textual(
    "Capitalises Each Word and lower-cases the rest (O'Brien, Mary-Jane).",
    [['"mary-jane o\'BRIEN" | title', '"Mary-Jane O\'Brien"']],
    titleCase,
  ),
  capitalize: textual(
    "Upper-cases the first letter and leaves the rest as it is.",
    [['"hello World" | capitalize', '"Hello World"']],
    (s) => s.charAt(0).toUpperCase() + s.slice(1),
  ),
  replace: {
    describe:
      "Replaces every occurrence of `search` (plain text, case-sensitive) with `replacement` (default: nothing).",
    args: ["search", "replacement?"],
    examples: [
      ['"555-0100" | replace("-")', '"5550100"'],
      ['"a b" | replace(" ", "_")', '"a_b"'],
    ],
    checkArg: stringArg("the text"),
    apply: (input, [search, replacement], ctx) => {
      const s = scalarText(input);
      if (s === undefined || typeof search !== "string") return null;
      if (search === "") return s;
      const pieces = s.split(search);
      const by = isMissing(replacement) ? "" : toText(replacement);
      // Checked before joining: a long replacement of a frequent search can build gigabytes.
      if (s.length + (pieces.length - 1) * (by.length - search.length) > ctx.maxLength)
        throw new ValueTooLargeError(ctx.maxLength);
      return pieces.join(by);
    },
  },
  split: {
    describe:
      'Splits text into a list at `separator` (default ","); pieces are trimmed and empty ones dropped.',
    args: ["separator?"],
    examples: [['"a, b,,c" | split', '["a", "b", "c"]']],
    checkArg: stringArg("the separator"),
    apply: (input, [sep]) => {
      if (Array.isArray(input)) return input;
      const s = scalarText(input);
      if (s === undefined) return null;
      const by = typeof sep === "string" && sep !== "" ? sep : ",";
      return s
        .split(by)
        .map((p) => p.trim())
        .filter((p) => p !== "");
    },
  },
  join: {
    describe:
      'Joins a list into text with `separator` (default ", "), skipping missing items; other values become text.',
    args: ["separator?"],
    examples: [['["a", "b"] | join(" / ")', '"a / b"']],
    checkArg: stringArg("the separator"),
    apply: (input, [sep]) => {
      const by = typeof sep === "string" ? sep : ", ";
      if (!Array.isArray(input)) return scalarText(input) ?? null;
      return input
        .filter((x) => !isMissing(x))
        .map(toText)
        .join(by);
    },
  },
  slice: {
    describe:
      "Part of a text or list, from `start` up to (not including) `end`; negative positions count from the end.",
    args: ["start", "end?"],
    examples: [
      ['"20260115" | slice(0, 4)', '"2026"'],
      ["[1, 2, 3] | slice(-2)", "[2, 3]"],
    ],
    checkArg: intArg,
    apply: (input, [start, end]) => {
      if (typeof start !== "number" || (end !== undefined && typeof end !== "number")) return null;
      if (Array.isArray(input)) return input.slice(start, end);
      const s = scalarText(input);
      return s === undefined ? null : [...s].slice(start, end).join("");
    },
  },
  first: {
    describe: "The first item of a list, or the first character of a text; null when empty.",
    args: [],
    examples: [['["a", "b"] | first', '"a"']],
    apply: (input) => {
      if (Array.isArray(input)) return input.length ? input[0] : null;
      const s = scalarText(input);
      return s ? [...s][0] : null;
    },
  },
  last: {
    describe: "The last item of a list, or the last character of a text; null when empty.",
    args: [],
    examples: [['["a", "b"] | last', '"b"']],
    apply: (input) => {
      if (Array.isArray(input)) return input.length ? input[input.length - 1] : null;
      const s = scalarText(input);
      return s ? [...s].at(-1) : null;
    },
  },
  length: {
    describe: "The number of characters of a text, items of a list or keys of an object; 0 when missing.",
    args: [],
    examples: [
      ['"Ann" | length', "3"],
      ["trigger.tags | length", "2"],
    ],
    acceptsMissing: true,
    apply: (input) => {
      if (isMissing(input)) return 0;
      if (Array.isArray(input)) return input.length;
      const s = scalarText(input);
      if (s !== undefined) return [...s].length;
      return typeof input === "object" ? Object.keys(input).length : 0;
    },
  },
};
