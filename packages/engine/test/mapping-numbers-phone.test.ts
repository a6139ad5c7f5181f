import { describe, expect, it } from "vitest";
import { type MappingScope, renderValue } from "../src/mapping/index.ts";

const scope: MappingScope = { trigger: {}, steps: {}, now: () => new Date("2026-11-30T12:00:00Z") };
const ev = (expr: string, s: MappingScope = scope) => renderValue(`{{ ${expr} }}`, s);
/** Runs `expr` with the value as trigger.v, so inputs need no quoting. */
const on = (v: unknown, expr: string, s: MappingScope = scope) =>
  ev(`trigger.v | ${expr}`, { ...s, trigger: { v } });

describe("number", () => {
  it.each([
    [250000.5, 250000.5],
    ["$250,000.50", 250000.5],
    ["250000", 250000],
    [" 42 ", 42],
    ["-3.5", -3.5],
    ["+7", 7],
    ["(1,200)", -1200],
    ["$-5", -5],
    ["1.234,56", 1234.56],
    ["1,5", 1.5],
    ["1.234.567", 1234567],
    ["1,234,567", 1234567],
    ["1 234 567,89", 1234567.89],
    ["12%", 12],
    ["USD 1,000", 1000],
    ["1,000 EUR", 1000],
    ["€ 99.90", 99.9],
    [".5", 0.5],
    ["1e3", 1000],
  ])("%j -> %j", (input, expected) => {
    expect(on(input, "number")).toBe(expected);
  });

  it.each([["n/a"], [""], ["12abc"], ["1.2.3,4,5"], [true], [[1]], [{}], ["--5"], ["$"], [Number.NaN]])(
    "%j is not a number -> null",
    (input) => {
      expect(on(input, "number")).toBeNull();
    },
  );

  it("passes missing through", () => {
    expect(ev("trigger.missing | number")).toBeUndefined();
  });
});

describe("round, money and percent", () => {
  it("round", () => {
    expect(on("2.345", "round(2)")).toBe(2.35);
    expect(on(1.005, "round(2)")).toBe(1.01);
    expect(on(1234.5, "round")).toBe(1235);
    expect(on(-2.5, "round")).toBe(-3);
    expect(on(1234, "round(-2)")).toBe(1200);
    expect(on("$1,234.567", "round(1)")).toBe(1234.6);
    expect(on(-0.4, "round")).toBe(0);
    expect(on("abc", "round")).toBeNull();
    expect(ev("1.5 | round(vars.d)", { ...scope, vars: { d: "x" } })).toBeNull();
  });

  it("money", () => {
    expect(on("250000.5", "money")).toBe("$250,000.50");
    expect(on("$250,000.50", "money")).toBe("$250,000.50");
    expect(on(-5, "money")).toBe("-$5.00");
    expect(on(1234.5, 'money("EUR", "de-DE")')).toBe("1.234,50\u00a0€");
    expect(on(1234.5, 'money("gbp")')).toBe("£1,234.50");
    expect(on(1000, 'money("JPY")')).toBe("¥1,000");
    expect(on("free", "money")).toBeNull();
    expect(ev("1 | money(vars.c)", { ...scope, vars: { c: "NOPE" } })).toBeNull();
    expect(ev('1 | money("USD", vars.l)', { ...scope, vars: { l: "not a locale!!" } })).toBeNull();
  });

  it("percent", () => {
    expect(on(0.125, "percent")).toBe("12.5%");
    expect(on("0.3333", "percent(0)")).toBe("33%");
    expect(on(0.123456, "percent")).toBe("12.35%");
    expect(on(1, "percent")).toBe("100%");
    expect(on("x", "percent")).toBeNull();
  });
});

describe("phone", () => {
  it.each([
    ["(213) 373-4253", "+12133734253"],
    ["213.373.4253", "+12133734253"],
    ["+1 213-373-4253", "+12133734253"],
    ["1 (213) 373 4253", "+12133734253"],
    ["213-373-4253 ext. 12", "+12133734253"],
    [2133734253, "+12133734253"],
    ["+44 20 7946 0958", "+442079460958"],
  ])("%j -> %j (default country US)", (input, expected) => {
    expect(on(input, "phone")).toBe(expected);
  });

  it("reads national numbers in the given country, or the flow's default country", () => {
    expect(on("020 7946 0958", 'phone("GB")')).toBe("+442079460958");
    expect(on("020 7946 0958", 'phone("gb")')).toBe("+442079460958");
    expect(on("020 7946 0958", "phone", { ...scope, defaultCountry: "GB" })).toBe("+442079460958");
    expect(on("030 1234567", 'phone("DE")')).toBe("+49301234567");
  });

  it.each([["12345"], [""], ["not a phone"], ["+1 555 555 0123"], ["000-000-0000"], [true], [[]], [{}]])(
    "%j is not a valid number -> null",
    (input) => {
      expect(on(input, "phone")).toBeNull();
    },
  );

  it("a country from a path that is not one gives null", () => {
    expect(ev('"2133734253" | phone(vars.c)', { ...scope, vars: { c: "Narnia" } })).toBeNull();
    expect(on("2133734253", "phone", { ...scope, defaultCountry: "ZZ" })).toBeNull();
  });

  it("passes missing through", () => {
    expect(ev('trigger.missing | phone | default("no phone")')).toBe("no phone");
  });

  it("phoneFormat", () => {
    expect(on("+12133734253", 'phoneFormat("national")')).toBe("(213) 373-4253");
    expect(on("2133734253", 'phoneFormat("international")')).toBe("+1 213 373 4253");
    expect(on("(213) 373-4253", 'phoneFormat("E.164")')).toBe("+12133734253");
    expect(on("2133734253", 'phoneFormat("RFC3966")')).toBe("tel:+12133734253");
    expect(on("020 7946 0958", 'phoneFormat("international", "GB")')).toBe("+44 20 7946 0958");
    expect(on("12345", 'phoneFormat("national")')).toBeNull();
    expect(ev('"2133734253" | phoneFormat(vars.f)', { ...scope, vars: { f: "fancy" } })).toBeNull();
  });
});
