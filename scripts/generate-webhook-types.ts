// Generates packages/client/src/generated/webhook-events.ts from specs/highlevel/webhooks/events.json:
// one interface per documented webhook event, the discriminated union HighLevelWebhookEvent on `type`,
// and WEBHOOK_EVENT_TYPES.
//
//   npx tsx scripts/generate-webhook-types.ts           write the file
//   npx tsx scripts/generate-webhook-types.ts --check   exit 1 if the committed file is stale
//
// The upstream schemas are loose (draft-3 style `required: true` on properties, made-up types such
// as "Date" and "Email/SMS", two events with no schema at all); every such case is handled by a rule
// below rather than by editing the data.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const EVENTS_PATH = resolve(ROOT, "specs/highlevel/webhooks/events.json");
export const OUTPUT_PATH = resolve(ROOT, "packages/client/src/generated/webhook-events.ts");

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema | JsonSchema[];
  /** Draft-4 style list on the object, or draft-3 style flag on the property: both occur upstream. */
  required?: string[] | boolean;
  enum?: unknown[];
  format?: string;
  description?: string;
}
export interface WebhookEventEntry {
  schema: JsonSchema | null;
  example: unknown;
}
export type WebhookEventsFile = Record<string, WebhookEventEntry>;

/** Fields every delivery carries besides the entity's own (README: Webhooks). */
const DELIVERY_FIELDS: Record<string, string> = {
  appId: "string",
  versionId: "string",
  webhookId: "string",
  timestamp: "string | number",
};
/** Example values that name a type instead of giving a value: UserCreate's example is such a sketch. */
const TYPE_WORDS = new Set(["string", "number", "integer", "boolean"]);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propertyKey = (name: string) => (IDENTIFIER.test(name) ? name : JSON.stringify(name));
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function loadEvents(path = EVENTS_PATH): WebhookEventsFile {
  return JSON.parse(readFileSync(path, "utf8")) as WebhookEventsFile;
}

/**
 * The `type` values an event is delivered with. Normally the event name. The example wins where it
 * shows another value (AppInstall is "INSTALL", ConversationUnreadWebhook is "ConversationUnreadUpdate"),
 * except when that value is another event's name (upstream copied AppointmentCreate's example into
 * AppointmentDelete/Update) or a type sketch ("string"). A declared type "A/B" (ProviderOutboundMessage:
 * "Email/SMS") means the field carries the channel, one of those values.
 */
export function discriminantValues(
  name: string,
  entry: WebhookEventEntry,
  events: WebhookEventsFile,
): string[] {
  const declared = entry.schema?.properties?.type?.type;
  if (typeof declared === "string" && declared.includes("/")) return declared.split("/").sort(byCodeUnit);
  const example = isObject(entry.example) ? entry.example.type : undefined;
  if (typeof example === "string" && example !== "" && !TYPE_WORDS.has(example)) {
    if (example === name || !(example in events)) return [example];
  }
  return [name];
}

/** A schema for events published without one, read from the example's shape. */
export function schemaFromExample(value: unknown): JsonSchema {
  if (Array.isArray(value))
    return value.length > 0 ? { type: "array", items: schemaFromExample(value[0]) } : { type: "array" };
  if (isObject(value)) {
    const properties: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(value)) properties[k] = schemaFromExample(v);
    return { type: "object", properties };
  }
  if (typeof value === "string") return { type: TYPE_WORDS.has(value) ? value : "string" };
  if (typeof value === "number") return { type: "number" };
  if (typeof value === "boolean") return { type: "boolean" };
  return {};
}

function tsType(schema: JsonSchema | undefined, indent: string): string {
  if (!isObject(schema)) return "unknown";
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return unique(schema.enum.map((v) => JSON.stringify(v))).join(" | ");
  }
  const types = Array.isArray(schema.type)
    ? schema.type
    : schema.type !== undefined
      ? [schema.type]
      : schema.properties
        ? ["object"]
        : [];
  if (types.length === 0) return "unknown";
  return unique(types.map((t) => singleType(t, schema, indent))).join(" | ");
}

function singleType(type: string, schema: JsonSchema, indent: string): string {
  switch (type) {
    case "string":
    case "Date": // JSON carries dates as ISO strings
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "object":
      return schema.properties && Object.keys(schema.properties).length > 0
        ? objectType(schema, indent)
        : "Record<string, unknown>";
    case "array": {
      const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
      if (!items) return "unknown[]";
      const inner = tsType(items, indent);
      return /^[\w<>, [\]]+$/.test(inner) || inner.startsWith("{") ? `${inner}[]` : `Array<${inner}>`;
    }
    default:
      // "Email/SMS"-style: the listed values.
      if (type.includes("/"))
        return type
          .split("/")
          .map((v) => JSON.stringify(v))
          .join(" | ");
      return "unknown";
  }
}

function requiredSet(schema: JsonSchema): Set<string> {
  const out = new Set<string>(Array.isArray(schema.required) ? schema.required : []);
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (isObject(prop) && prop.required === true) out.add(name);
  }
  return out;
}

function propertyLines(schema: JsonSchema, indent: string, skip: Set<string>): string[] {
  const required = requiredSet(schema);
  const lines: string[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (skip.has(name)) continue;
    if (isObject(prop) && typeof prop.description === "string" && prop.description.trim()) {
      lines.push(`${indent}/** ${prop.description.trim().replace(/\*\//g, "*\\/").replace(/\s+/g, " ")} */`);
    }
    const optional = required.has(name) ? "" : "?";
    lines.push(`${indent}${propertyKey(name)}${optional}: ${tsType(prop, indent)};`);
  }
  return lines;
}

function objectType(schema: JsonSchema, indent: string): string {
  const inner = `${indent}  `;
  return `{\n${propertyLines(schema, inner, new Set()).join("\n")}\n${indent}}`;
}

