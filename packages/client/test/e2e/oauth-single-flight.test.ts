// OAuth connections against the sandbox: code exchange, single-flight refresh when the access token has
// expired (one POST /oauth/token for 50 concurrent calls, the new pair saved before it is used), single-use
// refresh tokens, a dead refresh token surfacing as RECONNECT_NEEDED without a refresh loop, and agency →
// location tokens minted through LocationTokenMinter. Time is a manual clock shared by the sandbox (token
// expiry) and the client (refresh decisions), so nothing waits for a token to expire.
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HighLevelClient,
  HighLevelError,
  LocationTokenMinter,
  MemoryTokenStore,
  OAuthApp,
  OAuthCredentials,
  ReconnectNeededError,
  type TokenSet,
  type UserType,
} from "../../src/index.ts";

const TTL_SECONDS = 3600;
/** Past the access token's lifetime, and past the sandbox's 10 s rate-limit window. */
const EXPIRE_MS = TTL_SECONDS * 1000 + 60_000;

let t = Date.UTC(2025, 5, 1, 12, 0, 0);
const clock = { now: () => t, advance: (ms: number) => (t += ms) };

/** Records saves, in one timeline with the requests the client sends. */
class RecordingStore extends MemoryTokenStore {
  constructor(private readonly timeline: string[]) {
    super();
  }
  override async save(connectionId: string, tokens: TokenSet): Promise<void> {
    await super.save(connectionId, tokens);
    this.timeline.push(`save ${connectionId} ${tokens.accessToken}`);
  }
}

let sb: Sandbox;
let app: OAuthApp;
let contactId: string;

beforeAll(async () => {
  sb = await startSandbox({ seed: 21, now: clock.now, accessTokenTtlSeconds: TTL_SECONDS });
  app = new OAuthApp({
    clientId: sb.info.clientId,
    clientSecret: sb.info.clientSecret,
    baseUrl: sb.info.baseUrl,
    now: clock.now,
  });
  const seeded = new HighLevelClient({ credentials: sb.info.locationToken, baseUrl: sb.info.baseUrl });
  const list = (await seeded.call("get-contacts", { locationId: sb.info.locationId, limit: 1 })) as {
    contacts: Array<{ id: string }>;
  };
  contactId = list.contacts[0]!.id;
});

afterAll(async () => {
  await sb?.close();
});

