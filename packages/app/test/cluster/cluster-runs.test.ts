// The scaled-out deployment end to end, as separate processes: the sandbox, `hlconnect serve` (API and
// webhook ingress) and three `hlconnect worker`s on PostgreSQL and Redis. 500 webhook-triggered runs;
// one worker is killed with SIGKILL half way; every run still finishes, once, and the create each run
// makes (not safe to repeat blindly) reaches the sandbox exactly once per run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dropRedisPrefixes,
  dropSchemas,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueName,
} from "../../../engine/test/support/services.ts";
import { killAll, type Proc, runCli, startCli, waitFor } from "./processes.ts";

const RUNS = 500;
const schema = uniqueName("t_cluster");
const prefix = uniqueName("t_cluster");
const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-cluster-"));
const API_TOKEN = "cluster-test-api-token-0123456789";

const FLOW = `id: lead-to-contact
name: Lead to contact
trigger:
  webhook: {}
steps:
  - id: contact
    op: highlevel.contacts.create
    input:
      firstName: "{{ trigger.name }}"
      email: "{{ trigger.email }}"
`;

interface SandboxLog {
  requests: Array<{ id: number; method: string; path: string; status: number }>;
}

let db: pg.Client;
let sandboxUrl = "";
let serverUrl = "";
const workers: Proc[] = [];

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HLCONNECT_DATABASE_URL: TEST_DATABASE_URL,
    HLCONNECT_REDIS_URL: TEST_REDIS_URL,
    HLCONNECT_DATABASE_SCHEMA: schema,
    HLCONNECT_REDIS_PREFIX: prefix,
    HLCONNECT_SECRET: "a cluster test passphrase",
    HLCONNECT_API_TOKEN: API_TOKEN,
    HIGHLEVEL_BASE_URL: sandboxUrl,
    // A killed worker's runs go to the others after this.
    HLCONNECT_JOB_LEASE_MS: "3000",
    ...extra,
  };
}

async function api(method: string, route: string, body?: unknown) {
  const res = await fetch(`${serverUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: answers of our own API, checked by the assertions.
  const json = (await res.json()) as Record<string, any>;
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function runCounts(): Promise<Record<string, number>> {
  const { rows } = await db.query(`SELECT status, count(*)::int AS n FROM ${schema}.runs GROUP BY status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

beforeAll(async () => {
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  const sandbox = startCli(["sandbox", "--port", "0", "--json", "--rate-limit", "100000/1000"], {});
  const info = await sandbox.ready;
  sandboxUrl = String(info.baseUrl);
  // Migrations as an upgrade would run them, before any process starts.
  const migrated = await runCli(["db", "migrate", "--json"], env());
  expect(migrated.stderr).toBe("");
  expect(JSON.parse(migrated.stdout)).toMatchObject({ schema, from: 0 });

  const serve = startCli(["serve", "--port", "0", "--json", "--data", dataDir], env());
  serverUrl = String((await serve.ready).serverUrl);
  await api("POST", "/api/connections", {
    label: "Sandbox",
    kind: "pit",
    token: info.locationToken,
    locationId: info.locationId,
    companyId: info.companyId,
  });
  await api("POST", "/api/flows", { source: FLOW, file: "lead-to-contact.yaml" });
  for (let i = 0; i < 3; i++) workers.push(startCli(["worker", "--concurrency", "4", "--json"], env()));
  await Promise.all(workers.map((w) => w.ready));
}, 180_000);

afterAll(async () => {
  await killAll();
  await db?.end();
  await dropSchemas([schema]);
  await dropRedisPrefixes([prefix]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("serve + 3 workers on PostgreSQL and Redis", () => {
  it("runs 500 webhook-triggered runs exactly once each, through a worker killed half way", async () => {
    const { flow } = await api("GET", "/api/flows/lead-to-contact");
    const hook = `${serverUrl}${flow.hook.path}?secret=${encodeURIComponent(flow.hook.secret)}`;
    const before = (await fetch(`${sandboxUrl}/__sandbox/requests`).then((r) => r.json())) as SandboxLog;
    const firstLogId = Math.max(0, ...before.requests.map((r) => r.id));

    let sent = 0;
    const post = async () => {
      while (sent < RUNS) {
        const i = sent++;
        // A busy server answers 429 (Retry-After) rather than late: a sender delivers it again, as here.
        for (;;) {
          const res = await fetch(hook, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: `Lead ${i}`, email: `lead-${i}@cluster.example` }),
          });
          if (res.status === 429) {
            await res.arrayBuffer();
            await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get("retry-after") ?? 1)));
            continue;
          }
          expect(res.status).toBe(202);
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: 10 }, post));

    // Kill one worker while runs are still in flight.
    await waitFor("a fifth of the runs to finish", async () =>
      ((await runCounts()).succeeded ?? 0) >= RUNS / 5 ? true : undefined,
    );
    await workers[0]!.kill("SIGKILL");

    const counts = await waitFor("every run to finish", async () => {
      const c = await runCounts();
      return (c.queued ?? 0) + (c.running ?? 0) === 0 && Object.values(c).reduce((a, b) => a + b, 0) === RUNS
        ? c
        : undefined;
    });
    expect(counts).toEqual({ succeeded: RUNS });

    // Each run made its create once: one step attempt, and one POST /contacts/ per run at the sandbox.
    const attempts = await db.query(
      `SELECT attempts, count(*)::int AS n FROM ${schema}.steps WHERE step_id = 'contact' GROUP BY attempts`,
    );
    const log = (await fetch(`${sandboxUrl}/__sandbox/requests?after=${firstLogId}`).then((r) =>
      r.json(),
    )) as SandboxLog;
    const creates = log.requests.filter(
      (r) => r.method === "POST" && /^\/contacts\/?$/.test(r.path) && r.status < 300,
    );
    expect(creates).toHaveLength(RUNS);
    // A step the dead worker had started may have been looked up (reconciled) and not sent again.
    expect(attempts.rows.reduce((sum, r) => sum + r.n, 0)).toBe(RUNS);
    const contacts = await db.query(
      `SELECT count(DISTINCT output::json->'contact'->>'id')::int AS n FROM ${schema}.steps WHERE step_id = 'contact'`,
    );
    expect(contacts.rows[0].n).toBe(RUNS);

    // The survivors are healthy and say so.
    const health = await fetch(`${serverUrl}/healthz`).then((r) => r.json());
    expect(health).toMatchObject({ ok: true, mode: "scale-out", role: "api", store: { status: "ok" } });
  }, 240_000);
});
