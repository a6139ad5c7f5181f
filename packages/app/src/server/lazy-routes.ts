// A route module that is imported and built with the first request under its prefix, so `serve` does
// not load it at start (issue 14). Hono cannot add routes once it answers, so the module gets its own
// small app, mounted at the same full prefix, and requests are handed to it. To the rest of the server
// it behaves as if mounted with app.route(): the caller's middleware has run, its context variables
// are visible, errors reach the main app's error handler, a path the module does not know falls
// through to the main app's next handlers, and the metrics see the module's route pattern.
import type { Context, Hono as HonoApp, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { routePath } from "hono/route";

/** The route pattern a lazily mounted module matched, by the main app's context. */
const matchedPattern = new WeakMap<Context, string>();

/** The route pattern of a request, for the metrics' labels (routePath(c, -1) when not lazy). */
export function routeLabel(c: Context): string {
  return matchedPattern.get(c) ?? routePath(c, -1);
}

/** A header only between the module's app and the handler below: the module has no such route. */
const UNMATCHED = "x-hlconnect-lazy-unmatched";

/**
 * The handler to register for `prefix/*` (which also matches `prefix`), where `prefix` is the full path
 * (e.g. "/api/imports") even when registered on a sub-app. `load` imports
 * the module and builds its routes as they would be mounted at that prefix.
 */
export function lazyRoutes(prefix: string, load: () => Promise<HonoApp>): MiddlewareHandler {
  const outerOf = new WeakMap<Request, Context>();
  let built: Promise<HonoApp> | undefined;

  const build = async (): Promise<HonoApp> => {
    const routes = await load();
    const app = new Hono();
    app.use("*", async (inner, next) => {
      const outer = outerOf.get(inner.req.raw);
      if (outer)
        for (const [key, value] of Object.entries(outer.var)) inner.set(key as never, value as never);
      try {
        await next();
      } finally {
        // Also when the route threw: the error is answered for that route.
        if (outer && inner.res.headers.get(UNMATCHED) === null)
          matchedPattern.set(outer, routePath(inner, -1));
      }
    });
    app.route(prefix, routes);
    app.notFound((c) => c.body(null, 404, { [UNMATCHED]: "1" }));
    // Thrown on to the main app, whose error handler answers as for any other route.
    app.onError((err) => {
      throw err;
    });
    return app;
  };

  return async (c, next) => {
    built ??= build();
    let app: HonoApp;
    try {
      app = await built;
    } catch (err) {
      built = undefined; // a failed import is tried again by the next request
      throw err;
    }
    const req = c.req.raw;
    outerOf.set(req, c);
    const res = await app.fetch(req, c.env);
    if (res.headers.get(UNMATCHED) !== null) return next();
    return res;
  };
}
