// A route module that is imported and built with the first request to one of its routes, so `serve`
// does not load it at start (issue 14). Hono cannot add routes once it answers, so the module's routes
// are declared up front (method and path, checked against the module by lazy-startup.test.ts) with a
// handler that hands the request to the module, built once in its own small app at the same full path.
// To the rest of the server this is as if it were mounted with app.route(): the routes are listed in
// app.routes (the OpenAPI test reads them), the caller's middleware has run and its context variables
// are visible, the metrics see the same route patterns, and errors reach the main app's error handler.
import type { Context, Handler, Hono as HonoApp } from "hono";
import { Hono } from "hono";

/** Method and path of each route, relative to where the module is mounted ("/" for the mount itself). */
export type RouteTable = ReadonlyArray<readonly [method: string, path: string]>;

/** A header only between the module's app and the handler below: the module has no such route. */
const UNMATCHED = "x-hlconnect-lazy-unmatched";

/**
 * Declares `table`'s routes on `parent` at `at`; `fullPath` is where that is from the server's root
 * (e.g. at "/imports" on the /api app is "/api/imports"). `load` imports the module and builds its routes.
 */
export function mountLazy(
  parent: HonoApp,
  at: string,
  fullPath: string,
  table: RouteTable,
  load: () => Promise<HonoApp>,
): void {
  const outerOf = new WeakMap<Request, Context>();
  let built: Promise<HonoApp> | undefined;

  const build = async (): Promise<HonoApp> => {
    const routes = await load();
    const app = new Hono();
    app.use("*", async (inner, next) => {
      const outer = outerOf.get(inner.req.raw);
      if (outer)
        for (const [key, value] of Object.entries(outer.var)) inner.set(key as never, value as never);
      await next();
    });
    app.route(fullPath, routes);
    app.notFound((c) => c.body(null, 404, { [UNMATCHED]: "1" }));
    // Thrown on to the main app, whose error handler answers as for any other route.
    app.onError((err) => {
      throw err;
    });
    return app;
  };

  const handler: Handler = async (c, next) => {
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

  for (const [method, path] of table) parent.on(method, path === "/" ? at : `${at}${path}`, handler);
}
