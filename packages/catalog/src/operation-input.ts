// Entries that wrap one API operation take their input fields from the operation's own request
// schema (so they can never drift from the spec) and add the curated parts on top: labels, help,
// formats, option sources. Calling splits the input back into parameters and body.
import { getOperation, type OperationSpec, requestSchema } from "@hlconnect/client";
import { z } from "zod";
import { meta } from "./fields.ts";
import type { CatalogContext } from "./types.ts";

export interface SpecFieldsOptions {
  /** Keep only these fields (parameters and body properties). */
  pick?: string[];
  omit?: string[];
  labels?: Record<string, string>;
  help?: Record<string, string>;
  /** Curated schemas that replace the generated ones (phones, dates, option sources...). */
  override?: Record<string, z.ZodType>;
  /** Make fields required or optional against what the spec says. */
  required?: string[];
  optional?: string[];
}

/** Fields filled from the connection, never asked of a person. */
const CONTEXT_FIELDS = new Set(["locationId", "location_id", "altId", "altType", "companyId"]);

export function humanize(name: string): string {
  const words = name
    .replace(/_/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/\bId\b/g, "ID")
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function specFields(opKey: string, opts: SpecFieldsOptions = {}): Record<string, z.ZodType> {
  const op = getOperation(opKey);
  const rs = requestSchema(op.key);
  if (!rs) throw new Error(`no request schema for ${opKey}`);
  const props: Array<{ name: string; schema: Record<string, unknown>; required: boolean; help?: string }> =
    [];
  for (const p of rs.params) {
    props.push({
      name: p.name,
      schema: (p.schema ?? { type: "string" }) as Record<string, unknown>,
      required: p.in === "path" || Boolean(p.required),
      ...(p.description ? { help: p.description } : {}),
    });
  }
  const body = rs.body as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  } | null;
  for (const [name, schema] of Object.entries(body?.properties ?? {})) {
    if (props.some((p) => p.name === name)) continue;
    props.push({
      name,
      schema,
      required: Boolean(body?.required?.includes(name)),
      ...(typeof schema.description === "string" ? { help: schema.description } : {}),
    });
  }
  const shape: Record<string, z.ZodType> = {};
  for (const p of props) {
    if (CONTEXT_FIELDS.has(p.name) && !opts.pick?.includes(p.name)) continue;
    if (opts.pick && !opts.pick.includes(p.name)) continue;
    if (opts.omit?.includes(p.name)) continue;
    let field: z.ZodType =
      opts.override?.[p.name] ??
      meta(fromSpec(p.schema), {
        label: opts.labels?.[p.name] ?? humanize(p.name),
        ...((opts.help?.[p.name] ?? p.help) ? { help: (opts.help?.[p.name] ?? p.help) as string } : {}),
      });
    const required = opts.required?.includes(p.name) || (p.required && !opts.optional?.includes(p.name));
    if (!required) field = field.optional();
    shape[p.name] = field;
  }
  for (const [name, schema] of Object.entries(opts.override ?? {})) {
    if (!(name in shape)) shape[name] = schema;
  }
  return shape;
}

function fromSpec(schema: Record<string, unknown>): z.ZodType {
  try {
    // Examples in the spec are documentation, not constraints.
    const { example: _e, ...rest } = schema;
    return z.fromJSONSchema(rest as Parameters<typeof z.fromJSONSchema>[0], { defaultTarget: "openapi-3.0" });
  } catch {
    return z.unknown();
  }
}

/** Fill the parameters the connection knows (location, company) where the caller left them out. */
export function withContextParams(
  ctx: Pick<CatalogContext, "locationId" | "companyId">,
  op: OperationSpec,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...params };
  for (const p of op.parameters) {
    if (out[p.name] !== undefined) continue;
    if (p.name === "locationId" || p.name === "location_id" || p.name === "altId")
      out[p.name] = ctx.locationId;
    else if (p.name === "altType") out[p.name] = "location";
    else if (p.name === "companyId" && ctx.companyId) out[p.name] = ctx.companyId;
  }
  return out;
}

/** Fill the body fields the connection knows, where the operation's body schema has them. */
export function withContextBody(
  ctx: Pick<CatalogContext, "locationId" | "companyId">,
  op: OperationSpec,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const props =
    (requestSchema(op.key)?.body as { properties?: Record<string, unknown> } | null)?.properties ?? {};
  const out = { ...body };
  if ("locationId" in props && out.locationId === undefined) out.locationId = ctx.locationId;
  if ("altId" in props && out.altId === undefined) out.altId = ctx.locationId;
  if ("altType" in props && out.altType === undefined) out.altType = "location";
  if ("companyId" in props && out.companyId === undefined && ctx.companyId) out.companyId = ctx.companyId;
  return out;
}

/** Call an operation with an entry's validated input: declared parameters go to params, the rest to the body. */
export async function callOperation(
  ctx: CatalogContext,
  opKey: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const op = getOperation(opKey);
  const paramNames = new Set(op.parameters.map((p) => p.name));
  const params: Record<string, unknown> = {};
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (paramNames.has(k)) params[k] = v;
    else body[k] = v;
  }
  const filled = withContextParams(ctx, op, params);
  if (!op.body) return ctx.client.callByKey(op.key, filled);
  return ctx.client.callByKey(op.key, filled, withContextBody(ctx, op, body));
}
