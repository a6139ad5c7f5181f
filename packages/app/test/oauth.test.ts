// OAuth connections through the real HTTP server and the sandbox's consent shortcut: every redirect is
// followed by hand (fetch with redirect "manual"), as a browser would. One clock, moved by the test,
// drives the server, the engine and the sandbox, so states and tokens expire when the test says.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxOAuthSettings } from "../src/cli/demo.ts";
import { createApp } from "../src/server/app.ts";
import { type Listening, listen } from "../src/server/listen.ts";
import { createLogger, engineLogger } from "../src/server/logging.ts";
import { signStartLink, startLinkKey } from "../src/server/oauth/start-link.ts";
import { runCli } from "./helpers/cli.ts";

const SECRET = "an-oauth-server-test-passphrase-long-enough";
const API_TOKEN = "oauth-test-api-token-9d3e1b";
const VERSION = "2021-07-28";
const run = promisify(execFile);

let offset = 0;
const now = () => Date.now() + offset;
let sandbox: Sandbox;
let engine: Engine;
let server: Listening;
let dataDir: string;
const logChunks: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-oauth-app-"));
  sandbox = await startSandbox({
    port: 0,
    seed: 9,
    now,
    accessTokenTtlSeconds: 3600,
    rateLimit: { max: 100_000, windowMs: 1000 },
  });
  const sink = new Writable({
    write(chunk, _enc, done) {
      logChunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ stream: sink, pretty: false, level: "debug" });
  engine = await Engine.open({
    dataDir,
    secret: SECRET,
    baseUrl: sandbox.info.baseUrl,
    logger: engineLogger(logger),
    now,
  });
  await engine.start();
  server = await listen({ port: 0, host: "127.0.0.1" });
  const { app } = createApp({
    engine,
    apiToken: API_TOKEN,
    logger,
    oauth: {
      settings: sandboxOAuthSettings(sandbox.info),
      publicUrl: server.url,
      linkKey: startLinkKey(SECRET),
      now,
    },
  });
  server.setApp(app);
});

