import { describe, expect, it } from "vitest";
import { type MappingScope, renderValue } from "../src/mapping/index.ts";

const scope: MappingScope = {
  trigger: {
    name: "  mary-jane o'BRIEN  ",
    tags: ["hot", "lead"],
    empty: "",
    blank: "   ",
    none: null,
    n: 42,
    obj: { a: 1, b: 2 },
    list: [],
    email: "ann@example.com",
    status: "Hot",
  },
  steps: {},
  tables: { statuses: { hot: "open", Cold: "closed", "": "blank key" }, counts: { one: 1 } },
  now: () => new Date("2026-11-30T12:00:00Z"),
};

/** The value of one expression. */
const ev = (expr: string, s: MappingScope = scope) => renderValue(`{{ ${expr} }}`, s);

describe("text transforms", () => {
  it.each([
    ['"  Ann  " | trim', "Ann"],
    ['"ÀNN" | lower', "ànn"],
    ['"straße" | upper', "STRASSE"],
    ["trigger.name | trim | title", "Mary-Jane O'Brien"],
    ['"don\'t STOP me now" | title', "Don't Stop Me Now"],
    ['"élan vital" | title', "Élan Vital"],
    ['"hello World" | capitalize', "Hello World"],
    ["42 | upper", "42"],
    ["true | upper", "TRUE"],
    ['"" | trim', ""],
  ])("%s -> %j", (expr, expected) => {
    expect(ev(expr)).toEqual(expected);
  });

  it("replace: every occurrence, plain text, optional replacement", () => {
    expect(ev('"555-010-0100" | replace("-")')).toBe("5550100100");
    expect(ev('"a.b.c" | replace(".", "/")')).toBe("a/b/c");
    expect(ev('"(a)" | replace("(", "[")')).toBe("[a)");
    expect(ev('"abc" | replace("")')).toBe("abc");
    expect(ev('"x" | replace(trigger.none, "y")')).toBeNull();
  });

  it("split and join", () => {
    expect(ev('"a, b,,c " | split')).toEqual(["a", "b", "c"]);
    expect(ev('"a;b" | split(";")')).toEqual(["a", "b"]);
    expect(ev('"" | split')).toEqual([]);
    expect(ev("trigger.tags | split")).toEqual(["hot", "lead"]);
    expect(ev("trigger.tags | join")).toBe("hot, lead");
    expect(ev('[1, null, "b", trigger.obj] | join("|")')).toBe('1|b|{"a":1,"b":2}');
    expect(ev('"solo" | join')).toBe("solo");
  });

  it("slice on text and lists, negative positions from the end", () => {
    expect(ev('"20260115" | slice(0, 4)')).toBe("2026");
    expect(ev('"20260115" | slice(-2)')).toBe("15");
    expect(ev("[1, 2, 3] | slice(1)")).toEqual([2, 3]);
    expect(ev('"héllo" | slice(1, 2)')).toBe("é");
    expect(ev('"abc" | slice(trigger.empty)')).toBeNull();
  });

  it("first, last and length", () => {
    expect(ev("trigger.tags | first")).toBe("hot");
    expect(ev("trigger.tags | last")).toBe("lead");
    expect(ev("trigger.list | first")).toBeNull();
    expect(ev('"Ann" | first')).toBe("A");
    expect(ev('"" | last')).toBeNull();
    expect(ev("trigger.tags | length")).toBe(2);
    expect(ev('"Ann" | length')).toBe(3);
    expect(ev("trigger.obj | length")).toBe(2);
    expect(ev("trigger.none | length")).toBe(0);
    expect(ev("trigger.missing | length")).toBe(0);
  });

  it("text transforms give null for lists and objects, and pass missing through", () => {
    expect(ev("trigger.tags | upper")).toBeNull();
    expect(ev("trigger.obj | trim")).toBeNull();
    expect(ev("trigger.none | upper")).toBeNull();
    expect(ev("trigger.missing | upper")).toBeUndefined();
    expect(ev('trigger.missing | upper | default("x")')).toBe("x");
  });
});

describe("names", () => {
  it.each([
    ["John Smith", "John", "Smith"],
    ["  john   smith ", "john", "smith"],
    ["Smith, John", "John", "Smith"],
    ["SMITH, JOHN A.", "JOHN", "SMITH"],
    ["Smith Jr., John", "John", "Smith"],
    ["John Smith, Jr.", "John", "Smith"],
    ["John Smith III", "John", "Smith"],
    ["Dr. John Q. Smith Sr.", "John", "Smith"],
    ["Mrs. Ann Lee PhD", "Ann", "Lee"],
    ["Ludwig van Beethoven", "Ludwig", "van Beethoven"],
    ["Maria De La Cruz", "Maria", "De La Cruz"],
    ["Mary-Jane O'Brien", "Mary-Jane", "O'Brien"],
    ["Cher", "Cher", null],
    ["ACME LLC", "ACME LLC", null],
    ["Smith Family Trust", "Smith Family Trust", null],
    ["Sunrise Realty Group, Inc.", "Sunrise Realty Group, Inc.", null],
    ["Pa Vang", "Pa", "Vang"],
  ])("%j -> %j / %j", (full, first, last) => {
    const s = { ...scope, trigger: { full } };
    expect(ev("trigger.full | firstName", s)).toBe(first);
    expect(ev("trigger.full | lastName", s)).toBe(last);
  });

  it("no name gives null", () => {
    expect(ev('"   " | firstName')).toBeNull();
    expect(ev('"" | lastName')).toBeNull();
    expect(ev("trigger.tags | firstName")).toBeNull();
    expect(ev("trigger.missing | firstName")).toBeUndefined();
  });
});

