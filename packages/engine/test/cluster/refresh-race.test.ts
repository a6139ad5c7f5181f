// One refresh at a time across processes: four processes, each with 50 calls at once, share an OAuth
// connection whose access token has expired. HighLevel's refresh tokens are single-use, so a second
// refresh would fail with invalid_grant: exactly one POST /oauth/token must reach the server, and
// every call must succeed with the new token (the others wait for the lock, then re-read the tokens).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { OAuthApp } from "@hlconnect/client";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completeAuthorization } from "../../src/connections/authorize.ts";
import { openPgStore, type PgStore } from "../../src/store/postgres/store.ts";
import { dropSchemas, TEST_DATABASE_URL, uniqueName } from "../support/services.ts";
import { type Child, startChild } from "./children.ts";

const PROCESSES = 4;
const CALLS = 50;
const SECRET = "a refresh race passphrase";
const schema = uniqueName("t_refresh");
const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "refresh-child.ts");

let sandbox: Sandbox;
let store: PgStore;
const children: Child[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 5, rateLimit: { max: 100_000, windowMs: 1000 } });
  store = await openPgStore({ url: TEST_DATABASE_URL, schema, secret: SECRET });
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await store?.close();
  await sandbox?.close();
  await dropSchemas([schema]);
});

describe("OAuth refresh across processes", () => {
  it("4 processes x 50 calls with an expired token: one refresh, no invalid_grant, every call succeeds", async () => {
    const i = sandbox.info;
    const code = (
      (await (await fetch(`${i.baseUrl}/__sandbox/oauth/code?userType=Location`)).json()) as {
        code: string;
      }
    ).code;
    const { connection } = await completeAuthorization(
      { store, clients: { forget() {} } },
      {
        app: new OAuthApp({ clientId: i.clientId, clientSecret: i.clientSecret, baseUrl: i.baseUrl }),
        clientSecret: i.clientSecret,
        code,
        userType: "Location",
      },
    );
    // The stored access token is past its expiry: the first call of every process wants a refresh.
    const tokens = (await store.tokenStore().load(connection.id))!;
    await store.tokenStore().save(connection.id, { ...tokens, expiresAt: Date.now() - 60_000 });
    const mark = sandbox.requests().at(-1)?.id ?? 0;

    for (let n = 0; n < PROCESSES; n++) {
      children.push(
        startChild(entry, [TEST_DATABASE_URL, schema, SECRET, i.baseUrl, connection.id, String(CALLS)]),
      );
    }
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const results = (await Promise.all(children.map((c) => c.result))) as Array<{
      ok: number;
      errors: string[];
    }>;

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.reduce((sum, r) => sum + r.ok, 0)).toBe(PROCESSES * CALLS);
    const refreshes = sandbox
      .requests({ after: mark })
      .filter((r) => r.method === "POST" && r.path.startsWith("/oauth/token"));
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]!.status).toBe(200);
    // The new pair is what the store holds now.
    expect((await store.tokenStore().load(connection.id))!.accessToken).not.toBe(tokens.accessToken);
  }, 120_000);
});