async function sandboxCode(userType: UserType): Promise<string> {
  const res = await fetch(`${sb.info.baseUrl}/__sandbox/oauth/code?userType=${userType}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: string }).code;
}

/** A connection as an app would make one: code from the consent redirect, exchanged, stored. */
async function connect(store: MemoryTokenStore, connectionId: string, userType: UserType = "Location") {
  const first = await app.exchangeCode(await sandboxCode(userType), { userType });
  await store.save(connectionId, first);
  const credentials = await OAuthCredentials.create({ app, store, connectionId });
  return { first, credentials };
}

/** POST /oauth/token from outside the client, as another process holding the refresh token would. */
async function refreshFromOutside(
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sb.info.baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      client_id: sb.info.clientId,
      client_secret: sb.info.clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      user_type: "Location",
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function lastLogId(): number {
  return sb.requests().at(-1)?.id ?? 0;
}

function logSince(mark: number) {
  const entries = sb.requests({ after: mark });
  return {
    entries,
    tokenPosts: entries.filter((e) => e.method === "POST" && e.path === "/oauth/token"),
    mints: entries.filter((e) => e.method === "POST" && e.path === "/oauth/locationToken"),
    api: (key: string) => entries.filter((e) => e.operationId === key),
  };
}

function contactOf(result: unknown): string | undefined {
  return (result as { contact?: { id?: string } }).contact?.id;
}

describe("OAuth connection: single-flight refresh", () => {
  it("50 concurrent calls after expiry make exactly one refresh; the new pair is saved before use", async () => {
    const timeline: string[] = [];
    const store = new RecordingStore(timeline);
    const { first, credentials } = await connect(store, "conn-a");
    expect(first.userType).toBe("Location");
    expect(first.locationId).toBe(sb.info.locationId);
    expect(first.refreshToken).toBeTruthy();

    const client = new HighLevelClient({
      credentials,
      baseUrl: sb.info.baseUrl,
      fetch: async (input, init) => {
        const auth = new Headers(init?.headers).get("authorization") ?? "";
        timeline.push(`use ${auth.replace(/^Bearer /, "")}`);
        return fetch(input, init);
      },
    });
    expect(contactOf(await client.call("get-contact", { contactId }))).toBe(contactId);
    expect(timeline.at(-1)).toBe(`use ${first.accessToken}`);

    clock.advance(EXPIRE_MS);
    // The sandbox no longer takes the old access token.
    const stale = await fetch(`${sb.info.baseUrl}/contacts/${contactId}`, {
      headers: { Authorization: `Bearer ${first.accessToken}`, Version: "2021-07-28" },
    });
    expect(stale.status).toBe(401);

    timeline.length = 0;
    const mark = lastLogId();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => client.call("get-contact", { contactId })),
    );
    expect(results.map(contactOf)).toEqual(Array(50).fill(contactId));

    const log = logSince(mark);
    expect(log.tokenPosts).toHaveLength(1);
    expect(log.tokenPosts[0]!.status).toBe(200);
    expect(log.api("get-contact")).toHaveLength(50);
    expect(log.api("get-contact").every((e) => e.status === 200)).toBe(true);
    expect(log.entries).toHaveLength(51); // nothing else: no 401 round trip, no retry

    const stored = (await store.load("conn-a"))!;
    expect(stored.accessToken).not.toBe(first.accessToken);
    expect(stored.refreshToken).toBeTruthy();
    expect(stored.refreshToken).not.toBe(first.refreshToken);
    expect(stored.expiresAt).toBe(clock.now() + TTL_SECONDS * 1000);
    expect(stored.locationId).toBe(sb.info.locationId);
    // The save came first; all 50 requests carried the saved token.
    expect(timeline[0]).toBe(`save conn-a ${stored.accessToken}`);
    expect(timeline.slice(1)).toEqual(Array(50).fill(`use ${stored.accessToken}`));

    // Refresh tokens are single-use: the one the client spent is refused to anyone else.
    const reuse = await refreshFromOutside(first.refreshToken!);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe("invalid_grant");
    // ... also through the app, which reports it as a 400 HighLevelError carrying invalid_grant.
    const viaApp = await app.refresh(first.refreshToken!, "Location").catch((e: unknown) => e);
    expect(viaApp).toBeInstanceOf(HighLevelError);
    expect((viaApp as HighLevelError).status).toBe(400);
    expect((viaApp as HighLevelError).body).toMatchObject({ error: "invalid_grant" });

    // The connection keeps working with the stored pair (the failed reuse did not disturb it).
    expect(contactOf(await client.call("get-contact", { contactId }))).toBe(contactId);
  });

  it("two credentials objects sharing one store (two workers) still refresh once", async () => {
    const store = new MemoryTokenStore();
    const { first } = await connect(store, "conn-shared");
    const workers = await Promise.all(
      [1, 2].map(async () => {
        const credentials = await OAuthCredentials.create({ app, store, connectionId: "conn-shared" });
        return new HighLevelClient({ credentials, baseUrl: sb.info.baseUrl });
      }),
    );
    clock.advance(EXPIRE_MS);
    const mark = lastLogId();
    const results = await Promise.all(
      workers.flatMap((client) =>
        Array.from({ length: 25 }, () => client.call("get-contact", { contactId })),
      ),
    );
    expect(results.map(contactOf)).toEqual(Array(50).fill(contactId));
    const log = logSince(mark);
    expect(log.tokenPosts.map((e) => e.status)).toEqual([200]);
    expect(log.api("get-contact").map((e) => e.status)).toEqual(Array(50).fill(200));
    expect((await store.load("conn-shared"))!.refreshToken).not.toBe(first.refreshToken);
  });

  it("a dead refresh token surfaces as RECONNECT_NEEDED after one refresh request, with no loop", async () => {
    const store = new MemoryTokenStore();
    const { first, credentials } = await connect(store, "conn-dead");
    const client = new HighLevelClient({ credentials, baseUrl: sb.info.baseUrl });
    expect(contactOf(await client.call("get-contact", { contactId }))).toBe(contactId);

    // Someone else spends the refresh token and keeps the new pair to themselves.
    expect((await refreshFromOutside(first.refreshToken!)).status).toBe(200);
    clock.advance(EXPIRE_MS);

    const mark = lastLogId();
    const concurrent = await Promise.allSettled(
      Array.from({ length: 10 }, () => client.call("get-contact", { contactId })),
    );
    const sequential: unknown[] = [];
    for (let i = 0; i < 5; i++)
      sequential.push(await client.call("get-contact", { contactId }).catch((e) => e));

    const errors = [...concurrent.map((r) => (r.status === "rejected" ? r.reason : r.value)), ...sequential];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ReconnectNeededError);
      expect((error as ReconnectNeededError).code).toBe("RECONNECT_NEEDED");
      expect((error as ReconnectNeededError).retryable).toBe(false);
    }
    const log = logSince(mark);
    expect(log.tokenPosts).toHaveLength(1);
    expect(log.tokenPosts[0]!.status).toBe(400);
    expect(log.api("get-contact")).toHaveLength(0); // no request goes out with an expired token
    expect(log.entries).toHaveLength(1);
  });

  it("a 401 for a token the client thought valid: one refresh and one retry; if the refresh is dead, no loop", async () => {
    // The client's clock lags the sandbox's by two hours: it believes an expired token is still good.
    const lagging = () => clock.now() - 2 * 3_600_000;

    const store = new MemoryTokenStore();
    await connect(store, "conn-lag");
    const credentials = await OAuthCredentials.create({ app, store, connectionId: "conn-lag", now: lagging });
    const client = new HighLevelClient({ credentials, baseUrl: sb.info.baseUrl });
    clock.advance(EXPIRE_MS);
    let mark = lastLogId();
    expect(contactOf(await client.call("get-contact", { contactId }))).toBe(contactId);
    let log = logSince(mark);
    expect(log.entries.map((e) => `${e.operationId} ${e.status}`)).toEqual([
      "get-contact 401",
      "get-access-token 200",
      "get-contact 200",
    ]);

    // A burst with the stale token: every request is refused, one refresh serves them all. One of the
    // 401s is held back until the refreshed pair is saved, so it reaches the client after the refresh: it
    // must be retried with the new token, not refreshed again nor given up on (which needs the client to
    // know which token the rejected request carried, not assume it was the current one).
    const burstStore = new MemoryTokenStore();
    const { first: burstFirst } = await connect(burstStore, "conn-lag-burst");
    const burstCredentials = await OAuthCredentials.create({
      app,
      store: burstStore,
      connectionId: "conn-lag-burst",
      now: lagging,
    });
    /** Resolves once the credentials hand out the refreshed token (checked between event-loop turns). */
    const refreshDone = async () => {
      while (burstCredentials.tokens().accessToken === burstFirst.accessToken) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    let sent = 0;
    const burstClient = new HighLevelClient({
      credentials: burstCredentials,
      baseUrl: sb.info.baseUrl,
      fetch: async (input, init) => {
        const n = ++sent;
        const res = await fetch(input, init);
        if (n === 2) await refreshDone();
        return res;
      },
    });
    clock.advance(EXPIRE_MS);
    mark = lastLogId();
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => burstClient.call("get-contact", { contactId })),
    );
    const failed = settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []));
    expect(failed).toEqual([]);
    log = logSince(mark);
    expect(log.tokenPosts.map((e) => e.status)).toEqual([200]);
    const statuses = log.api("get-contact").map((e) => e.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);

    const deadStore = new MemoryTokenStore();
    const { first } = await connect(deadStore, "conn-lag-dead");
    const deadCredentials = await OAuthCredentials.create({
      app,
      store: deadStore,
      connectionId: "conn-lag-dead",
      now: lagging,
    });
    const deadClient = new HighLevelClient({ credentials: deadCredentials, baseUrl: sb.info.baseUrl });
    expect((await refreshFromOutside(first.refreshToken!)).status).toBe(200);
    clock.advance(EXPIRE_MS);

    mark = lastLogId();
    for (let i = 0; i < 3; i++) {
      const error = await deadClient.call("get-contact", { contactId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ReconnectNeededError);
      expect((error as ReconnectNeededError).code).toBe("RECONNECT_NEEDED");
    }
    log = logSince(mark);
    // One 401, one refused refresh; the two later calls fail without a request.
    expect(log.entries.map((e) => `${e.operationId} ${e.status}`)).toEqual([
      "get-contact 401",
      "get-access-token 400",
    ]);
  });
});

describe("agency → location tokens through LocationTokenMinter", () => {
  it("mints one location token for a burst, re-mints once after expiry, and stays on its location", async () => {
    const store = new MemoryTokenStore();
    const { first, credentials: agency } = await connect(store, "agency", "Company");
    expect(first.userType).toBe("Company");
    expect(first.companyId).toBe(sb.info.companyId);
    expect(agency.info().kind).toBe("agency");

    const minter = new LocationTokenMinter({ agency, app, now: clock.now });
    const client = new HighLevelClient({
      credentials: minter.forLocation(sb.info.locationId),
      baseUrl: sb.info.baseUrl,
    });

    let mark = lastLogId();
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => client.call("get-contact", { contactId })),
    );
    expect(burst.map(contactOf)).toEqual(Array(20).fill(contactId));
    let log = logSince(mark);
    expect(log.mints.map((e) => e.status)).toEqual([200]);
    expect(log.tokenPosts).toHaveLength(0);
    expect(log.api("get-contact").map((e) => e.status)).toEqual(Array(20).fill(200));
    const minted = minter.cached(sb.info.locationId)!;
    expect(minted.userType).toBe("Location");
    expect(minted.locationId).toBe(sb.info.locationId);
    expect(minted.refreshToken).toBeUndefined();

    // Both the agency token and the minted one expire: one agency refresh, then one mint.
    clock.advance(EXPIRE_MS);
    mark = lastLogId();
    const again = await Promise.all(
      Array.from({ length: 20 }, () => client.call("get-contact", { contactId })),
    );
    expect(again.map(contactOf)).toEqual(Array(20).fill(contactId));
    log = logSince(mark);
    expect(log.tokenPosts.map((e) => e.status)).toEqual([200]);
    expect(log.mints.map((e) => e.status)).toEqual([200]);
    expect(log.entries.indexOf(log.tokenPosts[0]!)).toBeLessThan(log.entries.indexOf(log.mints[0]!));
    expect(minter.cached(sb.info.locationId)!.accessToken).not.toBe(minted.accessToken);
    expect((await store.load("agency"))!.refreshToken).not.toBe(first.refreshToken);

    // The other location of the agency gets its own token and sees its own contacts.
    const other = new HighLevelClient({
      credentials: minter.forLocation(sb.info.otherLocationId),
      baseUrl: sb.info.baseUrl,
    });
    const list = (await other.call("get-contacts", { locationId: sb.info.otherLocationId })) as {
      contacts: Array<{ id: string; locationId: string }>;
    };
    expect(list.contacts.length).toBeGreaterThan(0);
    expect(list.contacts.every((c) => c.locationId === sb.info.otherLocationId)).toBe(true);
    expect(list.contacts.map((c) => c.id)).not.toContain(contactId);
    expect(minter.cached(sb.info.otherLocationId)!.locationId).toBe(sb.info.otherLocationId);
  });

  it("a minted token the sandbox refuses is re-minted once for a whole burst of 401s, late ones included", async () => {
    const store = new MemoryTokenStore();
    const { credentials: agency } = await connect(store, "agency-lag", "Company");
    // The minter's clock lags: it keeps using a minted token the sandbox has expired.
    const minter = new LocationTokenMinter({ agency, app, now: () => clock.now() - 2 * 3_600_000 });
    const locationId = sb.info.locationId;
    await minter.getToken(locationId);
    const stale = minter.cached(locationId)!.accessToken;
    let sent = 0;
    const client = new HighLevelClient({
      credentials: minter.forLocation(locationId),
      baseUrl: sb.info.baseUrl,
      fetch: async (input, init) => {
        const n = ++sent;
        const res = await fetch(input, init);
        // Hold one 401 back until the replacement token is in the minter's cache.
        while (n === 2 && minter.cached(locationId)?.accessToken === stale) {
          await new Promise((resolve) => setImmediate(resolve));
        }
        return res;
      },
    });
    clock.advance(EXPIRE_MS);

    const mark = lastLogId();
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.call("get-contact", { contactId })),
    );
    expect(settled.flatMap((s) => (s.status === "rejected" ? [String(s.reason)] : []))).toEqual([]);
    const log = logSince(mark);
    expect(log.mints.map((e) => e.status)).toEqual([200]);
    expect(log.tokenPosts.map((e) => e.status)).toEqual([200]); // the agency token had expired too
    const statuses = log.api("get-contact").map((e) => e.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
  });
});
