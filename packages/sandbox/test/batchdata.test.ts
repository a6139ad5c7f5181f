import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../src/index.ts";
import { type Clock, manualClock } from "./helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: BatchData answers are arbitrary JSON that tests index freely
type Json = any;

async function post(sb: Sandbox, path: string, body: unknown, token: string | null = sb.info.batchDataToken) {
  const res = await fetch(`${sb.info.baseUrl}/batchdata${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

const address = (street: string, zip = "77002") => ({
  propertyAddress: { street, city: "Houston", state: "TX", zip },
});
const streets = Array.from({ length: 60 }, (_, i) => `${100 + i} Main St`);

describe("BatchData emulation", () => {
  let sb: Sandbox;
  let clock: Clock;
  beforeAll(async () => {
    clock = manualClock(Date.UTC(2026, 0, 5, 12));
    sb = await startSandbox({
      port: 0,
      seed: 7,
      now: clock.now,
      batchData: { rateLimit: { max: 5, windowMs: 60_000 } },
    });
  });
  beforeEach(() => sb.reset());
  afterAll(() => sb.close());

  it("has its own token: HighLevel tokens and missing tokens are refused", async () => {
    expect(sb.info.batchDataToken).toMatch(/^bd_/);
    expect((await post(sb, "/api/v1/phone/dnc", { phones: ["7135550100"] }, null)).status).toBe(401);
    const wrong = await post(sb, "/api/v1/phone/dnc", { phones: ["7135550100"] }, sb.info.locationToken);
    expect(wrong.status).toBe(401);
    expect(wrong.body.status).toMatchObject({ code: 401 });
  });

  it("skip-traces up to 100 properties per call, deterministically for an address and seed", async () => {
    const requests = streets.map((s) => address(s));
    const first = await post(sb, "/api/v1/property/skip-trace", { requests });
    expect(first.status).toBe(200);
    expect(first.body.status).toEqual({ code: 200, text: "OK" });
    const again = await post(sb, "/api/v1/property/skip-trace", { requests: [...requests].reverse() });
    // Same address, same answer, whatever its position in the batch.
    const byStreet = (b: Json) => {
      const m = new Map<string, unknown[]>();
      for (const p of b.results.persons) {
        const { meta, ...rest } = p;
        const key = p.propertyAddress.street;
        m.set(key, [...(m.get(key) ?? []), { ...rest, matched: meta.matched }]);
      }
      return m;
    };
    expect(byStreet(again.body)).toEqual(byStreet(first.body));

    const { persons, meta } = first.body.results;
    expect(meta.requestCount).toBe(60);
    expect(meta.matchCount + meta.noMatchCount + meta.errorCount).toBe(60);
    expect(meta.noMatchCount).toBeGreaterThan(0); // some addresses have no match
    expect(meta.matchCount).toBeGreaterThan(40);
    const perRequest = new Map<number, Json[]>();
    for (const p of persons)
      perRequest.set(p.meta.requestIndex, [...(perRequest.get(p.meta.requestIndex) ?? []), p]);
    expect(perRequest.size).toBe(60);
    for (const list of perRequest.values()) {
      if (!list[0].meta.matched) {
        expect(list).toHaveLength(1);
        expect(list[0].phones).toBeUndefined();
        continue;
      }
      expect(list.length).toBeGreaterThanOrEqual(1);
      expect(list.length).toBeLessThanOrEqual(3);
      for (const person of list) {
        expect(person.name.full).toBe(`${person.name.first} ${person.name.last}`);
        expect(typeof person.litigator).toBe("boolean");
        expect(typeof person.deceased).toBe("boolean");
        expect(person.phones.length).toBeGreaterThan(0);
        for (const ph of person.phones) {
          expect(ph.number).toMatch(/^[2-9]\d{2}[2-9]\d{6}$/);
          expect(["Mobile", "Land Line", "VoIP"]).toContain(ph.type);
          for (const k of ["tested", "reachable", "dnc", "tcpa"]) expect(typeof ph[k]).toBe("boolean");
          expect(typeof ph.carrier).toBe("string");
        }
        for (const e of person.emails) expect(e.email).toMatch(/^[a-z0-9.]+@example\.com$/);
      }
    }
    // Another seed, another world.
    const other = await startSandbox({ port: 0, seed: 8 });
    try {
      const r = await post(other, "/api/v1/property/skip-trace", { requests });
      expect(byStreet(r.body)).not.toEqual(byStreet(first.body));
    } finally {
      await other.close();
    }
  });

  it("matches by APN + county + state, echoes requestId, and reports bad items without failing the call", async () => {
    const r = await post(sb, "/api/v1/property/skip-trace", {
      requests: [
        { requestId: "a", apn: "188-65-7851", county: "Orange", state: "FL" },
        { requestId: "b", propertyAddress: { street: "12 No Match Rd", zip: "32819" } },
        { requestId: "c", propertyAddress: { city: "Orlando" } },
      ],
    });
    expect(r.status).toBe(200);
    const [a, b, c] = [0, 1, 2].map((i) =>
      r.body.results.persons.filter((p: Json) => p.meta.requestIndex === i),
    );
    expect(a[0].meta).toMatchObject({ requestId: "a" });
    expect(a[0].apn).toBe("188-65-7851");
    expect(b).toEqual([
      {
        propertyAddress: { street: "12 No Match Rd", zip: "32819" },
        meta: { requestIndex: 1, requestId: "b", matched: false },
      },
    ]);
    expect(c[0].meta).toMatchObject({
      requestId: "c",
      matched: false,
      error: expect.stringMatching(/propertyAddress/),
    });
    expect(r.body.results.meta).toMatchObject({ requestCount: 3, errorCount: 1 });
  });

  it("refuses malformed bodies and more than 100 requests with 400", async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => address(`${i} Elm St`));
    const r = await post(sb, "/api/v1/property/skip-trace", { requests: tooMany });
    expect(r.status).toBe(400);
    expect(r.body.status.message).toMatch(/101 items; at most 100/);
    expect((await post(sb, "/api/v1/property/skip-trace", { requests: [] })).status).toBe(400);
    expect((await post(sb, "/api/v1/property/skip-trace", {})).status).toBe(400);
    expect((await post(sb, "/api/v1/property/skip-trace", "{not json")).status).toBe(400);
    expect((await post(sb, "/api/v1/property/nothing-here", {})).status).toBe(404);
  });

  it("checks DNC per number with the same flags the skip trace gave", async () => {
    const r = await post(sb, "/api/v1/property/skip-trace", {
      requests: streets.slice(0, 20).map((s) => address(s)),
    });
    const phones = r.body.results.persons.flatMap((p: Json) => p.phones ?? []).slice(0, 99);
    expect(phones.some((p: Json) => p.dnc)).toBe(true);
    expect(phones.some((p: Json) => !p.dnc)).toBe(true);
    const check = await post(sb, "/api/v1/phone/dnc", {
      phones: [
        ...phones.map(
          (p: Json) => `+1 (${p.number.slice(0, 3)}) ${p.number.slice(3, 6)}-${p.number.slice(6)}`,
        ),
        "12345",
      ],
    });
    expect(check.status).toBe(200);
    const results = check.body.results.phones;
    phones.forEach((p: Json, i: number) => {
      expect(results[i]).toEqual({ number: p.number, dnc: p.dnc, tcpa: p.tcpa });
    });
    expect(results[phones.length]).toEqual({ number: "12345", error: "not a valid US phone number" });
  });

  it("limits each token per window: 429 with Retry-After beyond it, fine again in the next window", async () => {
    for (let i = 0; i < 5; i++) {
      const ok = await post(sb, "/api/v1/phone/dnc", { phones: ["7132220100"] });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-ratelimit-remaining")).toBe(String(4 - i));
    }
    clock.advance(20_000);
    const refused = await post(sb, "/api/v1/phone/dnc", { phones: ["7132220100"] });
    expect(refused.status).toBe(429);
    expect(refused.body.status.code).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    clock.advance(60_000);
    expect((await post(sb, "/api/v1/phone/dnc", { phones: ["7132220100"] })).status).toBe(200);
  });

  it("logs BatchData requests with the others and keeps what Zapier catch hooks were sent", async () => {
    const before = sb.requests().length;
    await post(sb, "/api/v1/phone/dnc", { phones: ["7132220100"] });
    const hook = await fetch(`${sb.info.baseUrl}/zapier/hooks/catch/123/abc/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ "Property Address": "1 Main St" }),
    });
    expect(hook.status).toBe(200);
    expect(await hook.json()).toMatchObject({ status: "success" });
    const logged = sb.requests().slice(before);
    expect(logged.map((e) => [e.path, e.status, e.operationId])).toEqual([
      ["/batchdata/api/v1/phone/dnc", 200, "batchdata:dnc"],
      ["/zapier/hooks/catch/123/abc/", 200, "zapier:catch-hook"],
    ]);
    expect(sb.caughtHooks()).toEqual([
      {
        time: expect.any(String),
        path: "/zapier/hooks/catch/123/abc/",
        body: { "Property Address": "1 Main St" },
      },
    ]);
    sb.reset();
    expect(sb.caughtHooks()).toEqual([]);
  });
});
