// OAuth and agency connections end to end against the sandbox, on a clock the test moves by hand: the
// sandbox's access tokens live one second, so moving the clock expires them exactly when the test says.
// Runs are executed in the test's own call (no workers), so each request they make is theirs.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { OAuthApp, type TokenSet, type UserType } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AuthorizationError, completeAuthorization } from "../../src/connections/authorize.ts";
import { Engine } from "../../src/engine.ts";
import { connectionFor } from "../../src/runner/environment.ts";
import { executeRun } from "../../src/runner/run-executor.ts";

const SECRET = "an-oauth-test-passphrase-of-enough-length";
const VERSION = "2021-07-28";

let clock = Date.parse("2030-01-02T10:00:00Z");
const now = () => clock;
let sandbox: Sandbox;
let engine: Engine;
let dataDir: string;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-oauth-"));
  sandbox = await startSandbox({
    port: 0,
    seed: 21,
    accessTokenTtlSeconds: 1,
    now,
    rateLimit: { max: 100_000, windowMs: 1000 },
  });
  // No refresh margin: with one-second tokens the default minute would refresh before every request.
  engine = await Engine.open({
    dataDir,
    secret: SECRET,
    baseUrl: sandbox.info.baseUrl,
    now,
    refreshSkewMs: 0,
  });
});

