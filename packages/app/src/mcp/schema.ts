// An entry's input as the JSON Schema an MCP client reads. The catalog's schema (describe.ts) keeps
// its own keywords (label, help, options, custom formats) for the dashboard; agents and strict
// validators want standard JSON Schema, so those become title and description text here.
import type { OptionSource } from "@hlconnect/catalog";

type Json = Record<string, unknown>;

/** Formats JSON Schema defines that mean the same as the catalog's; the others become prose. */
const STANDARD_FORMATS: Record<string, string> = { email: "email", url: "uri" };

const FORMAT_HINTS: Record<string, string> = {
  phone: "A phone number in any common format.",
  date: "A date (YYYY-MM-DD or MM/DD/YYYY).",
  datetime: "A date and time: ISO 8601, MM/DD/YYYY h:mm am, or epoch milliseconds.",
  "epoch-ms": "A date and time: ISO 8601, MM/DD/YYYY h:mm am, or epoch milliseconds.",
  "custom-fields": "Custom field values keyed by the field's name, key or id.",
  tags: "A list of tags, or one comma-separated text.",
};

/**
 * Rewrite one schema node (and everything under it): `label` -> `title`, `help` and the option
 * source -> `description`, non-standard formats dropped, the "anything" alternative zod emits for
 * Date inputs removed from unions. `toolName` names the tool an option source's ids come from.
 */
export function toAgentSchema(schema: Json, toolName: (entryKey: string) => string | undefined): Json {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const n = node as Json;
    const out: Json = {};
    const notes: string[] = [];
    for (const [k, v] of Object.entries(n)) {
      switch (k) {
        case "$schema":
        case "label":
          break;
        case "example":
          // OpenAPI's singular example; JSON Schema has `examples`.
          if (n.examples === undefined) out.examples = [v];
          break;
        case "help":
          if (typeof v === "string") notes.push(v);
          break;
        case "options": {
          const o = v as OptionSource;
          const tool = toolName(o.entry);
          notes.push(
            tool
              ? `The ${o.value} of an item listed by the ${tool} tool (shown there by ${o.label}).`
              : `The ${o.value} of an item of ${o.entry}.`,
          );
          break;
        }
        case "format": {
          // A format describes strings: on a union ("an email or a list of them") it stays prose.
          const std = typeof v === "string" && n.type === "string" ? STANDARD_FORMATS[v] : undefined;
          if (std) out.format = std;
          else if (typeof v === "string" && FORMAT_HINTS[v] && !n.help) notes.push(FORMAT_HINTS[v]!);
          break;
        }
        case "properties":
        case "patternProperties":
        case "$defs":
        case "definitions":
          out[k] = Object.fromEntries(Object.entries(v as Json).map(([name, s]) => [name, walk(s)]));
          break;
        case "anyOf":
        case "oneOf": {
          const alternatives = (v as unknown[]).map(walk);
          const specific = alternatives.filter((a) => !(a && typeof a === "object" && isEmpty(a as Json)));
          out[k] = specific.length > 0 ? specific : alternatives;
          break;
        }
        default:
          out[k] = walk(v);
      }
    }
    if (typeof n.label === "string" && out.title === undefined) out.title = n.label;
    if (notes.length) {
      out.description = [typeof out.description === "string" ? out.description : "", ...notes]
        .filter(Boolean)
        .join(" ");
    }
    return out;
  };
  return walk(schema) as Json;
}

function isEmpty(o: Json): boolean {
  return Object.keys(o).length === 0;
}
