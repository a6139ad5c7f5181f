// GET /healthz (are the store and the queue answering?) and GET /metrics (Prometheus text).
import { Hono, type MiddlewareHandler } from "hono";
import type { ServerDeps } from "../deps.ts";

/** metricsAuth: when given (a server bound beyond loopback), /metrics requires it too. */
export function healthRoutes({ engine, logger, metrics }: ServerDeps, metricsAuth?: MiddlewareHandler): Hono {
  const app = new Hono();
  if (metricsAuth) app.use("/metrics", metricsAuth);

  // The store and the queue each say whether they answer (a lost connection shows here while it is
  // retried); 503 when either does not.
  app.get("/healthz", async (c) => {
    const health = await engine.health();
    if (!health.ok) logger.error({ store: health.store, queue: health.queue }, "health check failed");
    return c.json({ ...health, db: health.store.status }, health.ok ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { "content-type": metrics.registry.contentType });
  });

  return app;
}
