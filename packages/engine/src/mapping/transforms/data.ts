// Transforms on any value: defaults, conditionals, lookup tables, tags and JSON.
import { isBlank, isMissing, isPlainObject, safeJson, scalarText, toBool, toText } from "../values.ts";
import type { TransformTable } from "./types.ts";

/** A table's value for a key: exact first, then ignoring case and surrounding spaces. */
function lookupIn(table: Record<string, unknown>, key: string): { found: boolean; value?: unknown } {
  if (Object.hasOwn(table, key)) return { found: true, value: table[key] };
  const wanted = key.trim().toLowerCase();
  const match = Object.keys(table).find((k) => k.trim().toLowerCase() === wanted);
  return match === undefined ? { found: false } : { found: true, value: table[match] };
}

export const dataTransforms: TransformTable = {
  default: {
    describe: "`value` when the input is missing, blank text or an empty list; otherwise the input.",
    args: ["value"],
    examples: [
      ['trigger.nickname | default("n/a")', '"n/a"'],
      ['"  " | default(trigger.email)', '"ann@example.com"'],
    ],
    acceptsMissing: true,
    apply: (input, [value]) => (isBlank(input) ? value : input),
  },
  if: {
    describe:
      'Picks `then` when the input is true (true, a non-zero number, text other than "", "false", "no", "off", "0", a non-empty list) and `else` (default null) otherwise.',
    args: ["then", "else?"],
    examples: [
      ['trigger.vip | if("VIP", "Standard")', '"VIP"'],
      ['"no" | if("yes", "no")', '"no"'],
    ],
    acceptsMissing: true,
    apply: (input, [then, otherwise]) => (toBool(input) ? then : (otherwise ?? null)),
  },
  boolean: {
    describe: 'true or false, by the same rule as `if` ("yes", "1", "on" are true; missing is false).',
    args: [],
    examples: [
      ['"Yes" | boolean', "true"],
      ['"off" | boolean', "false"],
    ],
    acceptsMissing: true,
    apply: (input) => toBool(input),
  },
  lookup: {
    describe:
      "The value for the input in the flow's table `table` (exact key, else ignoring case and spaces); `default` (else null) when the key is not there.",
    args: ["table", "default?"],
    examples: [
      ['"hot" | lookup("statuses")', '"open"'],
      ['"cold" | lookup("statuses", "unknown")', '"unknown"'],
    ],
    acceptsMissing: true,
    checkArg: (i, v) =>
      i === 0 && typeof v !== "string" ? "the table name must be text in quotes" : undefined,
    apply: (input, [table, fallback], ctx) => {
      const rows =
        typeof table === "string" && Object.hasOwn(ctx.tables, table) ? ctx.tables[table] : undefined;
      const key = scalarText(input);
      if (!isPlainObject(rows) || key === undefined) return fallback ?? null;
      const hit = lookupIn(rows, key);
      return hit.found ? hit.value : (fallback ?? null);
    },
  },
  tags: {
    describe:
      "A list of tags from text separated by commas (or a list): trimmed, lower case, without blanks or repeats; missing gives [].",
    args: [],
    examples: [['" Hot, lead,HOT ,," | tags', '["hot", "lead"]']],
    acceptsMissing: true,
    apply: (input) => {
      const items = Array.isArray(input) ? input : [input];
      const out = new Set<string>();
      for (const item of items) {
        const text = scalarText(item);
        if (text === undefined) continue;
        for (const tag of text.split(",")) {
          const t = tag.trim().toLowerCase();
          if (t) out.add(t);
        }
      }
      return [...out];
    },
  },
  json: {
    describe: "The value as JSON text; null when it cannot be written.",
    args: [],
    examples: [["trigger.tags | json", '"[\\"hot\\",\\"lead\\"]"']],
    apply: (input) => safeJson(input) ?? null,
  },
  parseJson: {
    describe:
      "The value in a JSON text; null when the text is not JSON. Values that are not text pass through.",
    args: [],
    examples: [['"{\\"a\\": 1}" | parseJson', '{"a": 1}']],
    apply: (input) => {
      if (typeof input !== "string") return input;
      try {
        return JSON.parse(input) as unknown;
      } catch {
        return null;
      }
    },
  },
  string: {
    describe:
      'The value as text, as it reads in mixed text: lists joined with ", ", objects as JSON, missing as "".',
    args: [],
    examples: [
      ["42 | string", '"42"'],
      ['["a", "b"] | string', '"a, b"'],
    ],
    acceptsMissing: true,
    apply: (input) => (isMissing(input) ? "" : toText(input)),
  },
};
