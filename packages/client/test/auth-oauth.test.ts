import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  LocationTokenMinter,
  MemoryTokenStore,
  OAuthApp,
  OAuthCredentials,
  PrivateIntegrationToken,
  type TokenSet,
  type TokenStore,
} from "../src/auth/index.ts";
import { HighLevelError, ReconnectNeededError } from "../src/errors.ts";

const CLIENT_ID = "app123-clientid";
const CLIENT_SECRET = `secret-${randomBytes(12).toString("hex")}`;
const COMPANY_ID = "company-1";
const EXPIRES_IN = 3600;

// ---- a small HighLevel OAuth server: single-use refresh tokens, call counters --------------------------

interface Issued {
  userType: "Company" | "Location";
  locationId?: string;
}

class FakeOAuthServer {
  server!: Server;
  baseUrl = "";
  /** Every secret the server ever issued or was sent: none may appear in an error. */
  readonly secrets = new Set<string>([CLIENT_SECRET]);
  readonly liveRefresh = new Map<string, Issued>();
  readonly liveAccess = new Map<string, Issued>();
  readonly codes = new Map<string, Issued>();
  refreshCalls = 0;
  codeCalls = 0;
  invalidGrants = 0;
  readonly refreshTokensSent: string[] = [];
  readonly mintCalls = new Map<string, number>();
  failNextRefreshes = 0;
  lastTokenForm: Record<string, string> = {};
  lastHeaders: IncomingMessage["headers"] = {};
  lastUrl = "";

  token(prefix: string): string {
    const value = `${prefix}-${randomBytes(12).toString("hex")}`;
    this.secrets.add(value);
    return value;
  }

  issuePair(issued: Issued): { accessToken: string; refreshToken: string } {
    const accessToken = this.token("at");
    const refreshToken = this.token("rt");
    this.liveAccess.set(accessToken, issued);
    this.liveRefresh.set(refreshToken, issued);
    return { accessToken, refreshToken };
  }

  newCode(issued: Issued): string {
    const code = this.token("code");
    this.codes.set(code, issued);
    return code;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.refreshCalls = 0;
    this.codeCalls = 0;
    this.invalidGrants = 0;
    this.refreshTokensSent.length = 0;
    this.mintCalls.clear();
    this.failNextRefreshes = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.baseUrl);
    this.lastHeaders = req.headers;
    this.lastUrl = req.url ?? "";
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    const bearer = (req.headers.authorization ?? "").replace(/^Bearer /, "");

    if (req.method === "POST" && url.pathname === "/oauth/token") {
      const form = Object.fromEntries(new URLSearchParams(raw));
      this.lastTokenForm = form;
      if (form.client_id !== CLIENT_ID || form.client_secret !== CLIENT_SECRET) {
        return json(401, { statusCode: 401, error: "invalid_client", message: "bad client" });
      }
      let issued: Issued | undefined;
      if (form.grant_type === "authorization_code") {
        this.codeCalls++;
        issued = this.codes.get(form.code ?? "");
        this.codes.delete(form.code ?? "");
        if (!issued) {
          // Echo what was sent, as some servers do: the client must scrub it.
          return json(400, {
            error: "invalid_grant",
            error_description: `code ${form.code} is invalid for client_secret=${form.client_secret}`,
          });
        }
      } else if (form.grant_type === "refresh_token") {
        this.refreshCalls++;
        this.refreshTokensSent.push(form.refresh_token ?? "");
        if (this.failNextRefreshes > 0) {
          this.failNextRefreshes--;
          return json(500, { statusCode: 500, message: "Internal server error" });
        }
        issued = this.liveRefresh.get(form.refresh_token ?? "");
        // Single use: the presented refresh token dies whatever happens next.
        this.liveRefresh.delete(form.refresh_token ?? "");
        if (!issued) {
          this.invalidGrants++;
          return json(400, {
            error: "invalid_grant",
            error_description: `refresh token ${form.refresh_token} is invalid`,
          });
        }
      } else {
        return json(422, { statusCode: 422, message: ["grant_type must be valid"] });
      }
      const pair = this.issuePair(issued);
      return json(200, {
        access_token: pair.accessToken,
        token_type: "Bearer",
        expires_in: EXPIRES_IN,
        refresh_token: pair.refreshToken,
        scope: "contacts.readonly contacts.write oauth.write",
        userType: issued.userType,
        companyId: COMPANY_ID,
        ...(issued.locationId ? { locationId: issued.locationId } : {}),
        userId: "user-1",
      });
    }

