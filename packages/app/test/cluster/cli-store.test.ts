// The store commands on a scaled-out deployment: with HLCONNECT_DATABASE_URL and HLCONNECT_REDIS_URL set,
// `connections`, `flows` and `runs` read and write the cluster's PostgreSQL schema (what `serve` sees), and
// the runs `flows run-once` and `runs replay` start go to the cluster's queue for its workers: with no
// worker running the run stays queued (the CLI did not execute it), and a worker started later runs it.
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
import { killAll, runCli, startCli, waitFor } from "./processes.ts";

const schema = uniqueName("t_clistore");
const prefix = uniqueName("t_clistore");
const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-clistore-"));
const API_TOKEN = "cli-store-test-api-token-0123456789";

const FLOW = `id: lead-to-contact
name: Lead to contact
trigger:
  webhook: {}
steps:
  - id: contact
    op: highlevel.contacts.upsert
    input:
      firstName: "{{ trigger.name }}"
      email: "{{ trigger.email }}"
`;

let db: pg.Client;
let sandbox: Record<string, unknown> = {};
let serverUrl = "";

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HLCONNECT_DATABASE_URL: TEST_DATABASE_URL,
    HLCONNECT_REDIS_URL: TEST_REDIS_URL,
    HLCONNECT_DATABASE_SCHEMA: schema,
    HLCONNECT_REDIS_PREFIX: prefix,
    HLCONNECT_SECRET: "a cli store test passphrase",
    HLCONNECT_API_TOKEN: API_TOKEN,
    HLCONNECT_SERVER_URL: "",
    HIGHLEVEL_BASE_URL: String(sandbox.baseUrl),
    ...extra,
  };
}

/** A CLI command on the cluster (its own --data folder: state is in PostgreSQL, not there). */
function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return runCli([...args, "--data", dataDir], env(extra));
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

async function runRow(id: string) {
  const { rows } = await db.query(`SELECT status, replay_of FROM ${schema}.runs WHERE id = $1`, [id]);
  return rows[0] as { status: string; replay_of: string | null } | undefined;
}

beforeAll(async () => {
  db = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
  sandbox = await startCli(["sandbox", "--port", "0", "--json"], {}).ready;
  const serve = startCli(["serve", "--port", "0", "--json", "--data", dataDir], env());
  serverUrl = String((await serve.ready).serverUrl);
}, 180_000);

