import { describe, expect, it } from "vitest";
import {
  type Condition,
  evaluateCondition,
  type MappingScope,
  parseCondition,
} from "../src/mapping/index.ts";

const scope: MappingScope = {
  trigger: {
    status: "Hot",
    phone: "",
    email: "ann@example.com",
    amount: "250000",
    price: 99.5,
    count: "9",
    tags: ["VIP", "lead"],
    tagText: "vip, lead",
    created: "2026-11-20T10:00:00Z",
    due: "2026-12-01",
    usDate: "11/30/2026",
    dnd: false,
    optIn: "yes",
    zip: "90210",
    none: null,
    contact: { firstName: "Ann" },
  },
  steps: { lookup: { output: { total: 0, contacts: [] } } },
  vars: { allowed: ["Hot", "Warm"], min: "100000" },
  now: () => new Date("2026-11-30T12:00:00Z"),
};

function parsed(source: unknown): { condition: Condition; refs: string[] } {
  const r = parseCondition(source);
  if (!r.ok) throw new Error(`${JSON.stringify(source)}: ${r.error} at ${r.path ?? ""}`);
  return r;
}
const check = (source: unknown, s: MappingScope = scope) => evaluateCondition(parsed(source).condition, s);
const problem = (source: unknown) => {
  const r = parseCondition(source);
  if (r.ok) throw new Error(`expected ${JSON.stringify(source)} not to parse`);
  return r;
};

