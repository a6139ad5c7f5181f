// Example values for HighLevel v2 operations, generated from the (patched) spec documents the sandbox
// validates against: required path/query parameters and a request body built from the body schema's
// required properties. Values come, in order of preference, from const, enum, example, default, and
// finally from the declared type and format (with a hint from the property name).
//
// Reusable: give it any map of JSON documents keyed by $id (the sandbox's loadSpec().documents) and
// operations shaped like the sandbox's SpecOperation (parameters carrying a schema pointer).

type Json = Record<string, unknown>;

/** What the generator needs of an operation: the sandbox's SpecOperation fits. */
export interface ExampleOperation {
  key: string;
  parameters: ReadonlyArray<{
    name: string;
    in: "path" | "query" | "header";
    required: boolean;
    schemaRef: string | null;
  }>;
  body: { contentType: string; required: boolean; schemaRef: string | null } | null;
}

export interface ExampleOptions {
  /** Also fill optional parameters (default: only required ones, plus every path parameter). */
  optionalParams?: boolean;
  /** Also fill optional body properties that carry an example, const or enum (default false). */
  optionalProperties?: boolean;
}

export interface OperationExample {
  /** Path and query parameters, flattened (the client's `params`). */
  params: Record<string, unknown>;
  /** The JSON (or form) body, or undefined when the operation takes none. */
  body: unknown;
}

/** An id shaped like HighLevel's (20 alphanumerics). */
export const EXAMPLE_ID = "ve9EPM428h8vShlRW1KT";
export const EXAMPLE_DATE_TIME = "2024-01-15T10:00:00.000Z";

const MAX_DEPTH = 12;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function unescapePointer(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
}

/** A schema and the document id its relative $refs resolve against. */
interface Located {
  schema: unknown;
  base: string;
}

export class SpecExampleGenerator {
  readonly #documents: ReadonlyMap<string, unknown>;
  readonly #options: ExampleOptions;

  constructor(documents: ReadonlyMap<string, unknown>, options: ExampleOptions = {}) {
    this.#documents = documents;
    this.#options = options;
  }

  /** The schema a `$id#/json/pointer` (or a `$ref` relative to `base`) points at. */
  resolve(ref: string, base = ""): Located {
    const absolute = base ? new URL(ref, base).toString() : ref;
    const hash = absolute.indexOf("#");
    const docId = hash < 0 ? absolute : absolute.slice(0, hash);
    const fragment = hash < 0 ? "" : absolute.slice(hash + 1);
    let node: unknown = this.#documents.get(docId);
    if (node === undefined) throw new Error(`spec-examples: no document ${docId}`);
    for (const raw of fragment.split("/").slice(1)) {
      if (!isObject(node) && !Array.isArray(node))
        throw new Error(`spec-examples: cannot resolve ${absolute}`);
      node = (node as Json)[unescapePointer(raw)];
    }
    if (node === undefined) throw new Error(`spec-examples: cannot resolve ${absolute}`);
    return { schema: node, base: docId };
  }

