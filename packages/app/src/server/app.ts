// The HTTP server as a hono app: the JSON API under /api/ (bearer token), the webhook endpoints (their
// own authentication: signatures and per-flow secrets), the OAuth start and callback, /healthz and
// /metrics. Built over an Engine so tests can drive it in-process with app.request().
import { registerSecret } from "@hlconnect/client";
import type { Engine } from "@hlconnect/engine/engine";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { routePath } from "hono/route";
import { mcpRoutes } from "../mcp/http.ts";
import { isApiCaller, apiAuth as makeApiAuth } from "./auth.ts";
import type { ServerDeps } from "./deps.ts";
import { errorPage, wantsPage } from "./error-pages.ts";
import { errorBody, handleError } from "./http-errors.ts";
import { mountLazy, type RouteTable } from "./lazy-routes.ts";
import type { AppLogger } from "./logging.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { builderRoutes } from "./routes/builder.ts";
import { connectionExtraRoutes } from "./routes/connection-extras.ts";
import { connectionRoutes } from "./routes/connections.ts";
import { flowRoutes } from "./routes/flows.ts";
import { healthRoutes } from "./routes/health.ts";
import { type OAuthRouteOptions, oauthRoutes } from "./routes/oauth.ts";
import { overviewRoutes } from "./routes/overview.ts";
import { runRoutes } from "./routes/runs.ts";
import { sessionRoutes } from "./routes/session.ts";
import { templateRoutes } from "./routes/templates.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { SessionStore } from "./session.ts";
import { staticRoutes } from "./static.ts";

/** Flow files and connection forms are small; anything near this is a mistake or an attack. */
const MAX_API_BODY_BYTES = 1024 * 1024;

/** The routes of routes/imports.ts and routes/catalog.ts, loaded on first use (checked by a test). */
export const IMPORT_ROUTES: RouteTable = [
  ["POST", "/"],
  ["GET", "/"],
  ["POST", "/:id/resume"],
  ["GET", "/:id"],
];
export const CATALOG_ROUTES: RouteTable = [
  ["GET", "/"],
  ["GET", "/:key"],
];

export interface AppOptions {
  engine: Engine;
  /** HLCONNECT_API_TOKEN: what /api/ requests must carry as `Authorization: Bearer ...`. */
  apiToken: string;
  logger: AppLogger;
  /** Default: a fresh registry following this engine. */
  metrics?: Metrics;
  /** Require the API token on /metrics too (HLCONNECT_METRICS_AUTH, for servers bound beyond loopback). */
  metricsAuth?: boolean;
  /** The marketplace app and public URL for OAuth connections (GET /oauth/start, /oauth/callback). */
  oauth?: OAuthRouteOptions;
  /** The built web app (default packages/web/dist next to this package). */
  webDist?: string;
  /** Demo mode: the sandbox the web app shows a banner for. */
  sandbox?: { baseUrl: string; locationId: string };
  /** Browser sessions (default: a fresh in-memory store). */
  sessions?: SessionStore;
  /** Flows saved through the API are written here as `<id>.yaml` (default: the store only). */
  flowsDir?: string;
  /** The data folder: past BatchLeads imports are kept in it. */
  dataDir?: string;
}

export function createApp(options: AppOptions): { app: Hono; metrics: Metrics } {
  // Should the token ever reach a log line or an error message, it is scrubbed there.
  registerSecret(options.apiToken);
  const metrics = options.metrics ?? createMetrics(options.engine);
  const deps: ServerDeps = {
    engine: options.engine,
    logger: options.logger,
    metrics,
    ...(options.flowsDir ? { flowsDir: options.flowsDir } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  };
  const app = new Hono();

  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    // The route of the handler that answered; routePath(c, -1) would be the last match, which for
    // every GET is the web app's catch-all.
    const route = routePath(c);
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    // The path only: a query string may carry a hook secret.
    options.logger[c.res.status >= 500 ? "warn" : "debug"](
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
  });

  const sessions = options.sessions ?? new SessionStore();
  const apiAuth = makeApiAuth(options.apiToken, sessions);
  // Signing in needs no credentials yet: mounted before the API's auth so it answers first.
  const signIn = sessionRoutes({
    apiToken: options.apiToken,
    sessions,
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
  });
  app.route("/api/session", signIn.api);
  app.route("/login", signIn.login);
  // Describes the API, holds no data: readable without signing in (tools fetch it as is).
  // Built with the first request (the module is a large literal nobody needs at start).
  let spec: Promise<unknown> | undefined;
  app.get("/api/openapi.json", async (c) => {
    spec ??= import("./openapi.ts").then(
      (m) => m.openApiDocument(),
      (err: unknown) => {
        spec = undefined; // tried again by the next request
        throw err;
      },
    );
    return c.json(await spec);
  });
  const api = new Hono();
  api.use("*", apiAuth);
  const apiBodyLimit = bodyLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: (c) => c.json(errorBody(`the body is larger than ${MAX_API_BODY_BYTES} bytes`), 413),
  });
  // Uploads of BatchLeads exports have their own, larger limit (routes/imports.ts).
  api.use("*", (c, next) => (c.req.path === "/api/imports" ? next() : apiBodyLimit(c, next)));

  api.route("/", templateRoutes(deps));
  api.route("/", builderRoutes(deps));
  // Loaded with their first request (issue 14: `serve` answers sooner without them): the BatchLeads
  // import (its CSV and XLSX readers) and the catalog's descriptions.
  mountLazy(
    api,
    "/imports",
    "/api/imports",
    IMPORT_ROUTES,
    async () => (await import("./routes/imports.ts")).importRoutes(deps).routes,
  );
  api.route("/", connectionExtraRoutes(deps, Boolean(options.oauth?.settings)));
  api.route("/overview", overviewRoutes(deps, Boolean(options.sandbox)));
  api.route("/flows", flowRoutes(deps));
  api.route("/runs", runRoutes(deps));
  api.route("/connections", connectionRoutes(deps));
  mountLazy(api, "/catalog", "/api/catalog", CATALOG_ROUTES, async () =>
    (await import("./routes/catalog.ts")).catalogRoutes(),
  );
  app.route("/api", api);
  // MCP tools for AI agents (Streamable HTTP), behind the same bearer token as the API.
  app.route("/mcp", mcpRoutes(deps, options.apiToken));
  app.route("/oauth", oauthRoutes(deps, options.oauth ?? {}, apiAuth));
  app.route("/", webhookRoutes(deps));
  app.route(
    "/",
    healthRoutes(deps, options.metricsAuth ? apiAuth : undefined, isApiCaller(options.apiToken, sessions)),
  );
  app.route("/", staticRoutes(options.webDist));

  app.notFound((c) =>
    wantsPage(c) ? errorPage(c, 404) : c.json(errorBody(`no route for ${c.req.method} ${c.req.path}`), 404),
  );
  app.onError((err, c) => {
    const res = handleError(err, c, options.logger);
    return wantsPage(c) && res.status >= 500 ? errorPage(c, 500) : res;
  });
  return { app, metrics };
}
