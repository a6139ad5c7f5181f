// docs/mapping.md is written from the TRANSFORMS table: every transform has a section, every
// example there is true, and every condition operator is in the operator table.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONDITION_OPERATORS, type MappingScope, renderValue, TRANSFORMS } from "../src/mapping/index.ts";
import { TRANSFORM_DEFS } from "../src/mapping/transforms/index.ts";

const DOC = readFileSync(new URL("../../../docs/mapping.md", import.meta.url), "utf8");

// The scope the doc says its examples run in.
const DOC_SCOPE: MappingScope = {
  trigger: { email: "ann@example.com", vip: true, tags: ["hot", "lead"] },
  steps: {},
  tables: { statuses: { hot: "open" } },
  now: () => new Date("2026-11-30T12:00:00Z"),
};

/** Intl writes no-break spaces in "1.234,50 €"; the doc writes plain ones. */
const plainSpaces = (v: unknown): unknown => (typeof v === "string" ? v.replace(/[\u00a0\u202f]/g, " ") : v);

const heading = (name: string) => {
  const args = TRANSFORMS[name]!.args;
  return `#### \`${name}${args.length ? `(${args.join(", ")})` : ""}\``;
};

describe("docs/mapping.md", () => {
  it("has a section for every transform, with its arguments", () => {
    const missing = Object.keys(TRANSFORMS).filter((name) => !DOC.includes(`${heading(name)}\n`));
    expect(missing, `add these to docs/mapping.md: ${missing.map(heading).join(", ")}`).toEqual([]);
  });

  it("documents no transform that does not exist", () => {
    const documented = [...DOC.matchAll(/^#### `([A-Za-z]+)/gm)].map((m) => m[1]!);
    expect(documented.filter((name) => !(name in TRANSFORMS))).toEqual([]);
  });

  it("gives each transform's description as in TRANSFORMS", () => {
    for (const [name, { describe }] of Object.entries(TRANSFORMS)) {
      expect(DOC, name).toContain(`${heading(name)}\n\n${describe}\n`);
    }
  });

  it("lists every condition operator in the operator table", () => {
    for (const op of CONDITION_OPERATORS) expect(DOC, op).toContain(`| \`${op}\` |`);
  });

  for (const [name, def] of Object.entries(TRANSFORM_DEFS)) {
    it(`${name}: has examples, each in the doc and true`, () => {
      expect(def.examples.length).toBeGreaterThan(0);
      for (const [expr, result] of def.examples) {
        expect(DOC, expr).toContain(`\`{{ ${expr} }}\` → \`${result}\``);
        const value = renderValue(`{{ ${expr} }}`, DOC_SCOPE);
        expect(plainSpaces(value), expr).toEqual(JSON.parse(result));
      }
    });
  }
});
