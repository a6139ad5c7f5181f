// The HTTP server in-process (app.request) over a real Engine and a real sandbox. The sandbox's signed
// webhooks reach the app through a small receiver that also keeps a copy of each delivery, so a
// genuine delivery can be replayed and a forged one built from it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/server/app.ts";
import { type AppLogger, createLogger, engineLogger } from "../src/server/logging.ts";
import { waitFor as waitUntil } from "./helpers/process.ts";

const EXAMPLES = path.resolve(import.meta.dirname, "../../../examples/flows");
const example = (name: string) => readFileSync(path.join(EXAMPLES, name), "utf8");
const SECRET = "a-server-test-passphrase-long-enough";
const API_TOKEN = "server-test-api-token-5f1c2a";

interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
}

let sandbox: Sandbox;
let engine: Engine;
let app: Hono;
let receiver: Server;
let dataDir: string;
let logger: AppLogger;
const logChunks: string[] = [];
const responseBodies: string[] = [];
const deliveries: Delivery[] = [];

/** Every answer is kept, to check afterwards that no secret was ever sent back. */
async function call(
  method: string,
  url: string,
  options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? API_TOKEN}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await app.request(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  responseBodies.push(text);
  // biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, each checked by expect()
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

/** Runs here settle within a few polls of 25 ms. */
const waitFor = <T>(fn: () => Promise<T | undefined>, what: string) => waitUntil(fn, what, 10_000, 25);

/** The last signed delivery the receiver kept, sent again to `target`. */
async function redeliver(target: Hono): Promise<Response> {
  const delivery = deliveries.at(-1)!;
  return target.request("/webhooks/highlevel", {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body,
  });
}

async function settled(runId: string) {
  return waitFor(async () => {
    const r = await call("GET", `/api/runs/${runId}`);
    return ["queued", "running"].includes(r.json.run.status) ? undefined : r.json;
  }, `run ${runId} to finish`);
}

async function createContact(body: Record<string, unknown>): Promise<string> {
  const i = sandbox.info;
  const res = await fetch(`${i.baseUrl}/contacts/`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${i.locationToken}`,
      version: "2021-07-28",
      "content-type": "application/json",
    },
    body: JSON.stringify({ locationId: i.locationId, ...body }),
  });
  return ((await res.json()) as { contact: { id: string } }).contact.id;
}

// biome-ignore lint/suspicious/noExplicitAny: sandbox answers of many shapes, each checked by expect()
async function sandboxGet(pathname: string): Promise<any> {
  const i = sandbox.info;
  const res = await fetch(`${i.baseUrl}${pathname}`, {
    headers: { authorization: `Bearer ${i.locationToken}`, version: "2021-07-28" },
  });
  return res.json();
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-server-"));
  const sink = new Writable({
    write(chunk, _enc, done) {
      logChunks.push(String(chunk));
      done();
    },
  });
  logger = createLogger({ stream: sink, pretty: false, level: "debug" });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const body = Buffer.concat(chunks);
      deliveries.push({ body, headers });
      const answer = await app.request("/webhooks/highlevel", { method: "POST", headers, body });
      res.writeHead(answer.status).end(await answer.text());
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  sandbox = await startSandbox({
    port: 0,
    seed: 5,
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/highlevel`,
    rateLimit: { max: 100_000, windowMs: 1000 },
  });
  engine = await Engine.open({
    dataDir,
    secret: SECRET,
    baseUrl: sandbox.info.baseUrl,
    webhookPublicKey: sandbox.info.webhookPublicKey,
    logger: engineLogger(logger),
    pollTickMs: 50,
  });
  await engine.start();
  app = createApp({ engine, apiToken: API_TOKEN, logger, metrics: undefined }).app;
});

