// The raw API request: any of the API's operations by key, for what no curated entry covers.
// Parameters and body are checked against the operation's request schema before anything is
// sent, so a typo costs no request and the error names the field.
import {
  closest,
  getOperation,
  HighLevelError,
  isSafeToRepeat,
  type OperationSpec,
  requestSchema,
} from "@hlconnect/client";
import { z } from "zod";
import { defineAction } from "../define.ts";
import { meta } from "../fields.ts";
import { withContextBody, withContextParams } from "../operation-input.ts";
import type { CatalogContext, CatalogEntry, IdempotencyClass } from "../types.ts";
import { sample } from "./locations.ts";

type Json = Record<string, unknown>;

/**
 * The documents type some fields `object` while their own example or default is a scalar
 * (association labels: `{"type": "object", "example": "student"}`): HighLevel takes the scalar.
 * Such a node keeps its other constraints and loses the type, as the sandbox does too.
 */
function repair(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repair);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    // Examples are documentation, not constraints.
    if (k === "example" || k === "examples") continue;
    out[k] = k === "properties" || k === "patternProperties" ? repairMap(v) : repair(v);
  }
  const o = node as Json;
  const scalar = (v: unknown) => v !== undefined && v !== null && typeof v !== "object";
  if (o.type === "object" && (scalar(o.example) || scalar(o.default))) delete out.type;
  if (o.type === "any") delete out.type;
  return out;
}

function repairMap(v: unknown): unknown {
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v as Json).map(([k, s]) => [k, repair(s)]));
}

function toZod(schema: unknown): z.ZodType {
  try {
    return z.fromJSONSchema(repair(schema) as Parameters<typeof z.fromJSONSchema>[0], {
      defaultTarget: "openapi-3.0",
    });
  } catch {
    return z.unknown();
  }
}

interface Validators {
  op: OperationSpec;
  params: Map<string, { schema: z.ZodType; type: string | undefined; required: boolean }>;
  body: z.ZodType | null;
}

const compiled = new Map<string, Validators>();

function validatorsFor(op: OperationSpec): Validators {
  let v = compiled.get(op.key);
  if (v) return v;
  const rs = requestSchema(op.key);
  const params = new Map<string, { schema: z.ZodType; type: string | undefined; required: boolean }>();
  // The operation table declares every parameter (also those the documents forgot to declare).
  for (const p of op.parameters) {
    const documented = rs?.params.find((x) => x.name === p.name)?.schema;
    params.set(p.name, {
      schema: documented ? toZod(documented) : z.unknown(),
      type: (documented?.type as string | undefined) ?? p.type,
      required: p.required,
    });
  }
  v = { op, params, body: op.body ? (rs?.body ? toZod(rs.body) : z.unknown()) : null };
  compiled.set(op.key, v);
  return v;
}

/** Query values travel as text: "2" is a fine number, "true" a fine boolean. */
function coerce(value: unknown, type: string | undefined): unknown {
  if (typeof value !== "string") return value;
  if ((type === "number" || type === "integer") && value.trim() !== "" && !Number.isNaN(Number(value)))
    return Number(value);
  if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
  return value;
}

/** Parameters the connection fills when they are left out (as the client and curated entries do). */
const CONTEXT_PARAMS = new Set(["locationId", "location_id", "altId", "altType", "companyId"]);

type Issue = { path: PropertyKey[]; message: string };

