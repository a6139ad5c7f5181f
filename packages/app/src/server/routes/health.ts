// GET /healthz (are the store and the queue answering?) and GET /metrics (Prometheus text). Before the
// engine is ready, listen.ts answers /healthz itself: 503 with status "starting".
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { ServerDeps } from "../deps.ts";

/**
 * metricsAuth: when given (a server bound beyond loopback), /metrics requires it too. seesDetails: whether
 * the caller is signed in or has the API token; only then does /healthz include the drivers' error text.
 */
export function healthRoutes(
  { engine, logger, metrics }: ServerDeps,
  metricsAuth?: MiddlewareHandler,
  seesDetails: (c: Context) => boolean = () => false,
): Hono {
  const app = new Hono();
  if (metricsAuth) app.use("/metrics", metricsAuth);

  // The store and the queue each say whether they answer (a lost connection shows here while it is
  // retried); 503 when either does not. /healthz is public (load balancers, doctor --live), and a
  // driver's message names internal hosts, ports and user names: that stays in the log.
  app.get("/healthz", async (c) => {
    const health = await engine.health();
    if (!health.ok) logger.error({ store: health.store, queue: health.queue }, "health check failed");
    const shown = seesDetails(c)
      ? health
      : { ...health, store: withoutError(health.store), queue: withoutError(health.queue) };
    const status = health.ok ? "ok" : "error";
    return c.json({ ...shown, status, db: health.store.status }, health.ok ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    const { text, contentType } = await metrics.scrape();
    return c.body(text, 200, { "content-type": contentType });
  });

  return app;
}

function withoutError<T extends { error?: string }>(part: T): Omit<T, "error"> {
  const { error: _hidden, ...rest } = part;
  return rest;
}