afterAll(async () => {
  await killAll();
  await db?.end();
  await dropSchemas([schema]);
  await dropRedisPrefixes([prefix]);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("CLI store commands on PostgreSQL + Redis", () => {
  let connectionId = "";

  it("connections add writes to the cluster's store; list and test read it there", async () => {
    const added = await cli([
      "connections",
      "add",
      "--token",
      String(sandbox.locationToken),
      "--location",
      String(sandbox.locationId),
      "--label",
      "Cluster sandbox",
    ]);
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    connectionId = /added connection (\S+)/.exec(added.stdout)?.[1] ?? "";
    expect(connectionId).not.toBe("");

    // In PostgreSQL, and so seen by the server; nothing went to a SQLite file in the data dir.
    const { rows } = await db.query(`SELECT id, label FROM ${schema}.connections`);
    expect(rows).toEqual([{ id: connectionId, label: "Cluster sandbox" }]);
    const fromServer = await api("GET", "/api/connections");
    expect(fromServer.connections.map((c: { id: string }) => c.id)).toEqual([connectionId]);

    const listed = await cli(["connections", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+KIND\s+LOCATIONS\s+STATUS\s+LABEL/);
    expect(listed.stdout).toContain(connectionId);
    expect(listed.stdout).toContain(String(sandbox.locationId));
    expect(listed.stdout).toContain("Cluster sandbox");

    const tested = await cli(["connections", "test", connectionId]);
    expect(tested.stderr).toBe("");
    expect(tested.stdout).toMatch(
      new RegExp(`^connection ${connectionId} works: location ${sandbox.locationId}`),
    );
  }, 240_000);

  it("flows list, disable and enable work on the flows the server holds", async () => {
    await api("POST", "/api/flows", { source: FLOW, file: "lead-to-contact.yaml" });
    const listed = await cli(["flows", "list"]);
    expect(listed.stderr).toBe("");
    expect(listed.stdout).toMatch(/lead-to-contact\s+webhook POST \/hooks\/lead-to-contact\s+enabled/);

    const disabled = await cli(["flows", "disable", "lead-to-contact"]);
    expect(disabled.stdout.trim()).toBe('flow "lead-to-contact" disabled');
    expect((await api("GET", "/api/flows/lead-to-contact")).flow.enabled).toBe(false);
    const enabled = await cli(["flows", "enable", "lead-to-contact"]);
    expect(enabled.stdout.trim()).toBe('flow "lead-to-contact" enabled');
    expect((await api("GET", "/api/flows/lead-to-contact")).flow.enabled).toBe(true);
  }, 240_000);

  it("run-once and replay queue on the cluster's queue: no worker, no run; a worker runs them", async () => {
    const trigger = JSON.stringify({ name: "Queued", email: "queued@cli.example" });
    // No worker yet (serve runs none): the run waits in the queue instead of running in the CLI.
    const waiting = await cli(["flows", "run-once", "lead-to-contact", "--trigger", trigger, "--wait", "1"]);
    expect(waiting.code).toBe(1);
    const queuedId = /still queued after 1 s: .* `hlconnect runs show (\S+)`/.exec(waiting.stdout)?.[1] ?? "";
    expect(queuedId).not.toBe("");
    expect((await runRow(queuedId))?.status).toBe("queued");
    const steps = await db.query(`SELECT count(*)::int AS n FROM ${schema}.steps WHERE run_id = $1`, [
      queuedId,
    ]);
    expect(steps.rows[0].n).toBe(0);

    const worker = startCli(["worker", "--concurrency", "2", "--json", "--data", dataDir], env());
    await worker.ready;
    await waitFor("the worker to run the queued run", async () =>
      (await runRow(queuedId))?.status === "succeeded" ? true : undefined,
    );

    // With a worker: run-once waits for its outcome and prints it as a run made here would be.
    const ran = await cli([
      "flows",
      "run-once",
      "lead-to-contact",
      "--trigger",
      JSON.stringify({ name: "Ran", email: "ran@cli.example" }),
    ]);
    expect(ran.stderr).toBe("");
    expect(ran.code, ran.stdout).toBe(0);
    expect(ran.stdout).toMatch(/^\d\d:\d\d:\d\d {2}lead-to-contact {2}succeeded {2}.+ {2}(\S+)\n$/);

    const replayed = await cli(["runs", "replay", queuedId]);
    expect(replayed.stderr).toBe("");
    expect(replayed.code, replayed.stdout).toBe(0);
    const replayId = /succeeded {2}.+ {2}(\S+)\n$/.exec(replayed.stdout)?.[1] ?? "";
    expect(await runRow(replayId)).toEqual({ status: "succeeded", replay_of: queuedId });

    const listed = await cli(["runs", "list", "--flow", "lead-to-contact"]);
    expect(listed.stdout).toMatch(/^CREATED\s+RUN\s+FLOW\s+STATUS\s+DURATION\s+ERROR/);
    expect(listed.stdout.trim().split("\n")).toHaveLength(4); // header + 3 runs
    expect(listed.stdout).toContain(replayId);
    const shown = await cli(["runs", "show", replayId]);
    expect(shown.stdout).toContain(`run ${replayId}  flow lead-to-contact  succeeded`);
    expect(shown.stdout).toContain(`replay of ${queuedId}`);
    expect(shown.stdout).toMatch(/\n {2}contact {2}succeeded/);
    await worker.kill();
  }, 240_000);

  it("a schema that holds no hlconnect data is named, not created", async () => {
    const missing = uniqueName("t_clistore_none");
    const result = await cli(["flows", "list"], { HLCONNECT_DATABASE_SCHEMA: missing });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`there is no hlconnect data in schema "${missing}"`));
    const { rows } = await db.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", [
      missing,
    ]);
    expect(rows).toHaveLength(0);
  }, 60_000);
});
