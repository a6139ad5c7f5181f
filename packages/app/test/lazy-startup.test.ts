// Issue 14: `serve` loads parts of the server with their first request (the BatchLeads import routes, the
// catalog routes, the OpenAPI document, the MCP tools, prom-client) and answers "starting" until the
// engine is ready. The first request to each lazy part must answer exactly as the eager server did.
import { CATALOG, describeEntry, getEntry, summarize } from "@hlconnect/catalog";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseToolsets, selectTools } from "../src/mcp/tools.ts";
import { CATALOG_ROUTES, createApp, IMPORT_ROUTES } from "../src/server/app.ts";
import type { RouteTable } from "../src/server/lazy-routes.ts";
import { type Listening, listen } from "../src/server/listen.ts";
import { createMetrics } from "../src/server/metrics.ts";
import { openApiDocument } from "../src/server/openapi.ts";
import { catalogRoutes } from "../src/server/routes/catalog.ts";
import { importRoutes } from "../src/server/routes/imports.ts";
import { API_TOKEN, quietLogger, type WebFixture, webFixture } from "./web-helpers.ts";

const AUTH = { authorization: `Bearer ${API_TOKEN}` };

describe("lazy parts of the server: the first request answers as before", () => {
  // A fresh app per test, so each request below is the first its part sees.
  let web: WebFixture;
  beforeAll(async () => {
    web = await webFixture();
  });
  afterAll(() => web.close());
  const freshApp = (options: { dataDir?: boolean } = {}) =>
    createApp({
      engine: web.engine,
      apiToken: API_TOKEN,
      logger: quietLogger(),
      ...(options.dataDir === false ? {} : { dataDir: `${web.dir}/data` }),
    });

  it("declares exactly the routes the lazily loaded modules have", () => {
    const table = (routes: Hono) => [...new Set(routes.routes.map((r) => `${r.method} ${r.path}`))].sort();
    const declared = (t: RouteTable) => t.map(([m, p]) => `${m} ${p}`).sort();
    const deps = {
      engine: web.engine,
      logger: quietLogger(),
      metrics: freshApp().metrics,
      dataDir: `${web.dir}/data`,
    };
    expect(table(importRoutes(deps).routes)).toEqual(declared(IMPORT_ROUTES));
    expect(table(catalogRoutes())).toEqual(declared(CATALOG_ROUTES));
    deps.metrics.detach();
  });

  it("/api/catalog: the list, one entry, and the errors, through the API's auth and error handler", async () => {
    const { app } = freshApp();
    const list = await app.request("/api/catalog?kind=action", { headers: AUTH });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({
      entries: CATALOG.filter((e) => e.kind === "action").map((e) =>
        JSON.parse(JSON.stringify(summarize(e))),
      ),
    });
    const key = CATALOG[0]!.key;
    const one = await app.request(`/api/catalog/${encodeURIComponent(key)}`, { headers: AUTH });
    expect(await one.json()).toEqual(JSON.parse(JSON.stringify(describeEntry(getEntry(key)))));
    // HttpError thrown inside the lazily loaded module reaches the main app's JSON error answer.
    const bad = await app.request("/api/catalog?kind=nope", { headers: AUTH });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'kind must be "trigger" or "action", got "nope"' });
    const missing = await app.request("/api/catalog/contacts.craete", { headers: AUTH });
    expect(missing.status).toBe(404);
    const thrown = (() => {
      try {
        getEntry("contacts.craete");
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(await missing.json()).toEqual({ error: thrown });
    // The API's middleware still runs first.
    expect((await freshApp().app.request("/api/catalog")).status).toBe(401);
  });

  it("/api/imports: listed, looked up, and a path the module does not know falls through to the 404", async () => {
    const { app } = freshApp();
    const list = await app.request("/api/imports", { headers: AUTH });
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ imports: [] });
    const none = await app.request("/api/imports/imp-404", { headers: AUTH });
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ error: 'no import "imp-404"' });
    const unknown = await app.request("/api/imports/a/b/c", { headers: AUTH });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "no route for GET /api/imports/a/b/c" });
    const empty = await app.request("/api/imports?dryRun=1", { method: "POST", headers: AUTH, body: "" });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: string }).error).toMatch(/the body is empty/);
    // Without a data folder: the module's own 503, as before.
    const bare = await freshApp({ dataDir: false }).app.request("/api/imports", { headers: AUTH });
    expect(bare.status).toBe(503);
  });

  it("/api/openapi.json: the same document, without signing in", async () => {
    const { app } = freshApp();
    const res = await app.request("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it("/mcp: the first call lists the selected tools; a bad selection is a 400", async () => {
    const { app } = freshApp();
    const call = (query: string) =>
      app.request(`/mcp${query}`, {
        method: "POST",
        headers: {
          ...AUTH,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    const res = await call("?toolsets=contacts&read_only=1");
    expect(res.status).toBe(200);
    const listed = (await res.json()) as { result: { tools: Array<{ name: string }> } };
    const names = listed.result.tools.map((t) => t.name);
    const expected = selectTools({ toolsets: parseToolsets("contacts"), readOnly: true }).map((t) => t.name);
    expect(expected.length).toBeGreaterThan(0);
    expect(names).toEqual(expected);
    const bad = await call("?toolsets=no-such-toolset");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/no-such-toolset/);
  });

  it("/metrics: counts made before prom-client loaded are all there, with the routes' patterns", async () => {
    const { app, metrics } = freshApp();
    // Requests counted, by method and status, whatever their route label.
    const answered = (text: string, method: string, status: number) =>
      text
        .split("\n")
        .filter((l) => l.startsWith(`hlconnect_http_requests_total{method="${method}",`))
        .filter((l) => l.includes(`status="${status}"}`))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    try {
      const key = CATALOG[0]!.key;
      for (let i = 0; i < 3; i++)
        await app.request(`/api/catalog/${encodeURIComponent(key)}`, { headers: AUTH });
      await app.request("/api/imports", { headers: AUTH });
      for (let i = 0; i < 2; i++)
        await app.request("/api/imports?dryRun=1", { method: "POST", headers: AUTH, body: "" });
      await app.request("/hooks/no-such-flow?secret=x", { method: "POST", body: "{}" });
      const res = await app.request("/metrics");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(answered(text, "GET", 200)).toBe(4);
      // The lazily loaded route's own pattern, as when it was mounted at start.
      expect(text).toContain(
        'hlconnect_http_requests_total{method="POST",route="/api/imports",status="400"} 2',
      );
      expect(text).toMatch(/hlconnect_webhooks_refused_total\{source="hook",reason="[a-z_]+"\} 1/);
      expect(text).toContain("process_cpu_user_seconds_total");
      // Once loaded, counting goes on in the same registry (the first /metrics counts too).
      await app.request(`/api/catalog/${encodeURIComponent(key)}`, { headers: AUTH });
      expect(answered(await (await app.request("/metrics")).text(), "GET", 200)).toBe(6);
    } finally {
      metrics.detach();
    }
  });
});

describe("metrics before prom-client loads", () => {
  let web: WebFixture;
  beforeAll(async () => {
    web = await webFixture();
  });
  afterAll(() => web.close());

  it("hands every count and observation made meanwhile to the registry", async () => {
    const metrics = createMetrics(web.engine, { processMetrics: false });
    try {
      // Synchronously after creation: the registry cannot have loaded yet.
      metrics.httpRequests.inc({ method: "GET", route: "/x", status: "200" });
      metrics.httpRequests.inc({ status: "200", route: "/x", method: "GET" }, 2);
      metrics.webhooks.received.inc({ source: "hook" });
      web.engine.env.events.emit("backfill", { flowId: "f1", runs: 2 });
      web.engine.env.events.emit("job", { waitMs: 250 });
      const { text, contentType } = await metrics.scrape();
      expect(contentType).toMatch(/^text\/plain/);
      expect(text).toContain('hlconnect_http_requests_total{method="GET",route="/x",status="200"} 3');
      expect(text).toContain('hlconnect_webhooks_received_total{source="hook"} 1');
      expect(text).toContain('hlconnect_backfill_runs_total{flow="f1"} 2');
      expect(text).toContain("hlconnect_job_wait_seconds_count 1");
      expect(text).toContain("hlconnect_job_wait_seconds_sum 0.25");
      expect(text).not.toContain("process_cpu_user_seconds_total");
    } finally {
      metrics.detach();
    }
  });
});

describe("before the app is set (serve while the engine starts)", () => {
  let listening: Listening;
  beforeAll(async () => {
    listening = await listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => listening.close());

  it("/healthz says starting (503, not ok); webhooks get a 429 (HighLevel redelivers only after one), the API a 503", async () => {
    const health = await fetch(`${listening.url}/healthz`);
    expect(health.status).toBe(503);
    expect(health.headers.get("retry-after")).toBe("1");
    expect(await health.json()).toEqual({ ok: false, status: "starting" });
    for (const [method, url, status, error] of [
      ["POST", "/webhooks/highlevel", 429, "starting up: deliver it again shortly"],
      ["POST", "/hooks/some-flow?secret=s", 429, "starting up: deliver it again shortly"],
      ["GET", "/api/flows", 503, "starting up: try again in a moment"],
    ] as const) {
      const res = await fetch(`${listening.url}${url}`, {
        method,
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect(res.status, url).toBe(status);
      expect(res.headers.get("retry-after"), url).toBe("1");
      expect(await res.json(), url).toEqual({ error });
    }
  });

  it("once the app is set, /healthz is the engine's: ok", async () => {
    const web = await webFixture();
    try {
      listening.setApp(web.app);
      const health = await fetch(`${listening.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, status: "ok", db: "ok" });
    } finally {
      await web.close();
    }
  });
});
