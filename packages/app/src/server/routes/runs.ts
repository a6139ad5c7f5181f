// /api/runs: the run history (newest first, paged by cursor), one run with its steps, and replays.
import { RUN_STATUSES, type RunQuery, type RunStatus } from "@hlconnect/engine/store/types";
import { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { HttpError } from "../http-errors.ts";
import { runView, stepView } from "../views.ts";

export function runRoutes({ engine }: ServerDeps): Hono {
  const app = new Hono();

  app.get("/", async (c) => {
    const query = parseRunQuery({
      flowId: c.req.query("flowId"),
      status: c.req.query("status"),
      limit: c.req.query("limit"),
      cursor: c.req.query("cursor"),
    });
    const page = await engine.store.listRuns(query);
    return c.json({
      runs: page.runs.map(runView),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    });
  });

  app.get("/:id", async (c) => {
    const id = c.req.param("id");
    const run = await engine.store.getRun(id);
    if (!run) throw new HttpError(404, `no run "${id}"`);
    const steps = await engine.store.listSteps(id);
    return c.json({ run: runView(run), steps: steps.map(stepView) });
  });

  app.post("/:id/replay", async (c) => {
    const id = c.req.param("id");
    const old = await engine.store.getRun(id);
    if (!old) throw new HttpError(404, `no run "${id}"`);
    if (!(await engine.store.getFlow(old.flowId))) {
      throw new HttpError(409, `run "${id}" belongs to flow "${old.flowId}", which no longer exists`);
    }
    return c.json({ run: runView(await engine.replay(id)) }, 202);
  });

  return app;
}

/** Query parameters (all strings) to a store query; what is wrong is a 400 that says which and why. */
export function parseRunQuery(q: {
  flowId?: string | undefined;
  status?: string | undefined;
  limit?: string | undefined;
  cursor?: string | undefined;
}): RunQuery {
  const query: RunQuery = {};
  if (q.flowId) query.flowId = q.flowId;
  if (q.status) {
    const statuses = q.status.split(",").map((s) => s.trim());
    for (const s of statuses) {
      if (!RUN_STATUSES.includes(s as RunStatus)) {
        throw new HttpError(400, `unknown run status "${s}": use one of ${RUN_STATUSES.join(", ")}`);
      }
    }
    query.status = statuses as RunStatus[];
  }
  if (q.limit !== undefined) {
    const n = Number(q.limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) {
      throw new HttpError(400, `limit must be a whole number from 1 to 500, got "${q.limit}"`);
    }
    query.limit = n;
  }
  if (q.cursor) query.cursor = q.cursor;
  return query;
}
