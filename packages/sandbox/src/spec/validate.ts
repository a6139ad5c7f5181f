// Request and response validation against the (patched) official documents, with ajv.
// Validators are compiled lazily per operation so that startup stays fast.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { getOperation, loadSpec, type SpecOperation } from "./load.ts";

export interface ValidationResult {
  valid: boolean;
  /** One message per problem, worded like HighLevel's 422 messages. */
  errors: string[];
}

export interface ResponseValidationResult extends ValidationResult {
  /** False when the operation declares no JSON schema for that status: nothing was checked. */
  declared: boolean;
}

export interface RequestParts {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  body?: unknown;
}

export interface ValidateRequestOptions {
  /** Require the Version header to equal the value the spec declares (the sandbox accepts any date). */
  strictVersion?: boolean;
}

function lenientDate(value: string): boolean {
  return !Number.isNaN(Date.parse(value));
}

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    strict: false, // the documents carry OpenAPI keywords (example, ...) that are not JSON Schema
    allErrors: true,
    validateSchema: false,
    coerceTypes: coerce ? "array" : false,
  });
  // HighLevel validates dates with ISO-8601 parsing, which accepts a bare date too.
  ajv.addFormat("date-time", lenientDate);
  ajv.addFormat("date", lenientDate);
  ajv.addFormat("binary", () => true);
  for (const [id, doc] of loadSpec().documents) ajv.addSchema(doc as object, id);
  return ajv;
}

let strictAjv: Ajv | undefined;
let coercingAjv: Ajv | undefined;
const strict = () => (strictAjv ??= makeAjv(false));
const coercing = () => (coercingAjv ??= makeAjv(true));

interface Compiled {
  params?: ValidateFunction;
  body?: ValidateFunction | null;
  responses: Map<string, ValidateFunction | null>;
}
const compiled = new Map<string, Compiled>();

function entry(op: SpecOperation): Compiled {
  let c = compiled.get(op.key);
  if (!c) {
    c = { responses: new Map() };
    compiled.set(op.key, c);
  }
  return c;
}

function paramsValidator(op: SpecOperation): ValidateFunction {
  const c = entry(op);
  if (!c.params) {
    const groups: Record<
      string,
      { type: "object"; properties: Record<string, unknown>; required: string[] }
    > = {};
    for (const where of ["path", "query", "header"] as const) {
      groups[where] = { type: "object", properties: {}, required: [] };
    }
    for (const p of op.parameters) {
      const g = groups[p.in]!;
      g.properties[p.name] = p.schemaRef ? { $ref: p.schemaRef } : { type: "string" };
      if (p.required) g.required.push(p.name);
    }
    c.params = coercing().compile({ type: "object", properties: groups });
  }
  return c.params;
}

function bodyValidator(op: SpecOperation): ValidateFunction | null {
  const c = entry(op);
  if (c.body === undefined) {
    const b = op.body;
    if (!b?.schemaRef || b.contentType === "multipart/form-data") c.body = null;
    else {
      // Form bodies arrive as strings, so they are coerced like query parameters.
      const ajv = b.contentType === "application/x-www-form-urlencoded" ? coercing() : strict();
      c.body = ajv.compile({ $ref: b.schemaRef });
    }
  }
  return c.body;
}

function responseValidator(op: SpecOperation, status: string): ValidateFunction | null {
  const c = entry(op);
  if (!c.responses.has(status)) {
    const ref = op.responses[status];
    c.responses.set(status, ref ? strict().compile({ $ref: ref }) : null);
  }
  return c.responses.get(status) ?? null;
}

function fieldName(instancePath: string, strip: number): string {
  return instancePath
    .split("/")
    .slice(1 + strip)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}

