// GET /healthz (is the database answering?) and GET /metrics (Prometheus text).
import { Hono, type MiddlewareHandler } from "hono";
import type { ServerDeps } from "../deps.ts";

/** metricsAuth: when given (a server bound beyond loopback), /metrics requires it too. */
export function healthRoutes({ engine, logger, metrics }: ServerDeps, metricsAuth?: MiddlewareHandler): Hono {
  const app = new Hono();
  if (metricsAuth) app.use("/metrics", metricsAuth);

  app.get("/healthz", async (c) => {
    try {
      await engine.store.getFlow("healthz-probe");
      return c.json({ ok: true, db: "ok" });
    } catch (err) {
      logger.error({ error: err }, "health check: the database does not answer");
      return c.json({ ok: false, db: "error", error: (err as Error).message }, 503);
    }
  });

  app.get("/metrics", async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { "content-type": metrics.registry.contentType });
  });

  return app;
}
