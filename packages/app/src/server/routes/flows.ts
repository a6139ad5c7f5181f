// /api/flows: list, create (validated: 422 with file:line:column errors), read, replace, delete,
// enable/disable (or enable in dry-run mode), and run once (a poll now for polling flows, a run with a
// given trigger otherwise, or a dry run that sends no write).
// The builder's additions: flows sent as JSON documents (written into the YAML with comments kept),
// versions that stop a stale save, validation without saving, duplicates.
import { formatFlowError, parseFlowFile } from "@hlconnect/engine/flows/index";
import type { Flow, FlowError } from "@hlconnect/engine/flows/types";
import { triggerSample } from "@hlconnect/engine/runner/trigger-sample";
import type { FlowRecord, RunRecord } from "@hlconnect/engine/store/types";
import { Hono } from "hono";
import { parse } from "yaml";
import type { ServerDeps } from "../deps.ts";
import { flowSource, removeFlowFile, saveFlowSource, stalenessCheck } from "../flow-save.ts";
import { flowListExtras } from "../flow-stats.ts";
import { HttpError, optionalString, readJsonObject } from "../http-errors.ts";
import { flowDetail, flowSummary, runView } from "../views.ts";

export function flowRoutes(deps: ServerDeps): Hono {
  const { engine } = deps;
  const app = new Hono();

  const mustGet = async (id: string): Promise<FlowRecord> => {
    const record = await engine.store.getFlow(id);
    if (!record) throw new HttpError(404, `no flow "${id}"`);
    return record;
  };

  /** Parse a {source | document, file?} body; invalid flows are a 422 carrying every error with its position. */
  const parseBody = async (body: Record<string, unknown>, current?: FlowRecord) => {
    const source = flowSource(body, current);
    const file = optionalString(body, "file") ?? current?.filePath ?? "flow.yaml";
    const parsed = parseFlowFile(source, file);
    if (!parsed.flow) throw invalidFlow(parsed.errors);
    return { source, file, flow: parsed.flow };
  };

  const save = async (source: string, file: string, id: string, current?: FlowRecord) => {
    const saved = await saveFlowSource(deps, source, file, id, current);
    if (!saved.flow) throw invalidFlow(saved.errors);
    return flowDetail(engine, saved.flow);
  };

  app.get("/", async (c) => {
    const q = c.req.query("q")?.trim().toLowerCase();
    const flows = (await engine.store.listFlows()).map((f) => flowSummary(engine, f));
    const found = q
      ? flows.filter((f) => [f.id, f.name, f.trigger.op ?? ""].some((t) => t.toLowerCase().includes(q)))
      : flows;
    const extras = await flowListExtras(
      engine,
      found.map((f) => f.id),
    );
    return c.json({ flows: found.map((f) => ({ ...f, ...extras.get(f.id) })) });
  });

  app.post("/", async (c) => {
    const { source, file, flow } = await parseBody(await readJsonObject(c));
    if (await engine.store.getFlow(flow.id)) {
      throw new HttpError(409, `flow "${flow.id}" already exists: PUT /api/flows/${flow.id} replaces it`);
    }
    return c.json({ flow: await save(source, file, flow.id) }, 201);
  });

  /** Check a flow without saving it: the same errors `hlconnect flows validate` prints. */
  app.post("/validate", async (c) => {
    const body = await readJsonObject(c);
    const source = flowSource(body);
    const parsed = parseFlowFile(source, optionalString(body, "file") ?? "flow.yaml");
    if (parsed.flow) return c.json({ ok: true });
    return c.json({ ok: false, errors: errorDetails(parsed.errors) });
  });

  app.get("/:id", async (c) => c.json({ flow: await flowDetail(engine, await mustGet(c.req.param("id"))) }));

  app.put("/:id", async (c) => {
    const id = c.req.param("id");
    const body = await readJsonObject(c);
    const current = await engine.store.getFlow(id);
    const { source, file, flow } = await parseBody(body, current);
    if (flow.id !== id) {
      throw new HttpError(400, `the flow's id is "${flow.id}" but the URL names "${id}": they must match`);
    }
    // Two tabs saving the same flow: the later one is told, with the difference, and nothing is lost.
    stalenessCheck(body, current, source);
    return c.json({ flow: await save(source, file, id, current) }, current ? 200 : 201);
  });

  app.post("/:id/duplicate", async (c) => {
    const original = await mustGet(c.req.param("id"));
    const body = await readJsonObject(c);
    const existing = new Set((await engine.store.listFlows()).map((f) => f.id));
    let id = optionalString(body, "id");
    if (!id) {
      for (let n = 1; !id || existing.has(id); n++) id = `${original.id}-copy${n === 1 ? "" : `-${n}`}`;
    }
    if (existing.has(id)) throw new HttpError(409, `flow "${id}" already exists: choose another id`);
    const document = flowDocumentOf(original);
    const copy = {
      ...document,
      id,
      name: optionalString(body, "name") ?? `${String(document.name ?? original.name)} (copy)`,
      enabled: false,
    };
    // Written onto the original's text, so the copy keeps its comments and layout.
    const source = flowSource({ document: copy }, original);
    return c.json({ flow: await save(source, `${id}.yaml`, id) }, 201);
  });

  app.delete("/:id", async (c) => {
    const id = c.req.param("id");
    const record = await engine.store.getFlow(id);
    if (!(await engine.store.deleteFlow(id))) throw new HttpError(404, `no flow "${id}"`);
    if (record) removeFlowFile(deps, record);
    return c.body(null, 204);
  });

  for (const [action, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    app.post(`/:id/${action}`, async (c) => {
      const id = c.req.param("id");
      await mustGet(id);
      // {dryRun: true} on enable: its runs read but send no write, recording what they would send.
      const body = await readJsonObject(c);
      if (body.dryRun !== undefined && typeof body.dryRun !== "boolean") {
        throw new HttpError(400, `"dryRun" must be true or false, got ${JSON.stringify(body.dryRun)}`);
      }
      // A flow that cannot reach a connection is refused with the fix named (422), not left to drop events.
      const record = await engine
        .setFlowEnabled(id, enabled, { dryRun: enabled && body.dryRun === true })
        .catch((err: Error) => {
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
    if (body.dryRun === true)
      return c.json({ run: runView(await startDryRun(engine, flow, body.trigger)) }, 202);
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
    errorDetails(errors),
  );
}

function errorDetails(errors: FlowError[]) {
  return errors.map((e) => ({ ...e, text: formatFlowError(e) }));
}

function flowDocumentOf(record: FlowRecord): Record<string, unknown> {
  const doc = parse(record.source) as unknown;
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    throw new HttpError(409, `flow "${record.id}" no longer parses as YAML: fix its file first`);
  }
  return doc as Record<string, unknown>;
}

/**
 * A dry run now: reads made, writes recorded instead of sent. Without a trigger, the flow's trigger is
 * sampled (a polling flow's newest item, an instant flow's recent record or the catalog's sample).
 */
async function startDryRun(engine: ServerDeps["engine"], flow: Flow, given: unknown): Promise<RunRecord> {
  let trigger = given;
  if (trigger === undefined) {
    const sample = await triggerSample(engine.env, flow, 1).catch((err: Error) => {
      throw new HttpError(502, `the trigger of "${flow.id}" could not be read: ${err.message}`);
    });
    trigger = sample.items[0] ?? {};
  }
  return engine.startRun(flow.id, trigger, undefined, { dryRun: true });
}