    if (req.method === "POST" && url.pathname === "/oauth/locationToken") {
      if (this.liveAccess.get(bearer)?.userType !== "Company" || req.headers.version !== "2021-07-28") {
        return json(401, { statusCode: 401, message: `Invalid JWT ${bearer}`, error: "Unauthorized" });
      }
      const form = Object.fromEntries(new URLSearchParams(raw));
      const locationId = form.locationId ?? "";
      if (form.companyId !== COMPANY_ID || !locationId) return json(400, { statusCode: 400, message: "bad" });
      this.mintCalls.set(locationId, (this.mintCalls.get(locationId) ?? 0) + 1);
      const accessToken = this.token(`loc-${locationId}`);
      this.liveAccess.set(accessToken, { userType: "Location", locationId });
      return json(200, {
        access_token: accessToken,
        token_type: "Bearer",
        expires_in: EXPIRES_IN,
        scope: "contacts.readonly",
        locationId,
        userId: "user-1",
      });
    }

    if (req.method === "GET" && url.pathname === "/oauth/installedLocations") {
      if (this.liveAccess.get(bearer)?.userType !== "Company" || req.headers.version !== "2021-07-28") {
        return json(401, { statusCode: 401, message: "Invalid JWT", error: "Unauthorized" });
      }
      return json(200, {
        locations: [{ _id: "loc-a", name: "A", address: "1 Main St", isInstalled: true }],
        count: 1,
        installToFutureLocations: false,
      });
    }
    json(404, { statusCode: 404, message: "not found" });
  }
}

// ---- helpers --------------------------------------------------------------------------------------------

const server = new FakeOAuthServer();
let clock = 1_700_000_000_000;
const now = () => clock;
let app: OAuthApp;

beforeAll(async () => {
  await server.start();
  app = new OAuthApp({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: "https://example.test/callback",
    baseUrl: server.baseUrl,
    now,
  });
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
});