export function interfaceName(eventName: string): string {
  return `${eventName}Event`;
}

/** The generated module's text for the given events file: deterministic, no dates or paths of this machine. */
export function renderWebhookTypes(events: WebhookEventsFile): string {
  const names = Object.keys(events).sort(byCodeUnit);
  const values = new Map(names.map((n) => [n, discriminantValues(n, events[n]!, events)]));

  // The union is only discriminated if no two events share a `type` value.
  const owner = new Map<string, string>();
  for (const [name, vs] of values) {
    for (const v of vs) {
      const other = owner.get(v);
      if (other) throw new Error(`webhook events ${other} and ${name} share the type value "${v}"`);
      owner.set(v, name);
    }
  }

  const out: string[] = [];
  out.push(
    "// Generated by scripts/generate-webhook-types.ts from specs/highlevel/webhooks/events.json.",
    "// Do not edit: run `npx tsx scripts/generate-webhook-types.ts` (`--check` verifies it is up to date).",
    "",
    "/** Fields every webhook delivery carries besides the entity's own. */",
    "export interface WebhookDeliveryFields {",
  );
  for (const [k, t] of Object.entries(DELIVERY_FIELDS)) out.push(`  ${k}?: ${t};`);
  out.push("}", "");

  for (const name of names) {
    const entry = events[name]!;
    const notes: string[] = [];
    let schema = entry.schema;
    if (!isObject(schema)) {
      schema = schemaFromExample(entry.example);
      notes.push("No schema is published for this event: the fields are read from its example.");
    }
    const declaredType = schema.properties?.type?.type;
    if (typeof declaredType === "string" && declaredType.includes("/")) {
      notes.push("`type` is the message channel here, not the event name.");
    }
    // A delivery field the event declares itself must stay compatible with WebhookDeliveryFields.
    const props = schema.properties ?? {};
    const clashes = Object.keys(DELIVERY_FIELDS)
      .filter((k) => k in props && !DELIVERY_FIELDS[k]!.split(" | ").includes(tsType(props[k], "  ")))
      .sort(byCodeUnit);
    const base =
      clashes.length > 0
        ? `Omit<WebhookDeliveryFields, ${clashes.map((c) => JSON.stringify(c)).join(" | ")}>`
        : "WebhookDeliveryFields";
    const literal = values
      .get(name)!
      .map((v) => JSON.stringify(v))
      .join(" | ");

    out.push(`/** The \`${name}\` webhook event.${notes.length ? ` ${notes.join(" ")}` : ""} */`);
    out.push(`export interface ${interfaceName(name)} extends ${base} {`);
    out.push(`  type: ${literal};`);
    out.push(...propertyLines(schema, "  ", new Set(["type"])));
    out.push("}", "");
  }

  out.push("/** Every documented webhook event, discriminated on `type`. */");
  out.push("export type HighLevelWebhookEvent =");
  names.forEach((n, i) => {
    out.push(`  | ${interfaceName(n)}${i === names.length - 1 ? ";" : ""}`);
  });
  out.push("");
  out.push("/** Event name (as HighLevel's documentation names it) to its payload type. */");
  out.push("export interface HighLevelWebhookEventMap {");
  for (const n of names) out.push(`  ${propertyKey(n)}: ${interfaceName(n)};`);
  out.push("}", "");
  out.push(`/** The names of all ${names.length} documented webhook events. */`);
  out.push("export const WEBHOOK_EVENT_TYPES = [");
  for (const n of names) out.push(`  ${JSON.stringify(n)},`);
  out.push("] as const;", "");
  out.push("export type WebhookEventName = (typeof WEBHOOK_EVENT_TYPES)[number];", "");
  out.push(
    "/** The `type` value(s) each event arrives with; mostly its name, a few differ (e.g. AppInstall: INSTALL). */",
  );
  out.push("export const WEBHOOK_EVENT_TYPE_VALUES: {");
  out.push('  readonly [N in WebhookEventName]: readonly HighLevelWebhookEventMap[N]["type"][];');
  out.push("} = {");
  for (const n of names) {
    out.push(
      `  ${propertyKey(n)}: [${values
        .get(n)!
        .map((v) => JSON.stringify(v))
        .join(", ")}],`,
    );
  }
  out.push("};", "");
  return out.join("\n");
}

export interface CheckResult {
  upToDate: boolean;
  expected: string;
  /** The committed file, or null when it does not exist. */
  actual: string | null;
}

/** Compare the committed file with a fresh rendering. */
export function checkWebhookTypes(eventsPath = EVENTS_PATH, outputPath = OUTPUT_PATH): CheckResult {
  const expected = renderWebhookTypes(loadEvents(eventsPath));
  let actual: string | null = null;
  try {
    actual = readFileSync(outputPath, "utf8");
  } catch {
    actual = null;
  }
  return { upToDate: actual === expected, expected, actual };
}

function main(argv: string[]): number {
  const target = relative(process.cwd(), OUTPUT_PATH);
  if (argv.includes("--check")) {
    const result = checkWebhookTypes();
    if (!result.upToDate) {
      console.error(
        `${target} is ${result.actual === null ? "missing" : "stale"}: run \`npx tsx scripts/generate-webhook-types.ts\``,
      );
      return 1;
    }
    console.log(`${target} is up to date`);
    return 0;
  }
  const text = renderWebhookTypes(loadEvents());
  mkdirSync(dirname(OUTPUT_PATH), { recursive: true });
  writeFileSync(OUTPUT_PATH, text);
  console.log(`wrote ${target} (${Object.keys(loadEvents()).length} events)`);
  return 0;
}

function isObject(value: unknown): value is Record<string, unknown> & JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

// Run only as a script, so tests can import the compare function.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
