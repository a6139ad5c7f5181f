// The client's rate limiting against the sandbox's: a burst of 100 calls through one client stays within
// the sandbox's fixed windows (20 requests per 400 ms here, HighLevel's 100 per 10 s scaled down), injected
// 429s are waited out without spending retry attempts, and a spent daily budget fails fast with
// DailyLimitError and its reset time.
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DailyLimitError,
  HighLevelClient,
  InMemoryRateLimiter,
  nextMidnightUtc,
  PrivateIntegrationToken,
} from "../../src/index.ts";

const MAX = 20;
const WINDOW_MS = 400;

/**
 * Date.now, frozen for the rest of a synchronous turn. The sandbox reads its clock once when it counts a
 * request against its window and again when it logs the request; both happen in one synchronous turn, so
 * with this clock they agree and the log's time says exactly which window counted the request.
 */
function turnClock(): () => number {
  let frozen: number | undefined;
  return () => {
    if (frozen === undefined) {
      frozen = Date.now();
      queueMicrotask(() => {
        frozen = undefined;
      });
    }
    return frozen;
  };
}

let sb: Sandbox;
let contactId: string;

beforeAll(async () => {
  sb = await startSandbox({ seed: 31, rateLimit: { max: MAX, windowMs: WINDOW_MS }, now: turnClock() });
  const setup = new HighLevelClient({
    credentials: sb.createToken({ scopes: ["contacts.readonly"] }),
    baseUrl: sb.info.baseUrl,
  });
  const list = (await setup.call("get-contacts", { locationId: sb.info.locationId, limit: 1 })) as {
    contacts: Array<{ id: string }>;
  };
  contactId = list.contacts[0]!.id;
});

afterAll(async () => {
  await sb?.close();
});

/** A client with its own PIT (its own sandbox bucket) and a limiter configured like the sandbox. */
function newClient(options: { maxAttempts?: number; dailyLimit?: number } = {}) {
  const token = sb.createToken();
  const limiter = new InMemoryRateLimiter({
    maxPerWindow: MAX,
    windowMs: WINDOW_MS,
    ...(options.dailyLimit !== undefined ? { dailyLimit: options.dailyLimit } : {}),
  });
  const client = new HighLevelClient({
    credentials: new PrivateIntegrationToken({ token, kind: "location", locationId: sb.info.locationId }),
    baseUrl: sb.info.baseUrl,
    limiter,
    retry: { maxAttempts: options.maxAttempts ?? 4, baseDelayMs: 10 },
  });
  return { client, limiter };
}

function contactOf(result: unknown): string | undefined {
  return (result as { contact?: { id?: string } }).contact?.id;
}

describe("burst shaping", () => {
  it("100 concurrent calls all succeed, no sandbox window accepts more than 20, at most a handful of 429s", async () => {
    const { client } = newClient();
    const mark = sb.requests().at(-1)?.id ?? 0;
    const results = await Promise.all(
      Array.from({ length: 100 }, () => client.call("get-contact", { contactId })),
    );
    expect(results.map(contactOf)).toEqual(Array(100).fill(contactId));

    const log = sb.requests({ after: mark });
    const accepted = log.filter((e) => e.status !== 429);
    const refused = log.filter((e) => e.status === 429);
    expect(accepted).toHaveLength(100);
    expect(accepted.every((e) => e.status === 200 && e.operationId === "get-contact")).toBe(true);
    // The sandbox's windows are fixed: [k * 400, (k + 1) * 400) ms of its clock.
    const perWindow = new Map<number, number>();
    for (const e of accepted) {
      const w = Math.floor(Date.parse(e.time) / WINDOW_MS);
      perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
    }
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(MAX);
    expect(perWindow.size).toBeGreaterThanOrEqual(100 / MAX);
    expect(refused.length).toBeLessThanOrEqual(5);
  });
});

