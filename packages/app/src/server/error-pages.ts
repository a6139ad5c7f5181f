// What a browser sees when something goes wrong outside the JSON API: a short page that says what
// happened and what to do next. Never a stack trace; the cause goes to the server log.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { escapeHtml } from "./oauth/page.ts";

/** Paths whose answers are for programs: always JSON (or their own format), never the web app. */
export const MACHINE_PREFIXES = ["/api", "/hooks", "/webhooks", "/oauth", "/healthz", "/metrics", "/mcp"];

export function isMachinePath(pathname: string): boolean {
  return MACHINE_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}

/** A browser navigation (it asks for HTML) to a page of the web app. */
export function wantsPage(c: Context): boolean {
  return (
    (c.req.method === "GET" || c.req.method === "HEAD") &&
    !isMachinePath(c.req.path) &&
    (c.req.header("accept") ?? "").includes("text/html")
  );
}

export function htmlPage(title: string, paragraphs: string[]): string {
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>hlconnect: ${escapeHtml(title)}</title>`,
    "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}",
    "h1{font-size:1.4rem}code{background:#f3f3f3;padding:0 .2em}</style>",
    "</head><body>",
    `<main><h1>${escapeHtml(title)}</h1>`,
    // Paragraphs are trusted templates from this module's callers: they may hold <code> and links.
    ...paragraphs.map((p) => `<p>${p}</p>`),
    "</main></body></html>",
  ].join("\n");
}

export function errorPage(c: Context, status: ContentfulStatusCode): Response {
  const [title, next] =
    status === 404
      ? ["Page not found", 'Check the address, or go to <a href="/">the home page</a>.']
      : [
          "Something went wrong",
          'The server could not answer this page; the cause is in the server\'s log. Try again, or go to <a href="/">the home page</a>.',
        ];
  return c.html(htmlPage(title, [next]), status);
}
