// What the flow builder asks the server while a person fills in a flow: dropdown options read live
// through a connection, the mapping language evaluated on sample data, the transforms with their
// documented examples, and a trigger or one step tried for real (request, answer, time).
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type CatalogContext,
  type CatalogEntry,
  getEntry,
  inputJsonSchema,
  type OptionSource,
  parseInput,
  runEntry,
} from "@hlconnect/catalog";
import { HighLevelError } from "@hlconnect/client";
import type { Engine } from "@hlconnect/engine/engine";
import {
  evaluateCondition,
  MappingError,
  type MappingScope,
  parseCondition,
  renderValue,
  TRANSFORMS,
} from "@hlconnect/engine/mapping/index";
import { ConnectionChoiceError, connectionContext as chosenContext } from "../connections/choose.ts";
import { HttpError } from "./http-errors.ts";

/** One HTTP call made while testing, as the builder shows it. */
export interface RequestSummary {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/**
 * A catalog context through connection `id` (the only one when absent; 404 when there is none; 400 for a
 * location it does not hold), optionally recording every request it makes.
 */
export async function connectionContext(
  engine: Engine,
  id: string | undefined,
  locationId?: string,
  requests?: RequestSummary[],
): Promise<CatalogContext> {
  const recording: typeof fetch | undefined = requests
    ? async (input, init) => {
        const started = performance.now();
        const req = new Request(input, init);
        const res = await fetch(req);
        const url = new URL(req.url);
        requests.push({
          method: req.method,
          path: url.pathname,
          status: res.status,
          ms: Math.round(performance.now() - started),
        });
        return res;
      }
    : undefined;
  try {
    const source = await chosenContext(engine, id, locationId, {
      locationRequired: false,
      ...(recording ? { fetch: recording } : {}),
    });
    return await source.context();
  } catch (err) {
    if (err instanceof ConnectionChoiceError) {
      throw new HttpError(err.problem === "unknown-connection" ? 404 : 400, err.message);
    }
    throw err;
  }
}

// ------------------------------------------------------------------------------------ option sources

/** The sources the builder's common dropdowns use, by name; any field's own source works too. */
export const NAMED_SOURCES: Record<string, OptionSource> = {
  pipelines: { entry: "highlevel.opportunities.pipelines", value: "id", label: "name" },
  stages: {
    entry: "highlevel.opportunities.pipelines",
    value: "id",
    label: "name",
    dependsOn: { pipelineId: "pipelineId" },
    items: "pipelines[].stages",
  },
  calendars: { entry: "highlevel.calendars.list", value: "id", label: "name", items: "calendars" },
  users: { entry: "highlevel.users.search", value: "id", label: "name" },
  "custom-fields": { entry: "highlevel.locations.custom-fields.list", value: "id", label: "name" },
};

export interface OptionItem {
  value: string;
  label: string;
}

/** The options of a source: its entry run with the values it depends on, items picked out of the answer. */
export async function readOptions(
  ctx: CatalogContext,
  source: OptionSource,
  given: Record<string, string>,
): Promise<OptionItem[]> {
  const input: Record<string, unknown> = {};
  for (const [param, field] of Object.entries(source.dependsOn ?? {})) {
    // `parent` names the one value a dependent list (stages of a pipeline) needs, whatever the field.
    const v = given[field] ?? given[param] ?? given.parent;
    if (!v) throw new HttpError(400, `this list depends on "${field}": choose it first (pass ?${field}=...)`);
    input[param] = v;
  }
  const entry = getEntry(source.entry);
  const output = await runEntry(entry, ctx, input);
  return itemsOf(output, source.items)
    .filter((x): x is Record<string, unknown> => Boolean(x) && typeof x === "object")
    .map((x) => ({
      value: String(x[source.value] ?? ""),
      label: String(x[source.label] ?? x[source.value] ?? ""),
    }))
    .filter((o) => o.value !== "");
}

/** The location's tags (no catalog entry lists them: they are names, used as they are). */
export async function readTags(ctx: CatalogContext): Promise<OptionItem[]> {
  const answer = (await ctx.client.call("get-location-tags", { locationId: ctx.locationId })) as {
    tags?: { name?: string }[];
  };
  return (answer.tags ?? []).flatMap((t) => (t.name ? [{ value: t.name, label: t.name }] : []));
}

/** A field's own option source, as the catalog entry declares it (the `options` keyword of its schema). */
export function fieldSource(entryKey: string, field: string): OptionSource {
  const schema = inputJsonSchema(findEntry(entryKey)) as {
    properties?: Record<string, { options?: OptionSource }>;
  };
  const options = schema.properties?.[field]?.options;
  if (!options) throw new HttpError(404, `field "${field}" of ${entryKey} has no list of options`);
  return options;
}

/** "pipelines[].stages": the pipelines' stages, flattened. Without a path: the answer's list. */
function itemsOf(output: unknown, items?: string): unknown[] {
  let values: unknown[] = [output];
  if (items) {
    for (const part of items.split(".")) {
      const name = part.replace(/\[\]$/, "");
      values = values.flatMap((v) => {
        const next = v && typeof v === "object" ? (v as Record<string, unknown>)[name] : undefined;
        return part.endsWith("[]") || Array.isArray(next) ? ((next as unknown[]) ?? []) : [next];
      });
    }
    return values;
  }
  if (Array.isArray(output)) return output;
  if (output && typeof output === "object") {
    const list = Object.values(output).find(Array.isArray);
    if (list) return list;
  }
  return [];
}

// ---------------------------------------------------------------------------------------- mapping

const PREVIEW_LIMIT = 10 * 1024;

export interface PreviewContext {
  trigger?: unknown;
  steps?: Record<string, unknown>;
  vars?: Record<string, unknown>;
  tables?: Record<string, Record<string, unknown>>;
}

/** A scope from the builder's samples; steps are given by id as their outputs. */
export function previewScope(context: PreviewContext, timeZone?: string): MappingScope {
  const steps: MappingScope["steps"] = {};
  for (const [id, output] of Object.entries(context.steps ?? {})) steps[id] = { output };
  return {
    trigger: context.trigger ?? {},
    steps,
    vars: context.vars ?? {},
    tables: context.tables ?? {},
    ...(timeZone ? { timeZone } : {}),
  };
}

export function preview(
  expression: unknown,
  scope: MappingScope,
): { value: unknown; truncated?: true } | { error: { message: string; position?: number } } {
  try {
    const value = renderValue(expression, scope);
    const json = JSON.stringify(value) ?? "null";
    if (json.length > PREVIEW_LIMIT) return { value: `${json.slice(0, PREVIEW_LIMIT)}…`, truncated: true };
    return { value: value === undefined ? null : value };
  } catch (err) {
    if (err instanceof MappingError) return { error: { message: err.message, position: err.column } };
    return { error: { message: err instanceof Error ? err.message : String(err) } };
  }
}

/**
 * A condition (a flow's filter or a step's `when:`) decided on the sample: true or false, or what is
 * wrong with it, in the words `flows validate` uses (with the place inside a structured condition).
 */
export function previewCondition(
  condition: unknown,
  scope: MappingScope,
): { value: boolean } | { error: { message: string; position?: number } } {
  try {
    const parsed = parseCondition(condition);
    if (!parsed.ok) {
      const where = parsed.path ? ` (at ${parsed.path})` : "";
      return {
        error: {
          message: `${parsed.error}${where}`,
          ...(parsed.column !== undefined ? { position: parsed.column } : {}),
        },
      };
    }
    return { value: evaluateCondition(parsed.condition, scope) };
  } catch (err) {
    return { error: { message: err instanceof Error ? err.message : String(err) } };
  }
}

interface TransformDoc {
  name: string;
  args: string[];
  description: string;
  category?: string;
  example?: { expression: string; value: string };
}

let transformDocs: TransformDoc[] | undefined;

/** The transforms with their help, and the first example docs/mapping.md gives for each. */
export function transformList(): TransformDoc[] {
  if (transformDocs) return transformDocs;
  const examples = new Map<string, { expression: string; value: string; category?: string }>();
  let docs = "";
  try {
    docs = readFileSync(path.resolve(import.meta.dirname, "../../../../docs/mapping.md"), "utf8");
  } catch {
    // An install without the docs still lists the transforms, without examples.
  }
  let category: string | undefined;
  let current: string | undefined;
  for (const line of docs.split("\n")) {
    const cat = /^### (.+)$/.exec(line);
    if (cat) category = cat[1];
    const head = /^#### `([a-zA-Z]+)/.exec(line);
    if (head) current = head[1];
    const ex = /^- `(\{\{.*\}\})` → `(.*)`$/.exec(line);
    if (current && ex && !examples.has(current)) {
      examples.set(current, { expression: ex[1]!, value: ex[2]!, ...(category ? { category } : {}) });
    }
  }
  transformDocs = Object.entries(TRANSFORMS).map(([name, t]) => {
    const ex = examples.get(name);
    return {
      name,
      args: t.args,
      description: t.describe,
      ...(ex?.category ? { category: ex.category } : {}),
      ...(ex ? { example: { expression: ex.expression, value: ex.value } } : {}),
    };
  });
  return transformDocs;
}

// ------------------------------------------------------------------------------- trigger samples

/** What one sampled record is, for the builder's "latest contact from HighLevel: Ann Lee, created …". */
export interface SampleRecord {
  /** "contact", "opportunity", "appointment" or "record". */
  noun: string;
  name: string;
  /** ISO time the record was created, when the record says. */
  createdAt?: string;
}

const NOUNS: Record<string, string> = {
  ContactCreate: "contact",
  OpportunityCreate: "opportunity",
  AppointmentCreate: "appointment",
};

const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** A webhook-shaped sample (as triggerSample gives it) described by its kind, name and creation time. */
export function describeSampleRecord(item: unknown): SampleRecord {
  const payload = item && typeof item === "object" ? (item as Record<string, unknown>) : {};
  // AppointmentCreate nests the record; the others carry it at the top level.
  const rec =
    payload.appointment && typeof payload.appointment === "object"
      ? (payload.appointment as Record<string, unknown>)
      : payload;
  const fullName = [text(rec.firstName), text(rec.lastName)].filter(Boolean).join(" ");
  const name =
    text(rec.contactName) ??
    (fullName || undefined) ??
    text(rec.name) ??
    text(rec.title) ??
    text(rec.email) ??
    text(rec.phone) ??
    text(rec.id) ??
    "(no name)";
  const created = text(rec.dateAdded) ?? text(rec.createdAt);
  return {
    noun: NOUNS[String(payload.type)] ?? "record",
    name,
    ...(created && !Number.isNaN(Date.parse(created)) ? { createdAt: created } : {}),
  };
}

// ------------------------------------------------------------------------------------------ tests

export function findEntry(key: unknown): CatalogEntry {
  if (typeof key !== "string" || !key) throw new HttpError(400, '"op" (a catalog key) is required');
  try {
    return getEntry(key);
  } catch (err) {
    throw new HttpError(404, (err as Error).message);
  }
}

/** An error from HighLevel or the input, as the builder shows it (never a stack). */
export function testError(err: unknown): { message: string; status?: number; details?: unknown } {
  if (err instanceof HttpError) throw err;
  if (err instanceof HighLevelError) {
    return {
      message: err.message,
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(err.messages.length ? { details: err.messages } : {}),
    };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

export { parseInput, runEntry };