describe("429 answers", () => {
  it("injected 429s are waited out without consuming retry attempts", async () => {
    // maxAttempts 1: had a single 429 counted as a failed attempt, the call would fail.
    const { client } = newClient({ maxAttempts: 1 });
    sb.setFaults({ rate: 0.4, kinds: ["429"], seed: 7, match: { operationId: "get-contact" } });
    try {
      const mark = sb.requests().at(-1)?.id ?? 0;
      const results = await Promise.all(
        Array.from({ length: 10 }, () => client.call("get-contact", { contactId })),
      );
      expect(results.map(contactOf)).toEqual(Array(10).fill(contactId));
      const log = sb.requests({ after: mark });
      const faults = log.filter((e) => e.fault === "429");
      expect(faults.length).toBeGreaterThan(0);
      expect(faults.every((e) => e.status === 429)).toBe(true);
      expect(log.filter((e) => e.status === 200)).toHaveLength(10);
      expect(log).toHaveLength(10 + faults.length);
    } finally {
      sb.setFaults(null);
    }
  });
});

describe("daily budget", () => {
  let daily: Sandbox;
  beforeAll(async () => {
    daily = await startSandbox({ seed: 32, dailyLimit: 3 });
  });
  afterAll(async () => {
    await daily?.close();
  });

  function dailyClient(dailyLimit?: number) {
    return new HighLevelClient({
      credentials: new PrivateIntegrationToken({
        token: daily.createToken(),
        kind: "location",
        locationId: daily.info.locationId,
      }),
      baseUrl: daily.info.baseUrl,
      limiter: new InMemoryRateLimiter(dailyLimit === undefined ? {} : { dailyLimit }),
    });
  }

  it("a client given a tiny daily budget raises DailyLimitError with resetAt, without sending", async () => {
    const client = dailyClient(3);
    const mark = daily.requests().at(-1)?.id ?? 0;
    for (let i = 0; i < 3; i++)
      await client.call("get-contacts", { locationId: daily.info.locationId, limit: 1 });
    const before = Date.now();
    const error = await client
      .call("get-contacts", { locationId: daily.info.locationId, limit: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DailyLimitError);
    const e = error as DailyLimitError;
    expect(e.code).toBe("DAILY_LIMIT_EXHAUSTED");
    expect(e.operationId).toBe("get-contacts");
    expect(e.retryable).toBe(false);
    expect(e.resetAt).toBeInstanceOf(Date);
    expect(e.resetAt.getTime()).toBeGreaterThan(before);
    expect([nextMidnightUtc(before), nextMidnightUtc(Date.now())]).toContain(e.resetAt.getTime());
    expect(e.message).toContain(e.resetAt.toISOString());
    // The fourth call never left the client.
    expect(daily.requests({ after: mark }).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("concurrent calls over the budget: exactly the budget is sent, the rest fail fast", async () => {
    const client = dailyClient(3);
    const mark = daily.requests().at(-1)?.id ?? 0;
    const settled = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        client.call("get-contacts", { locationId: daily.info.locationId, limit: 1 }),
      ),
    );
    const ok = settled.filter((s) => s.status === "fulfilled");
    const failed = settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
    expect(ok).toHaveLength(3);
    expect(failed).toHaveLength(5);
    for (const reason of failed) expect(reason).toBeInstanceOf(DailyLimitError);
    expect(daily.requests({ after: mark }).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("a client that does not know the budget learns it from the sandbox's headers", async () => {
    // The sandbox's budget is per token: a fresh token has 3 left; the client assumes 200,000.
    const client = dailyClient();
    const mark = daily.requests().at(-1)?.id ?? 0;
    for (let i = 0; i < 3; i++)
      await client.call("get-contacts", { locationId: daily.info.locationId, limit: 1 });
    const error = await client
      .call("get-contacts", { locationId: daily.info.locationId, limit: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DailyLimitError);
    expect(daily.requests({ after: mark })).toHaveLength(3);
  });
});
