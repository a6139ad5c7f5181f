import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import { type Api, start } from "./helpers.ts";

let sb: Sandbox;
let api: Api;

beforeAll(async () => {
  ({ sb, api } = await start({ seed: 3, rateLimit: { max: 10_000, windowMs: 1000 } }));
});
beforeEach(() => sb.reset());
afterAll(() => sb.close());

async function control(method: string, path: string, body?: unknown) {
  const r = await fetch(`${sb.info.baseUrl}/__sandbox/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const listPath = () => `/contacts/?locationId=${sb.info.locationId}&limit=1`;

/** Wait (without a clock) until the sandbox has logged n requests. */
async function loggedAtLeast(n: number) {
  for (let i = 0; i < 1000 && sb.requests().length < n; i++) await new Promise((r) => setImmediate(r));
  expect(sb.requests().length).toBeGreaterThanOrEqual(n);
}

describe("fault injection", () => {
  it("is deterministic for a seed and request sequence", async () => {
    const config = { rate: 0.5, kinds: ["429", "500", "502"], seed: 42 };
    const run = async (c: object) => {
      sb.reset();
      expect((await control("POST", "faults", c)).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await api(listPath())).status);
      return statuses;
    };
    const a = await run(config);
    const b = await run(config);
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set([200, 429, 500, 502]));
    expect(await run({ ...config, seed: 43 })).not.toEqual(a);
  });

  it("answers 429/500/502 before the handler, so nothing is written", async () => {
    sb.setFaults({ rate: 1, kinds: ["502"], seed: 1, match: { operationId: "create-contact" } });
    const r = await api("/contacts/", {
      method: "POST",
      body: { locationId: sb.info.locationId, email: "ghost@example.com" },
    });
    expect(r.status).toBe(502);
    expect(String(r.body)).toContain("502 Bad Gateway");
    sb.setFaults(null);
    const dup = await api(
      `/contacts/search/duplicate?locationId=${sb.info.locationId}&email=ghost@example.com`,
    );
    expect(dup.body.contact).toBeNull();
  });

  it("only hits matching requests", async () => {
    sb.setFaults({ rate: 1, kinds: ["500"], seed: 1, match: { operationId: "get-contact", method: "GET" } });
    const list = await api(listPath());
    expect(list.status).toBe(200);
    const one = await api(`/contacts/${list.body.contacts[0].id}`);
    expect(one.status).toBe(500);
    expect(one.body).toMatchObject({ statusCode: 500 });
  });

  it("'reset' destroys the socket after the write took effect", async () => {
    sb.setFaults({ rate: 1, kinds: ["reset"], seed: 1, match: { operationId: "create-contact" } });
    await expect(
      api("/contacts/", {
        method: "POST",
        body: { locationId: sb.info.locationId, email: "reset@example.com" },
      }),
    ).rejects.toThrow();
    sb.setFaults(null);
    const dup = await api(
      `/contacts/search/duplicate?locationId=${sb.info.locationId}&email=reset@example.com`,
    );
    expect(dup.body.contact).not.toBeNull();
    expect(sb.requests().find((e) => e.fault === "reset")).toMatchObject({
      status: 0,
      operationId: "create-contact",
    });
  });

  it("'timeout' holds the request open after the write took effect", async () => {
    sb.setFaults({ rate: 1, kinds: ["timeout"], seed: 1, match: { operationId: "create-contact" } });
    const before = sb.requests().length;
    const aborter = new AbortController();
    const pending = fetch(`${sb.info.baseUrl}/contacts/`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${sb.info.locationToken}`,
        version: "2021-07-28",
        "content-type": "application/json",
      },
      body: JSON.stringify({ locationId: sb.info.locationId, email: "held@example.com" }),
      signal: aborter.signal,
    });
    await loggedAtLeast(before + 1);
    sb.setFaults(null);
    const dup = await api(
      `/contacts/search/duplicate?locationId=${sb.info.locationId}&email=held@example.com`,
    );
    expect(dup.body.contact).not.toBeNull();
    aborter.abort();
    await expect(pending).rejects.toThrow();
  });

  it("validates the fault configuration", async () => {
    const r = await control("POST", "faults", { rate: 2, kinds: ["boom"] });
    expect(r.status).toBe(422);
    expect(r.body.message).toEqual([
      "rate must be a number between 0 and 1",
      "kinds: boom is not one of 429, 500, 502, timeout, reset",
    ]);
  });
});

describe("control endpoints", () => {
  it("logs requests and clears the log", async () => {
    await control("DELETE", "requests");
    await api(listPath());
    await api("/contacts/nope", { token: "bad" });
    const log = await control("GET", "requests");
    const entries = log.body.requests as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      method: "GET",
      path: "/contacts/",
      status: 200,
      locationId: sb.info.locationId,
      operationId: "get-contacts",
    });
    expect(entries[1]).toMatchObject({ status: 401, operationId: "get-contact" });
    const after = await control("GET", `requests?after=${entries[0]!.id}`);
    expect(after.body.requests).toHaveLength(1);
    const since = await control("GET", `requests?since=${Date.parse(String(entries[1]!.time))}`);
    expect((since.body.requests as unknown[]).length).toBeGreaterThanOrEqual(1);
    await control("DELETE", "requests");
    expect((await control("GET", "requests")).body.requests).toEqual([]);
  });

  it("resets to the seeded state", async () => {
    const before = (await api(`/contacts/?locationId=${sb.info.locationId}`)).body.contacts;
    await api("/contacts/", { method: "POST", body: { locationId: sb.info.locationId, firstName: "Temp" } });
    expect((await control("POST", "reset")).status).toBe(200);
    const after = (await api(`/contacts/?locationId=${sb.info.locationId}`)).body.contacts;
    expect(after).toEqual(before);
  });

  it("mints tokens with chosen scopes", async () => {
    const { body } = await control("POST", "tokens", { scopes: ["contacts.readonly"] });
    const token = body.token as string;
    expect((await api(listPath(), { token })).status).toBe(200);
    expect(
      (await api("/contacts/", { token, method: "POST", body: { locationId: sb.info.locationId } })).status,
    ).toBe(401);
  });
});

describe("seeding", () => {
  it("gives the same world for the same seed and another for another seed", async () => {
    const [a, b, c] = await Promise.all([
      startSandbox({ seed: 5 }),
      startSandbox({ seed: 5 }),
      startSandbox({ seed: 6 }),
    ]);
    try {
      const { baseUrl: _a, ...infoA } = a.info;
      const { baseUrl: _b, ...infoB } = b.info;
      expect(infoA).toEqual(infoB);
      expect(c.info.locationId).not.toBe(a.info.locationId);
      expect(a.info.locationId).toMatch(/^[A-Za-z0-9]{20}$/);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
