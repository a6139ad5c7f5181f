// How failures reach the caller, against the sandbox: HighLevel's own messages and traceId on 401/422,
// access refused before any request, UNKNOWN_OUTCOME for a create whose answer never came, retries for
// GETs answered 500/502. And, over everything this file does, no error message, serialised error or log
// line carries a token, refresh token, client secret or OAuth code.
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HighLevelClient,
  type HighLevelClientOptions,
  HighLevelError,
  MemoryTokenStore,
  OAuthApp,
  OAuthCredentials,
  PrivateIntegrationToken,
  ReconnectNeededError,
  UnknownOutcomeError,
} from "../../src/index.ts";

let sb: Sandbox;
let contactId: string;

/** Every secret this file uses; none may appear in anything collected below. */
const secrets = new Set<string>();
/** Every error message, serialised error and log line produced by this file. */
const collected: string[] = [];

function remember(...values: Array<string | undefined>): void {
  for (const v of values) if (v) secrets.add(v);
}

function collectError(error: unknown): void {
  if (!(error instanceof Error)) {
    collected.push(String(error));
    return;
  }
  collected.push(error.message, String(error), JSON.stringify(error), inspect(error, { depth: 8 }));
  let cause: unknown = error.cause;
  for (let i = 0; cause instanceof Error && i < 5; i++, cause = cause.cause) collected.push(cause.message);
}

/** Run fn, expecting it to fail; the error is collected and returned. */
async function failure(fn: () => Promise<unknown>): Promise<HighLevelError> {
  const error = await fn().then(
    () => {
      throw new Error("expected a failure");
    },
    (e: unknown) => e,
  );
  collectError(error);
  expect(error).toBeInstanceOf(HighLevelError);
  return error as HighLevelError;
}

const logger = {
  debug: (obj: Record<string, unknown>, msg: string) => collected.push(`debug ${JSON.stringify(obj)} ${msg}`),
  info: (obj: Record<string, unknown>, msg: string) => collected.push(`info ${JSON.stringify(obj)} ${msg}`),
  warn: (obj: Record<string, unknown>, msg: string) => collected.push(`warn ${JSON.stringify(obj)} ${msg}`),
};

function newClient(token: string, extra: Partial<HighLevelClientOptions> = {}): HighLevelClient {
  remember(token);
  return new HighLevelClient({
    credentials: token,
    locationId: sb.info.locationId,
    baseUrl: sb.info.baseUrl,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    logger,
    ...extra,
  });
}

function mark(): number {
  return sb.requests().at(-1)?.id ?? 0;
}

beforeAll(async () => {
  sb = await startSandbox({ seed: 51 });
  remember(sb.info.locationToken, sb.info.agencyToken, sb.info.clientSecret);
  const list = (await newClient(sb.info.locationToken).call("get-contacts", {
    locationId: sb.info.locationId,
    limit: 1,
  })) as { contacts: Array<{ id: string }> };
  contactId = list.contacts[0]!.id;
});

afterAll(async () => {
  await sb?.close();
});

