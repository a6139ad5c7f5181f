// The backfill polls HighLevel for every flow, so in scale-out mode only the scheduler's leader runs it
// (not serve and every worker); it moves with the leadership. Embedded, the one process always runs it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine.ts";
import {
  dropRedisPrefixes,
  dropSchemas,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueName,
} from "../support/services.ts";

const dirs: string[] = [];
const engines: Engine[] = [];
const schema = uniqueName("t_bf");
const prefix = uniqueName("t_bf");
afterAll(async () => {
  for (const engine of engines) await engine.stop().catch(() => {});
  await dropSchemas([schema]);
  await dropRedisPrefixes([prefix]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function open(scaleOut: boolean): Promise<Engine> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hl-bf-"));
  dirs.push(dataDir);
  const engine = await Engine.open({
    dataDir,
    secret: "a backfill leadership test passphrase",
    workers: 0,
    ...(scaleOut
      ? { databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL, schema, redisPrefix: prefix }
      : {}),
  });
  engines.push(engine);
  return engine;
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the backfill follows the scheduler's leadership", () => {
  it("runs in the embedded process", async () => {
    const engine = await open(false);
    await engine.start();
    expect(engine.backfill.started).toBe(true);
    await engine.stop();
    expect(engine.backfill.started).toBe(false);
  });

  it("runs only in the leader, and moves to the next leader", async () => {
    const first = await open(true);
    await first.start();
    await until("the first process to lead", () => first.clusterStats().leader);
    expect(first.backfill.started).toBe(true);

    const second = await open(true);
    await second.start();
    expect(second.clusterStats().leader).toBe(false);
    expect(second.backfill.started).toBe(false);

    await first.stop();
    expect(first.backfill.started).toBe(false);
    await until("the second process to lead", () => second.clusterStats().leader);
    expect(second.backfill.started).toBe(true);
  }, 60_000);
});
