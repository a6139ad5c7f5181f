// /healthz is public (load balancers, doctor --live): when PostgreSQL or Redis fails it says which part
// is down, but the driver's message (internal hosts, ports, user names) only reaches a caller with the
// API token or a session, and the log. The passwords in the scale-out URLs are registered as secrets.
import { redact } from "@hlconnect/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { readScaleOut } from "../src/cli/scale.ts";
import { SESSION_COOKIE, SessionStore } from "../src/server/session.ts";
import { API_TOKEN, type WebFixture, webFixture } from "./web-helpers.ts";

const DRIVER_ERROR = 'password authentication failed for user "hl_internal" at 10.0.3.7:5432';
const sessions = new SessionStore();
let web: WebFixture;
beforeAll(async () => {
  web = await webFixture({ app: { sessions } });
  const healthy = await web.engine.health();
  vi.spyOn(web.engine, "health").mockResolvedValue({
    ...healthy,
    ok: false,
    store: { status: "error", kind: "postgresql", error: DRIVER_ERROR },
  });
});
afterAll(() => web.close());

async function healthz(headers: Record<string, string>) {
  const res = await web.app.request("/healthz", { headers });
  return { status: res.status, text: await res.text() };
}

describe("/healthz when the store is down", () => {
  it("tells an anonymous caller which part is down, without the driver's message", async () => {
    for (const headers of [{}, { authorization: "Bearer not-the-token" }] as Record<string, string>[]) {
      const { status, text } = await healthz(headers);
      expect(status).toBe(503);
      expect(JSON.parse(text)).toMatchObject({ ok: false, db: "error", store: { status: "error" } });
      expect(text).not.toContain("hl_internal");
      expect(text).not.toContain("10.0.3.7");
    }
  });

  it("gives the details to a caller with the API token or a session", async () => {
    const session = sessions.create();
    const callers: Record<string, string>[] = [
      { authorization: `Bearer ${API_TOKEN}` },
      { cookie: `${SESSION_COOKIE}=${session.id}` },
    ];
    for (const headers of callers) {
      const { status, text } = await healthz(headers);
      expect(status).toBe(503);
      expect(JSON.parse(text).store).toEqual({ status: "error", kind: "postgresql", error: DRIVER_ERROR });
    }
  });
});

describe("scale-out URLs", () => {
  it("register their passwords, so a driver message quoting one is scrubbed", () => {
    readScaleOut({
      databaseUrl: "postgres://hl:pg-pass%2Fword-7f3a@db.internal:5432/hl",
      redisUrl: "redis://:redis-pass-91bc@cache.internal:6379",
    });
    expect(redact("connect to postgres://hl:pg-pass%2Fword-7f3a@db failed")).not.toContain("pg-pass");
    expect(redact("auth pg-pass/word-7f3a refused")).not.toContain("pg-pass");
    expect(redact("redis://:redis-pass-91bc@cache.internal:6379 closed")).not.toContain("redis-pass-91bc");
  });
});
