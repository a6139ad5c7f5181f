// The flow builder's helpers under /api: option lists read live through a connection, mapping
// previews and the transforms, and testing a trigger or one step against the connection.
import type { Engine } from "@hlconnect/engine/engine";
import type { Flow } from "@hlconnect/engine/flows/types";
import type { RunEnvironment } from "@hlconnect/engine/runner/environment";
import { triggerSample } from "@hlconnect/engine/runner/trigger-sample";
import { BACKFILL_EQUIVALENTS } from "@hlconnect/engine/webhooks/backfill";
import { Hono } from "hono";
import {
  connectionContext,
  describeSampleRecord,
  fieldSource,
  findEntry,
  NAMED_SOURCES,
  type PreviewContext,
  parseInput,
  preview,
  previewCondition,
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
    const scope = previewScope(context, optionalString(body, "timeZone"));
    // A filter or `when:` is decided (true/false) as a run decides it, not rendered as text.
    if (body.condition === true) return c.json(previewCondition(body.expression, scope));
    return c.json(preview(body.expression, scope));
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
    if (entry.trigger.type === "instant") return c.json(await instantSample(engine, body, entry.key));
    if (!entry.read) return c.json({ items: sample === undefined ? [] : [sample], source: "example" });
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

/**
 * An instant trigger's sample as a dry run gets it (the engine's triggerSample): the newest records its
 * polling equivalent reads through the chosen connection, shaped as the webhook sends them, each
 * described for the picker; else the catalog's example with the reason there is no real one.
 */
async function instantSample(engine: Engine, body: Record<string, unknown>, op: string) {
  const example = (reason: SampleReason, extra: Record<string, unknown> = {}) => {
    const sample = findEntry(op).output.sample;
    return { items: sample === undefined ? [] : [sample], source: "example", reason, ...extra };
  };
  if (!BACKFILL_EQUIVALENTS[op]) return example("not-readable");
  const connectionId = optionalString(body, "connectionId");
  const requests: RequestSummary[] = [];
  let ctx: Awaited<ReturnType<typeof connectionContext>>;
  try {
    ctx = await connectionContext(engine, connectionId, optionalString(body, "locationId"), requests);
  } catch (err) {
    // No connection named and none to default to: there is nothing to read through yet.
    if (!connectionId && err instanceof HttpError) return example("no-connection", { note: err.message });
    throw err;
  }
  const flow: Flow = {
    id: "builder-test",
    name: "Builder test",
    enabled: false,
    ...(connectionId ? { connection: connectionId } : {}),
    trigger: { type: "instant", op, input: {} },
    vars: {},
    tables: {},
    steps: [],
    file: "",
  };
  // The engine's sampler, reading through the connection the builder chose (and recording requests).
  const env: RunEnvironment = { ...engine.env, contextFor: async () => async () => ctx };
  const started = performance.now();
  try {
    const sample = await triggerSample(env, flow, SAMPLE_ITEMS);
    const ms = Math.round(performance.now() - started);
    if (sample.source === "example") return example("none-found", { ms, requests });
    return {
      items: sample.items,
      source: "live",
      records: sample.items.map(describeSampleRecord),
      ms,
      requests,
    };
  } catch (err) {
    return { error: testError(err), ms: Math.round(performance.now() - started), requests };
  }
}

/** Why an instant trigger's sample is the catalog's example. */
type SampleReason = "not-readable" | "no-connection" | "none-found";

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