  /** Parameters and body for one operation. */
  forOperation(op: ExampleOperation): OperationExample {
    const params: Record<string, unknown> = {};
    for (const p of op.parameters) {
      if (p.in === "header") continue;
      if (!(p.required || p.in === "path" || this.#options.optionalParams)) continue;
      let value = p.schemaRef ? this.valueAt(p.schemaRef, p.name) : exampleString(p.name);
      // A path segment must not be empty, and must be a scalar.
      if (p.in === "path" && (value === "" || value === null || typeof value === "object")) {
        value = exampleString(p.name);
      }
      params[p.name] = value;
    }
    let body: unknown;
    if (op.body) {
      body = op.body.schemaRef ? this.valueAt(op.body.schemaRef, "body") : {};
      if (body === undefined) body = {};
    }
    return { params, body };
  }

  /** An example value for the schema at a pointer. */
  valueAt(pointer: string, name = ""): unknown {
    const { schema, base } = this.resolve(pointer);
    return this.value(schema, base, name, 0);
  }

  /** An example value for a schema; `name` (the property or parameter name) guides untyped strings. */
  value(schema: unknown, base: string, name: string, depth: number): unknown {
    if (!isObject(schema) || depth > MAX_DEPTH) return exampleString(name);
    if (typeof schema.$ref === "string") {
      const target = this.resolve(schema.$ref, base);
      return this.value(target.schema, target.base, name, depth + 1);
    }
    if ("const" in schema) return schema.const;
    if (Array.isArray(schema.enum)) {
      const choice = schema.enum.find((v) => v !== null);
      if (choice !== undefined) return choice;
    }
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
      return this.value(this.#mergeAllOf(schema, base, depth), base, name, depth + 1);
    }
    for (const key of ["oneOf", "anyOf"] as const) {
      const branches = schema[key];
      if (Array.isArray(branches) && branches.length > 0) {
        const branch = branches.find((b) => !(isObject(b) && b.type === "null")) ?? branches[0];
        return this.value(branch, base, name, depth + 1);
      }
    }
    const type = typeOf(schema);
    const sample = firstExample(schema);
    if (sample !== undefined && fits(type, sample) && (type !== "string" || fitsString(schema, sample))) {
      // Objects and arrays are built from their schema: their examples often miss required members.
      if (type !== "object" && type !== "array") return sample;
    }
    if (schema.default !== undefined && fits(type, schema.default) && type !== "object")
      return schema.default;
    switch (type) {
      case "string":
        return stringFor(schema, name);
      case "integer":
      case "number":
        return numberFor(schema, type);
      case "boolean":
        return true;
      case "null":
        return null;
      case "array":
        return this.#array(schema, base, name, depth);
      case "object":
        return this.#object(schema, base, depth);
      default:
        // No type: whatever the example says, else a string.
        return sample !== undefined ? sample : exampleString(name);
    }
  }

  #array(schema: Json, base: string, name: string, depth: number): unknown[] {
    const min = typeof schema.minItems === "number" ? schema.minItems : 1;
    const max = typeof schema.maxItems === "number" ? schema.maxItems : Math.max(1, min);
    const count = Math.min(Math.max(1, min), max);
    if (!isObject(schema.items)) {
      const sample = firstExample(schema);
      return Array.isArray(sample) ? sample : [];
    }
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) out.push(this.value(schema.items, base, singular(name), depth + 1));
    // uniqueItems with several scalar copies: vary them.
    if (schema.uniqueItems === true && count > 1 && out.every((v) => typeof v === "string")) {
      return out.map((v, i) => (i === 0 ? v : `${String(v)}${i}`));
    }
    return out;
  }

  #object(schema: Json, base: string, depth: number): Json {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    const out: Json = {};
    for (const [key, sub] of Object.entries(properties)) {
      const wanted =
        required.has(key) || (this.#options.optionalProperties === true && this.#hasExample(sub, base));
      if (wanted) out[key] = this.value(sub, base, key, depth + 1);
    }
    // Required names the schema forgot to describe.
    for (const key of required) if (!(key in out)) out[key] = exampleString(key);
    return out;
  }

  #hasExample(schema: unknown, base: string): boolean {
    let s = schema;
    let b = base;
    for (let i = 0; i < 5 && isObject(s) && typeof s.$ref === "string"; i++) {
      const target = this.resolve(s.$ref, b);
      s = target.schema;
      b = target.base;
    }
    if (!isObject(s)) return false;
    const type = typeOf(s);
    if (type === "object" || type === "array") return false;
    return "const" in s || Array.isArray(s.enum) || firstExample(s) !== undefined;
  }

  /** allOf: one object schema with every member's properties and required names. */
  #mergeAllOf(schema: Json, base: string, depth: number): Json {
    const properties: Json = {};
    const required: string[] = [];
    const rest: Json = { ...schema };
    delete rest.allOf;
    const visit = (part: unknown, partBase: string, level: number): void => {
      if (!isObject(part) || level > MAX_DEPTH) return;
      if (typeof part.$ref === "string") {
        const target = this.resolve(part.$ref, partBase);
        visit(target.schema, target.base, level + 1);
        return;
      }
      if (Array.isArray(part.allOf)) for (const p of part.allOf) visit(p, partBase, level + 1);
      if (isObject(part.properties)) {
        // Inline member schemas keep their own document for relative $refs.
        for (const [k, v] of Object.entries(part.properties)) properties[k] = rebase(v, partBase, base);
      }
      if (Array.isArray(part.required)) required.push(...part.required.map(String));
    };
    for (const p of schema.allOf as unknown[]) visit(p, base, depth);
    return { ...rest, type: "object", properties, required: [...new Set(required)] };
  }
}

