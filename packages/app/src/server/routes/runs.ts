// /api/runs: the run history (newest first, paged by cursor, filtered by flow, status and time), one
// run with its steps, replays, live updates (SSE) and resolving a step that needs attention.
import { RUN_STATUSES, type RunQuery, type RunStatus } from "@hlconnect/engine/store/types";
import { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { HttpError } from "../http-errors.ts";
import { listResolutions, resolveStep } from "../run-resolve.ts";
import { runStream } from "../run-stream.ts";
import { runView, stepView } from "../views.ts";

export function runRoutes(deps: ServerDeps): Hono {
  const { engine } = deps;
  const app = new Hono();

  app.get("/stream", (c) => runStream(c, engine));

  app.get("/", async (c) => {
    const query = parseRunQuery({
      flowId: c.req.query("flowId"),
      status: c.req.query("status"),
      limit: c.req.query("limit"),
      cursor: c.req.query("cursor"),
      since: c.req.query("since"),
      until: c.req.query("until"),
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
    return c.json({
      run: runView(run),
      steps: steps.map(stepView),
      resolutions: await listResolutions(engine, run),
    });
  });

  app.post("/:id/steps/:stepId/resolve", async (c) => {
    const run = await resolveStep(engine, c.req.param("id"), c.req.param("stepId"), c);
    return c.json({ run: runView(run) });
  });

  app.post("/:id/replay", async (c) => {
    const id = c.req.param("id");
    const old = await engine.store.getRun(id);
    if (!old) throw new HttpError(404, `no run "${id}"`);
    if (!(await engine.store.getFlow(old.flowId))) {
      throw new HttpError(409, `run "${id}" belongs to flow "${old.flowId}", which no longer exists`);
    }
    // By default a failed run resumes at the step it stopped at; {"from": "start"} runs every step again.
    const body = (await c.req.json().catch(() => ({}))) as { from?: unknown } | null;
    const from = body && typeof body === "object" ? body.from : undefined;
    if (from !== undefined && from !== "start" && from !== "stopped-step") {
      throw new HttpError(400, `from must be "start" or "stopped-step", not ${JSON.stringify(from)}`);
    }
    const { replayFrom, carriedOver, ...run } = await engine.replay(id, from ? { from } : {});
    return c.json({ run: runView(run), replayFrom: replayFrom ?? null, carriedOver }, 202);
  });

  return app;
}

/** Query parameters (all strings) to a store query; what is wrong is a 400 that says which and why. */
export function parseRunQuery(q: {
  flowId?: string | undefined;
  status?: string | undefined;
  limit?: string | undefined;
  cursor?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
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
  if (q.since) query.since = parseTime(q.since, "since");
  if (q.until) query.until = parseTime(q.until, "until");
  return query;
}

/** An ISO date-time or epoch milliseconds. */
function parseTime(text: string, name: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new HttpError(
      400,
      `${name} must be an ISO date-time (2026-01-31T12:00:00Z) or epoch milliseconds, got "${text}"`,
    );
  }
  return ms;
}
