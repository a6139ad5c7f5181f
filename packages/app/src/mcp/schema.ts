// An entry's input as the JSON Schema an MCP client reads. The catalog's schema (describe.ts) keeps
// its own keywords (label, help, options, custom formats) for the dashboard; agents and strict
// validators want standard JSON Schema, so those become title and description text here.
//
// Strict function-calling clients (Gemini, OpenAI strict mode) refuse `type: [..]` lists and many
// refuse anyOf/oneOf, so each field is given one type here: the one that carries every form the entry
// reads (a phone, an amount, a date: a string; tags: a list of strings). The entry's own schema still
// validates the call and still reads the other forms. A nullable optional field becomes optional.
// Only a union that means something stays (see ESSENTIAL_UNION_REASON): a required field that may be
// null (null is then a value the caller must be able to give, e.g. "unlink").
import type { OptionSource } from "@hlconnect/catalog";

type Json = Record<string, unknown>;

/** Why a union is left in an agent's schema; tests list the fields that keep one. */
export const ESSENTIAL_UNION_REASON =
  "a required field that may be null: null is a value of its own (e.g. unlink), not an absent value";

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
 * Rewrite one schema node (and everything under it): `label` -> `title` (unless it only repeats the
 * property name), `help` and the option source -> `description` (a sentence already there is not
 * repeated), non-standard formats dropped, unions reduced to one type, deprecated and read-only
 * inputs left out, examples kept only on free text. `toolName` names the tool an option source's ids
 * come from.
 */
export function toAgentSchema(schema: Json, toolName: (entryKey: string) => string | undefined): Json {
  const walk = (node: unknown, key?: string, required = false): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n));
    if (!node || typeof node !== "object") return node;
    const n = node as Json;
    const out: Json = {};
    const notes: string[] = [];
    for (const [k, v] of Object.entries(n)) {
      switch (k) {
        case "$schema":
        case "label":
        case "example":
        case "examples":
        case "deprecated":
        case "readOnly":
          break;
        case "additionalProperties":
          // `{}` is JSON Schema's default (anything goes): saying it costs bytes and means nothing.
          if (!(v && typeof v === "object" && isEmpty(v as Json))) out[k] = walk(v);
          break;
        case "help":
          if (typeof v === "string") notes.push(v);
          break;
        case "options": {
          const o = v as OptionSource;
          const tool = toolName(o.entry);
          notes.push(
            tool
              ? `The ${o.value} of an item from the ${tool} tool.`
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
        case "properties": {
          const req = new Set(Array.isArray(n.required) ? (n.required as string[]) : []);
          const props: Json = {};
          for (const [name, s] of Object.entries(v as Json)) {
            // An input the API marks deprecated or read-only is not one an agent should send.
            const p = s as Json;
            if (!req.has(name) && (p?.deprecated === true || p?.readOnly === true)) continue;
            props[name] = walk(s, name, req.has(name));
          }
          out[k] = props;
          break;
        }
        case "patternProperties":
        case "$defs":
        case "definitions":
          out[k] = Object.fromEntries(Object.entries(v as Json).map(([name, s]) => [name, walk(s)]));
          break;
        default:
          out[k] = walk(v);
      }
    }
    if (typeof n.label === "string" && out.title === undefined && !sameWords(n.label, key))
      out.title = n.label;
    // Free text is where an example says something (an id's shape, a URL); true, 30 or an enum's value do not.
    const example = Array.isArray(n.examples) ? n.examples[0] : n.example;
    if (example !== undefined && isFreeText(n) && example !== n.default && typeof example === "string") {
      out.examples = [example];
    }
    const said = typeof out.description === "string" ? dedupeSentences(out.description) : "";
    const text = [said, ...notes.filter((note) => !said.includes(note.trim()))].filter(Boolean).join(" ");
    if (text) out.description = text;
    else delete out.description;
    return singleTyped(out, required);
  };
  return walk(schema) as Json;
}

/** A node with one type where the union allows it (see the file's comment); others come back as they are. */
function singleTyped(node: Json, keepNull: boolean): Json {
  if (Array.isArray(node.type)) {
    const types = (node.type as string[]).filter((t) => keepNull || t !== "null");
    const one = types.length === 1 ? types[0] : preferredType(types);
    if (one) return { ...node, type: one };
    return { ...node, type: types };
  }
  const key = Array.isArray(node.anyOf) ? "anyOf" : Array.isArray(node.oneOf) ? "oneOf" : undefined;
  if (!key) return node;
  const { [key]: raw, ...rest } = node;
  // zod emits `{}` ("anything") beside Date inputs: no agent sends a Date object.
  const alternatives = (raw as Json[]).filter((a) => a && !isEmpty(a) && (keepNull || a.type !== "null"));
  let chosen: Json | undefined;
  if (alternatives.length === 1) chosen = alternatives[0];
  else if (alternatives.length > 1) chosen = mergedEnum(alternatives) ?? preferredAlternative(alternatives);
  if (!chosen) return alternatives.length ? { ...rest, [key]: alternatives } : rest;
  // The field's own title, description and default win over the alternative's.
  return { ...chosen, ...rest };
}

/** string|number and the like: string carries every form; a list beats one text; a boolean beats "true". */
function preferredType(types: string[]): string | undefined {
  if (types.includes("null")) return undefined;
  for (const t of ["array", "boolean", "string"]) if (types.includes(t)) return t;
  return types.includes("number") ? "number" : undefined;
}

function preferredAlternative(alts: Json[]): Json | undefined {
  if (alts.some((a) => a.type === "null")) return undefined;
  const type = preferredType(alts.map((a) => String(a.type)));
  return type ? alts.find((a) => a.type === type) : undefined;
}

/** Constants of one type (0, 0.5 or 1) are one enum of that type. */
function mergedEnum(alts: Json[]): Json | undefined {
  const type = alts[0]!.type;
  if (typeof type !== "string" || type === "null") return undefined;
  const values: unknown[] = [];
  for (const a of alts) {
    if (a.type !== type) return undefined;
    if ("const" in a) values.push(a.const);
    else if (Array.isArray(a.enum)) values.push(...a.enum);
    else return undefined;
  }
  return { type, enum: [...new Set(values)] };
}

function isFreeText(n: Json): boolean {
  return n.type === "string" && n.enum === undefined && n.const === undefined;
}

/** "Last Name" for lastName, "Address1" for address1: a title that only repeats the key is left out. */
function sameWords(label: string, key: string | undefined): boolean {
  if (!key) return false;
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  return norm(label) === norm(key);
}

/** OpenAPI descriptions often say the same sentence twice ("Unit for slot duration. Unit for slot duration."). */
function dedupeSentences(text: string): string {
  const t = text.trim();
  const half = Math.floor(t.length / 2);
  for (const cut of [half, half + 1]) {
    const a = t.slice(0, cut).trim();
    const b = t.slice(cut).trim();
    if (a && a === b) return a;
  }
  return t;
}

function isEmpty(o: Json): boolean {
  return Object.keys(o).length === 0;
}