afterEach(async () => {
  await engine.stop();
  await sandbox.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function app(): OAuthApp {
  const i = sandbox.info;
  return new OAuthApp({ clientId: i.clientId, clientSecret: i.clientSecret, baseUrl: i.baseUrl, now });
}

/** A code as HighLevel's consent page would hand back (the sandbox's shortcut). */
async function code(userType: UserType): Promise<string> {
  const res = await fetch(`${sandbox.info.baseUrl}/__sandbox/oauth/code?userType=${userType}`);
  return ((await res.json()) as { code: string }).code;
}

async function authorize(userType: UserType, extra: { label?: string; reconnectId?: string } = {}) {
  return completeAuthorization(engine, {
    app: app(),
    clientSecret: sandbox.info.clientSecret,
    code: await code(userType),
    userType,
    ...extra,
  });
}

/** A flow posted to its hook: upsert the contact, then note on it (two API calls per run). */
function flowSource(id: string, connectionId: string): string {
  return [
    `id: ${id}`,
    `name: ${id}`,
    `connection: ${connectionId}`,
    "trigger:",
    "  webhook: {}",
    "steps:",
    "  - id: contact",
    "    op: highlevel.contacts.upsert",
    "    input:",
    '      email: "{{ trigger.email }}"',
    '      firstName: "{{ trigger.name }}"',
    "  - id: note",
    "    op: highlevel.contacts.notes.create",
    "    input:",
    '      contactId: "{{ steps.contact.output.contact.id }}"',
    "      body: Came in through OAuth",
  ].join("\n");
}

async function saveFlow(id: string, connectionId: string): Promise<void> {
  const saved = await engine.saveFlow(flowSource(id, connectionId), `${id}.yaml`);
  expect(saved.errors).toEqual([]);
}

async function runOnce(flowId: string, trigger: Record<string, unknown>) {
  const { run } = await engine.store.createRun({ flowId, trigger });
  await executeRun(engine.env, run.id);
  const done = await engine.store.getRun(run.id);
  return { run: done!, steps: await engine.store.listSteps(run.id) };
}

function requestsAfter(mark: number) {
  return sandbox.requests({ after: mark }).filter((r) => !r.path.startsWith("/__sandbox"));
}

function lastRequestId(): number {
  return sandbox.requests().at(-1)?.id ?? 0;
}

async function storedTokens(connectionId: string): Promise<TokenSet> {
  const tokens = await engine.store.tokenStore().load(connectionId);
  if (!tokens) throw new Error("no tokens stored");
  return tokens;
}

/**
 * Whether the SQLite files (database, WAL) hold the text, searched by grep in another process: reading
 * them here would close file descriptors of this process on them, dropping the store's POSIX locks.
 */
async function databaseHolds(text: string): Promise<boolean> {
  const files = readdirSync(dataDir)
    .filter((f) => f.startsWith("hlconnect.db"))
    .map((f) => path.join(dataDir, f));
  try {
    await promisify(execFile)("grep", ["-F", "-a", "-q", "-e", text, ...files]);
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 1) return false;
    throw err;
  }
}

async function contactsIn(locationId: string, email: string) {
  const token = sandbox.createToken({ locationId });
  const res = await fetch(
    `${sandbox.info.baseUrl}/contacts/?locationId=${locationId}&query=${encodeURIComponent(email)}`,
    { headers: { authorization: `Bearer ${token}`, version: VERSION } },
  );
  return ((await res.json()) as { contacts: Array<{ id: string; email?: string }> }).contacts;
}

describe("OAuth location connections", () => {
  it("are saved from the code with their tokens encrypted, and flows run through them", async () => {
    const result = await authorize("Location", { label: "Demo Realty by OAuth" });
    const c = result.connection;
    expect(result.created).toBe(true);
    expect(c).toMatchObject({
      kind: "oauth",
      label: "Demo Realty by OAuth",
      locationIds: [sandbox.info.locationId],
      companyId: sandbox.info.companyId,
      clientId: sandbox.info.clientId,
      status: "ok",
      hasTokens: true,
    });
    expect(c.scopes).toContain("contacts.write");

    const tokens = await storedTokens(c.id);
    expect(tokens.refreshToken).toBeTruthy();
    expect(await databaseHolds(tokens.accessToken)).toBe(false);
    expect(await databaseHolds(tokens.refreshToken!)).toBe(false);
    expect(await databaseHolds(sandbox.info.clientSecret)).toBe(false);
    expect(await databaseHolds("Demo Realty by OAuth")).toBe(true); // the search does find what is there

    await saveFlow("oauth-lead", c.id);
    const { run, steps } = await runOnce("oauth-lead", { email: "olga@example.com", name: "Olga" });
    expect(run.status).toBe("succeeded");
    expect(steps.map((s) => s.status)).toEqual(["succeeded", "succeeded"]);
    expect((await contactsIn(sandbox.info.locationId, "olga@example.com")).length).toBe(1);
  });

  it("refreshes an expired token exactly once per run, saving the new pair before using it", async () => {
    const { connection } = await authorize("Location");
    await saveFlow("oauth-lead", connection.id);
    const before = await storedTokens(connection.id);

    // Note where the sandbox's log stood each time a token pair was saved.
    const store = engine.store;
    const original = store.tokenStore.bind(store);
    const saves: Array<{ logId: number; tokens: TokenSet }> = [];
    store.tokenStore = () => {
      const inner = original();
      return {
        load: (id) => inner.load(id),
        withLock: (id, fn) => inner.withLock(id, fn),
        save: async (id, tokens) => {
          saves.push({ logId: lastRequestId(), tokens });
          await inner.save(id, tokens);
        },
      };
    };
    engine.clients.forget(connection.id);

    clock += 5_000; // the one-second token is long dead
    const mark = lastRequestId();
    const { run } = await runOnce("oauth-lead", { email: "rita@example.com", name: "Rita" });
    expect(run.status).toBe("succeeded");

    const requests = requestsAfter(mark);
    const refreshes = requests.filter((r) => r.method === "POST" && r.path === "/oauth/token");
    expect(refreshes).toHaveLength(1);
    expect(requests[0]).toBe(refreshes[0]); // before any API call of the run
    expect(requests.slice(1).every((r) => r.status < 400)).toBe(true);
    expect(requests).toHaveLength(3); // refresh, upsert, note: no 401 and no second refresh

    // Saved right after the refresh answered, before the first API call went out.
    expect(saves).toHaveLength(1);
    expect(saves[0]!.logId).toBe(refreshes[0]!.id);
    const after = await storedTokens(connection.id);
    expect(after.accessToken).toBe(saves[0]!.tokens.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBe(clock + 1000);
    // The old refresh token is spent: HighLevel's tokens are single-use.
    const spent = await spendRefreshToken(before.refreshToken!);
    expect(spent.status).toBe(400);
  });

  it("pauses the flows of a connection whose refresh token died, and a new authorization resumes them", async () => {
    const { connection } = await authorize("Location", { label: "Fragile" });
    await saveFlow("oauth-lead", connection.id);
    await saveFlow("oauth-lead-2", connection.id);
    const pit = await engine.addConnection(
      { label: "PIT", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: sandbox.info.locationToken },
    );
    await saveFlow("pit-lead", pit.id);

    // Someone else (another install, a script) spends the refresh token.
    const stolen = await spendRefreshToken((await storedTokens(connection.id)).refreshToken!);
    expect(stolen.status).toBe(200);
    clock += 5_000;

    const { run, steps } = await runOnce("oauth-lead", { email: "pat@example.com", name: "Pat" });
    expect(run.status).toBe("failed");
    expect(run.error?.code).toBe("RECONNECT_NEEDED");
    expect(steps.map((s) => s.status)).toEqual(["failed"]);

    const broken = await engine.store.getConnection(connection.id);
    expect(broken?.status).toBe("needs_reconnect");
    expect(broken?.statusReason).toMatch(/rejected the refresh token/);
    for (const id of ["oauth-lead", "oauth-lead-2"]) {
      const flow = await engine.store.getFlow(id);
      expect(flow?.status).toBe("paused");
      expect(flow?.statusReason).toContain(`connection ${connection.id} ("Fragile") needs reconnecting`);
      expect(flow?.statusReason).toContain(`hlconnect connections oauth --reconnect ${connection.id}`);
    }
    expect((await engine.store.getFlow("pit-lead"))?.status).toBe("active");

    const again = await authorize("Location");
    expect(again.created).toBe(false);
    expect(again.connection).toMatchObject({ id: connection.id, label: "Fragile", status: "ok" });
    expect(again.resumedFlows.map((f) => f.id).sort()).toEqual(["oauth-lead", "oauth-lead-2"]);
    for (const id of ["oauth-lead", "oauth-lead-2"]) {
      const flow = await engine.store.getFlow(id);
      expect(flow?.status).toBe("active");
      expect(flow?.statusReason).toBeUndefined();
    }
    expect((await engine.store.listConnections()).length).toBe(2);
    const retried = await runOnce("oauth-lead", { email: "pat@example.com", name: "Pat" });
    expect(retried.run.status).toBe("succeeded");
  });

  it("refuses to reconnect a connection with a grant for another location or company", async () => {
    const agency = await authorize("Company");
    await expect(authorize("Location", { reconnectId: agency.connection.id })).rejects.toThrow(
      AuthorizationError,
    );
    await expect(authorize("Location", { reconnectId: "conn_nope" })).rejects.toThrow(/no connection/);
    expect((await engine.store.listConnections()).map((c) => c.kind)).toEqual(["agency"]);
  });
});

describe("a second connection", () => {
  it("leaves flows that name none on the default connection (the first added), with nothing to fix", async () => {
    const pit = await engine.addConnection(
      { label: "PIT", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: sandbox.info.locationToken },
    );
    const source = flowSource("implicit", pit.id).replace(`connection: ${pit.id}\n`, "");
    expect((await engine.saveFlow(source, "implicit.yaml")).errors).toEqual([]);
    const before = await connectionFor(engine.store, { id: "implicit", connection: undefined });
    const { connection, warnings } = await authorize("Location");
    expect(warnings.join("\n")).not.toMatch(/names no connection/);
    const after = await connectionFor(engine.store, { id: "implicit", connection: undefined });
    expect(after.id).toBe(before.id);
    expect(after.id).not.toBe(connection.id);
  });
});

describe("agency connections", () => {
  it("list the installed locations, mint a location token and run a flow on that location", async () => {
    const i = sandbox.info;
    const { connection } = await authorize("Company");
    expect(connection).toMatchObject({ kind: "agency", companyId: i.companyId, status: "ok" });
    expect(connection.locationIds).toEqual(expect.arrayContaining([i.locationId, i.otherLocationId]));
    const tokens = await storedTokens(connection.id);
    expect(tokens.userType).toBe("Company");
    expect(await databaseHolds(tokens.accessToken)).toBe(false);

    await saveFlow("agency-lead", connection.id);
    const mark = lastRequestId();
    const { run } = await runOnce("agency-lead", {
      locationId: i.otherLocationId,
      email: "amos@example.com",
      name: "Amos",
    });
    expect(run.status).toBe("succeeded");
    const requests = requestsAfter(mark);
    const mints = requests.filter((r) => r.path === "/oauth/locationToken");
    expect(mints).toHaveLength(1);
    expect(requests.filter((r) => r.path !== "/oauth/locationToken").map((r) => r.locationId)).toEqual([
      i.otherLocationId,
      i.otherLocationId,
    ]);
    expect((await contactsIn(i.otherLocationId, "amos@example.com")).length).toBe(1);
    expect((await contactsIn(i.locationId, "amos@example.com")).length).toBe(0);
  });
});

async function spendRefreshToken(refreshToken: string): Promise<Response> {
  const i = sandbox.info;
  return fetch(`${i.baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: i.clientId,
      client_secret: i.clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    }).toString(),
  });
}