afterAll(async () => {
  await engine?.stop();
  await sandbox?.close();
  await new Promise((r) => receiver?.close(r));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("the HTTP server", () => {
  it("refuses the API without the right bearer token, and says how to authenticate", async () => {
    const none = await call("GET", "/api/flows", { token: null });
    expect(none.status).toBe(401);
    expect(none.json.error).toMatch(/Authorization: Bearer/);
    expect(none.headers.get("www-authenticate")).toMatch(/Bearer/);
    const wrong = await call("GET", "/api/flows", { token: "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: "the API token is not valid" });
    const basic = await call("GET", "/api/runs", {
      token: null,
      headers: { authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString("base64")}` },
    });
    expect(basic.status).toBe(401);
    expect((await call("GET", "/api/flows")).status).toBe(200);
    // The health check and the webhook endpoints have their own rules, not the API token.
    expect((await call("GET", "/healthz", { token: null })).json).toMatchObject({
      ok: true,
      db: "ok",
      mode: "embedded",
      store: { status: "ok", kind: "sqlite" },
      queue: { status: "ok", kind: "sqlite" },
    });
    const unknown = await call("GET", "/nothing-here", { token: null });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatch(/no route for GET \/nothing-here/);
  });

  it("adds connections and never answers with their token", async () => {
    const added = await call("POST", "/api/connections", {
      body: {
        label: "Demo Realty",
        kind: "pit",
        token: sandbox.info.locationToken,
        locationId: sandbox.info.locationId,
        companyId: sandbox.info.companyId,
      },
    });
    expect(added.status).toBe(201);
    expect(added.json.connection).toMatchObject({
      label: "Demo Realty",
      kind: "pit",
      locationIds: [sandbox.info.locationId],
      status: "ok",
    });
    const id = added.json.connection.id as string;
    const list = await call("GET", "/api/connections");
    expect(list.json.connections.map((c: { id: string }) => c.id)).toEqual([id]);
    const tested = await call("POST", `/api/connections/${id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.json).toMatchObject({ ok: true, location: { id: sandbox.info.locationId } });

    expect((await call("POST", "/api/connections", { body: { label: "x", kind: "oauth" } })).status).toBe(
      400,
    );
    const missing = await call("POST", "/api/connections", { body: { label: "x", token: "pit-abc" } });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/"locationId" is required/);
    expect((await call("POST", "/api/connections/nope/test")).status).toBe(404);

    // A token HighLevel refuses is tested on save and not kept (422), without echoing the token.
    const badToken = "pit-00000000-1111-2222-3333-444444444444";
    const bad = await call("POST", "/api/connections", {
      body: { label: "Wrong token", token: badToken, locationId: sandbox.info.locationId },
    });
    expect(bad.status).toBe(422);
    expect(bad.text).not.toContain(badToken);
    expect((await engine.store.listConnections()).map((c) => c.label)).not.toContain("Wrong token");
    // A stored connection whose token stopped working: the test says so (502) without echoing the token.
    const stale = await engine.addConnection(
      { label: "Wrong token", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: badToken },
    );
    const failed = await call("POST", `/api/connections/${stale.id}/test`);
    expect(failed.status).toBe(502);
    expect(failed.json.error).toMatch(/the connection test failed/);
    expect(failed.text).not.toContain(badToken);
    await engine.store.deleteConnection(stale.id);
  });

  it("flows: create, 422 with file/line/column, read, replace, enable/disable, delete", async () => {
    const source = example("welcome-call-task.yaml");
    const created = await call("POST", "/api/flows", { body: { source, file: "welcome-call-task.yaml" } });
    expect(created.status).toBe(201);
    expect(created.json.flow).toMatchObject({
      id: "welcome-call-task",
      enabled: true,
      trigger: { type: "instant", op: "highlevel.events.contact-create" },
    });
    expect((await call("POST", "/api/flows", { body: { source } })).status).toBe(409);

    const broken = source.replace("highlevel.contacts.tasks.create", "highlevel.contacts.taks.create");
    const lineOfOp = broken.split("\n").findIndex((l) => l.includes("taks.create")) + 1;
    const invalid = await call("POST", "/api/flows", { body: { source: broken, file: "flows/broken.yaml" } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error).toMatch(/error/);
    const first = invalid.json.details[0];
    expect(first).toMatchObject({ file: "flows/broken.yaml", line: lineOfOp });
    expect(first.column).toBeGreaterThan(0);
    expect(first.suggestion ?? "").toMatch(/highlevel\.contacts\.tasks\.create/);
    expect(first.text).toMatch(new RegExp(`^flows/broken\\.yaml:${lineOfOp}:\\d+: `));

    const badJson = await call("POST", "/api/flows", {
      raw: "{source:",
      headers: { "content-type": "application/json" },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.json.error).toMatch(/not valid JSON/);
    expect((await call("POST", "/api/flows", { body: { file: "x.yaml" } })).json.error).toMatch(/"source"/);

    const list = await call("GET", "/api/flows");
    expect(list.json.flows.map((f: { id: string }) => f.id)).toEqual(["welcome-call-task"]);
    const got = await call("GET", "/api/flows/welcome-call-task");
    expect(got.json.flow.source).toBe(source);

    const renamed = source.replace("name: Welcome call for each new contact", "name: Welcome call (v2)");
    const put = await call("PUT", "/api/flows/welcome-call-task", { body: { source: renamed } });
    expect(put.status).toBe(200);
    expect(put.json.flow.name).toBe("Welcome call (v2)");
    const mismatch = await call("PUT", "/api/flows/other-id", { body: { source } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error).toMatch(/must match/);

    expect((await call("POST", "/api/flows/welcome-call-task/disable")).json.flow.enabled).toBe(false);
    expect((await call("POST", "/api/flows/welcome-call-task/enable")).json.flow.enabled).toBe(true);
    expect((await call("POST", "/api/flows/nope/enable")).status).toBe(404);

    expect(
      (await call("POST", "/api/flows", { body: { source: example("tag-new-contacts.yaml") } })).status,
    ).toBe(201);
    expect((await call("DELETE", "/api/flows/tag-new-contacts")).status).toBe(204);
    expect((await call("GET", "/api/flows/tag-new-contacts")).status).toBe(404);
    expect((await call("DELETE", "/api/flows/tag-new-contacts")).status).toBe(404);
  });

  it("a signed HighLevel webhook makes a run; a replayed one is acknowledged and ignored; a forged one is refused", async () => {
    const contactId = await createContact({ firstName: "Wanda", lastName: "Webhook" });
    await sandbox.webhooksIdle();
    const delivery = deliveries.find((d) => d.body.toString().includes(contactId));
    expect(delivery).toBeDefined();
    const runs = await waitFor(async () => {
      const r = await call("GET", "/api/runs?flowId=welcome-call-task");
      return r.json.runs.length ? r.json.runs : undefined;
    }, "the webhook's run");
    expect(runs).toHaveLength(1);
    const done = await settled(runs[0].id);
    expect(done.run.status).toBe("succeeded");
    expect(done.steps.map((s: { stepId: string; status: string }) => [s.stepId, s.status])).toEqual([
      ["task", "succeeded"],
    ]);
    expect((await sandboxGet(`/contacts/${contactId}/tasks`)).tasks).toHaveLength(1);

    // The same delivery again (HighLevel retries): 200, and no second run.
    const again = await app.request("/webhooks/highlevel", {
      method: "POST",
      headers: delivery!.headers,
      body: delivery!.body,
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, duplicate: true });
    await engine.router.drain();

    // A forged body under a genuine signature, and a body with no signature at all.
    const forgedBody = Buffer.from(delivery!.body.toString().replace(contactId, "someone-else"));
    const forged = await app.request("/webhooks/highlevel", {
      method: "POST",
      headers: delivery!.headers,
      body: forgedBody,
    });
    expect(forged.status).toBe(401);
    expect(await errorOf(forged)).toMatch(/bad_signature/);
    const unsigned = await app.request("/webhooks/highlevel", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: forgedBody,
    });
    expect(unsigned.status).toBe(401);
    expect(await errorOf(unsigned)).toMatch(/missing_signature/);
    await engine.router.drain();
    expect((await call("GET", "/api/runs?flowId=welcome-call-task")).json.runs).toHaveLength(1);
  });

  it("runs: list with filters and pages, show with steps, replay", async () => {
    const list = await call("GET", "/api/runs?status=succeeded&limit=1");
    expect(list.status).toBe(200);
    expect(list.json.runs).toHaveLength(1);
    const runId = list.json.runs[0].id as string;
    expect(list.json.runs[0].durationMs).toBeGreaterThanOrEqual(0);

    expect((await call("GET", "/api/runs?status=bogus")).json.error).toMatch(/unknown run status "bogus"/);
    expect((await call("GET", "/api/runs?limit=0")).status).toBe(400);
    expect((await call("GET", "/api/runs/nope")).status).toBe(404);

    const replay = await call("POST", `/api/runs/${runId}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.json.run).toMatchObject({ flowId: "welcome-call-task", replayOf: runId });
    expect((await settled(replay.json.run.id)).run.status).toBe("succeeded");
    const page1 = await call("GET", "/api/runs?flowId=welcome-call-task&limit=1");
    expect(page1.json.nextCursor).toBeTruthy();
    const page2 = await call(
      "GET",
      `/api/runs?flowId=welcome-call-task&limit=1&cursor=${page1.json.nextCursor}`,
    );
    expect(page2.json.runs[0].id).not.toBe(page1.json.runs[0].id);
  });

  it("run-once: a run with the given trigger, or a poll for a polling flow", async () => {
    const contactId = await createContact({ firstName: "Rona" });
    const started = await call("POST", "/api/flows/welcome-call-task/run-once", {
      body: { trigger: { id: contactId, firstName: "Rona", type: "ContactCreate" } },
    });
    expect(started.status).toBe(202);
    expect((await settled(started.json.run.id)).run.status).toBe("succeeded");
    const tasks = await sandboxGet(`/contacts/${contactId}/tasks`);
    expect(tasks.tasks[0].title).toMatch(/Rona/);

    await call("POST", "/api/flows", { body: { source: example("tag-new-contacts.yaml") } });
    const polled = await call("POST", "/api/flows/tag-new-contacts/run-once");
    expect(polled.status).toBe(200);
    expect(polled.json.poll).toMatchObject({ firstPoll: true, runs: [] });
    expect(
      (await call("POST", "/api/flows/tag-new-contacts/run-once", { body: { trigger: {} } })).status,
    ).toBe(400);
    await call("DELETE", "/api/flows/tag-new-contacts");
  });

  it("/hooks/:flowId takes JSON and form posts with the flow's secret, and refuses the rest", async () => {
    await call("POST", "/api/flows", { body: { source: example("batchleads-lead.yaml") } });
    const flow = (await call("GET", "/api/flows/batchleads-lead")).json.flow;
    expect(flow.hook.path).toBe("/hooks/batchleads-lead");
    const secret = flow.hook.secret as string;
    const lead = {
      owner_name: "Hank Hook",
      phone: "(415) 555-0188",
      email: "Hank@Example.com",
      property_address: "1 Main St",
      estimated_value: 250000,
    };
    const post = (url: string, init: RequestInit = {}) =>
      app.request(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(lead),
        ...init,
      });

    expect((await post("/hooks/batchleads-lead")).status).toBe(401);
    expect((await post("/hooks/batchleads-lead?secret=wrong")).status).toBe(401);
    // An unknown flow answers like a wrong secret: no way to probe which flows exist.
    expect((await post(`/hooks/no-such-flow?secret=${secret}`)).status).toBe(401);
    const badJson = await post(`/hooks/batchleads-lead?secret=${secret}`, { body: "{oops" });
    expect(badJson.status).toBe(400);
    expect(await errorOf(badJson)).toMatch(/not valid JSON/);

    const ok = await post(`/hooks/batchleads-lead?secret=${secret}`, {
      headers: { "content-type": "application/json", "x-hlconnect-delivery": "lead-1" },
    });
    expect(ok.status).toBe(202);
    const dup = await post(`/hooks/batchleads-lead?secret=${secret}`, {
      headers: { "content-type": "application/json", "x-hlconnect-delivery": "lead-1" },
    });
    expect(await dup.json()).toMatchObject({ ok: true, duplicate: true });
    const form = await app.request("/hooks/batchleads-lead", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-hlconnect-secret": secret },
      body: new URLSearchParams({ owner_name: "Fay Form", email: "fay@example.com" }).toString(),
    });
    expect(form.status).toBe(202);

    const runs = await waitFor(async () => {
      const r = await call("GET", "/api/runs?flowId=batchleads-lead");
      return r.json.runs.length === 2 ? r.json.runs : undefined;
    }, "two hook runs");
    for (const run of runs) expect((await settled(run.id)).run.status).toBe("succeeded");
    const found = await sandboxGet(`/contacts/?locationId=${sandbox.info.locationId}&query=hank@example.com`);
    expect(found.contacts[0]).toMatchObject({ firstName: "Hank", lastName: "Hook" });
  });

  it("serves the catalog", async () => {
    const all = await call("GET", "/api/catalog?kind=trigger");
    expect(all.json.entries.length).toBeGreaterThan(10);
    expect(all.json.entries.every((e: { kind: string }) => e.kind === "trigger")).toBe(true);
    const one = await call("GET", "/api/catalog/highlevel.contacts.tasks.create");
    expect(one.json).toMatchObject({ key: "highlevel.contacts.tasks.create", kind: "action" });
    expect(one.json.input).toBeTypeOf("object");
    const typo = await call("GET", "/api/catalog/highlevel.contacts.taks.create");
    expect(typo.status).toBe(404);
    expect(typo.json.error).toMatch(/Did you mean/);
  });

  it("exposes Prometheus metrics: runs by status, webhooks, polls, process", async () => {
    const res = await app.request("/metrics");
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /hlconnect_runs_finished_total\{flow="welcome-call-task",status="succeeded"\} [1-9]/,
    );
    expect(text).toMatch(/hlconnect_webhooks_received_total\{source="highlevel"\} [1-9]/);
    expect(text).toMatch(/hlconnect_webhooks_duplicate_total\{source="highlevel"\} 1/);
    expect(text).toMatch(/hlconnect_webhooks_refused_total\{source="highlevel",reason="bad_signature"\} 1/);
    expect(text).toMatch(/hlconnect_webhooks_refused_total\{source="hook",reason="bad_secret"\} 2/);
    expect(text).toMatch(/hlconnect_polls_total\{flow="tag-new-contacts",outcome="ok"\} 1/);
    expect(text).toMatch(/hlconnect_poll_requests_total\{flow="tag-new-contacts"\} [1-9]/);
    expect(text).toMatch(/hlconnect_queue_jobs\{state="ready"\} \d/);
    expect(text).toMatch(/process_cpu_user_seconds_total/);
  });

  it("refuses a genuine delivery whose timestamp is too old (a late replay)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-server-late-"));
    // The same signed bytes, arriving 10 minutes after they were sent.
    const late = await Engine.open({
      dataDir: dir,
      secret: SECRET,
      webhookPublicKey: sandbox.info.webhookPublicKey,
      now: () => Date.now() + 10 * 60_000,
    });
    const lateApp = createApp({ engine: late, apiToken: API_TOKEN, logger }).app;
    const res = await redeliver(lateApp);
    expect(res.status).toBe(401);
    expect(await errorOf(res)).toMatch(/stale_timestamp/);
    expect((await late.store.listRuns()).runs).toHaveLength(0);
    await late.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 500, not 200, when a webhook cannot be stored", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-server-down-"));
    const down = await Engine.open({
      dataDir: dir,
      secret: SECRET,
      webhookPublicKey: sandbox.info.webhookPublicKey,
    });
    const downApp = createApp({ engine: down, apiToken: API_TOKEN, logger }).app;
    await down.stop(); // the database is closed: storing must fail
    const res = await redeliver(downApp);
    expect(res.status).toBe(500);
    expect(await errorOf(res)).toMatch(/could not be stored/);
    expect(logChunks.join("")).toMatch(/HighLevel webhook could not be stored/);
    rmSync(dir, { recursive: true, force: true });
  });

  it("never shows a token: not in any answer, not in the logs", async () => {
    const leaky = "pit-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    logger.info(
      { token: leaky, header: `Bearer ${leaky}`, error: new Error(`failed with ${leaky}`) },
      `msg ${leaky}`,
    );
    const logs = logChunks.join("");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toMatch(/"path":"\/api\/flows"/); // requests are logged (debug level here)
    for (const secret of [sandbox.info.locationToken, API_TOKEN, leaky]) {
      expect(logs).not.toContain(secret);
      for (const body of responseBodies) expect(body).not.toContain(secret);
    }
    expect(responseBodies.length).toBeGreaterThan(30);
  });
});
