// Writing answers: JSON with a traceId (in the body of JSON objects and in a header).
import type { ServerResponse } from "node:http";

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  traceId: string,
  headers: Record<string, string> = {},
): void {
  const payload =
    body && typeof body === "object" && !Array.isArray(body) ? { ...(body as object), traceId } : body;
  const text = payload === undefined ? "" : JSON.stringify(payload);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    traceId,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
