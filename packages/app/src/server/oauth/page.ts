// What the OAuth endpoints answer: a browser lands on them, so by default a small HTML page that says
// what happened and what to do next; a client that asks for JSON gets the API's JSON shapes.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorBody } from "../http-errors.ts";

export function wantsJson(c: Context): boolean {
  const accept = c.req.header("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** A refusal: `{error, details?}` as JSON, or a page with the title and the message. */
export function oauthError(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  message: string,
  details?: unknown,
): Response {
  if (wantsJson(c)) return c.json(errorBody(`${title}: ${message}`, details), status);
  return c.html(page(title, [message], false), status);
}

export function oauthSuccess(c: Context, title: string, lines: string[], json: unknown): Response {
  if (wantsJson(c)) return c.json(json);
  return c.html(page(title, lines, true));
}

function page(title: string, lines: string[], ok: boolean): string {
  const color = ok ? "#1a7f37" : "#b42318";
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>hlconnect: ${escapeHtml(title)}</title>`,
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}",
    `h1{font-size:1.4rem;color:${color}}code{background:#f3f3f3;padding:0 .2em}</style>`,
    "</head><body>",
    `<h1>${escapeHtml(title)}</h1>`,
    ...lines.map((line) => `<p>${withCode(escapeHtml(line))}</p>`),
    "</body></html>",
  ].join("\n");
}

/** `text` spans (already escaped) become <code>: the messages are shared with the CLI, which shows the backticks. */
function withCode(escaped: string): string {
  return escaped.replace(/`([^`]+)`/g, "<code>$1</code>");
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] ?? ch,
  );
}