/** A connection whose access token has expired, with a refresh token the server still honours. */
function expiredConnection(issued: Issued = { userType: "Location", locationId: "loc-1" }): TokenSet {
  const pair = server.issuePair(issued);
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: clock - 1,
    scopes: ["contacts.readonly"],
    userType: issued.userType,
    companyId: COMPANY_ID,
    ...(issued.locationId ? { locationId: issued.locationId } : {}),
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Let every pending callback and I/O completion run (no timers involved). */
async function drain(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

function errorText(error: unknown): string {
  const e = error as HighLevelError;
  const cause = e.cause instanceof Error ? `${e.cause.message} ${e.cause.stack}` : String(e.cause ?? "");
  return [e.message, e.stack, JSON.stringify(e.toJSON?.()), JSON.stringify(e.body ?? null), cause].join("\n");
}

function expectNoSecrets(error: unknown): void {
  const text = errorText(error);
  for (const secret of server.secrets) expect(text).not.toContain(secret);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

// ---- tests ----------------------------------------------------------------------------------------------

describe("OAuthApp.authorizeUrl", () => {
  it("builds the chooselocation URL on the standard marketplace host", () => {
    const url = app.authorizeUrl({
      scopes: ["contacts.readonly", "conversations/message.write"],
      state: "st&te=1",
    });
    expect(url.startsWith("https://marketplace.gohighlevel.com/v2/oauth/chooselocation?")).toBe(true);
    const params = new URL(url).searchParams;
    expect(params.get("response_type")).toBe("code");
    expect(params.get("client_id")).toBe(CLIENT_ID);
    expect(params.get("redirect_uri")).toBe("https://example.test/callback");
    expect(params.get("scope")).toBe("contacts.readonly conversations/message.write");
    expect(params.get("state")).toBe("st&te=1");
    // Spaces as %20 and reserved characters escaped, so nothing can be misread.
    expect(url).toContain("scope=contacts.readonly%20conversations%2Fmessage.write");
    expect(url).toContain("state=st%26te%3D1");
    expect(params.has("loginWindowOpenMode")).toBe(false);
  });

  it("uses the white-label host on request, or when the app is configured with it", () => {
    const url = app.authorizeUrl({
      scopes: ["contacts.readonly"],
      state: "s1",
      whiteLabel: true,
      redirectUri: "https://other.test/cb",
      loginWindowOpenMode: "self",
    });
    expect(url.startsWith("https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation?")).toBe(true);
    const params = new URL(url).searchParams;
    expect(params.get("redirect_uri")).toBe("https://other.test/cb");
    expect(params.get("loginWindowOpenMode")).toBe("self");

    const whiteLabelApp = new OAuthApp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      marketplaceHost: "https://marketplace.leadconnectorhq.com/",
    });
    const url2 = whiteLabelApp.authorizeUrl({ scopes: ["a.readonly"], state: "s2" });
    expect(url2.startsWith("https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation?")).toBe(true);
    expect(new URL(url2).searchParams.get("state")).toBe("s2");
    expect(new URL(url2).searchParams.has("redirect_uri")).toBe(false);
  });
});

describe("OAuthApp token endpoint", () => {
  it("exchanges a code with the documented form body and returns a TokenSet", async () => {
    const code = server.newCode({ userType: "Location", locationId: "loc-9" });
    const tokens = await app.exchangeCode(code, { userType: "Location" });
    expect(server.lastHeaders["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(server.lastTokenForm).toEqual({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: "authorization_code",
      code,
      user_type: "Location",
      redirect_uri: "https://example.test/callback",
    });
    expect(tokens.accessToken).toMatch(/^at-/);
    expect(tokens.refreshToken).toMatch(/^rt-/);
    expect(tokens.expiresAt).toBe(clock + EXPIRES_IN * 1000);
    expect(tokens.scopes).toEqual(["contacts.readonly", "contacts.write", "oauth.write"]);
    expect(tokens.userType).toBe("Location");
    expect(tokens.locationId).toBe("loc-9");
    expect(tokens.companyId).toBe(COMPANY_ID);
    expect(tokens.userId).toBe("user-1");

    // Codes are single use too: a second exchange is refused, without the code in the error.
    const error = await rejection(app.exchangeCode(code));
    expect(error).toBeInstanceOf(HighLevelError);
    expect((error as HighLevelError).status).toBe(400);
    expectNoSecrets(error);
  });

  it("refresh sends grant_type refresh_token with user_type", async () => {
    const conn = expiredConnection({ userType: "Company" });
    const tokens = await app.refresh(conn.refreshToken!, "Company");
    expect(server.lastTokenForm).toMatchObject({
      grant_type: "refresh_token",
      refresh_token: conn.refreshToken,
      user_type: "Company",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(tokens.userType).toBe("Company");
    expect(tokens.refreshToken).not.toBe(conn.refreshToken);
  });

  it("installedLocations sends the query, the agency token and the Version header", async () => {
    const agency = server.issuePair({ userType: "Company" });
    const page = await app.installedLocations(agency.accessToken, {
      companyId: COMPANY_ID,
      appId: "app123",
      skip: 0,
      limit: 50,
      isInstalled: true,
    });
    expect(page).toEqual({
      locations: [{ _id: "loc-a", name: "A", address: "1 Main St", isInstalled: true }],
      count: 1,
      installToFutureLocations: false,
    });
    const sent = new URL(server.lastUrl, server.baseUrl).searchParams;
    expect(Object.fromEntries(sent)).toEqual({
      companyId: COMPANY_ID,
      appId: "app123",
      skip: "0",
      limit: "50",
      isInstalled: "true",
    });
    expect(server.lastHeaders.version).toBe("2021-07-28");
    expect(server.lastHeaders.authorization).toBe(`Bearer ${agency.accessToken}`);
  });
});

describe("OAuthCredentials refresh", () => {
  it("50 concurrent callers with an expired token share exactly one refresh", async () => {
    const store = new MemoryTokenStore({ c1: expiredConnection() });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => creds.getAccessToken()));
    expect(server.refreshCalls).toBe(1);
    const stored = await store.load("c1");
    expect(new Set(tokens)).toEqual(new Set([stored!.accessToken]));
    expect(server.liveAccess.has(stored!.accessToken)).toBe(true);
    // The new pair is what the store holds now, with the ids the refresh answer carried.
    expect(stored).toMatchObject({ userType: "Location", locationId: "loc-1", companyId: COMPANY_ID });
    expect(stored!.expiresAt).toBe(clock + EXPIRES_IN * 1000);
    // Valid now: no further refresh.
    await creds.getAccessToken();
    expect(server.refreshCalls).toBe(1);
  });

  it("single flight holds without a store lock too: 50 callers, one refresh", async () => {
    const inner = new MemoryTokenStore({ c1: expiredConnection() });
    const store: TokenStore = { load: (id) => inner.load(id), save: (id, t) => inner.save(id, t) };
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => creds.getAccessToken()));
    expect(server.refreshCalls).toBe(1);
    expect(server.invalidGrants).toBe(0);
    expect(new Set(tokens)).toEqual(new Set([(await inner.load("c1"))!.accessToken]));
  });

  it("refreshes within the 60 s skew, not before", async () => {
    const conn = { ...expiredConnection(), expiresAt: clock + 61_000 };
    const store = new MemoryTokenStore({ c1: conn });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    expect(await creds.getAccessToken()).toBe(conn.accessToken);
    expect(server.refreshCalls).toBe(0);
    clock += 2_000; // now 59 s before expiry
    expect(await creds.getAccessToken()).not.toBe(conn.accessToken);
    expect(server.refreshCalls).toBe(1);
  });

  it("saves the new pair before any caller receives the new access token", async () => {
    const events: string[] = [];
    const gate = deferred();
    const saveStarted = deferred();
    class GatedStore extends MemoryTokenStore {
      override async save(id: string, tokens: TokenSet): Promise<void> {
        events.push("save:start");
        saveStarted.resolve();
        await gate.promise;
        await super.save(id, tokens);
        events.push("save:end");
      }
    }
    const store = new GatedStore({ c1: expiredConnection() });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const early = Array.from({ length: 50 }, () => creds.getAccessToken().then(() => events.push("got")));
    await saveStarted.promise;
    // A caller arriving while the save is pending must wait as well.
    const late = creds.getAccessToken().then(() => events.push("got"));
    await drain();
    expect(events).toEqual(["save:start"]);
    gate.resolve();
    await Promise.all([...early, late]);
    expect(events).toEqual(["save:start", "save:end", ...Array(51).fill("got")]);
    expect(server.refreshCalls).toBe(1);
  });

  it("a second credentials object re-reads the store and does not spend the used refresh token", async () => {
    const store = new MemoryTokenStore({ c1: expiredConnection() });
    const a = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const b = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const tokenA = await a.getAccessToken();
    // b still holds the spent pair in memory; its refresh must re-read under the lock instead.
    const tokenB = await b.getAccessToken();
    expect(tokenB).toBe(tokenA);
    expect(server.refreshCalls).toBe(1);
    expect(server.invalidGrants).toBe(0);
  });

  it("two credentials objects refreshing at once make one refresh (store lock)", async () => {
    const store = new MemoryTokenStore({ c1: expiredConnection() });
    const a = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const b = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const tokens = await Promise.all([
      ...Array.from({ length: 10 }, () => a.getAccessToken()),
      ...Array.from({ length: 10 }, () => b.getAccessToken()),
    ]);
    expect(new Set(tokens).size).toBe(1);
    expect(server.refreshCalls).toBe(1);
    expect(server.invalidGrants).toBe(0);
  });

  it("re-reads the store even when the store has no lock", async () => {
    const inner = new MemoryTokenStore({ c1: expiredConnection() });
    const store: TokenStore = { load: (id) => inner.load(id), save: (id, t) => inner.save(id, t) };
    const a = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const b = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const tokenA = await a.getAccessToken();
    expect(await b.getAccessToken()).toBe(tokenA);
    expect(server.refreshCalls).toBe(1);
  });

  it("invalid_grant: every concurrent caller gets ReconnectNeededError and no refresh is sent again", async () => {
    const conn = { ...expiredConnection(), refreshToken: server.token("rt-revoked") };
    const store = new MemoryTokenStore({ c1: conn });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => creds.getAccessToken()));
    expect(server.refreshCalls).toBe(1);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(ReconnectNeededError);
      expect((reason as ReconnectNeededError).code).toBe("RECONNECT_NEEDED");
      expect((reason as ReconnectNeededError).retryable).toBe(false);
      expectNoSecrets(reason);
    }
    for (let i = 0; i < 3; i++) {
      await expect(creds.getAccessToken()).rejects.toBeInstanceOf(ReconnectNeededError);
    }
    await expect(creds.onUnauthorized()).rejects.toBeInstanceOf(ReconnectNeededError);
    expect(server.refreshCalls).toBe(1);

    // Reconnected elsewhere (a new pair saved to the store): the connection works again.
    const fresh = await app.exchangeCode(server.newCode({ userType: "Location", locationId: "loc-1" }));
    await store.save("c1", fresh);
    expect(await creds.getAccessToken()).toBe(fresh.accessToken);
    expect(server.refreshCalls).toBe(1);
  });

  it("a transient 500 during refresh is retryable, not reconnect-needed, and keeps the refresh token", async () => {
    const conn = expiredConnection();
    const store = new MemoryTokenStore({ c1: conn });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    server.failNextRefreshes = 1;
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => creds.getAccessToken()));
    expect(server.refreshCalls).toBe(1);
    for (const result of results) {
      const reason = (result as PromiseRejectedResult).reason as HighLevelError;
      expect(reason).toBeInstanceOf(HighLevelError);
      expect(reason).not.toBeInstanceOf(ReconnectNeededError);
      expect(reason.code).toBe("HTTP_ERROR");
      expect(reason.status).toBe(500);
      expect(reason.retryable).toBe(true);
    }
    expect(await store.load("c1")).toEqual(conn);
    const token = await creds.getAccessToken();
    expect(server.refreshCalls).toBe(2);
    expect(server.refreshTokensSent).toEqual([conn.refreshToken, conn.refreshToken]);
    expect(server.liveAccess.has(token)).toBe(true);
  });

  it("a network failure during refresh is a retryable NETWORK_ERROR", async () => {
    let offline = true;
    const flaky = new OAuthApp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      baseUrl: server.baseUrl,
      now,
      fetch: (input, init) => (offline ? Promise.reject(new TypeError("fetch failed")) : fetch(input, init)),
    });
    const store = new MemoryTokenStore({ c1: expiredConnection() });
    const creds = await OAuthCredentials.create({ app: flaky, store, connectionId: "c1" });
    const error = (await rejection(creds.getAccessToken())) as HighLevelError;
    expect(error).not.toBeInstanceOf(ReconnectNeededError);
    expect(error.code).toBe("NETWORK_ERROR");
    expect(error.retryable).toBe(true);
    offline = false;
    await creds.getAccessToken();
    expect(server.refreshCalls).toBe(1);
  });

  it("onUnauthorized forces one refresh, and does not refresh again when the fresh token is rejected", async () => {
    const conn = { ...expiredConnection(), expiresAt: clock + 3_600_000 };
    const store = new MemoryTokenStore({ c1: conn });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    const old = await creds.getAccessToken();
    expect(server.refreshCalls).toBe(0);
    const results = await Promise.all(Array.from({ length: 10 }, () => creds.onUnauthorized(old)));
    expect(results.every(Boolean)).toBe(true);
    expect(server.refreshCalls).toBe(1);
    const fresh = await creds.getAccessToken();
    expect(fresh).not.toBe(old);
    // A late 401 for the old token: the replacement already exists.
    expect(await creds.onUnauthorized(old)).toBe(true);
    // The brand-new token rejected too: refreshing cannot help, so no loop.
    expect(await creds.onUnauthorized(fresh)).toBe(false);
    expect(server.refreshCalls).toBe(1);
  });

  it("a connection with nothing stored needs a reconnect", async () => {
    const store = new MemoryTokenStore();
    await expect(OAuthCredentials.create({ app, store, connectionId: "none" })).rejects.toBeInstanceOf(
      ReconnectNeededError,
    );
  });

  it("info() reports kind, scopes and ids from the tokens; ownerId is the client id", async () => {
    const store = new MemoryTokenStore({ c1: expiredConnection({ userType: "Company" }) });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    expect(creds.info()).toEqual({
      kind: "agency",
      scopes: ["contacts.readonly"],
      companyId: COMPANY_ID,
      ownerId: `app:${CLIENT_ID}`,
    });
  });
});

