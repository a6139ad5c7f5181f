// GET /api/overview: the home page in one call: flows on and off, runs of the last 24 h by status,
// runs that need someone, connections that need reconnecting.
import { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { countRuns } from "../flow-stats.ts";
import { connectionViews, runView } from "../views.ts";

const DAY_MS = 86_400_000;
/** Beyond this many runs in a day the counts say "capped" rather than keep reading. */
const MAX_COUNTED = 20_000;

export function overviewRoutes({ engine }: ServerDeps, demo: boolean): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    const flows = await engine.store.listFlows();
    const { capped, ...runs24h } = await countRuns(engine, { since: Date.now() - DAY_MS }, MAX_COUNTED);
    const attention = await engine.store.listRuns({ status: "needs_attention", limit: 20 });
    const reconnect = await engine.store.listConnections({ status: "needs_reconnect" });
    return c.json({
      flows: {
        total: flows.length,
        enabled: flows.filter((f) => f.enabled).length,
        needsAttention: flows.filter((f) => f.status !== "active").length,
      },
      runs24h: { ...runs24h, ...(capped ? { capped: true } : {}) },
      attentionRuns: attention.runs.map(runView),
      reconnectConnections: await connectionViews(engine, reconnect),
      demo,
    });
  });
  return app;
}
