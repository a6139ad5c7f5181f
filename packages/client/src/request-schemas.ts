// The request schemas of every operation (parameters and body, $refs inlined), generated from the
// specs. Loaded on first use: most programs never need them.
import { readFileSync } from "node:fs";

export interface ParameterSchema {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  description?: string;
  example?: unknown;
  schema?: Record<string, unknown>;
}

export interface RequestSchema {
  params: ParameterSchema[];
  /** JSON schema (OpenAPI 3.0 dialect) of the body, or null when the operation takes none. */
  body: Record<string, unknown> | null;
  /** The documented success status (200, 201...) and a sample answer built from the spec's examples. */
  responseStatus: number | null;
  responseSample: unknown;
}

let table: Record<string, RequestSchema> | undefined;

export function requestSchema(key: string): RequestSchema | undefined {
  table ??= JSON.parse(
    readFileSync(new URL("./generated/request-schemas.json", import.meta.url), "utf8"),
  ) as Record<string, RequestSchema>;
  return table[key];
}
