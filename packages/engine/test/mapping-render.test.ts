import { describe, expect, it } from "vitest";
import { MappingError, type MappingScope, renderValue } from "../src/mapping/index.ts";

const NOW = new Date("2026-11-30T12:00:00Z");

const scope: MappingScope = {
  trigger: {
    contact: { firstName: "  ann ", phone: "(213) 373-4253", age: 41, vip: true, tags: ["hot", "lead"] },
    amount: 250000.5,
    nested: { a: [1, { b: "deep" }] },
    "first name": "Ann",
  },
  steps: { lookup: { output: { contacts: [{ id: "c1" }, { id: "c2" }], total: 2 } } },
  vars: { owner: "u1", zone: "America/Chicago" },
  env: { REGION: "us-east" },
  tables: { statuses: { hot: "open" } },
  now: () => NOW,
};

describe("renderValue: a lone expression keeps its type", () => {
  it.each([
    ["{{ trigger.amount }}", 250000.5],
    ["{{ trigger.contact.vip }}", true],
    ["{{ trigger.contact.tags }}", ["hot", "lead"]],
    ["{{ steps.lookup.output.contacts[1] }}", { id: "c2" }],
    ["{{ trigger.nested.a[1].b }}", "deep"],
    ["{{ trigger.contact.tags[-1] }}", "lead"],
    ['{{ trigger["first name"] }}', "Ann"],
    ["{{ 42 }}", 42],
    ["{{ null }}", null],
    ["{{ [1, trigger.amount] }}", [1, 250000.5]],
    ["  {{ steps.lookup.output.total }}\n", 2],
  ])("%s", (source, expected) => {
    expect(renderValue(source, scope)).toEqual(expected);
  });

  it("returns the trigger's own object, not a copy", () => {
    expect(renderValue("{{ trigger.contact }}", scope)).toBe((scope.trigger as { contact: unknown }).contact);
  });

  it("dates leave as ISO text in the flow's zone", () => {
    expect(renderValue("{{ now }}", scope)).toBe("2026-11-30T12:00:00Z");
    expect(renderValue("{{ now }}", { ...scope, timeZone: "America/Chicago" })).toBe(
      "2026-11-30T06:00:00-06:00",
    );
    expect(renderValue('{{ [now, "x"] }}', scope)).toEqual(["2026-11-30T12:00:00Z", "x"]);
  });
});

describe("renderValue: mixed text", () => {
  it("joins text and values", () => {
    expect(
      renderValue(
        "Hi {{ trigger.contact.firstName | trim | title }}, you are {{ trigger.contact.age }}",
        scope,
      ),
    ).toBe("Hi Ann, you are 41");
  });

  it("writes missing as nothing, lists joined, objects as JSON, booleans and dates as text", () => {
    expect(renderValue("[{{ trigger.nope }}]", scope)).toBe("[]");
    expect(renderValue("tags: {{ trigger.contact.tags }}", scope)).toBe("tags: hot, lead");
    expect(renderValue("c: {{ steps.lookup.output.contacts[0] }}", scope)).toBe('c: {"id":"c1"}');
    expect(renderValue("vip={{ trigger.contact.vip }} at {{ now }}", scope)).toBe(
      "vip=true at 2026-11-30T12:00:00Z",
    );
  });
});

describe("renderValue: whole values", () => {
  it("renders strings inside objects and lists and leaves other values alone", () => {
    const input = {
      contactId: "{{ steps.lookup.output.contacts[0].id }}",
      body: { title: "Call {{ trigger.contact.firstName | trim }}", n: 5, ok: false, none: null },
      list: ["{{ vars.owner }}", 7, "plain"],
    };
    expect(renderValue(input, scope)).toEqual({
      contactId: "c1",
      body: { title: "Call ann", n: 5, ok: false, none: null },
      list: ["u1", 7, "plain"],
    });
    expect(input.contactId).toBe("{{ steps.lookup.output.contacts[0].id }}");
  });

  it("reads vars, env and tables", () => {
    expect(renderValue("{{ vars.owner }}/{{ env.REGION }}/{{ tables.statuses.hot }}", scope)).toBe(
      "u1/us-east/open",
    );
    expect(renderValue("{{ env.MISSING | default('none') }}", scope)).toBe("none");
  });

  it("renders unknown paths as undefined, so default works", () => {
    expect(renderValue("{{ trigger.contact.nickname }}", scope)).toBeUndefined();
    expect(renderValue("{{ steps.nope.output.x }}", scope)).toBeUndefined();
    expect(renderValue("{{ trigger.amount.x.y }}", scope)).toBeUndefined();
    expect(renderValue('{{ trigger.contact.nickname | default("n/a") }}', scope)).toBe("n/a");
    expect(renderValue("{{ vars.x }}", { trigger: {}, steps: {} })).toBeUndefined();
  });

  it("cannot reach prototypes through paths", () => {
    expect(renderValue("{{ trigger.constructor }}", scope)).toBeUndefined();
    expect(renderValue('{{ trigger["__proto__"] }}', scope)).toBeUndefined();
    expect(renderValue("{{ trigger.contact.tags.length }}", scope)).toBeUndefined();
  });

  it("keeps a __proto__ key of a mapped object as data", () => {
    const input = JSON.parse('{"__proto__": {"polluted": "{{ vars.owner }}"}}') as unknown;
    const out = renderValue(input, scope) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("throws a MappingError naming the place for a template that does not parse", () => {
    let error: unknown;
    try {
      renderValue({ body: { items: ["ok", "{{ trigger.a | nope }}"] } }, scope);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MappingError);
    expect(error).toMatchObject({ path: "body.items[1]", column: 16 });
    expect((error as Error).message).toMatch(/^body\.items\[1\]: unknown transform "nope".*\(column 16\)$/);
  });

  it("refuses values nested absurdly deep (YAML aliases) instead of overflowing the stack", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => renderValue(loop, scope)).toThrow(MappingError);
  });

  it("uses the system clock when no now is given", () => {
    const before = String(new Date().getUTCFullYear());
    const year = renderValue('{{ now | date("yyyy") }}', { trigger: {}, steps: {} });
    const after = String(new Date().getUTCFullYear());
    expect([before, after]).toContain(year);
  });

  it("falls back to UTC for a time zone it does not know", () => {
    expect(renderValue("{{ now }}", { ...scope, timeZone: "Mars/Olympus" })).toBe("2026-11-30T12:00:00Z");
  });
});
