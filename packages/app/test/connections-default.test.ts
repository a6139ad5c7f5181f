// Several connections through the API: the first added is the default (marked `default: true`, listed
// first), flows naming no connection use it, removing it names the next default instead of being
// refused; the same token for the same location is not added twice without being asked; a PIT
// connection learns its company id from its location; the OAuth page shows no literal backticks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/server/app.ts";
import { oauthSuccess } from "../src/server/oauth/page.ts";
import { quietLogger } from "./web-helpers.ts";

const SECRET = "connections-default-test-passphrase";
const API_TOKEN = "connections-default-api-token-51fa";

let sandbox: Sandbox;
let engine: Engine;
let app: Hono;
let dataDir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  dataDir = mkdtempSync(path.join(tmpdir(), "hlc-default-"));
  engine = await Engine.open({ dataDir, secret: SECRET, baseUrl: sandbox.info.baseUrl });
  app = createApp({ engine, apiToken: API_TOKEN, logger: quietLogger(), metrics: undefined }).app;
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

const WEBHOOK_FLOW = `id: unnamed
name: Names no connection
trigger:
  webhook: {}
steps:
  - id: tag
    op: highlevel.contacts.tags.add
    input:
      contactId: "{{ trigger.contactId }}"
      tags: [seen]
`;

describe("the default connection in the API", () => {
  it("marks the first added, keeps unnamed flows working, and hands the role on when removed", async () => {
    const add = (label: string, token: string, extra: Record<string, unknown> = {}) =>
      call("POST", "/api/connections", {
        kind: "pit",
        label,
        token,
        locationId: sandbox.info.locationId,
        ...extra,
      });
    const first = await add("First", sandbox.info.locationToken);
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    expect(first.json.connection.default).toBe(true);
    // The token may read its location: the company id is recorded from it, no warning.
    expect(first.json.connection.companyId).toBe(sandbox.info.companyId);
    expect(first.json.warnings).toBeUndefined();

    // The same token for the same location again is a 409 naming the existing connection...
    const again = await add("First again", sandbox.info.locationToken);
    expect(again.status).toBe(409);
    expect(again.json.error).toContain(first.json.connection.id);
    expect(again.json.error).not.toContain(sandbox.info.locationToken);
    expect(again.json.details).toEqual({ connectionId: first.json.connection.id });
    // ...unless asked for: then it is a second connection, not the default.
    const second = await add("Second", sandbox.info.locationToken, { allowDuplicate: true });
    expect(second.status).toBe(201);
    expect(second.json.connection.default).toBeUndefined();

    const saved = await engine.saveFlow(WEBHOOK_FLOW, "unnamed.yaml");
    expect(saved.errors).toEqual([]);

    const list = (await call("GET", "/api/connections")).json.connections;
    expect(list.map((c: { label: string }) => c.label)).toEqual(["First", "Second"]);
    expect(list.map((c: { default?: boolean }) => c.default === true)).toEqual([true, false]);
    const one = (await call("GET", `/api/connections/${second.json.connection.id}`)).json.connection;
    expect(one.default).toBeUndefined();

    // Removing the default is not refused for the unnamed flow: the next oldest takes over.
    const removed = await call("DELETE", `/api/connections/${first.json.connection.id}`);
    expect(removed.status, JSON.stringify(removed.json)).toBe(200);
    expect(removed.json.removed).toBe(first.json.connection.id);
    expect(removed.json.newDefault).toMatchObject({ id: second.json.connection.id, default: true });
    // The last connection is held back by the enabled flow that names none.
    const last = await call("DELETE", `/api/connections/${second.json.connection.id}`);
    expect(last.status).toBe(409);
    expect(last.json.details).toEqual({ flows: ["unnamed"] });
    await engine.setFlowEnabled("unnamed", false);
    const gone = await call("DELETE", `/api/connections/${second.json.connection.id}`);
    expect(gone.status).toBe(200);
    expect(gone.json.newDefault).toBeUndefined();
  });

  it("warns when a PIT connection has no company id, and lets one be set and cleared", async () => {
    const added = await engine.addConnection(
      { label: "No company", kind: "pit", locationIds: [sandbox.info.otherLocationId] },
      { privateToken: "pit-refused-by-the-sandbox" },
    );
    const set = await call("PUT", `/api/connections/${added.id}`, { companyId: " comp-123 " });
    expect(set.status).toBe(200);
    expect(set.json.connection.companyId).toBe("comp-123");
    const bad = await call("PUT", `/api/connections/${added.id}`, { companyId: "no spaces allowed" });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/"companyId" must be a company id/);
    const cleared = await call("PUT", `/api/connections/${added.id}`, { companyId: "" });
    expect(cleared.json.connection.companyId).toBeUndefined();
    await engine.store.deleteConnection(added.id);

    // A token that may not read the location (403) is kept, and the missing company id is said.
    const offline = await call("POST", "/api/connections", {
      kind: "pit",
      label: "Unchecked",
      token: sandbox.info.locationToken,
      locationId: "loc-not-in-the-sandbox",
    });
    expect(offline.status).toBe(201);
    expect(offline.json.test.ok).toBe(false);
    expect(offline.json.connection.companyId).toBeUndefined();
    expect(offline.json.warnings[0]).toMatch(/no company id is known .* lists of users/);
    await engine.store.deleteConnection(offline.json.connection.id);
  });
});

describe("the OAuth result page", () => {
  it("shows `code` spans as <code>, never literal backticks, and still escapes HTML", async () => {
    const page = new Hono().get("/", (c) =>
      oauthSuccess(c, "Connected", ["Flows use it with `connection: con_1` <b>now</b>."], {}),
    );
    const html = await (await page.request("/", { headers: { accept: "text/html" } })).text();
    expect(html).toContain("<code>connection: con_1</code>");
    expect(html).toContain("&lt;b&gt;now&lt;/b&gt;");
    expect(html).not.toContain("`");
  });
});
