// Entries described as plain JSON: what `ops list/describe`, the HTTP API, the MCP server and the
// docs show. Input fields come from the zod schema with their labels, help and option sources.
import { z } from "zod";
import { entryScopes } from "./registry.ts";
import type { CatalogEntry } from "./types.ts";

export interface EntrySummary {
  key: string;
  name: string;
  kind: CatalogEntry["kind"];
  category: string;
  description: string;
  seedName?: string;
  /** "polling" or "instant" for triggers; the idempotency class for actions. */
  mode: string;
  operations: string[];
  scopes: string[];
}

export function summarize(e: CatalogEntry): EntrySummary {
  return {
    key: e.key,
    name: e.name,
    kind: e.kind,
    category: e.category,
    description: e.description,
    ...(e.seedName ? { seedName: e.seedName } : {}),
    mode: e.kind === "action" ? e.idempotency : e.trigger.type,
    operations: e.operations,
    scopes: entryScopes(e),
  };
}

/** The input as JSON Schema (draft 2020-12), with each field's label/help/options kept as keywords. */
export function inputJsonSchema(e: CatalogEntry): Record<string, unknown> {
  return z.toJSONSchema(e.input, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

export function describeEntry(e: CatalogEntry): Record<string, unknown> {
  return {
    ...summarize(e),
    ...(e.help ? { help: e.help } : {}),
    input: inputJsonSchema(e),
    output: {
      description: e.output.description,
      sample: e.output.sample,
      // A declared shape goes out as JSON Schema (the zod object itself is no JSON).
      ...(e.output.schema
        ? { schema: z.toJSONSchema(e.output.schema, { io: "output", unrepresentable: "any" }) }
        : {}),
    },
    example: e.example,
    ...(e.kind === "trigger" && e.trigger.type === "polling"
      ? { polling: { dedupe: e.trigger.dedupe, request: e.trigger.describe } }
      : {}),
    ...(e.kind === "trigger" && e.trigger.type === "instant" ? { event: e.trigger.event } : {}),
  };
}
