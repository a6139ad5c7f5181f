// Catalog input fields (JSON Schema with label/help/options keywords, from describe.ts) become
// Zapier input fields; an entry's output sample becomes its output fields. `coerce` tells the
// shared runtime how to turn what Zapier sends (mostly text) back into what the entry validates.
import type { OptionSource } from "@hlconnect/catalog";

type Json = Record<string, unknown>;

export type Coerce = "string" | "number" | "integer" | "boolean" | "json" | "list" | "dict";

export interface ZapierInputField {
  key: string;
  label: string;
  required: boolean;
  type?: "string" | "text" | "integer" | "number" | "boolean" | "datetime";
  list?: boolean;
  dict?: boolean;
  helpText?: string;
  choices?: string[];
  default?: string;
  dynamic?: string;
  dependsOn?: string[];
  /** Not part of Zapier's schema: stripped from the definition, read by the runtime. */
  coerce: Coerce;
}

export interface ZapierOutputField {
  key: string;
  label: string;
  type?: "string" | "number" | "boolean" | "datetime";
  list?: boolean;
}

/** The property's JSON Schema types, with null left out ("string|null" is a string). */
function typesOf(s: Json): string[] {
  const t = s.type;
  const list = Array.isArray(t) ? (t as string[]) : typeof t === "string" ? [t] : [];
  const fromUnion = ((s.anyOf ?? s.oneOf) as Json[] | undefined)?.flatMap(typesOf) ?? [];
  return [...new Set([...list, ...fromUnion])].filter((x) => x !== "null");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3).trimEnd()}...`;
}

export interface FieldContext {
  /** Hidden helper trigger key for an option source, or undefined when it cannot run in Zapier. */
  helperFor(source: OptionSource): string | undefined;
}

export function inputField(key: string, s: Json, required: boolean, fc: FieldContext): ZapierInputField {
  const label = typeof s.label === "string" ? s.label : key;
  const help = typeof s.help === "string" ? s.help : typeof s.description === "string" ? s.description : "";
  const types = typesOf(s);
  const field: ZapierInputField = { key, label, required, coerce: "string" };
  const enumValues = (s.enum ?? (s.items as Json | undefined)?.enum) as unknown[] | undefined;
  const format = s.format;
  let note = "";
  if (format === "custom-fields") {
    Object.assign(field, { dict: true, coerce: "dict" });
  } else if (
    format === "tags" ||
    (types.includes("array") && typesOf((s.items ?? {}) as Json).every((t) => t === "string"))
  ) {
    Object.assign(field, { list: true, coerce: "list" });
  } else if (types.includes("object") || types.includes("array") || types.length === 0) {
    // Nested shapes have no Zapier widget: they are typed as JSON text.
    Object.assign(field, { type: "text", coerce: "json" });
    note = jsonHint(s);
  } else if (format === "date" || format === "datetime" || format === "epoch-ms" || format === "date-time") {
    field.type = "datetime";
  } else if (types.length === 1 && (types[0] === "integer" || types[0] === "number")) {
    Object.assign(field, { type: types[0], coerce: types[0] });
  } else if (types.length === 1 && types[0] === "boolean") {
    Object.assign(field, { type: "boolean", coerce: "boolean" });
  } else if (types.includes("string") && types.length > 1) {
    // "string or number" (phones, money): typed as text, converted by the entry itself.
    field.type = "string";
  } else {
    field.type = "string";
  }
  if (enumValues?.length && enumValues.every((v) => typeof v === "string") && !field.dict) {
    field.choices = enumValues as string[];
  }
  const options = s.options as OptionSource | undefined;
  if (options && !field.list && !field.dict && field.coerce === "string") {
    const helper = fc.helperFor(options);
    if (helper) {
      field.dynamic = `${helper}.id.name`;
      const deps = Object.values(options.dependsOn ?? {});
      if (deps.length) field.dependsOn = deps;
    }
  }
  if (s.default !== undefined && s.default !== null) {
    const d = typeof s.default === "string" ? s.default : JSON.stringify(s.default);
    if (d) field.default = d; // Zapier takes no empty default
    field.required = false;
  }
  const helpText = [usefulHelp(help, label), note].filter(Boolean).join(" ");
  if (helpText) field.helpText = clip(helpText, 1000);
  return field;
}

/**
 * The help as a sentence, or nothing when it only repeats the label ("Title" on Title). A terse one
 * ("User's Id" on Assigned To) is said with its label, so it reads as help rather than a fragment.
 */
function usefulHelp(help: string, label: string): string {
  const h = help.trim().replace(/\s+/g, " ");
  const words = (x: string) => x.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (!h || words(h) === words(label)) return "";
  const text = h.length < 20 && !/[.!?]$/.test(h) ? `${label}: ${h}` : h;
  return /[.!?)]$/.test(text) ? text : `${text}.`;
}

/** What to type in a JSON field: the shape the entry reads, with an example of its first keys. */
export function jsonHint(s: Json): string {
  const types = typesOf(s);
  if (types.includes("array")) {
    const items = (s.items ?? {}) as Json;
    if (typesOf(items).includes("object")) {
      return `JSON: a list of objects${withKeys(items)}, e.g. [${exampleObject(items)}].`;
    }
    const itemTypes = typesOf(items);
    return `JSON: a list${itemTypes.length ? ` of ${itemTypes.join(" or ")} values` : ""}, e.g. [${exampleValue(items)}].`;
  }
  if (types.includes("object")) return `JSON: an object${withKeys(s)}, e.g. ${exampleObject(s)}.`;
  return 'JSON: any value, e.g. {"key": "value"}, ["a", "b"], "quoted text", 12 or true.';
}

function withKeys(s: Json): string {
  const keys = Object.keys((s.properties ?? {}) as Json);
  if (!keys.length) return "";
  const shown = keys.slice(0, 8).join(", ");
  return ` with ${shown}${keys.length > 8 ? ` and ${keys.length - 8} more` : ""}`;
}

function exampleObject(s: Json): string {
  const props = Object.entries((s.properties ?? {}) as Record<string, Json>);
  const required = new Set((s.required as string[] | undefined) ?? []);
  // The required keys first: an example that leaves one out would be refused.
  const picked = [
    ...props.filter(([k]) => required.has(k)),
    ...props.filter(([k]) => !required.has(k)),
  ].slice(0, Math.max(2, required.size));
  if (!picked.length) return '{"key": "value"}';
  return `{${picked.map(([k, p]) => `"${k}": ${exampleValue(p)}`).join(", ")}}`;
}

function exampleValue(s: Json): string {
  const values = (s.enum ?? (s.const !== undefined ? [s.const] : undefined)) as unknown[] | undefined;
  if (values?.length) return JSON.stringify(values[0]);
  if (Array.isArray(s.examples) && s.examples.length) return JSON.stringify(s.examples[0]);
  const t = typesOf(s);
  if (t.includes("object")) return exampleObject(s);
  if (t.includes("array")) return `[${exampleValue((s.items ?? {}) as Json)}]`;
  if (t.includes("string") || !t.length) return '"..."';
  if (t.includes("boolean")) return "true";
  if (t.includes("number") || t.includes("integer")) return "1";
  return '"..."';
}

/** All input fields of an entry's input schema, in declared order. */
export function inputFields(schema: Json, fc: FieldContext): ZapierInputField[] {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([k, s]) => inputField(k, s, required.has(k), fc));
}

export function humanize(key: string): string {
  const words = key
    .replace(/__/g, " ")
    .replace(/[_.]/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/\bid\b/gi, "ID")
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const MAX_OUTPUT_FIELDS = 80;

/** Output fields from a sample, nested keys joined with "__" as Zapier flattens them. */
export function outputFields(sample: unknown): ZapierOutputField[] {
  const out: ZapierOutputField[] = [];
  const walk = (v: unknown, prefix: string, depth: number) => {
    for (const [k, x] of Object.entries((v ?? {}) as Json)) {
      if (out.length >= MAX_OUTPUT_FIELDS) return;
      const key = prefix ? `${prefix}__${k}` : k;
      if (x && typeof x === "object" && !Array.isArray(x)) {
        if (depth < 2) walk(x, key, depth + 1);
        continue;
      }
      const f: ZapierOutputField = { key, label: humanize(key) };
      const scalar = Array.isArray(x) ? x[0] : x;
      if (Array.isArray(x) && (scalar === undefined || typeof scalar !== "object")) f.list = true;
      if (Array.isArray(x) && scalar && typeof scalar === "object") continue; // line items: left to Zapier
      if (typeof scalar === "number") f.type = "number";
      else if (typeof scalar === "boolean") f.type = "boolean";
      else if (typeof scalar === "string") f.type = ISO_TIME.test(scalar) ? "datetime" : "string";
      out.push(f);
    }
  };
  walk(sample, "", 0);
  return out;
}
