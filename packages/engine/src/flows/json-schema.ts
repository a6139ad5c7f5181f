// The flow format as JSON Schema (draft 2020-12) for editors: the structure comes from the zod
// schema; operation keys become enums and each operation's input field names are completed.
// Input values are left open because they may be {{ templates }}.
import { CATALOG, type CatalogEntry, inputJsonSchema } from "@hlconnect/catalog";
import { z } from "zod";
import { isStepEntry } from "./catalog.ts";
import { FlowFileSchema } from "./format.ts";

type Schema = Record<string, unknown>;

interface FieldSchema {
  label?: string;
  help?: string;
  description?: string;
}

/** Field names of an entry's input with their labels as help; values stay open (templates). */
function inputSchema(e: CatalogEntry): Schema {
  const full = inputJsonSchema(e) as { properties?: Record<string, FieldSchema>; required?: string[] };
  const properties: Record<string, Schema> = {};
  for (const [name, f] of Object.entries(full.properties ?? {})) {
    const text = [f.label, f.help ?? f.description].filter(Boolean).join(": ");
    properties[name] = text ? { description: text } : {};
  }
  return {
    type: "object",
    properties,
    additionalProperties: false,
    ...(full.required?.length ? { required: full.required } : {}),
  };
}

/** `if op is K then input is K's input`, one per operation. */
function inputsByOp(entries: CatalogEntry[]): Schema[] {
  return entries.map((e) => ({
    if: { properties: { op: { const: e.key } }, required: ["op"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: { properties: { input: inputSchema(e) } },
  }));
}

function opEnum(entries: CatalogEntry[], description: string): Schema {
  return {
    type: "string",
    description,
    enum: entries.map((e) => e.key),
    enumDescriptions: entries.map((e) => `${e.name}: ${e.description}`),
  };
}

export function flowJsonSchema(): Schema {
  const schema = z.toJSONSchema(FlowFileSchema, { target: "draft-2020-12", io: "input" }) as Schema & {
    properties: Record<string, Schema & { properties: Record<string, Schema>; items: Schema }>;
  };
  const triggers = CATALOG.filter((e) => e.kind === "trigger");
  const steps = CATALOG.filter(isStepEntry);

  const trigger = schema.properties.trigger;
  if (!trigger?.properties) throw new Error("flow schema: trigger has no properties");
  trigger.properties.op = opEnum(triggers, "Catalog trigger key, e.g. highlevel.events.contact-create.");
  trigger.oneOf = [{ required: ["op"] }, { required: ["webhook"] }];
  trigger.allOf = inputsByOp(triggers);

  const step = schema.properties.steps?.items as
    | (Schema & { properties: Record<string, Schema> })
    | undefined;
  if (!step?.properties) throw new Error("flow schema: steps have no properties");
  step.properties.op = opEnum(steps, "Catalog action key (or a trigger key whose read runs once).");
  step.allOf = inputsByOp(steps);
  return schema;
}
