// The flow builder's helpers under /api: option lists read live through a connection, mapping
// previews and the transforms, and testing a trigger or one step against the connection.
import type { Engine } from "@hlconnect/engine/engine";
import { Hono } from "hono";
import {
  connectionContext,
  fieldSource,
  findEntry,
  NAMED_SOURCES,
  type PreviewContext,
  parseInput,
  preview,
  previewScope,
  type RequestSummary,
  readOptions,
  readTags,
  runEntry,
  testError,
  transformList,
} from "../builder.ts";
import type { ServerDeps } from "../deps.ts";
import { HttpError, optionalString, readJsonObject, requireString } from "../http-errors.ts";

/** How many items a trigger test shows. */
const SAMPLE_ITEMS = 5;

export function builderRoutes({ engine }: ServerDeps): Hono {
  const app = new Hono();

  // GET /api/connections/:id/options/:source (pipelines, stages, calendars, users, custom-fields, tags,
  // or "field" with ?entry=KEY&field=NAME for any field's declared source); other query values are the
  // fields a source depends on (e.g. ?pipelineId=... or ?parent=... for stages).
  app.get("/connections/:id/options/:source", async (c) => {
    const name = c.req.param("source");
    const query = c.req.query();
    const ctx = await connectionContext(engine, c.req.param("id"), query.locationId || undefined);
    try {
      if (name === "tags") return c.json({ options: await readTags(ctx) });
      let source = NAMED_SOURCES[name];
      if (name === "field") source = fieldSource(requireQuery(query, "entry"), requireQuery(query, "field"));
      if (!source) {
        throw new HttpError(
          404,
          `no option list "${name}": use ${[...Object.keys(NAMED_SOURCES), "tags", "field"].join(", ")}`,
        );
      }
      return c.json({ options: await readOptions(ctx, source, query) });
    } catch (err) {
      const e = testError(err);
      throw new HttpError(502, `the list could not be read through the connection: ${e.message}`, e);
    }
  });

  app.post("/mapping/preview", async (c) => {
    const body = await readJsonObject(c);
    if (!("expression" in body))
      throw new HttpError(400, '"expression" is required (text with {{ }} or any JSON value)');
    const context = (body.context ?? {}) as PreviewContext;
    if (typeof context !== "object" || Array.isArray(context))
      throw new HttpError(400, '"context" must be an object');
    return c.json(preview(body.expression, previewScope(context, optionalString(body, "timeZone"))));
  });

  app.get("/mapping/transforms", (c) => c.json({ transforms: transformList() }));

  app.post("/flows/test-trigger", async (c) => {
    const body = await readJsonObject(c);
    const trigger = objectField(body, "trigger");
    if (trigger.webhook !== undefined) {
      return c.json({
        items: [],
        source: "example",
        note: "a webhook flow runs on what is posted to it: post a sample to test",
      });
    }
    const entry = findEntry(trigger.op);
    if (entry.kind !== "trigger") throw new HttpError(400, `${entry.key} is an action, not a trigger`);
    const sample = entry.output.sample;
    if (entry.trigger.type === "instant" || !entry.read) {
      return c.json({ items: sample === undefined ? [] : [sample], source: "example" });
    }
    const requests: RequestSummary[] = [];
    const ctx = await connectionContext(
      engine,
      requireString(body, "connectionId"),
      optionalString(body, "locationId"),
      requests,
    );
    const started = performance.now();
    try {
      const out = await runEntry(entry, ctx, trigger.input ?? {});
      const items = Array.isArray(out) ? out : out === undefined ? [] : [out];
      return c.json({
        items: items.slice(0, SAMPLE_ITEMS),
        source: "live",
        ms: Math.round(performance.now() - started),
        requests,
      });
    } catch (err) {
      return c.json({ error: testError(err), ms: Math.round(performance.now() - started), requests });
    }
  });

  app.post("/flows/test-step", async (c) => {
    const body = await readJsonObject(c);
    const step = objectField(body, "step");
    const entry = findEntry(step.op);
    const context = (body.context ?? {}) as PreviewContext;
    // The input as the run would send it: mapped from the samples, then checked against the entry.
    const mapped = preview(step.input ?? {}, previewScope(context));
    if ("error" in mapped)
      return c.json({ error: { message: `the input's mapping: ${mapped.error.message}` } });
    let input: Record<string, unknown>;
    try {
      input = parseInput(entry, mapped.value);
    } catch (err) {
      return c.json({ input: mapped.value, error: testError(err) });
    }
    return c.json(await runStep(engine, body, entry, input));
  });

  return app;
}

async function runStep(
  engine: Engine,
  body: Record<string, unknown>,
  entry: ReturnType<typeof findEntry>,
  input: Record<string, unknown>,
) {
  const requests: RequestSummary[] = [];
  const ctx = await connectionContext(
    engine,
    requireString(body, "connectionId"),
    optionalString(body, "locationId"),
    requests,
  );
  const started = performance.now();
  try {
    const output = await runEntry(entry, ctx, input);
    const ms = Math.round(performance.now() - started);
    return { input, output, ms, request: requests.at(-1) ?? null, requests };
  } catch (err) {
    const ms = Math.round(performance.now() - started);
    return { input, error: testError(err), ms, request: requests.at(-1) ?? null, requests };
  }
}

function objectField(body: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = body[name];
  if (!v || typeof v !== "object" || Array.isArray(v))
    throw new HttpError(400, `"${name}" must be an object`);
  return v as Record<string, unknown>;
}

function requireQuery(query: Record<string, string>, name: string): string {
  const v = query[name];
  if (!v) throw new HttpError(400, `?${name}= is required`);
  return v;
}
