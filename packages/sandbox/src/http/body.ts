// Raw request bodies and how HighLevel's framework reads them: JSON only with a JSON
// content type (otherwise the body is empty, so required fields fail validation), forms
// for the OAuth endpoints.
import type { IncomingMessage } from "node:http";
import { badRequest } from "./errors.ts";

const MAX_BODY = 10 * 1024 * 1024;

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function parseForm(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

/** The parsed body, or undefined when there is none (or its content type is not understood). */
export function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? "").toLowerCase();
  const text = raw.toString("utf8");
  if (type.includes("application/json") || type.includes("+json")) {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw badRequest(e instanceof Error ? e.message : "Invalid JSON", { error: "Bad Request" });
    }
  }
  if (type.includes("application/x-www-form-urlencoded")) return parseForm(text);
  return undefined;
}

/** Query parameters as an object; repeated keys become arrays. */
export function parseQuery(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