/** Every problem with a call, each naming its field; empty when the call may be sent. */
export function checkRequest(op: OperationSpec, params: Json, body: unknown): Issue[] {
  const v = validatorsFor(op);
  const issues: Issue[] = [];
  for (const [name, value] of Object.entries(params)) {
    const p = v.params.get(name);
    if (!p) {
      const near = closest(name, [...v.params.keys()], 2);
      issues.push({
        path: ["params", name],
        message: `${op.key} has no parameter "${name}"${near.length ? ` (did you mean ${near.map((n) => `"${n}"`).join(" or ")}?)` : ""}; its parameters: ${[...v.params.keys()].join(", ") || "none"}`,
      });
      continue;
    }
    if (value === undefined) continue;
    const values = Array.isArray(value) && p.type !== "array" ? value : [value];
    for (const item of values) {
      const r = p.schema.safeParse(coerce(item, p.type));
      if (!r.success) {
        for (const i of r.error.issues)
          issues.push({ path: ["params", name, ...i.path], message: i.message });
      }
    }
  }
  for (const [name, p] of v.params) {
    if (p.required && params[name] === undefined && !CONTEXT_PARAMS.has(name)) {
      issues.push({ path: ["params", name], message: `${op.key} needs the parameter "${name}"` });
    }
  }
  if (!v.body) {
    if (body !== undefined) issues.push({ path: ["body"], message: `${op.key} takes no request body` });
  } else {
    // A body left out is sent as {} (with the connection's fields), so it is checked as such.
    const r = v.body.safeParse(withContext(PLACEHOLDERS, op, body ?? {}));
    if (!r.success)
      for (const i of r.error.issues) issues.push({ path: ["body", ...i.path], message: i.message });
  }
  return issues;
}

/** What the connection fills in, as far as checking a call before it is sent needs to know. */
type Filled = Pick<CatalogContext, "locationId" | "companyId">;
const PLACEHOLDERS: Filled = { locationId: "connection-location", companyId: "connection-company" };

/** The body's location and company fields the connection fills when the body declares and lacks them. */
function withContext(ctx: Filled, op: OperationSpec, body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  return withContextBody(ctx, op, body as Json);
}

/** How a given call may be repeated: reads and operations safe to repeat are "safe", the rest "unsafe". */
export function rawRequestIdempotency(operation: string): IdempotencyClass {
  return isSafeToRepeat(getOperation(operation)) ? "safe" : "unsafe";
}

const input = z
  .strictObject({
    operation: meta(z.string().trim().min(1, "operation must not be empty"), {
      label: "Operation",
      help: "An operation key, e.g. get-contacts or contacts:create-association (`hlconnect api list` lists all 576).",
    }),
    params: meta(z.record(z.string(), z.unknown()), {
      label: "Parameters",
      help: "Path and query parameters by name; locationId and companyId default to the connection's.",
    }).default({}),
    body: meta(z.unknown(), {
      label: "Body",
      help: "The JSON body, for operations that take one. A declared locationId/altId/companyId left out is the connection's.",
    }).optional(),
  })
  .superRefine((v, ctx) => {
    let op: OperationSpec;
    try {
      op = getOperation(v.operation);
    } catch (err) {
      ctx.addIssue({
        code: "custom",
        path: ["operation"],
        message: err instanceof Error ? err.message : String(err),
      });
      return;
    }
    for (const i of checkRequest(op, v.params, v.body))
      ctx.addIssue({ code: "custom", path: i.path, message: i.message });
  });

export const rawRequestEntries: CatalogEntry[] = [
  defineAction({
    key: "highlevel.api.request",
    name: "Raw API Request",
    description: "Call any HighLevel API operation by its key",
    category: "Other Operations",
    help:
      "Any of the API's operations by key, with its parameters and body checked against the operation's request schema before anything is sent (errors name the field). " +
      "The answer is HighLevel's, as it is. Whether a failed call may be repeated depends on the operation: reads and idempotent writes are safe, " +
      "sends and creates are not; the entry is declared unsafe and never repeated automatically (rawRequestIdempotency tells the class of one call).",
    operations: [],
    idempotency: "unsafe",
    input,
    output: {
      description: "The API's answer for the operation, as it is (for the example, {contacts, meta}).",
      sample: sample("get-contacts"),
    },
    example: { operation: "get-contacts", params: { limit: 2 } },
    run: async (ctx, v) => {
      const op = getOperation(v.operation);
      const params: Json = {};
      for (const [name, value] of Object.entries(v.params)) {
        if (value !== undefined) params[name] = value;
      }
      Object.assign(params, withContextParams(ctx, op, params));
      const body = withContext(ctx, op, v.body);
      if (body !== undefined && !op.body) {
        throw new HighLevelError(`${op.key} takes no request body`, { code: "INVALID_REQUEST" });
      }
      return ctx.client.callByKey(op.key, params, op.body ? (body ?? {}) : undefined);
    },
  }),
];