afterAll(async () => {
  await server?.close();
  await engine?.stop();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${API_TOKEN}` };
const asJson = { accept: "application/json" };

// biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, each checked by expect()
async function api(method: string, pathname: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${server.url}${pathname}`, {
    method,
    headers: { ...auth, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function redirectOf(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { redirect: "manual", headers });
  expect(res.status, await res.clone().text()).toBe(302);
  return res.headers.get("location")!;
}

/** /oauth/start -> the sandbox's consent page -> back to /oauth/callback: the callback URL. */
async function consent(startUrl: string, headers: Record<string, string> = auth): Promise<string> {
  const authorize = await redirectOf(startUrl, headers);
  return redirectOf(authorize);
}

// biome-ignore lint/suspicious/noExplicitAny: the callback's JSON answer, checked by expect()
async function callback(url: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { redirect: "manual", headers: asJson });
  return { status: res.status, json: await res.json() };
}

async function connect(query: string) {
  const done = await callback(await consent(`${server.url}/oauth/start?${query}`));
  expect(done.status, JSON.stringify(done.json)).toBe(200);
  return done.json as {
    connection: { id: string; locationIds: string[] };
    created: boolean;
    resumedFlows: string[];
  };
}

async function saveFlow(id: string, connectionId: string): Promise<void> {
  const source = [
    `id: ${id}`,
    `name: Lead via ${id}`,
    `connection: ${connectionId}`,
    "trigger:",
    "  webhook: {}",
    "steps:",
    "  - id: contact",
    "    op: highlevel.contacts.upsert",
    "    input:",
    '      email: "{{ trigger.email }}"',
    '      firstName: "{{ trigger.name }}"',
  ].join("\n");
  const saved = await api("PUT", `/api/flows/${id}`, { source, file: `${id}.yaml` });
  expect(saved.status, JSON.stringify(saved.json)).toBeLessThan(300);
}

async function runFlow(flowId: string, trigger: Record<string, unknown>) {
  const started = await api("POST", `/api/flows/${flowId}/run-once`, { trigger });
  expect(started.status).toBe(202);
  for (let i = 0; i < 400; i++) {
    const r = await api("GET", `/api/runs/${started.json.run.id}`);
    if (!["queued", "running"].includes(r.json.run.status)) return r.json.run;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`run of ${flowId} did not finish`);
}

/**
 * Whether any of the SQLite files (database, WAL) holds the text, searched by grep in another process:
 * reading them here would close file descriptors of this process on them, which drops the engine's
 * POSIX locks and lets another process think the database is no longer in use.
 */
async function databaseHolds(text: string): Promise<boolean> {
  const files = readdirSync(dataDir)
    .filter((f) => f.startsWith("hlconnect.db"))
    .map((f) => path.join(dataDir, f));
  try {
    await run("grep", ["-F", "-a", "-q", "-e", text, ...files]);
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 1) return false;
    throw err;
  }
}

async function contactsIn(locationId: string, email: string): Promise<unknown[]> {
  const token = sandbox.createToken({ locationId });
  const res = await fetch(
    `${sandbox.info.baseUrl}/contacts/?locationId=${locationId}&query=${encodeURIComponent(email)}`,
    { headers: { authorization: `Bearer ${token}`, version: VERSION } },
  );
  return ((await res.json()) as { contacts: unknown[] }).contacts;
}

const cli = (args: string[]) => runCli([...args, "--data", dataDir], { HLCONNECT_SECRET: SECRET });

let locationConnection: string;

describe("OAuth through the server", () => {
  it("runs the authorization-code dance, stores the tokens encrypted, and a flow runs through it", async () => {
    const start = await fetch(`${server.url}/oauth/start?label=Demo%20by%20OAuth&userType=Location`, {
      redirect: "manual",
      headers: auth,
    });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get("location")!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${sandbox.info.baseUrl}/oauth/chooselocation`);
    expect(authorize.searchParams.get("client_id")).toBe(sandbox.info.clientId);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${server.url}/oauth/callback`);
    expect(authorize.searchParams.get("scope")).toContain("contacts.write");
    expect(authorize.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);

    const back = await redirectOf(authorize.toString());
    expect(back.startsWith(`${server.url}/oauth/callback?`)).toBe(true);
    // A browser lands here: it gets a page.
    const page = await fetch(back, { redirect: "manual" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain("Connected to HighLevel");
    expect(html).toContain("Demo by OAuth");

    const listed = await api("GET", "/api/connections");
    const c = listed.json.connections.find((x: { kind: string }) => x.kind === "oauth");
    expect(c).toMatchObject({
      label: "Demo by OAuth",
      locationIds: [sandbox.info.locationId],
      companyId: sandbox.info.companyId,
      status: "ok",
      pausedFlows: [],
    });
    locationConnection = c.id;

    const tokens = await engine.store.tokenStore().load(c.id);
    expect(tokens?.refreshToken).toBeTruthy();
    expect(await databaseHolds(tokens!.accessToken)).toBe(false);
    expect(await databaseHolds(tokens!.refreshToken!)).toBe(false);
    expect(await databaseHolds(sandbox.info.clientSecret)).toBe(false);
    // The search works: the connection's label is stored in the clear.
    expect(await databaseHolds("Demo by OAuth")).toBe(true);
    const logs = logChunks.join("");
    expect(logs).toContain("OAuth connection added");
    expect(logs).not.toContain(tokens!.accessToken);
    expect(logs).not.toContain(tokens!.refreshToken);

    await saveFlow("oauth-lead", c.id);
    const done = await runFlow("oauth-lead", { email: "ola@example.com", name: "Ola" });
    expect(done.status).toBe("succeeded");
    expect(await contactsIn(sandbox.info.locationId, "ola@example.com")).toHaveLength(1);
  });

  it("guards /oauth/start: the API token or a valid one-time link, and sensible parameters", async () => {
    const bare = await fetch(`${server.url}/oauth/start`, { redirect: "manual", headers: asJson });
    expect(bare.status).toBe(401);
    const badType = await fetch(`${server.url}/oauth/start?userType=Boss`, {
      headers: { ...auth, ...asJson },
    });
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as { error: string }).error).toMatch(
      /userType must be Location or Company/,
    );
    const json = await fetch(`${server.url}/oauth/start`, { headers: { ...auth, ...asJson } });
    expect(((await json.json()) as { authorizeUrl: string }).authorizeUrl).toMatch(/chooselocation\?/);

    const key = startLinkKey(SECRET);
    const link = signStartLink(
      server.url,
      key,
      { userType: "Location", whiteLabel: false, label: "A" },
      now(),
    );
    const tampered = link.replace("label=A", "label=B");
    const forged = await fetch(tampered, { redirect: "manual", headers: asJson });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toMatch(/not valid/);
    expect((await fetch(link, { redirect: "manual" })).status).toBe(302);
    const again = await fetch(link, { redirect: "manual", headers: asJson });
    expect(again.status).toBe(403);
    expect(((await again.json()) as { error: string }).error).toMatch(/already used/);
    const old = signStartLink(
      server.url,
      key,
      { userType: "Location", whiteLabel: false },
      now() - 11 * 60_000,
    );
    const stale = await fetch(old, { redirect: "manual", headers: asJson });
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { error: string }).error).toMatch(/expired/);
    const otherSecret = signStartLink(server.url, startLinkKey("another-secret-entirely-123"), {
      userType: "Location",
      whiteLabel: false,
    });
    expect((await fetch(otherSecret, { redirect: "manual" })).status).toBe(403);
  });

  it("connects an agency from the CLI's link; a flow on one of its locations runs with a minted token", async () => {
    const printed = await cli([
      "connections",
      "oauth",
      "--agency",
      "--label",
      "Agency",
      "--server",
      server.url,
      "--json",
    ]);
    expect(printed.code, printed.stderr).toBe(0);
    const { link } = JSON.parse(printed.stdout) as { link: string };
    expect(link).toMatch(/\/oauth\/start\?.*userType=Company.*sig=/);
    // No API token: the link is the credential.
    const done = await callback(await consent(link, {}));
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    const agency = done.json.connection;
    expect(agency).toMatchObject({ kind: "agency", label: "Agency", companyId: sandbox.info.companyId });
    expect(agency.locationIds).toEqual(
      expect.arrayContaining([sandbox.info.locationId, sandbox.info.otherLocationId]),
    );

    await saveFlow("agency-lead", agency.id);
    const mark = sandbox.requests().at(-1)?.id ?? 0;
    const ran = await runFlow("agency-lead", {
      locationId: sandbox.info.otherLocationId,
      email: "ann@example.com",
      name: "Ann",
    });
    expect(ran.status).toBe("succeeded");
    expect(sandbox.requests({ after: mark }).some((r) => r.path === "/oauth/locationToken")).toBe(true);
    expect(await contactsIn(sandbox.info.otherLocationId, "ann@example.com")).toHaveLength(1);

    const noServer = await cli(["connections", "oauth"]);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/no hlconnect server is running .*hlconnect serve/);
  });

  it("edits connections and refuses to remove one that enabled flows use", async () => {
    const list = (await api("GET", "/api/connections")).json.connections as Array<{
      id: string;
      kind: string;
    }>;
    const agency = list.find((c) => c.kind === "agency")!;
    const renamed = await api("PUT", `/api/connections/${agency.id}`, {
      label: "Agency (main office)",
      locationIds: [sandbox.info.otherLocationId],
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.connection).toMatchObject({
      label: "Agency (main office)",
      locationIds: [sandbox.info.otherLocationId],
    });
    const wrongLocation = await api("PUT", `/api/connections/${locationConnection}`, {
      locationIds: [sandbox.info.otherLocationId],
    });
    expect(wrongLocation.status).toBe(400);
    expect(wrongLocation.json.error).toMatch(/authorized for location/);
    const token = await api("PUT", `/api/connections/${agency.id}`, { token: "x" });
    expect(token.status).toBe(400);
    expect(token.json.error).toMatch(/cannot change "token"/);
    expect((await api("PUT", `/api/connections/${agency.id}`, { label: "" })).status).toBe(400);
    expect((await api("PUT", "/api/connections/nope", { label: "x" })).status).toBe(404);

    const refused = await api("DELETE", `/api/connections/${agency.id}`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatch(/used by enabled flow agency-lead/);
    expect(refused.json.details).toEqual({ flows: ["agency-lead"] });
    const fromCli = await cli(["connections", "remove", agency.id]);
    expect(fromCli.code).toBe(1);
    expect(fromCli.stderr).toMatch(/agency-lead/);

    expect((await api("POST", "/api/flows/agency-lead/disable")).status).toBe(200);
    const removed = await cli(["connections", "remove", agency.id]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/removed connection/);
    expect((await api("GET", `/api/connections/${agency.id}`)).status).toBe(404);
    expect((await api("DELETE", `/api/connections/${agency.id}`)).status).toBe(404);
  });
  it("refuses a reused, expired, unknown or missing state with a readable answer", async () => {
    const back = await consent(`${server.url}/oauth/start?userType=Location`);
    expect((await callback(back)).status).toBe(200);
    const reused = await callback(back);
    expect(reused.status).toBe(400);
    expect(reused.json.error).toMatch(/already used.*Start again/);
    const page = await fetch(back);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("Authorization already used");

    const late = await consent(`${server.url}/oauth/start?userType=Location`);
    offset += 11 * 60_000;
    const expired = await callback(late);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toMatch(/Authorization expired.*10 minutes/);

    const unknown = await callback(`${server.url}/oauth/callback?code=abc&state=made-up`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatch(/Unknown authorization/);
    const missing = await callback(`${server.url}/oauth/callback?code=abc`);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/Missing state/);
    // Neither added a connection: the reconnections above reused the one location connection.
    const kinds = (await api("GET", "/api/connections")).json.connections.map(
      (x: { kind: string }) => x.kind,
    );
    expect(kinds).toEqual(["oauth"]);
  });

  it("pauses the flows of a connection whose refresh token died, and a new authorization resumes them", async () => {
    const id = locationConnection;
    const tokens = await engine.store.tokenStore().load(id);
    // Spent elsewhere (another install of the app, a script): the stored refresh token is now dead.
    const spent = await fetch(`${sandbox.info.baseUrl}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: sandbox.info.clientId,
        client_secret: sandbox.info.clientSecret,
        grant_type: "refresh_token",
        refresh_token: tokens!.refreshToken!,
      }).toString(),
    });
    expect(spent.status).toBe(200);
    offset += 2 * 3_600_000; // the access token has expired

    const failed = await runFlow("oauth-lead", { email: "ned@example.com", name: "Ned" });
    expect(failed.status).toBe("failed");
    expect(failed.error.code).toBe("RECONNECT_NEEDED");
    const broken = (await api("GET", `/api/connections/${id}`)).json.connection;
    expect(broken.status).toBe("needs_reconnect");
    expect(broken.statusReason).toMatch(/needs reconnecting: .*refresh token/);
    expect(broken.pausedFlows).toEqual([{ id: "oauth-lead", name: "Lead via oauth-lead" }]);
    const flow = (await api("GET", "/api/flows/oauth-lead")).json.flow;
    expect(flow.status).toBe("paused");
    expect(flow.statusReason).toContain(`--reconnect ${id}`);

    const again = await connect(`reconnect=${id}`);
    expect(again).toMatchObject({ created: false, resumedFlows: ["oauth-lead"], connection: { id } });
    const fixed = (await api("GET", `/api/connections/${id}`)).json.connection;
    expect(fixed).toMatchObject({ status: "ok", pausedFlows: [] });
    expect(fixed.statusReason).toBeUndefined();
    expect((await api("GET", "/api/flows/oauth-lead")).json.flow.status).toBe("active");
    expect((await runFlow("oauth-lead", { email: "ned@example.com", name: "Ned" })).status).toBe("succeeded");
  });
});
