// Bad data never stops a run: every transform, called directly (without the evaluator's safety
// net), returns a plain value for any input and any arguments.
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_VALUE_LENGTH } from "../src/mapping/evaluate.ts";
import { evaluateCondition, parseCondition, parseTemplate, renderValue } from "../src/mapping/index.ts";
import { TRANSFORM_DEFS } from "../src/mapping/transforms/index.ts";
import type { TransformContext } from "../src/mapping/transforms/types.ts";

const ctx: TransformContext = {
  zone: "America/Chicago",
  now: () => new Date("2026-11-30T12:00:00Z"),
  country: "US",
  tables: { statuses: { hot: "open" } },
  maxLength: DEFAULT_MAX_VALUE_LENGTH,
};

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

const ODD: unknown[] = [
  undefined,
  null,
  "",
  "   ",
  "abc",
  "2026-11-30",
  "9999999999999999999999",
  "-",
  "\u0000",
  "😀👍🏽",
  "x".repeat(100_000),
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  [],
  [1, "a", null, [2]],
  {},
  { a: { b: [1] } },
  cyclic,
  new Date(Number.NaN),
  DateTime.invalid("test"),
  DateTime.fromISO("2026-11-30T10:00:00Z"),
  Symbol("s"),
  () => 1,
  10n,
];

const short = (v: unknown) => {
  try {
    return String(v).slice(0, 20);
  } catch {
    return typeof v;
  }
};

/** A value leaving a transform: JSON-like data, or a valid luxon date (turned into ISO later). */
function isPlain(v: unknown, depth = 0): boolean {
  if (v === undefined || v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return true;
  if (DateTime.isDateTime(v)) return v.isValid;
  if (depth > 3) return true;
  if (Array.isArray(v)) return v.every((x) => isPlain(x, depth + 1));
  if (typeof v === "object") return Object.values(v).every((x) => isPlain(x, depth + 1));
  return typeof v === "bigint";
}

describe("every transform survives odd input", () => {
  for (const [name, def] of Object.entries(TRANSFORM_DEFS)) {
    it(name, () => {
      const argSets: unknown[][] = [[], ...ODD.map((a) => def.args.map(() => a))];
      for (const input of ODD) {
        for (const args of argSets) {
          let out: unknown;
          const where = `${name}(${short(args[0])}) on ${short(input)}`;
          expect(() => {
            out = def.apply(input, args, ctx);
          }, where).not.toThrow();
          // Passing the input or an argument through unchanged is a documented result.
          const passed = out === input || args.includes(out);
          expect(passed || isPlain(out), `${where} gave ${short(out)}`).toBe(true);
        }
      }
    });
  }
});

describe("the parsers survive odd source", () => {
  const SOURCES = [
    "{{",
    "}}",
    "{{{{}}}}",
    "{{ [ }}",
    "{{ [[[[[[[[[[ }}",
    '{{ "\\',
    "{{ trigger.a | | }}",
    "{{ trigger.a[ }}",
    "{{ trigger.a[-] }}",
    "{{ 1e999 }}",
    "{{ trigger.a | default( }}",
    "{{ trigger.a | default(,) }}",
    `{{ ${"trigger.a | trim "
      .repeat(200)
      .trim()
      .replace(/ trigger\.a/g, "")} }}`,
    "\u0000{{ \u0000 }}",
    "{{ ünïcödé }}",
  ];

  it.each(SOURCES)("template %j", (source) => {
    expect(() => parseTemplate(source)).not.toThrow();
  });

  it.each([...SOURCES, "(((", "not not not", "a ==== b", ") (", "trigger.a in", "and", "or or"])(
    "condition %j",
    (source) => {
      expect(() => parseCondition(source)).not.toThrow();
    },
  );

  it.each([undefined, 5, { all: null }, { not: null }, { left: {}, op: {} }, [[[]]], { any: [cyclic] }])(
    "structured condition %#",
    (source) => {
      expect(() => parseCondition(source)).not.toThrow();
    },
  );

  it("nesting is fine up to a limit, then a clear error rather than a stack overflow", () => {
    expect(parseTemplate(`{{ ${"[".repeat(50)}${"]".repeat(50)} }}`).ok).toBe(true);
    expect(parseTemplate(`{{ ${"[".repeat(100_000)} }}`)).toMatchObject({
      ok: false,
      error: "nested more than 64 levels deep",
    });
    expect(parseTemplate(`{{ trigger.a${" | trim".repeat(100_000)} }}`)).toMatchObject({
      ok: false,
      error: "more than 64 transforms in a row",
    });
    expect(parseCondition(`${"not ".repeat(100_000)}true`)).toMatchObject({ ok: false });
    expect(parseCondition(`${"(".repeat(100_000)}true`)).toMatchObject({ ok: false });
    let deep: unknown = true;
    for (let i = 0; i < 100_000; i++) deep = { not: deep };
    expect(parseCondition(deep)).toMatchObject({ ok: false, error: "nested more than 64 levels deep" });
    let deepValue: unknown = "{{ trigger.a }}";
    for (let i = 0; i < 100_000; i++) deepValue = [deepValue];
    expect(parseCondition({ left: deepValue, op: "exists" })).toMatchObject({ ok: false });
  });
});

describe("rendering survives odd scopes", () => {
  it("any scope value and any transform chain", () => {
    const scopes = ODD.map((trigger) => ({ trigger, steps: {}, now: ctx.now }));
    const sources = Object.keys(TRANSFORM_DEFS).map((name) => {
      const def = TRANSFORM_DEFS[name]!;
      const args = def.args.filter((a) => !a.endsWith("?")).map((_, i) => `trigger.a${i}`);
      return `x {{ trigger.v | ${name}${args.length ? `(${args.join(", ")})` : ""} }} {{ trigger | ${name}${args.length ? `(${args.join(", ")})` : ""} }}`;
    });
    for (const scope of scopes) {
      for (const source of sources) {
        expect(() => renderValue(source, scope)).not.toThrow();
      }
      const c = parseCondition(
        'trigger contains "a" or trigger > now or trigger matches "a" or trigger in trigger',
      );
      expect(c.ok && (() => evaluateCondition(c.condition, scope))).not.toThrow();
    }
  });
});