describe("text conditions", () => {
  it("the example from the brief", () => {
    const src = 'trigger.status == "Hot" and (trigger.phone exists or trigger.email exists)';
    expect(parsed(src).refs).toEqual(["trigger.status", "trigger.phone", "trigger.email"]);
    expect(check(src)).toBe(true);
    expect(check(src, { ...scope, trigger: { status: "Hot", phone: " " } })).toBe(false);
    expect(check(src, { ...scope, trigger: { status: "Cold", email: "x@y.z" } })).toBe(false);
  });

  it.each([
    ['trigger.status == "Hot"', true],
    ['trigger.status == "hot"', false],
    ['trigger.status != "Cold"', true],
    ["trigger.amount > 100000", true],
    ["trigger.amount >= vars.min", true],
    ['trigger.count < "10"', true],
    ['trigger.count > "10"', false],
    ["trigger.price <= 99.5", true],
    ['trigger.email contains "EXAMPLE"', true],
    ['trigger.email not_contains "gmail"', true],
    ['trigger.tags contains "vip"', true],
    ['trigger.tags not_contains "cold"', true],
    ['trigger.email starts_with "Ann@"', true],
    ['trigger.email ends_with ".com"', true],
    ["trigger.status in vars.allowed", true],
    ['trigger.status in ["Cold", "Warm"]', false],
    ['"lead" in trigger.tagText', true],
    ['trigger.zip matches "^\\d{5}$"', true],
    ['trigger.status matches "/^h/i"', true],
    ["trigger.phone exists", false],
    ["trigger.phone not_exists", true],
    ["trigger.none not_exists", true],
    ["trigger.missing not_exists", true],
    ["steps.lookup.output.contacts exists", false],
    ["steps.lookup.output.total == 0", true],
    ["trigger.dnd == false", true],
    ['trigger.dnd == "false"', true],
    ["trigger.optIn", true],
    ["trigger.dnd", false],
    ["not trigger.dnd", true],
    ["trigger.none == null", true],
    ["trigger.missing == null", true],
    ['trigger.missing == ""', false],
    ['trigger.missing != "x"', true],
    ["trigger.missing > 5", false],
    ["trigger.missing < 5", false],
    ['trigger.missing contains "x"', false],
    ['trigger.missing starts_with "x"', false],
    ['trigger.missing matches "x"', false],
    ['trigger.missing in ["x"]', false],
    ["true", true],
    ["false or not false", true],
    ['not (trigger.status == "Cold" or trigger.dnd) and trigger.email exists', true],
    ['trigger.status == "Hot" or trigger.status == "Warm" and false', true],
    ['(trigger.status == "Hot" or trigger.status == "Warm") and false', false],
  ])("%s -> %s", (source, expected) => {
    expect(check(source)).toBe(expected);
  });

  it("operands can be piped through transforms", () => {
    expect(check('trigger.status | lower == "hot"')).toBe(true);
    expect(check('trigger.email | slice(0, 3) | upper == "ANN"')).toBe(true);
    expect(check("trigger.tags | length >= 2")).toBe(true);
    expect(check('trigger.contact.firstName | default("x") != "x"')).toBe(true);
  });

  it("accepts {{ }} around operands, as people often write them", () => {
    expect(check('{{ trigger.status }} == "Hot"')).toBe(true);
    expect(check("{{ trigger.optIn | boolean }}")).toBe(true);
  });

  it("compares dates as dates", () => {
    expect(check("trigger.created < now")).toBe(true);
    expect(check('trigger.created < "2026-11-21"')).toBe(true);
    expect(check('trigger.due > "2026-11-30T23:59:59Z"')).toBe(true);
    expect(check('trigger.due == "2026-12-01T00:00:00Z"')).toBe(true);
    expect(check('trigger.created >= "today" | date')).toBe(false);
    expect(check('trigger.usDate | date == "2026-11-30"')).toBe(true);
    expect(check("trigger.due > now")).toBe(true);
    expect(check('trigger.due < now | add("2 days")')).toBe(true);
    expect(check('"not a date" < now')).toBe(false);
  });

  it("compares numbers as numbers, not as text", () => {
    expect(check('"9" < "10"')).toBe(true);
    expect(check('"abc" < "abd"')).toBe(true);
    expect(check('"10" == 10.0')).toBe(true);
    expect(check("trigger.tags > 1")).toBe(false);
  });

  it("compares lists and objects by value", () => {
    expect(check('trigger.tags == ["VIP", "lead"]')).toBe(true);
    expect(check('trigger.tags == ["lead", "VIP"]')).toBe(false);
    expect(check("steps.lookup.output.contacts == []")).toBe(true);
  });

  it("a dynamic pattern that is not a regular expression is false, not an error", () => {
    expect(check("trigger.zip matches vars.re", { ...scope, vars: { re: "([" } })).toBe(false);
  });

  it("reports errors with columns and what was expected", () => {
    expect(problem('trigger.status = "Hot"')).toMatchObject({
      column: 16,
      error: expect.stringContaining('found "=" (write ==) (column 16)'),
    });
    expect(problem('trigger.email not contains "x"').error).toContain("write not_contains or not_exists");
    expect(problem("trigger.a containz 5").error).toContain('(did you mean "contains"?)');
    expect(problem("trigger.a && trigger.b").error).toContain("(write and)");
    expect(problem("trigger.a ==").error).toBe("expected a value after ==, found the end (column 13)");
    expect(problem('(trigger.a == "x"').error).toBe(
      'expected ")" to close the "(" at column 1, found the end (column 18)',
    );
    expect(problem("").error).toContain("empty condition");
    expect(problem('trigger.a == "x" trigger.b').error).toContain('expected "and", "or" or the end');
    expect(problem('trigger.a matches "(["').error).toContain("not a valid regular expression");
    expect(problem("trigr.a exists")).toMatchObject({
      column: 1,
      error: expect.stringContaining('"trigger"'),
    });
    expect(problem("trigger.a | nope").error).toContain('unknown transform "nope"');
  });
});