describe("LocationTokenMinter", () => {
  async function agencyCreds(conn: TokenSet = { ...expiredConnection({ userType: "Company" }) }) {
    const store = new MemoryTokenStore({ agency: conn });
    return OAuthCredentials.create({ app, store, connectionId: "agency" });
  }

  it("mints once per location for concurrent callers and caches until expiry", async () => {
    const agency = await agencyCreds();
    const minter = new LocationTokenMinter({ agency, app, now });
    const loc1 = minter.forLocation("loc-1");
    expect(minter.forLocation("loc-1")).toBe(loc1);

    const tokens = await Promise.all(Array.from({ length: 30 }, () => loc1.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(server.mintCalls.get("loc-1")).toBe(1);
    // The expired agency token was refreshed once on the way.
    expect(server.refreshCalls).toBe(1);
    expect(server.liveAccess.get(tokens[0]!)).toEqual({ userType: "Location", locationId: "loc-1" });

    expect(await loc1.getAccessToken()).toBe(tokens[0]);
    expect(server.mintCalls.get("loc-1")).toBe(1);
    expect(loc1.info()).toEqual({
      kind: "location",
      scopes: ["contacts.readonly"],
      locationId: "loc-1",
      companyId: COMPANY_ID,
      ownerId: `app:${CLIENT_ID}`,
    });

    const loc2Token = await minter.forLocation("loc-2").getAccessToken();
    expect(loc2Token).not.toBe(tokens[0]);
    expect(server.mintCalls.get("loc-2")).toBe(1);

    clock += (EXPIRES_IN - 30) * 1000; // inside the 60 s skew
    const renewed = await loc1.getAccessToken();
    expect(renewed).not.toBe(tokens[0]);
    expect(server.mintCalls.get("loc-1")).toBe(2);
  });

  it("after a 401 with a minted token, mints once more but not in a loop", async () => {
    const agency = await agencyCreds();
    const minter = new LocationTokenMinter({ agency, app, now });
    const loc = minter.forLocation("loc-3");
    const first = await loc.getAccessToken();
    expect(await loc.onUnauthorized(first)).toBe(true);
    const second = await loc.getAccessToken();
    expect(second).not.toBe(first);
    expect(await loc.onUnauthorized(second)).toBe(false);
    expect(server.mintCalls.get("loc-3")).toBe(2);
  });

  it("refreshes a rejected agency token once and retries the mint", async () => {
    const conn = { ...expiredConnection({ userType: "Company" }), expiresAt: clock + 3_600_000 };
    server.liveAccess.delete(conn.accessToken); // revoked server-side, though not yet expired
    const agency = await agencyCreds(conn);
    const minter = new LocationTokenMinter({ agency, app, now });
    const token = await minter.forLocation("loc-4").getAccessToken();
    expect(server.liveAccess.get(token)?.locationId).toBe("loc-4");
    expect(server.refreshCalls).toBe(1);
    expect(server.mintCalls.get("loc-4")).toBe(1);
  });

  it("refuses to mint from a location token", async () => {
    const pit = new PrivateIntegrationToken({ token: server.token("pit"), kind: "location" });
    const minter = new LocationTokenMinter({ agency: pit, app, now });
    const error = (await rejection(minter.forLocation("loc-5").getAccessToken())) as HighLevelError;
    expect(error.code).toBe("WRONG_TOKEN_TYPE");
    expect(server.mintCalls.size).toBe(0);
  });
});

describe("secrets never reach an error", () => {
  it("scrubs codes, tokens and the client secret echoed by the server", async () => {
    const errors: unknown[] = [];
    const code = server.token("code-unknown");
    errors.push(await rejection(app.exchangeCode(code)));
    const revoked = server.token("rt-revoked");
    errors.push(await rejection(app.refresh(revoked, "Location")));
    const badAgency = server.token("at-bad");
    errors.push(await rejection(app.locationToken(badAgency, COMPANY_ID, "loc-1")));
    errors.push(await rejection(app.installedLocations(badAgency, { companyId: COMPANY_ID, appId: "x" })));
    const wrongSecret = new OAuthApp({
      clientId: CLIENT_ID,
      clientSecret: server.token("wrong-secret"),
      baseUrl: server.baseUrl,
    });
    errors.push(await rejection(wrongSecret.refresh(server.token("rt-any"), "Location")));
    const unreachable = new OAuthApp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      baseUrl: "http://127.0.0.1:1",
    });
    errors.push(await rejection(unreachable.exchangeCode(server.token("code-x"))));
    const store = new MemoryTokenStore({ c1: { ...expiredConnection(), refreshToken: revoked } });
    const creds = await OAuthCredentials.create({ app, store, connectionId: "c1" });
    errors.push(await rejection(creds.getAccessToken()));

    expect(errors).toHaveLength(7);
    for (const error of errors) {
      expect(error).toBeInstanceOf(HighLevelError);
      expectNoSecrets(error);
    }
    // The server did echo them, so the scrubbing is what kept them out.
    expect((errors[0] as HighLevelError).message).toContain("[REDACTED]");
    expect((errors[1] as HighLevelError).message).toContain("[REDACTED]");
  });

  it("does not expose the client secret or a PIT through the objects themselves", () => {
    const token = server.token("pit");
    const pit = new PrivateIntegrationToken({ token, kind: "location", locationId: "loc-1" });
    const dump = [JSON.stringify(app), inspect(app, { depth: 5 }), JSON.stringify(pit), inspect(pit)].join();
    expect(dump).not.toContain(CLIENT_SECRET);
    expect(dump).not.toContain(token);
    expect(pit.info().ownerId).toMatch(/^pit:[0-9a-f]{16}$/);
    expect(JSON.stringify(pit.info())).not.toContain(token);
  });
});