describe("HighLevel's answers as errors", () => {
  it("a wrong token: 401 with HighLevel's message, sent once", async () => {
    const wrong = `pit-${randomUUID()}`;
    const client = newClient(wrong);
    const from = mark();
    const error = await failure(() => client.call("get-contact", { contactId }));
    expect(error.code).toBe("HTTP_ERROR");
    expect(error.status).toBe(401);
    expect(error.messages).toEqual(["Invalid JWT"]);
    expect(error.message).toContain("Invalid JWT");
    expect(error.operationId).toBe("get-contact");
    expect(error.retryable).toBe(false);
    expect(sb.requests({ after: from }).map((e) => e.status)).toEqual([401]);
  });

  it("a 422 carries HighLevel's message array and its traceId", async () => {
    let traceHeader: string | null = null;
    const client = newClient(sb.info.locationToken, {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        traceHeader = res.headers.get("traceid");
        return res;
      },
    });
    const from = mark();
    const error = await failure(() =>
      client.callByKey("create-contact", {}, { locationId: sb.info.locationId, dnd: "yes", email: 42 }),
    );
    expect(error.status).toBe(422);
    expect(error.messages).toEqual(
      expect.arrayContaining(["dnd must be a boolean", "email must be a string"]),
    );
    expect(error.messages.length).toBeGreaterThanOrEqual(2);
    for (const m of error.messages) expect(error.message).toContain(m);
    expect(error.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.traceId).toBe(traceHeader);
    expect(error.toJSON()).toMatchObject({ status: 422, traceId: error.traceId, messages: error.messages });
    expect(sb.requests({ after: from }).map((e) => e.status)).toEqual([422]);
  });

  it("missing scopes and wrong token types are refused before any request", async () => {
    const limited = sb.createToken({ scopes: ["contacts.readonly"] });
    remember(limited);
    let fetched = 0;
    const client = new HighLevelClient({
      credentials: new PrivateIntegrationToken({
        token: limited,
        kind: "location",
        scopes: ["contacts.readonly"],
        locationId: sb.info.locationId,
      }),
      baseUrl: sb.info.baseUrl,
      logger,
      fetch: async (input, init) => {
        fetched++;
        return fetch(input, init);
      },
    });
    const from = mark();

    const scope = await failure(() =>
      client.call("create-contact", {}, { locationId: sb.info.locationId, firstName: "Nope" }),
    );
    expect(scope.code).toBe("MISSING_SCOPE");
    expect(scope.messages).toEqual(["contacts.write"]);
    expect(scope.message).toContain("contacts.write");

    const type = await failure(() => client.call("get-company", { companyId: sb.info.companyId }));
    expect(type.code).toBe("WRONG_TOKEN_TYPE");

    expect(fetched).toBe(0);
    expect(sb.requests({ after: from })).toEqual([]);

    // What it spares: the same token with undeclared scopes goes out and HighLevel refuses it.
    const undeclared = newClient(limited);
    const refused = await failure(() =>
      undeclared.call("create-contact", {}, { locationId: sb.info.locationId, firstName: "Nope" }),
    );
    expect(refused.status).toBe(401);
    expect(refused.messages).toEqual(["The token is not authorized for this scope."]);
    expect(sb.requests({ after: from })).toHaveLength(1);

    // A scope the token has works.
    expect(await client.call("get-contact", { contactId })).toMatchObject({ contact: { id: contactId } });
  });
});

