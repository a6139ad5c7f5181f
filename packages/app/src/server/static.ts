// The web app's files (packages/web/dist, built by Vite): hashed /assets/* cached for a year, other
// files of the folder as they are, and index.html for every other browser navigation so the app's own
// router can show the page (SPA fallback). The API, hooks, OAuth, /healthz, /metrics and /mcp never
// fall back. When the app is not built, a page says how to build it instead of a bare 404.
import type { Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { Hono } from "hono";
import { htmlPage, isMachinePath } from "./error-pages.ts";
import { escapeHtml } from "./oauth/page.ts";

/** packages/web/dist, found from this file so it does not depend on the working directory. */
export const DEFAULT_WEB_DIST = path.resolve(import.meta.dirname, "../../../web/dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".woff": "font/woff",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** The page and its scripts come from here only; nothing loads from elsewhere. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  // The one-click sign-in link carries the token in its query: never pass it on as a referrer.
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

export function staticRoutes(distDir: string = DEFAULT_WEB_DIST): Hono {
  const app = new Hono();
  const root = path.resolve(distDir);
  const indexFile = path.join(root, "index.html");
  // index.html is read once and kept while its size and modification time stay the same (a rebuild of
  // the web app replaces it, and the next navigation reads the new one).
  let index: { mtimeMs: number; size: number; body: Buffer<ArrayBuffer> } | undefined;
  const indexBody = async (found: Stats): Promise<Buffer<ArrayBuffer>> => {
    if (index?.mtimeMs === found.mtimeMs && index.size === found.size) return index.body;
    const body = await readFile(indexFile);
    index = { mtimeMs: found.mtimeMs, size: found.size, body };
    return body;
  };

  app.on(["GET", "HEAD"], "*", async (c, next) => {
    const pathname = c.req.path;
    if (isMachinePath(pathname)) return next();
    const indexFound = await stat(indexFile).catch(() => undefined);
    if (!indexFound) {
      if (pathname.startsWith("/assets/")) return next();
      if (!(c.req.header("accept") ?? "").includes("text/html") && pathname !== "/") return next();
      return c.html(
        htmlPage("The web app is not built yet", [
          "This server answers the JSON API under <code>/api/</code>, but the browser app's files are missing " +
            `(looked in <code>${escapeHtml(root)}</code>).`,
          "Build it with <code>npm run build</code> in the repository (<code>npm ci</code> does it too), " +
            "then reload this page.",
        ]),
        503,
        PAGE_HEADERS,
      );
    }
    const file = resolveInside(root, pathname);
    if (file && pathname !== "/" && pathname !== "/index.html") {
      const found = await stat(file).catch(() => undefined);
      if (found?.isFile()) {
        const immutable = pathname.startsWith("/assets/");
        return c.body(await readFile(file), 200, {
          "content-type": TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "public, max-age=300",
          "x-content-type-options": "nosniff",
        });
      }
    }
    // A missing asset is a 404, not the app's page (a stale tab would otherwise run HTML as script).
    if (pathname.startsWith("/assets/")) return next();
    const accept = c.req.header("accept") ?? "";
    if (pathname !== "/" && !accept.includes("text/html")) return next();
    return c.body(await indexBody(indexFound), 200, {
      "content-type": TYPES[".html"]!,
      // The page names the current hashed assets, so it is always checked afresh.
      "cache-control": "no-cache",
      ...PAGE_HEADERS,
    });
  });

  return app;
}

/** The file a URL path names inside root, or undefined when it would step outside it. */
function resolveInside(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(decoded)}`);
  return file.startsWith(root + path.sep) ? file : undefined;
}
