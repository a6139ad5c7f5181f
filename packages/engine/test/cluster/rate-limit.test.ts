// One rate limit per bucket across processes: four processes share ten buckets (the sandbox limits per
// app and location; here ten Private Integration Tokens, each its own bucket) through the Redis limiter,
// with the sandbox enforcing 20 requests per 5 s window (HighLevel's 100 per 10 s, compressed; a shorter window on this loaded
// machine makes the sandbox itself count requests late, which no client-side limiter can see). Not one
// request may be answered 429. (How close to the ceiling the buckets run is a bench figure, not a test.)
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropRedisPrefixes, TEST_REDIS_URL, uniqueName } from "../support/services.ts";
import { type Child, startChild } from "./children.ts";

const PROCESSES = 4;
const BUCKETS = 10;
const CALLS = 15; // per bucket per process: 60 per bucket, three windows' worth
const prefix = uniqueName("t_rate");
const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "rate-child.ts");

let sandbox: Sandbox;
const children: Child[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 3, rateLimit: { max: 20, windowMs: 5000 } });
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await sandbox?.close();
  await dropRedisPrefixes([prefix]);
});

describe("RedisRateLimiter across processes", () => {
  it("4 processes x 10 buckets against a 20-per-5-s limit: every call succeeds, none is answered 429", async () => {
    const i = sandbox.info;
    const tokens = Array.from({ length: BUCKETS }, () => sandbox.createToken({ locationId: i.locationId }));
    const mark = sandbox.requests().at(-1)?.id ?? 0;
    for (let n = 0; n < PROCESSES; n++) {
      children.push(
        startChild(entry, [TEST_REDIS_URL, prefix, i.baseUrl, i.locationId, tokens.join(","), String(CALLS)]),
      );
    }
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const results = (await Promise.all(children.map((c) => c.result))) as Array<{
      ok: number;
      errors: string[];
    }>;
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.ok, 0)).toBe(PROCESSES * BUCKETS * CALLS);
    const answered = sandbox.requests({ after: mark }).filter((r) => r.path.startsWith("/locations/"));
    expect(answered.filter((r) => r.status === 429).map((r) => r.time)).toEqual([]);
    expect(answered).toHaveLength(PROCESSES * BUCKETS * CALLS);
  }, 120_000);
});