describe("default and if", () => {
  it("default replaces missing, null, blank text and empty lists, keeps everything else", () => {
    expect(ev('trigger.missing | default("n/a")')).toBe("n/a");
    expect(ev('trigger.none | default("n/a")')).toBe("n/a");
    expect(ev('trigger.empty | default("n/a")')).toBe("n/a");
    expect(ev('trigger.blank | default("n/a")')).toBe("n/a");
    expect(ev("trigger.list | default(trigger.tags)")).toEqual(["hot", "lead"]);
    expect(ev('0 | default("n/a")')).toBe(0);
    expect(ev('false | default("n/a")')).toBe(false);
    expect(ev('"x" | default("n/a")')).toBe("x");
    expect(ev("trigger.missing | default(trigger.email)")).toBe("ann@example.com");
    expect(ev("trigger.missing | default(5)")).toBe(5);
  });

  it("if picks by truthiness", () => {
    expect(ev('true | if("VIP", "Standard")')).toBe("VIP");
    expect(ev('false | if("VIP", "Standard")')).toBe("Standard");
    expect(ev('"yes" | if(1, 0)')).toBe(1);
    expect(ev('"no" | if(1, 0)')).toBe(0);
    expect(ev('"0" | if(1, 0)')).toBe(0);
    expect(ev('"Hot" | if(1, 0)')).toBe(1);
    expect(ev("trigger.missing | if(1, 0)")).toBe(0);
    expect(ev("trigger.list | if(1, 0)")).toBe(0);
    expect(ev('false | if("yes")')).toBeNull();
  });

  it("boolean", () => {
    expect(ev('"Yes" | boolean')).toBe(true);
    expect(ev('"OFF" | boolean')).toBe(false);
    expect(ev("0 | boolean")).toBe(false);
    expect(ev("trigger.missing | boolean")).toBe(false);
    expect(ev("trigger.obj | boolean")).toBe(true);
  });
});

describe("lookup", () => {
  it("finds exact keys, then ignoring case and spaces", () => {
    expect(ev('"hot" | lookup("statuses")')).toBe("open");
    expect(ev('" HOT " | lookup("statuses")')).toBe("open");
    expect(ev('"cold" | lookup("statuses")')).toBe("closed");
    expect(ev('"one" | lookup("counts")')).toBe(1);
  });

  it("gives the default, else null, when the key or table is not there", () => {
    expect(ev('"warm" | lookup("statuses")')).toBeNull();
    expect(ev('"warm" | lookup("statuses", "unknown")')).toBe("unknown");
    expect(ev('"hot" | lookup("nope", "unknown")')).toBe("unknown");
    expect(ev('trigger.missing | lookup("statuses", "unknown")')).toBe("unknown");
    expect(ev('trigger.tags | lookup("statuses", "unknown")')).toBe("unknown");
    expect(ev('"hot" | lookup("statuses")', { ...scope, tables: undefined })).toBeNull();
    expect(ev('"toString" | lookup("statuses")')).toBeNull();
  });

  it("reads the table name from a path too", () => {
    expect(ev("trigger.status | lookup(vars.table)", { ...scope, vars: { table: "statuses" } })).toBe("open");
  });
});

describe("tags", () => {
  it("splits, trims, lower-cases and removes blanks and repeats", () => {
    expect(ev('" Hot, lead,HOT ,," | tags')).toEqual(["hot", "lead"]);
    expect(ev('["A", "b, c", null, 5] | tags')).toEqual(["a", "b", "c", "5"]);
    expect(ev("trigger.missing | tags")).toEqual([]);
    expect(ev('"" | tags')).toEqual([]);
    expect(ev("trigger.obj | tags")).toEqual([]);
  });
});

describe("json and string conversions", () => {
  it("json writes values, parseJson reads them", () => {
    expect(ev("trigger.obj | json")).toBe('{"a":1,"b":2}');
    expect(ev('"x" | json')).toBe('"x"');
    expect(ev("now | json")).toBe('"2026-11-30T12:00:00Z"');
    expect(ev('"{\\"a\\": [1]}" | parseJson')).toEqual({ a: [1] });
    expect(ev('"not json" | parseJson')).toBeNull();
    expect(ev("trigger.obj | parseJson")).toEqual({ a: 1, b: 2 });
    expect(ev("trigger.obj | json | parseJson")).toEqual({ a: 1, b: 2 });
  });

  it("json of a value with a cycle is null", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.me = cyclic;
    expect(ev("trigger.c | json", { ...scope, trigger: { c: cyclic } })).toBeNull();
  });

  it("string writes any value as text", () => {
    expect(ev("42 | string")).toBe("42");
    expect(ev("trigger.tags | string")).toBe("hot, lead");
    expect(ev("trigger.obj | string")).toBe('{"a":1,"b":2}');
    expect(ev("trigger.missing | string")).toBe("");
  });
});
