// Connections lost while running: PostgreSQL and Redis are reached through TCP proxies the test can cut.
// While one is cut /healthz says so (503 and which part); the engine retries with backoff; once the
// connection is back, the runs accepted before or during the outage finish, none lost.
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.ts";
import {
  dropRedisPrefixes,
  dropSchemas,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueName,
} from "../support/services.ts";

/** A TCP proxy that can drop every connection and refuse new ones, then come back on the same port. */
async function tcpProxy(target: string) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(port), hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(listenPort, "127.0.0.1", () => {
        listenPort = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await open();
  return {
    get port() {
      return listenPort;
    },
    async cut() {
      const closed = new Promise((resolve) => server!.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async restore() {
      if (!server?.listening) await open();
    },
    async close() {
      const closed = new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(null)));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

const schema = uniqueName("t_outage");
const prefix = uniqueName("t_outage");
const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-outage-"));
let sandbox: Sandbox;
let engine: Engine;
let pgProxy: Awaited<ReturnType<typeof tcpProxy>>;
let redisProxy: Awaited<ReturnType<typeof tcpProxy>>;

const FLOW = `id: outage-lead
name: Outage lead
trigger:
  webhook: {}
steps:
  - id: contact
    op: highlevel.contacts.create
    input:
      email: "{{ trigger.email }}"
`;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 9, rateLimit: { max: 100_000, windowMs: 1000 } });
  pgProxy = await tcpProxy(TEST_DATABASE_URL);
  redisProxy = await tcpProxy(TEST_REDIS_URL);
  const db = new URL(TEST_DATABASE_URL);
  db.host = `127.0.0.1:${pgProxy.port}`;
  engine = await Engine.open({
    dataDir,
    secret: "an outage test passphrase",
    baseUrl: sandbox.info.baseUrl,
    databaseUrl: db.toString(),
    redisUrl: `redis://127.0.0.1:${redisProxy.port}`,
    schema,
    redisPrefix: prefix,
    leaseMs: 3000,
  });
  await engine.addConnection(
    {
      label: "Sandbox",
      kind: "pit",
      locationIds: [sandbox.info.locationId],
      companyId: sandbox.info.companyId,
    },
    { privateToken: sandbox.info.locationToken },
  );
  expect((await engine.saveFlow(FLOW, "outage-lead.yaml")).errors).toEqual([]);
  await engine.start();
}, 60_000);

afterAll(async () => {
  await pgProxy?.restore().catch(() => {});
  await redisProxy?.restore().catch(() => {});
  await engine?.stop().catch(() => {});
  await pgProxy?.close();
  await redisProxy?.close();
  await sandbox?.close();
  await dropSchemas([schema]);
  await dropRedisPrefixes([prefix]);
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function post(email: string): Promise<void> {
  const secret = await engine.store.getFlowHookSecret("outage-lead");
  const answer = await engine.receiveFlowHook("outage-lead", secret, { email }, email);
  expect(answer.accepted).toBe(true);
}

async function succeeded(): Promise<number> {
  const page = await engine.store.listRuns({ flowId: "outage-lead", status: "succeeded", limit: 500 });
  return page.runs.length;
}

describe("a connection lost while running", () => {
  it("Redis: /healthz reports the queue, runs accepted meanwhile finish once it is back", async () => {
    expect(await engine.health()).toMatchObject({ ok: true, queue: { status: "ok", kind: "bullmq" } });
    await redisProxy.cut();
    const down = await until("the queue reported down", async () => {
      const h = await engine.health();
      return h.queue.status === "error" ? h : undefined;
    });
    expect(down).toMatchObject({ ok: false, store: { status: "ok" }, queue: { status: "error" } });
    // Webhooks are still stored (PostgreSQL); their jobs wait for Redis.
    await post("during-redis-outage@example.com");
    await redisProxy.restore();
    await until("the run to finish after Redis came back", async () =>
      (await succeeded()) >= 1 ? true : undefined,
    );
    await until("the queue reported up", async () => ((await engine.health()).ok ? true : undefined));
  }, 90_000);

  it("PostgreSQL: /healthz reports the store, a run caught by the outage finishes once it is back", async () => {
    await post("before-pg-outage@example.com");
    await pgProxy.cut();
    const down = await until("the store reported down", async () => {
      const h = await engine.health();
      return h.store.status === "error" ? h : undefined;
    });
    expect(down).toMatchObject({ ok: false, store: { status: "error", kind: "postgresql" } });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await pgProxy.restore();
    await until("both runs to finish", async () => ((await succeeded()) >= 2 ? true : undefined), 90_000);
    expect(await engine.health()).toMatchObject({ ok: true });
    // Each create reached the sandbox once.
    const creates = sandbox.requests().filter((r) => r.method === "POST" && /^\/contacts\/?$/.test(r.path));
    expect(creates).toHaveLength(2);
  }, 120_000);
});
