// The webhook endpoints as an attacker or an unlucky sender meets them: HighLevel's published key by
// default, payloads that can never be stored answered 400 (not a 500 that asks for redelivery), one
// answer for unknown flows and wrong secrets with the secret checked before the body is read, webhook
// ids that are not strings refused, and /metrics behind the API token when asked.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Engine } from "@hlconnect/engine/engine";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/server/app.ts";
import { createLogger } from "../src/server/logging.ts";

const SECRET = "an-ingest-test-passphrase-long-enough";
const API_TOKEN = "ingest-test-api-token-8a7d";
const HOOK_FLOW = `id: lead-in
name: Lead in
trigger:
  webhook: {}
steps:
  - id: find
    op: highlevel.contacts.find
    input:
      email: "{{ trigger.email }}"
`;

const opened: Array<{ engine: Engine; dir: string }> = [];
afterEach(async () => {
  for (const o of opened.splice(0)) {
    await o.engine.stop().catch(() => {});
    rmSync(o.dir, { recursive: true, force: true });
  }
});

async function setup(
  options: { key?: KeyObject; metricsAuth?: boolean; leaseMs?: number; ingestMaxPending?: number } = {},
) {
  const dir = mkdtempSync(path.join(tmpdir(), "hlconnect-ingest-"));
  const publicKey = options.key ? (options.key.export({ type: "spki", format: "pem" }) as string) : undefined;
  const engine = await Engine.open({
    dataDir: dir,
    secret: SECRET,
    ...(publicKey ? { webhookPublicKey: publicKey } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.ingestMaxPending !== undefined ? { ingestMaxPending: options.ingestMaxPending } : {}),
  });
  opened.push({ engine, dir });
  const logger = createLogger({ level: "silent", stream: new Writable({ write: (_c, _e, cb) => cb() }) });
  const { app } = createApp({
    engine,
    apiToken: API_TOKEN,
    logger,
    ...(options.metricsAuth ? { metricsAuth: true } : {}),
  });
  return { engine, app };
}

function signed(privateKey: KeyObject, body: string) {
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-ghl-signature": sign(null, Buffer.from(body), privateKey).toString("base64"),
    },
    body,
  };
}

const event = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: "ContactCreate",
    locationId: "loc-1",
    id: "contact-1",
    webhookId: "wh-1",
    timestamp: new Date().toISOString(),
    ...extra,
  });

describe("HighLevel webhooks", () => {
  it("without HIGHLEVEL_WEBHOOK_PUBLIC_KEY, HighLevel's published key is used: a forged delivery is a 401, not a 500", async () => {
    const { app } = await setup();
    const forger = generateKeyPairSync("ed25519").privateKey;
    const res = await app.request("/webhooks/highlevel", signed(forger, event()));
    expect(res.status).toBe(401);
    expect(await res.text()).toMatch(/signature does not match/);
  });

  it("a 100k-deep JSON body is a 400 naming the problem, not a 500", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const { app } = await setup({ key: publicKey });
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const body = event().replace(/}$/, `,"deep":${deep}}`);
    const res = await app.request("/webhooks/highlevel", signed(privateKey, body));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/nested deeper than \d+ levels/);
  });

  it("a webhookId that is not a string is refused, not stored as [object Object]", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const { app, engine } = await setup({ key: publicKey });
    for (const webhookId of [{ a: 1 }, ["x"], 42]) {
      const res = await app.request("/webhooks/highlevel", signed(privateKey, event({ webhookId })));
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/webhookId must be a string/);
    }
    const db = (engine.store as unknown as { db: import("better-sqlite3").Database }).db;
    expect(db.prepare("SELECT count(*) AS n FROM webhooks").get()).toEqual({ n: 0 });
  });

  it("an event the store refuses as malformed (an empty locationId) is a 400 naming it, not a 500", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const { app } = await setup({ key: publicKey });
    const res = await app.request("/webhooks/highlevel", signed(privateKey, event({ locationId: "" })));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/locationId/);
  });

  it("the stored-webhook claim follows the configured lease", async () => {
    const { engine } = await setup({ leaseMs: 4321 });
    const spy = vi.spyOn(engine.store, "claimWebhooks");
    await engine.router.drain();
    expect(spy).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ leaseMs: 4321 }));
  });
});

describe("backpressure", () => {
  it("answers 429 with Retry-After at once when ingest is behind, so HighLevel delivers again", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const { app, engine } = await setup({ key: publicKey, ingestMaxPending: 0 });
    const res = await app.request("/webhooks/highlevel", signed(privateKey, event()));
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await res.text()).toMatch(/deliver it again/);
    expect((await engine.saveFlow(HOOK_FLOW, "lead-in.yaml")).errors).toEqual([]);
    const secret = await engine.store.getFlowHookSecret("lead-in");
    const hook = await app.request(`/hooks/lead-in?secret=${secret}`, { method: "POST", body: "{}" });
    expect(hook.status).toBe(429);
  });
});

describe("backpressure on a late event loop", () => {
  it("answers 429 at once, before verifying, while the event loop lags; 200 again once it keeps up", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const { app, engine } = await setup({ key: publicKey });
    const lag = vi.spyOn(engine.loopLag, "lagMs", "get").mockReturnValue(800);
    const unsigned = await app.request("/webhooks/highlevel", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    // Not 401: a busy server spends nothing on a delivery it cannot take, and HighLevel retries a 429.
    expect(unsigned.status).toBe(429);
    expect(await unsigned.text()).toMatch(/busy \(answers run 800 ms late\)/);
    lag.mockReturnValue(20);
    expect((await app.request("/webhooks/highlevel", signed(privateKey, event()))).status).toBe(200);
  });
});

describe("per-flow hooks", () => {
  it("an unknown flow and a wrong secret get the same answer, checked before the body is read", async () => {
    const { app, engine } = await setup();
    expect((await engine.saveFlow(HOOK_FLOW, "lead-in.yaml")).errors).toEqual([]);
    const post = (url: string, body: string) =>
      app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const unknown = await post("/hooks/no-such-flow?secret=abc", "{}");
    const wrong = await post("/hooks/lead-in?secret=abc", "{}");
    const wrongAndBad = await post("/hooks/lead-in?secret=abc", "{not json");
    const missing = await post("/hooks/no-such-flow", "{}");
    expect([unknown.status, wrong.status, wrongAndBad.status, missing.status]).toEqual([401, 401, 401, 401]);
    const texts = await Promise.all([unknown.text(), wrong.text(), wrongAndBad.text()]);
    expect(new Set(texts).size).toBe(1);
    expect(texts[0]).not.toMatch(/lead-in|no-such-flow/);
  });

  it("a deep JSON hook payload is a 400 naming the problem", async () => {
    const { app, engine } = await setup();
    expect((await engine.saveFlow(HOOK_FLOW, "lead-in.yaml")).errors).toEqual([]);
    const secret = await engine.store.getFlowHookSecret("lead-in");
    const res = await app.request(`/hooks/lead-in?secret=${secret}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: `{"a":${"[".repeat(50_000)}${"]".repeat(50_000)}}`,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/nested deeper than \d+ levels/);
  });
});

describe("/metrics", () => {
  it("answers without a token by default, and requires the API token when asked to", async () => {
    const open = await setup();
    expect((await open.app.request("/metrics")).status).toBe(200);
    const locked = await setup({ metricsAuth: true });
    expect((await locked.app.request("/metrics")).status).toBe(401);
    const ok = await locked.app.request("/metrics", { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/hlconnect_webhooks_ignored_total/);
  });
});
