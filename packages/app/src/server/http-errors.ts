// Every error the HTTP API answers is JSON `{error, details?}` with the status that fits. Routes throw
// HttpError for what the caller got wrong; store errors map to their natural status; anything else is
// a 500 whose cause goes to the log, not to the caller.
import { StoreError } from "@hlconnect/engine/store/errors";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppLogger } from "./logging.ts";

export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export function errorBody(message: string, details?: unknown): { error: string; details?: unknown } {
  return details === undefined ? { error: message } : { error: message, details };
}

const STORE_STATUS: Record<StoreError["code"], ContentfulStatusCode> = {
  not_found: 404,
  conflict: 409,
  invalid: 400,
  unavailable: 503,
};

export function handleError(err: unknown, c: Context, logger: AppLogger): Response {
  if (err instanceof HttpError) return c.json(errorBody(err.message, err.details), err.status);
  if (err instanceof StoreError) {
    const status = STORE_STATUS[err.code];
    if (status >= 500) logger.error({ error: err, path: c.req.path }, "store unavailable");
    return c.json(errorBody(err.message), status);
  }
  logger.error({ error: err, method: c.req.method, path: c.req.path }, "request failed");
  return c.json(errorBody("internal error: see the server log"), 500);
}

/** The JSON body, or a 400 that quotes the parse error. An empty body counts as `{}`. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** The JSON body as an object (400 for arrays, strings and the like). */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const body = await readJson(c);
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "the request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** A required string field of a body, or a 400 naming it. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== "string" || v.trim() === "") {
    throw new HttpError(400, `"${field}" is required and must be a non-empty string`);
  }
  return v;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new HttpError(400, `"${field}" must be a string`);
  return v;
}