/** A $ref written relative to one document, made absolute so that it resolves from another. */
function rebase(schema: unknown, from: string, to: string): unknown {
  if (from === to || !isObject(schema) || typeof schema.$ref !== "string") return schema;
  return { ...schema, $ref: new URL(schema.$ref, from).toString() };
}

function typeOf(schema: Json): string | undefined {
  const t = schema.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.find((x) => x !== "null") as string | undefined;
  if (isObject(schema.properties)) return "object";
  if (isObject(schema.items)) return "array";
  return undefined;
}

function firstExample(schema: Json): unknown {
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  return undefined;
}

function fits(type: string | undefined, value: unknown): boolean {
  switch (type) {
    case undefined:
      return true;
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    default:
      return false;
  }
}

function fitsString(schema: Json, value: unknown): boolean {
  if (typeof value !== "string") return false;
  if (typeof schema.minLength === "number" && value.length < schema.minLength) return false;
  if (typeof schema.maxLength === "number" && value.length > schema.maxLength) return false;
  if (typeof schema.pattern === "string") {
    try {
      if (!new RegExp(schema.pattern, "u").test(value)) return false;
    } catch {
      // a pattern JavaScript cannot compile: no judgement
    }
  }
  if ((schema.format === "date-time" || schema.format === "date") && Number.isNaN(Date.parse(value)))
    return false;
  return true;
}

function stringFor(schema: Json, name: string): string {
  let s: string;
  switch (schema.format) {
    case "date-time":
      s = EXAMPLE_DATE_TIME;
      break;
    case "date":
      s = EXAMPLE_DATE_TIME.slice(0, 10);
      break;
    case "email":
      s = "jane.doe@example.com";
      break;
    case "uri":
    case "url":
      s = "https://example.com/";
      break;
    case "uuid":
      s = "3f2b8c1e-8d6a-4c1f-9a7e-2b5d4e6f7a8b";
      break;
    default:
      s = exampleString(name);
  }
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
  if (s.length < min) s = s.padEnd(min, "x");
  if (s.length > max) s = s.slice(0, max);
  return s;
}

function numberFor(schema: Json, type: "integer" | "number"): number {
  let low = Number.NEGATIVE_INFINITY;
  let high = Number.POSITIVE_INFINITY;
  if (typeof schema.minimum === "number") low = schema.minimum;
  if (typeof schema.exclusiveMinimum === "number") low = Math.max(low, schema.exclusiveMinimum + 1);
  if (typeof schema.maximum === "number") high = schema.maximum;
  if (typeof schema.exclusiveMaximum === "number") high = Math.min(high, schema.exclusiveMaximum - 1);
  let n = 1;
  if (n < low) n = low;
  if (n > high) n = high;
  return type === "integer" ? Math.ceil(n) : n;
}

function singular(name: string): string {
  return name.endsWith("s") ? name.slice(0, -1) : name;
}

/** A string that looks like what a field of that name holds. */
export function exampleString(name: string): string {
  const n = name.toLowerCase();
  if (n.includes("email")) return "jane.doe@example.com";
  if (n.includes("phone")) return "+14155550123";
  if (/(url|link|website|uri)$/.test(n)) return "https://example.com/";
  if (/(date|time|at)$/.test(n) && !n.endsWith("format")) return EXAMPLE_DATE_TIME;
  if (n.endsWith("id") || n.endsWith("ids")) return EXAMPLE_ID;
  return name ? `example-${name}` : "example";
}
