// Conditions for flow filters and step `when:`, in either form:
//   text:        trigger.status == "Hot" and (trigger.phone exists or trigger.email exists)
//   structured:  {all: [...]}, {any: [...]}, {not: ...}, {left: "{{trigger.status}}", op: "==", right: "Hot"}
// A list is read as `all`, true/false as themselves, and text anywhere as the text form.
import { SyntaxProblem } from "../lexer.ts";
import type { Collected } from "../parser.ts";
import { didYouMean } from "../suggest.ts";
import { parseTemplate } from "../template.ts";
import type { CompareOp, Condition } from "../types.ts";
import { isPlainObject } from "../values.ts";
import { toRegExp } from "./compare.ts";
import { ALL_OPS, OP_HINTS, TextConditionParser, UNARY_OPS } from "./parse-text.ts";

export type ConditionResult =
  | { ok: true; condition: Condition; refs: string[] }
  | { ok: false; error: string; path?: string; column?: number };

/** A problem at a place inside the condition (`all[1].op`); column for text conditions. */
class ConditionProblem extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly column?: number,
  ) {
    super(message);
  }
}

const GROUPS = ["all", "any", "not"];
const LEAF_KEYS = ["left", "op", "right"];
const PATH_TEXT = /^\s*(trigger|steps|vars|env|tables)(\.|\[|\s*$)/;

const join = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export function parseCondition(source: unknown): ConditionResult {
  const collected: Collected = { refs: [], tables: [] };
  try {
    const condition = parseAt(source, "", collected);
    return { ok: true, condition, refs: [...new Set(collected.refs)] };
  } catch (e) {
    if (!(e instanceof ConditionProblem)) throw e;
    return {
      ok: false,
      error: e.message,
      ...(e.path ? { path: e.path } : {}),
      ...(e.column !== undefined ? { column: e.column } : {}),
    };
  }
}

/** Nothing a person writes nests deeper; YAML aliases can. */
const MAX_DEPTH = 64;

function parseAt(source: unknown, path: string, collected: Collected, depth = 0): Condition {
  if (depth > MAX_DEPTH) throw new ConditionProblem(`nested more than ${MAX_DEPTH} levels deep`, path);
  if (typeof source === "boolean") return { kind: "constant", value: source };
  if (typeof source === "string") return parseText(source, path, collected);
  if (Array.isArray(source)) {
    return {
      kind: "all",
      items: source.map((item, i) => parseAt(item, join(path, i), collected, depth + 1)),
    };
  }
  if (!isPlainObject(source)) {
    throw new ConditionProblem(
      `expected a condition: text like trigger.status == "Hot", or an object with all, any, not or left/op/right; found ${source === null ? "null" : typeof source}`,
      path,
    );
  }
  const keys = Object.keys(source);
  const groups = keys.filter((k) => GROUPS.includes(k));
  if (groups.length > 0) return parseGroup(source, keys, groups, path, collected, depth);
  return parseLeaf(source, keys, path, collected);
}

function parseText(source: string, path: string, collected: Collected): Condition {
  try {
    return new TextConditionParser(source, collected).parse();
  } catch (e) {
    if (!(e instanceof SyntaxProblem)) throw e;
    throw new ConditionProblem(`${e.message} (column ${e.offset + 1})`, path, e.offset + 1);
  }
}

function parseGroup(
  source: Record<string, unknown>,
  keys: string[],
  groups: string[],
  path: string,
  collected: Collected,
  depth: number,
): Condition {
  const group = groups[0]!;
  if (keys.length > 1) {
    const extra = keys.find((k) => k !== group)!;
    throw new ConditionProblem(
      `"${group}" stands alone in its object; move "${extra}" into a condition of its own`,
      join(path, extra),
    );
  }
  const inner = source[group];
  const at = join(path, group);
  if (group === "not") return { kind: "not", item: parseAt(inner, at, collected, depth + 1) };
  if (!Array.isArray(inner)) throw new ConditionProblem(`"${group}" takes a list of conditions`, at);
  const items = inner.map((item, i) => parseAt(item, join(at, i), collected, depth + 1));
  return { kind: group as "all" | "any", items };
}

function parseLeaf(
  source: Record<string, unknown>,
  keys: string[],
  path: string,
  collected: Collected,
): Condition {
  for (const k of keys) {
    if (!LEAF_KEYS.includes(k)) {
      throw new ConditionProblem(
        `unknown key "${k}"${didYouMean(k, [...GROUPS, ...LEAF_KEYS])}: a condition object has all, any, not, or left, op and right`,
        join(path, k),
      );
    }
  }
  const op = parseOp(source.op, path);
  if (!("left" in source))
    throw new ConditionProblem(`missing "left": the value to test, like "{{ trigger.status }}"`, path);
  const left = source.left;
  if (typeof left === "string" && !left.includes("{{") && PATH_TEXT.test(left)) {
    throw new ConditionProblem(
      `left is the text "${left}"; to read that field write "{{ ${left.trim()} }}"`,
      join(path, "left"),
    );
  }
  checkValue(left, join(path, "left"), collected);
  const unary = UNARY_OPS.includes(op);
  if (unary && "right" in source)
    throw new ConditionProblem(`"${op}" takes no right side`, join(path, "right"));
  if (unary) return { kind: "compare", left: { kind: "value", value: left }, op };
  if (!("right" in source)) throw new ConditionProblem(`missing "right": the value to compare with`, path);
  checkValue(source.right, join(path, "right"), collected);
  if (
    op === "matches" &&
    typeof source.right === "string" &&
    !source.right.includes("{{") &&
    !toRegExp(source.right)
  ) {
    throw new ConditionProblem(`"${source.right}" is not a valid regular expression`, join(path, "right"));
  }
  return {
    kind: "compare",
    left: { kind: "value", value: left },
    op,
    right: { kind: "value", value: source.right },
  };
}

function parseOp(op: unknown, path: string): CompareOp {
  const at = join(path, "op");
  if (op === undefined) throw new ConditionProblem(`missing "op": one of ${ALL_OPS.join(" ")}`, path);
  if (typeof op !== "string") throw new ConditionProblem(`op must be one of ${ALL_OPS.join(" ")}`, at);
  const found = ALL_OPS.find((o) => o === op.trim());
  if (found) return found;
  const hint = OP_HINTS[op.trim().toLowerCase()];
  throw new ConditionProblem(
    `unknown op "${op}"${hint ? ` (write ${hint})` : didYouMean(op, ALL_OPS)}: one of ${ALL_OPS.join(" ")}`,
    at,
  );
}

/** Templates inside a structured operand: syntax checked, references collected. */
function checkValue(value: unknown, path: string, collected: Collected, depth = 0): void {
  if (depth > MAX_DEPTH) throw new ConditionProblem(`nested more than ${MAX_DEPTH} levels deep`, path);
  if (typeof value === "string") {
    if (!value.includes("{{")) return;
    const parsed = parseTemplate(value);
    if (!parsed.ok)
      throw new ConditionProblem(`${parsed.error} (column ${parsed.column})`, path, parsed.column);
    collected.refs.push(...parsed.refs);
    collected.tables.push(...parsed.template.tables);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkValue(v, join(path, i), collected, depth + 1);
    });
  } else if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) checkValue(v, join(path, k), collected, depth + 1);
  }
}