function describe(e: ErrorObject, strip: number): string {
  const base = fieldName(e.instancePath, strip);
  const at = (name: string) => (base ? `${base}.${name}` : name);
  const name = base || "body";
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `${at(String(p.missingProperty))} should not be empty`;
    case "type": {
      const t = String(p.type).replace(/,null$/, "");
      if (t === "array") return `${name} must be an array`;
      if (t === "object") return `${name} must be an object`;
      if (t === "integer") return `${name} must be an integer number`;
      return `${name} must be a ${t}`;
    }
    case "enum":
      return `${name} must be one of the following values: ${(p.allowedValues as unknown[]).join(", ")}`;
    case "maximum":
      return `${name} must not be greater than ${p.limit}`;
    case "minimum":
      return `${name} must not be less than ${p.limit}`;
    case "exclusiveMaximum":
      return `${name} must be less than ${p.limit}`;
    case "exclusiveMinimum":
      return `${name} must be greater than ${p.limit}`;
    case "maxLength":
      return `${name} must be shorter than or equal to ${p.limit} characters`;
    case "minLength":
      return `${name} must be longer than or equal to ${p.limit} characters`;
    case "maxItems":
      return `${name} must contain no more than ${p.limit} elements`;
    case "minItems":
      return `${name} must contain at least ${p.limit} elements`;
    case "format":
      return p.format === "date-time" || p.format === "date"
        ? `${name} must be a valid ISO 8601 date string`
        : `${name} must be a valid ${p.format}`;
    case "pattern":
      return `${name} must match ${p.pattern} regular expression`;
    case "additionalProperties":
      return `property ${at(String(p.additionalProperty))} should not exist`;
    case "anyOf":
    case "oneOf":
      return `${name} does not match any allowed shape`;
    default:
      return `${name} ${e.message ?? "is invalid"}`;
  }
}

/** Turn ajv errors into HighLevel-style messages; branch errors under a failed anyOf/oneOf are folded. */
export function formatErrors(errors: ErrorObject[] | null | undefined, strip = 0): string[] {
  if (!errors?.length) return [];
  const unions = errors
    .filter((e) => e.keyword === "anyOf" || e.keyword === "oneOf")
    .map((e) => e.instancePath);
  const kept = errors.filter(
    (e) =>
      e.keyword === "anyOf" ||
      e.keyword === "oneOf" ||
      !unions.some((u) => e.instancePath === u || e.instancePath.startsWith(`${u}/`)),
  );
  return [...new Set(kept.map((e) => describe(e, strip)))];
}

function lowerKeys(h: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = v;
  return out;
}

export const VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Check the parameters and body of a request. Query and path values may be strings (they
 * are coerced like the server does, and the given objects are coerced in place).
 */
export function checkRequest(
  op: SpecOperation,
  parts: RequestParts,
  options: ValidateRequestOptions & { checkVersion?: boolean } = {},
): ValidationResult {
  const errors: string[] = [];
  const headers = lowerKeys(parts.headers);
  if (options.checkVersion !== false) {
    const v = headers.version;
    if (typeof v !== "string" || !v) errors.push("version header was not found");
    else if (!VERSION_PATTERN.test(v)) errors.push("version header must be a date such as 2021-07-28");
    else if (options.strictVersion && op.version && v !== op.version) {
      errors.push(`version header must be ${op.version} for ${op.key}`);
    }
  }
  const header: Record<string, unknown> = {};
  for (const p of op.parameters) {
    if (p.in === "header" && headers[p.name.toLowerCase()] !== undefined) {
      header[p.name] = headers[p.name.toLowerCase()];
    }
  }
  const data = { path: parts.path ?? {}, query: parts.query ?? {}, header };
  const pv = paramsValidator(op);
  if (!pv(data)) errors.push(...formatErrors(pv.errors, 1));
  const bv = bodyValidator(op);
  if (bv) {
    const body = parts.body === undefined || parts.body === null ? {} : parts.body;
    if (!bv(body)) errors.push(...formatErrors(bv.errors));
  }
  return { valid: errors.length === 0, errors: [...new Set(errors)] };
}

/** Validate a request against the official spec, by operation key or operationId. */
export function validateRequest(
  operationId: string,
  parts: RequestParts,
  options: ValidateRequestOptions = {},
): ValidationResult {
  return checkRequest(getOperation(operationId), parts, options);
}

/** Validate a response body against the schema the spec declares for that status. */
export function validateResponse(
  operationId: string,
  status: number,
  body: unknown,
): ResponseValidationResult {
  const op = getOperation(operationId);
  const v = responseValidator(op, String(status));
  if (!v) return { valid: true, errors: [], declared: false };
  const ok = v(body);
  return { valid: ok, errors: ok ? [] : formatErrors(v.errors), declared: true };
}

/** Compile every validator (used by a test to prove that every operation's schemas compile). */
export function compileAll(): number {
  let n = 0;
  for (const op of loadSpec().operations) {
    paramsValidator(op);
    bodyValidator(op);
    for (const status of Object.keys(op.responses)) responseValidator(op, status);
    n++;
  }
  return n;
}
