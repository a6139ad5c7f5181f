// /api/flows: list, create (validated: 422 with file:line:column errors), read, replace, delete,
// enable/disable, and run once (a poll now for polling flows, a run with a given trigger otherwise).
import { formatFlowError, parseFlowFile } from "@hlconnect/engine/flows/index";
import type { FlowError } from "@hlconnect/engine/flows/types";
import type { FlowRecord } from "@hlconnect/engine/store/types";
import { Hono } from "hono";
import type { ServerDeps } from "../deps.ts";
import { HttpError, optionalString, readJsonObject, requireString } from "../http-errors.ts";
import { flowDetail, flowSummary, runView } from "../views.ts";

export function flowRoutes({ engine }: ServerDeps): Hono {
  const app = new Hono();

  const mustGet = async (id: string): Promise<FlowRecord> => {
    const record = await engine.store.getFlow(id);
    if (!record) throw new HttpError(404, `no flow "${id}"`);
    return record;
  };

  /** Parse a {source, file?} body; invalid flows are a 422 carrying every error with its position. */
  const parseBody = async (body: Record<string, unknown>) => {
    const source = requireString(body, "source");
    const file = optionalString(body, "file") ?? "flow.yaml";
    const parsed = parseFlowFile(source, file);
    if (!parsed.flow) throw invalidFlow(parsed.errors);
    return { source, file, flow: parsed.flow };
  };

  const save = async (source: string, file: string) => {
    const saved = await engine.saveFlow(source, file);
    if (!saved.flow) throw invalidFlow(saved.errors);
    return flowDetail(engine, saved.flow);
  };

  app.get("/", async (c) => {
    const flows = await engine.store.listFlows();
    return c.json({ flows: flows.map((f) => flowSummary(engine, f)) });
  });

  app.post("/", async (c) => {
    const { source, file, flow } = await parseBody(await readJsonObject(c));
    if (await engine.store.getFlow(flow.id)) {
      throw new HttpError(409, `flow "${flow.id}" already exists: PUT /api/flows/${flow.id} replaces it`);
    }
    return c.json({ flow: await save(source, file) }, 201);
  });

  app.get("/:id", async (c) => c.json({ flow: await flowDetail(engine, await mustGet(c.req.param("id"))) }));

  app.put("/:id", async (c) => {
    const id = c.req.param("id");
    const { source, file, flow } = await parseBody(await readJsonObject(c));
    if (flow.id !== id) {
      throw new HttpError(400, `the flow's id is "${flow.id}" but the URL names "${id}": they must match`);
    }
    const existed = Boolean(await engine.store.getFlow(id));
    return c.json({ flow: await save(source, file) }, existed ? 200 : 201);
  });

  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    if (!(await engine.store.deleteFlow(id))) throw new HttpError(404, `no flow "${id}"`);
    return c.body(null, 204);
  });

  for (const [action, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const id = c.req.param("id");
      await mustGet(id);
      // A flow that cannot reach a connection is refused with the fix named (422), not left to drop events.
      const record = await engine.setFlowEnabled(id, enabled).catch((err: Error) => {
        throw new HttpError(422, err.message);
      });
      return c.json({ flow: flowSummary(engine, record) });
    });
  }

  app.post("/:id/run-once", async (c) => {
    const id = c.req.param("id");
    await mustGet(id);
    const { flow } = await engine.flow(id).catch((err: Error) => {
      throw new HttpError(409, `flow "${id}" no longer validates: ${err.message}`);
    });
    const body = await readJsonObject(c);
    if (flow.trigger.type === "polling") {
      if (body.trigger !== undefined) {
        throw new HttpError(400, `flow "${id}" polls its trigger: run-once polls now and takes no "trigger"`);
      }
      const report = await engine.pollNow(id).catch((err: Error) => {
        throw new HttpError(502, `the poll of "${id}" failed: ${err.message}`);
      });
      return c.json({
        poll: { firstPoll: report.firstPoll, requests: report.requests, runs: report.runs.map(runView) },
      });
    }
    const run = await engine.startRun(id, body.trigger ?? {});
    return c.json({ run: runView(run) }, 202);
  });

  return app;
}

function invalidFlow(errors: FlowError[]): HttpError {
  return new HttpError(
    422,
    `the flow has ${errors.length} error${errors.length === 1 ? "" : "s"}`,
    errors.map((e) => ({ ...e, text: formatFlowError(e) })),
  );
}
