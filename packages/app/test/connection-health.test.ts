// A connection is untested until a test ran, failing (with the reason) after a failed test and ok after
// a successful one: recorded by POST /api/connections/:id/test, `hlconnect connections test` and the
// test on save, shown by the API's connection view and `connections list`. A failed test never marks
// needs_reconnect (that pauses flows).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/server/app.ts";
import { runCli } from "./helpers/cli.ts";
import { quietLogger } from "./web-helpers.ts";

const SECRET = "connection-health-test-passphrase";
const API_TOKEN = "connection-health-api-token-7d2e";
const BAD_TOKEN = "pit-00000000-1111-2222-3333-444444444444";

let sandbox: Sandbox;
let engine: Engine;
let app: Hono;
let dataDir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dataDir = mkdtempSync(path.join(tmpdir(), "hlc-health-"));
  engine = await Engine.open({ dataDir, secret: SECRET, baseUrl: sandbox.info.baseUrl });
  const logger = quietLogger();
  app = createApp({ engine, apiToken: API_TOKEN, logger, metrics: undefined }).app;
});
afterAll(async () => {
  await engine?.stop();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, each checked by expect()
async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await app.request(url, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

describe("connection health in the API", () => {
  it("is untested before any test, failing with the reason after a failed one, ok after a good one", async () => {
    const added = await engine.addConnection(
      { label: "Stale", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: BAD_TOKEN },
    );
    const before = await call("GET", `/api/connections/${added.id}`);
    expect(before.json.connection).toMatchObject({ status: "ok", health: "untested" });
    expect(before.json.connection.lastTest).toBeUndefined();

    expect((await call("POST", `/api/connections/${added.id}/test`)).status).toBe(502);
    const failing = (await call("GET", `/api/connections/${added.id}`)).json.connection;
    expect(failing).toMatchObject({ status: "ok", health: "failing", lastTest: { ok: false } });
    expect(failing.lastTest.reason).toMatch(/401|token|unauthori[sz]ed/i);
    expect(failing.lastTest.reason).not.toContain(BAD_TOKEN);
    expect(failing.pausedFlows).toEqual([]);

    // The token is replaced with a working one: the next test makes it ok.
    await engine.store.setConnectionSecrets(added.id, { privateToken: sandbox.info.locationToken });
    engine.clients.forget(added.id);
    expect((await call("POST", `/api/connections/${added.id}/test`)).status).toBe(200);
    const list = (await call("GET", "/api/connections")).json.connections;
    expect(list.find((c: { id: string }) => c.id === added.id)).toMatchObject({
      health: "ok",
      lastTest: { ok: true },
    });
    await engine.store.deleteConnection(added.id);
  });

  it("records the test on save: a connection added through the API is ok at once", async () => {
    const added = await call("POST", "/api/connections", {
      label: "Good",
      kind: "pit",
      token: sandbox.info.locationToken,
      locationId: sandbox.info.locationId,
    });
    expect(added.status).toBe(201);
    expect(added.json.connection).toMatchObject({ health: "ok", lastTest: { ok: true } });
    await engine.store.deleteConnection(added.json.connection.id);
  });

  it("shows needs_reconnect over the last test, since that is what pauses flows", async () => {
    const c = await engine.addConnection(
      { label: "Broken", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: sandbox.info.locationToken },
    );
    await call("POST", `/api/connections/${c.id}/test`);
    await engine.store.setConnectionStatus(c.id, "needs_reconnect", "refresh refused");
    expect((await call("GET", `/api/connections/${c.id}`)).json.connection).toMatchObject({
      health: "needs_reconnect",
      lastTest: { ok: true },
    });
    await engine.store.deleteConnection(c.id);
  });
});

describe("connection health in the CLI", () => {
  it("connections list shows untested, then failing with the reason after `connections test`", async () => {
    const cliDir = mkdtempSync(path.join(tmpdir(), "hlc-health-cli-"));
    const env = { HLCONNECT_SECRET: SECRET, HIGHLEVEL_BASE_URL: sandbox.info.baseUrl };
    try {
      const seeded = await Engine.open({ dataDir: cliDir, secret: SECRET, baseUrl: sandbox.info.baseUrl });
      const c = await seeded.addConnection(
        { label: "Stale", kind: "pit", locationIds: [sandbox.info.locationId] },
        { privateToken: BAD_TOKEN },
      );
      await seeded.stop();
      const list = () => runCli(["connections", "list", "--data", cliDir], env);

      const untested = (await list()).stdout;
      expect(untested).toMatch(new RegExp(`${c.id}\\s.*\\buntested\\b`));
      expect(untested).toContain(`hlconnect connections test ${c.id}`);

      const tested = await runCli(["connections", "test", c.id, "--data", cliDir], env);
      expect(tested.code).not.toBe(0);
      expect(tested.stderr).toContain("does not work");
      const failing = (await list()).stdout;
      expect(failing).toMatch(new RegExp(`${c.id}\\s.*\\bfailing\\b`));
      expect(failing).toMatch(new RegExp(`${c.id}: last test failed: .+`));
      expect(failing).not.toContain(BAD_TOKEN);
    } finally {
      rmSync(cliDir, { recursive: true, force: true });
    }
  });
});