describe("faults", () => {
  it("a create that times out is UNKNOWN_OUTCOME after exactly one request (and it did happen)", async () => {
    const client = newClient(sb.info.locationToken, { timeoutMs: 300 });
    sb.setFaults({ rate: 1, kinds: ["timeout"], seed: 1, match: { operationId: "create-contact" } });
    const email = `timeout-${randomUUID()}@example.com`;
    const from = mark();
    let error: HighLevelError;
    try {
      error = await failure(() =>
        client.call("create-contact", {}, { locationId: sb.info.locationId, firstName: "Slow", email }),
      );
    } finally {
      sb.setFaults(null);
    }
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect(error.code).toBe("UNKNOWN_OUTCOME");
    expect(error.operationId).toBe("create-contact");
    expect(error.retryable).toBe(false);
    expect((error.cause as HighLevelError).code).toBe("TIMEOUT");
    const log = sb.requests({ after: from });
    expect(log.map((e) => [e.operationId, e.status, e.fault])).toEqual([["create-contact", 0, "timeout"]]);

    // The sandbox did create it: which is why the client must not repeat it, and says "reconcile".
    const found = (await client.call("get-duplicate-contact", { locationId: sb.info.locationId, email })) as {
      contact: { id: string; email: string } | null;
    };
    expect(found.contact?.email).toBe(email);
  });

  it("a connection reset after a create is UNKNOWN_OUTCOME too; after a GET it is retried", async () => {
    const client = newClient(sb.info.locationToken);
    sb.setFaults({ rate: 1, kinds: ["reset"], seed: 2, match: { operationId: "create-contact" } });
    let from = mark();
    let error: HighLevelError;
    try {
      error = await failure(() =>
        client.call("create-contact", {}, { locationId: sb.info.locationId, firstName: "Reset" }),
      );
    } finally {
      sb.setFaults(null);
    }
    expect(error.code).toBe("UNKNOWN_OUTCOME");
    expect(sb.requests({ after: from }).map((e) => e.fault)).toEqual(["reset"]);

    let resets = 0;
    const reading = newClient(sb.info.locationToken, {
      fetch: async (input, init) => {
        try {
          return await fetch(input, init);
        } catch (e) {
          if (++resets === 1) sb.setFaults(null);
          throw e;
        }
      },
    });
    sb.setFaults({ rate: 1, kinds: ["reset"], seed: 2, match: { operationId: "get-contact" } });
    from = mark();
    try {
      expect(await reading.call("get-contact", { contactId })).toMatchObject({ contact: { id: contactId } });
    } finally {
      sb.setFaults(null);
    }
    expect(sb.requests({ after: from }).map((e) => [e.fault, e.status])).toEqual([
      ["reset", 0],
      [null, 200],
    ]);
  });

  it("a GET answered 500 and 502 is retried and succeeds", async () => {
    let faultsSeen = 0;
    const client = newClient(sb.info.locationToken, {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        // Two injected failures, then the sandbox is healthy again.
        if (res.status >= 500 && ++faultsSeen === 2) sb.setFaults(null);
        return res;
      },
    });
    sb.setFaults({ rate: 1, kinds: ["500", "502"], seed: 3, match: { operationId: "get-contact" } });
    const from = mark();
    try {
      expect(await client.call("get-contact", { contactId })).toMatchObject({ contact: { id: contactId } });
    } finally {
      sb.setFaults(null);
    }
    const log = sb.requests({ after: from });
    expect(log.map((e) => e.operationId)).toEqual(["get-contact", "get-contact", "get-contact"]);
    expect(log.slice(0, 2).every((e) => e.fault === "500" || e.fault === "502")).toBe(true);
    expect(log[2]!.status).toBe(200);
    expect(
      collected.filter((l) => l.startsWith("warn") && l.includes("retrying")).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it("a GET that keeps failing gives up after maxAttempts with the last answer", async () => {
    const client = newClient(sb.info.locationToken, {
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    });
    sb.setFaults({ rate: 1, kinds: ["500"], seed: 4, match: { operationId: "get-contact" } });
    const from = mark();
    let error: HighLevelError;
    try {
      error = await failure(() => client.call("get-contact", { contactId }));
    } finally {
      sb.setFaults(null);
    }
    expect(error.status).toBe(500);
    expect(error.retryable).toBe(true);
    expect(sb.requests({ after: from })).toHaveLength(3);
  });
});

describe("OAuth failures", () => {
  it("bad codes, a bad secret and a dead refresh token fail without echoing what was sent", async () => {
    const app = new OAuthApp({
      clientId: sb.info.clientId,
      clientSecret: sb.info.clientSecret,
      baseUrl: sb.info.baseUrl,
    });
    const codeRes = await fetch(`${sb.info.baseUrl}/__sandbox/oauth/code?userType=Location`);
    const { code } = (await codeRes.json()) as { code: string };
    remember(code);
    const tokens = await app.exchangeCode(code, { userType: "Location" });
    remember(tokens.accessToken, tokens.refreshToken);

    const reused = await failure(() => app.exchangeCode(code, { userType: "Location" }));
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: "invalid_grant" });

    const badSecret = `bad-secret-${randomUUID()}`;
    remember(badSecret);
    const impostor = new OAuthApp({
      clientId: sb.info.clientId,
      clientSecret: badSecret,
      baseUrl: sb.info.baseUrl,
    });
    const codeRes2 = await fetch(`${sb.info.baseUrl}/__sandbox/oauth/code?userType=Location`);
    const code2 = ((await codeRes2.json()) as { code: string }).code;
    remember(code2);
    const invalidClient = await failure(() => impostor.exchangeCode(code2));
    expect(invalidClient.status).toBe(401);
    expect(invalidClient.body).toMatchObject({ error: "invalid_client" });

    // Spend the refresh token, then make the connection refresh: RECONNECT_NEEDED.
    const fresh = await app.refresh(tokens.refreshToken!, "Location");
    remember(fresh.accessToken, fresh.refreshToken);
    const store = new MemoryTokenStore({ conn: { ...tokens, expiresAt: 0 } });
    const credentials = await OAuthCredentials.create({ app, store, connectionId: "conn" });
    const client = new HighLevelClient({ credentials, baseUrl: sb.info.baseUrl, logger });
    const dead = await failure(() => client.call("get-contact", { contactId }));
    expect(dead).toBeInstanceOf(ReconnectNeededError);
    expect(dead.code).toBe("RECONNECT_NEEDED");
    expect((dead.cause as HighLevelError).body).toMatchObject({ error: "invalid_grant" });

    // The live pair still works, through a client that logs.
    const live = new HighLevelClient({
      credentials: await OAuthCredentials.create({
        app,
        store: new MemoryTokenStore({ live: fresh }),
        connectionId: "live",
      }),
      baseUrl: sb.info.baseUrl,
      logger,
    });
    expect(await live.call("get-contact", { contactId })).toMatchObject({ contact: { id: contactId } });
  });
});

describe("secrets", () => {
  it("no collected message, serialised error or log line contains a secret", () => {
    // The other tests ran first (same file, in order) and filled `collected`.
    expect(secrets.size).toBeGreaterThanOrEqual(10);
    expect(collected.length).toBeGreaterThan(30);
    expect(collected.some((l) => l.startsWith("debug"))).toBe(true);
    const leaks: string[] = [];
    for (const line of collected) {
      for (const secret of secrets)
        if (line.includes(secret)) leaks.push(`${secret.slice(0, 6)}… in: ${line.slice(0, 200)}`);
    }
    expect(leaks).toEqual([]);
  });
});