describe("structured conditions", () => {
  it("the forms from the brief", () => {
    const src = {
      all: [
        { left: "{{trigger.status}}", op: "==", right: "Hot" },
        {
          any: [
            { left: "{{ trigger.phone }}", op: "exists" },
            { left: "{{ trigger.email }}", op: "exists" },
          ],
        },
        { not: { left: "{{ trigger.dnd }}", op: "==", right: true } },
      ],
    };
    expect(parsed(src).refs).toEqual(["trigger.status", "trigger.phone", "trigger.email", "trigger.dnd"]);
    expect(check(src)).toBe(true);
    expect(check(src, { ...scope, trigger: { status: "Hot", email: "a@b.c", dnd: true } })).toBe(false);
  });

  it("operands are mapping values: templates keep their types", () => {
    expect(check({ left: "{{ trigger.amount }}", op: ">", right: "{{ vars.min }}" })).toBe(true);
    expect(check({ left: "{{ trigger.tags }}", op: "contains", right: "vip" })).toBe(true);
    expect(check({ left: "{{ trigger.status }}", op: "in", right: ["Hot", "Warm"] })).toBe(true);
    expect(check({ left: "{{ trigger.created }}", op: "<", right: "{{ now }}" })).toBe(true);
    expect(check({ left: "{{ trigger.usDate | date }}", op: "==", right: "2026-11-30" })).toBe(true);
    expect(check({ left: "Status: {{ trigger.status }}", op: "==", right: "Status: Hot" })).toBe(true);
    expect(check({ left: 5, op: "<", right: "10" })).toBe(true);
  });

  it("lists mean all, text items use the text form, booleans are constants", () => {
    expect(check(['trigger.status == "Hot"', { left: "{{ trigger.email }}", op: "exists" }])).toBe(true);
    expect(check({ any: ["false", false, 'trigger.status == "Hot"'] })).toBe(true);
    expect(check({ all: [] })).toBe(true);
    expect(check({ any: [] })).toBe(false);
    expect(check(true)).toBe(true);
  });

  it("reports errors with the path inside the condition", () => {
    expect(
      problem({
        all: [
          { left: "{{ trigger.a }}", op: "==", right: 1 },
          { left: "{{ trigger.b }}", op: "equals", right: 2 },
        ],
      }),
    ).toEqual({
      ok: false,
      error: expect.stringContaining('unknown op "equals" (write ==)'),
      path: "all[1].op",
    });
    expect(problem({ any: [{ left: "trigger.status", op: "==", right: "Hot" }] })).toMatchObject({
      path: "any[0].left",
      error: 'left is the text "trigger.status"; to read that field write "{{ trigger.status }}"',
    });
    expect(problem({ left: "{{ trigger.a | nope }}", op: "exists" })).toMatchObject({
      path: "left",
      column: 16,
    });
    expect(problem({ left: "{{ trigger.a }}", op: "==" })).toMatchObject({
      error: expect.stringContaining('missing "right"'),
    });
    expect(problem({ left: "{{ trigger.a }}", op: "exists", right: 1 })).toMatchObject({ path: "right" });
    expect(problem({ op: "exists" }).error).toContain('missing "left"');
    expect(problem({ left: "{{ trigger.a }}" }).error).toContain('missing "op"');
    expect(problem({ lft: "{{ trigger.a }}", op: "exists" })).toMatchObject({
      path: "lft",
      error: expect.stringContaining('(did you mean "left"?)'),
    });
    expect(problem({ all: [], any: [] })).toMatchObject({ path: "any" });
    expect(problem({ all: "x" })).toMatchObject({ path: "all", error: '"all" takes a list of conditions' });
    expect(problem({ not: { all: [5] } })).toMatchObject({ path: "not.all[0]" });
    expect(problem({ all: ['trigger.a = "x"'] })).toMatchObject({ path: "all[0]", column: 11 });
    expect(problem(null).error).toContain("expected a condition");
    expect(problem({ left: "{{ trigger.a }}", op: "matches", right: "([" }).path).toBe("right");
  });

  it("evaluating never throws on odd data", () => {
    const odd: MappingScope = { trigger: { status: { deep: [null] }, tags: null }, steps: {} };
    for (const src of [
      'trigger.status == "Hot"',
      "trigger.status > 3",
      'trigger.tags contains "x"',
      'trigger.status | upper | date("yyyy") == "x"',
      { left: "{{ trigger.status }}", op: "in", right: "{{ trigger.tags }}" },
    ]) {
      expect(() => check(src, odd)).not.toThrow();
    }
  });
});
