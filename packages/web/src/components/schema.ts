// Reading the catalog's input JSON Schema (zod's output with label/help/options keywords): which kind
// of control a field wants, its label, and the fields in the order a person fills them in.
import type { SchemaNode } from "../api/types.ts";

export type FieldKind =
  | "text"
  | "longtext"
  | "number"
  | "integer"
  | "boolean"
  | "date"
  | "datetime"
  | "enum"
  | "array"
  | "object"
  | "tags"
  | "any";

/** The node without its nullable/"any" alternatives: `anyOf: [string, number, {}]` is a string-ish field. */
export function unwrap(node: SchemaNode): SchemaNode {
  const alts = node.anyOf ?? node.oneOf;
  if (!alts) return node;
  const real = alts.filter((a) => a.type !== "null" && Object.keys(a).length > 0);
  const { anyOf: _a, oneOf: _o, ...rest } = node;
  if (real.every((a) => a.const !== undefined)) return { ...rest, enum: real.map((a) => a.const) };
  const first = real.find((a) => a.type === "string") ?? real[0];
  return first ? { ...first, ...rest } : rest;
}

export function fieldKind(raw: SchemaNode): FieldKind {
  const node = unwrap(raw);
  if (node.format === "tags") return "tags";
  if (node.format === "date") return "date";
  if (node.format === "datetime" || node.format === "date-time" || node.format === "epoch-ms")
    return "datetime";
  if (node.enum) return "enum";
  const type = Array.isArray(node.type) ? node.type.find((t) => t !== "null") : node.type;
  switch (type) {
    case "boolean":
      return "boolean";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "array":
      return "array";
    case "object":
      return node.properties ? "object" : "any";
    case "string":
      return "text";
    default:
      return "any";
  }
}

export function fieldLabel(name: string, node: SchemaNode): string {
  const n = unwrap(node);
  if (typeof n.label === "string") return n.label;
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
}

export interface FieldSpec {
  name: string;
  node: SchemaNode;
  required: boolean;
}

/** Required fields first, then the rest, each group in declaration order. */
export function orderedFields(schema: SchemaNode): FieldSpec[] {
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const all = Object.entries(props).map(([name, node]) => ({ name, node, required: required.has(name) }));
  return [...all.filter((f) => f.required), ...all.filter((f) => !f.required)];
}

/** A value that is a mapping template (or holds one) rather than a literal. */
export function isExpression(v: unknown): v is string {
  return typeof v === "string" && v.includes("{{");
}
