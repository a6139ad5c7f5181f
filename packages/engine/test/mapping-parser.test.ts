import { describe, expect, it } from "vitest";
import { parseTemplate } from "../src/mapping/index.ts";

function fails(source: string): { error: string; column: number } {
  const r = parseTemplate(source);
  if (r.ok) throw new Error(`expected "${source}" not to parse`);
  return { error: r.error, column: r.column };
}

function refsOf(source: string): string[] {
  const r = parseTemplate(source);
  if (!r.ok) throw new Error(`${source}: ${r.error} at ${r.column}`);
  return r.refs;
}

describe("parseTemplate: what parses", () => {
  it("text without expressions is one text part and no refs", () => {
    const r = parseTemplate("just text }} with a stray close");
    expect(r.ok && r.template.parts).toEqual([{ kind: "text", text: "just text }} with a stray close" }]);
    expect(r.ok && r.refs).toEqual([]);
  });

  it("reports root paths with dots, indexes and quoted keys", () => {
    expect(
      refsOf(
        '{{ trigger.contact.phone }} {{ steps.lookup.output.contacts[0].id }} {{ vars.x }} {{ env.NAME }} {{ trigger["first name"] }}',
      ),
    ).toEqual([
      "trigger.contact.phone",
      "steps.lookup.output.contacts[0].id",
      "vars.x",
      "env.NAME",
      'trigger["first name"]',
    ]);
  });

  it("collects refs inside transform arguments and lists, once each", () => {
    expect(refsOf("{{ trigger.a | default(trigger.b) }} {{ [trigger.c, trigger.a] | join }}")).toEqual([
      "trigger.a",
      "trigger.b",
      "trigger.c",
    ]);
  });

  it("marks a lone expression (blank around it allowed) as keeping its type", () => {
    const lone = parseTemplate("  {{ trigger.n }}\n");
    expect(lone.ok && lone.template.single?.kind).toBe("path");
    const mixed = parseTemplate("n={{ trigger.n }}");
    expect(mixed.ok && mixed.template.single).toBeUndefined();
    const two = parseTemplate("{{ trigger.a }}{{ trigger.b }}");
    expect(two.ok && two.template.single).toBeUndefined();
  });

  it("reads literals, negative numbers, escapes and '}}' inside quotes", () => {
    const r = parseTemplate(`{{ "a \\"b\\" }}\\n" }}{{ -1.5 }}{{ 'it\\'s' }}{{ true }}{{ null }}`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const values = r.template.parts.map((p) =>
      p.kind === "expr" && p.expr.kind === "literal" ? p.expr.value : "?",
    );
    expect(values).toEqual(['a "b" }}\n', -1.5, "it's", true, null]);
  });

  it("keeps unknown escapes so regular expressions survive", () => {
    const r = parseTemplate('{{ "\\d+" }}');
    expect(r.ok && r.template.parts[0]?.kind === "expr" && r.template.parts[0].expr).toMatchObject({
      value: "\\d+",
    });
  });

  it("lists the tables named in lookup()", () => {
    const r = parseTemplate(
      '{{ trigger.s | lookup("statuses") }} {{ trigger.t | lookup("owners", "none") }}',
    );
    expect(r.ok && r.template.tables).toEqual(["statuses", "owners"]);
  });

  it("accepts the tables root and now", () => {
    expect(refsOf('{{ tables.statuses.hot }} {{ now | date("yyyy") }}')).toEqual(["tables.statuses.hot"]);
  });
});

describe("parseTemplate: errors say where and what was expected", () => {
  it("unclosed expression", () => {
    expect(fails("Hi {{ trigger.name")).toEqual({
      error: 'expected "}}" to close the expression opened at column 4, found the end',
      column: 19,
    });
  });

  it("empty expression", () => {
    expect(fails("a {{ }}")).toMatchObject({ column: 3, error: expect.stringContaining("empty expression") });
  });

  it("unknown root, with a suggestion", () => {
    expect(fails("{{ trigr.name }}")).toEqual({
      error:
        'unknown name "trigr": a path starts with trigger, steps, vars, env, tables (did you mean "trigger"?)',
      column: 4,
    });
  });

  it("unknown transform, with a suggestion", () => {
    const e = fails("{{ trigger.name | titel }}");
    expect(e.column).toBe(19);
    expect(e.error).toContain('unknown transform "titel" (did you mean "title"?)');
  });

  it("a transform called like a function", () => {
    expect(fails("{{ upper(trigger.name) }}")).toEqual({
      error: '"upper" is a transform: pipe a value into it, like trigger.name | upper',
      column: 4,
    });
  });

  it("wrong number of arguments", () => {
    expect(fails('{{ trigger.a | tz("UTC", "x") }}')).toEqual({
      error: "tz(zone) takes 1 argument, found 2",
      column: 16,
    });
    expect(fails("{{ trigger.a | replace }}").error).toBe(
      "replace(search, replacement?) takes at least 1 argument, found 0",
    );
    expect(fails("{{ trigger.a | upper(1) }}").error).toBe("upper() takes 0 arguments, found 1");
  });

  it("bad literal arguments are caught before running, at the argument", () => {
    expect(fails('{{ trigger.d | tz("America/New_Yrok") }}')).toMatchObject({
      column: 19,
      error: expect.stringContaining(
        'unknown time zone "America/New_Yrok" (did you mean "America/New_York"?)',
      ),
    });
    expect(fails('{{ trigger.d | add("1 busines day") }}')).toMatchObject({
      column: 20,
      error: 'add(duration): unknown unit "busines" in "1 busines day"',
    });
    expect(fails('{{ trigger.d | startOf("fortnight") }}').error).toContain(
      "unit must be one of minute, hour",
    );
    expect(fails('{{ trigger.p | phone("XX") }}').error).toContain('unknown country "XX"');
    expect(fails('{{ trigger.p | phoneFormat("pretty") }}').error).toContain('unknown phone format "pretty"');
    expect(fails('{{ trigger.n | money("DOLLARS") }}').error).toContain('unknown currency "DOLLARS"');
    expect(fails('{{ trigger.n | round("2") }}').error).toBe(
      "round(digits?): digits must be a whole number from -15 to 15",
    );
    expect(fails("{{ trigger.s | lookup(5) }}").error).toContain("table name must be text in quotes");
  });

  it("arguments are checked only when literal: a path argument is fine", () => {
    expect(parseTemplate("{{ trigger.d | tz(vars.zone) }}").ok).toBe(true);
  });

  it("unterminated text points at the opening quote", () => {
    expect(fails('{{ trigger.a | default("n/a) }}')).toEqual({
      error: 'unterminated text: expected a closing " for the text that starts here',
      column: 24,
    });
  });

  it("unclosed argument list and list", () => {
    expect(fails('{{ trigger.a | replace("a" "b") }}')).toEqual({
      error: 'expected "," or ")" in the arguments of replace(...) opened at column 23, found text "b"',
      column: 28,
    });
    expect(fails('{{ ["a", "b" }}').error).toBe(
      'expected "]" to close the list opened at column 4, found "}}"',
    );
  });

  it("steps must be read through output", () => {
    expect(fails("{{ steps.lookup.contacts }}")).toEqual({
      error: `a step's result is read as steps.lookup.output (found "contacts")`,
      column: 17,
    });
    expect(fails("{{ steps }}").error).toContain("expected a step id after steps");
    expect(fails("{{ env }}").error).toContain("expected a name after env");
  });

  it("operators from other languages get a pointer", () => {
    expect(fails("{{ trigger.a || 'x' }}").error).toContain('write | default("...")');
    expect(fails('{{ trigger.a == "x" }}').error).toContain("comparisons belong in conditions");
  });

  it("stray characters and bad brackets", () => {
    expect(fails("{{ trigger.a ; }}")).toEqual({ error: 'unexpected character ";"', column: 14 });
    expect(fails("{{ trigger.a[x] }}").error).toBe(
      'expected a position like [0] or a key like ["first name"], found "x"',
    );
    expect(fails("{{ trigger. }}").error).toBe('expected a field name after ".", found "}}"');
    expect(fails("{{ trigger.a | }}").error).toBe('expected a transform name after "|", found "}}"');
  });

  it("columns count from the start of the whole string, across expressions", () => {
    expect(fails("{{ trigger.a }} and {{ trigger.b | nope }}").column).toBe(36);
  });
});
