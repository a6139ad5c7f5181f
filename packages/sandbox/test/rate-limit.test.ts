import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../src/index.ts";
import { RateLimiter } from "../src/rate-limit.ts";
import { type Api, type Clock, manualClock, start } from "./helpers.ts";

describe("RateLimiter", () => {
  it("counts per key in aligned windows and per day", () => {
    const clock = manualClock(0);
    const rl = new RateLimiter({ max: 2, windowMs: 1000, daily: 3 }, clock.now);
    expect(rl.take("a").allowed).toBe(true);
    expect(rl.take("a").headers["X-RateLimit-Remaining"]).toBe("0");
    expect(rl.take("a")).toMatchObject({ allowed: false, exhausted: "burst" });
    expect(rl.take("b").allowed).toBe(true); // another key has its own budget
    clock.advance(1000);
    expect(rl.take("a").allowed).toBe(true);
    expect(rl.take("a")).toMatchObject({ allowed: false, exhausted: "daily" });
    clock.advance(86_400_000);
    expect(rl.take("a").headers["X-RateLimit-Daily-Remaining"]).toBe("2");
  });
});

describe("rate limits over HTTP", () => {
  let sb: Sandbox;
  let api: Api;
  let clock: Clock;
  beforeAll(async () => {
    clock = manualClock(Date.UTC(2025, 0, 1));
    ({ sb, api } = await start({ now: clock.now, rateLimit: { max: 5, windowMs: 1000 }, dailyLimit: 8 }));
  });
  beforeEach(() => sb.reset());
  afterAll(() => sb.close());
  const path = () => `/contacts/?locationId=${sb.info.locationId}&limit=1`;

  it("reports the budget on every response and answers 429 beyond max", async () => {
    for (let i = 1; i <= 5; i++) {
      const r = await api(path());
      expect(r.status).toBe(200);
      expect(r.headers.get("x-ratelimit-max")).toBe("5");
      expect(r.headers.get("x-ratelimit-remaining")).toBe(String(5 - i));
      expect(r.headers.get("x-ratelimit-interval-milliseconds")).toBe("1000");
      expect(r.headers.get("x-ratelimit-limit-daily")).toBe("8");
      expect(r.headers.get("x-ratelimit-daily-remaining")).toBe(String(8 - i));
    }
    const over = await api(path());
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ statusCode: 429, message: "Too many requests" });
    expect(over.headers.get("x-ratelimit-remaining")).toBe("0");

    clock.advance(1000); // next window
    expect((await api(path())).status).toBe(200);
  });

  it("does not count requests refused for auth", async () => {
    for (let i = 0; i < 10; i++) expect((await api(path(), { token: "wrong" })).status).toBe(401);
    const r = await api(path());
    expect(r.status).toBe(200);
    expect(r.headers.get("x-ratelimit-remaining")).toBe("4");
  });

  it("keeps separate budgets per token and location", async () => {
    for (let i = 0; i < 5; i++) await api(path());
    expect((await api(path())).status).toBe(429);
    const other = sb.createToken();
    expect((await api(path(), { token: other })).status).toBe(200);
  });

  it("answers 429 once the daily budget is spent", async () => {
    for (let i = 0; i < 8; i++) {
      if (i === 5) clock.advance(1000);
      expect((await api(path())).status).toBe(200);
    }
    clock.advance(1000);
    const r = await api(path());
    expect(r.status).toBe(429);
    expect(r.headers.get("x-ratelimit-daily-remaining")).toBe("0");
    clock.advance(86_400_000);
    expect((await api(path())).status).toBe(200);
  });
});
