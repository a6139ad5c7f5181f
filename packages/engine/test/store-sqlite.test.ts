import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OAuthApp, OAuthCredentials } from "@hlconnect/client";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { StoreError } from "../src/store/errors.ts";
import { migrate, openDatabase, schemaVersion } from "../src/store/sqlite/db.ts";
import { LATEST_VERSION, MIGRATIONS } from "../src/store/sqlite/migrations.ts";
import { openSqliteStore } from "../src/store/sqlite/store.ts";
import type { Store } from "../src/store/types.ts";
import { storeContract } from "./contracts/store-contract.ts";

const dir = mkdtempSync(join(tmpdir(), "hlconnect-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const tempFile = () => join(dir, `store-${++counter}.db`);

const files = new WeakMap<Store, string>();

storeContract(
  "SQLite",
  async ({ now, secret }) => {
    const file = tempFile();
    const store = await openSqliteStore({ file, secret, now });
    files.set(store, file);
    return store;
  },
  {
    reopen: async (store, { now, secret }) => {
      const file = files.get(store)!;
      const other = await openSqliteStore({ file, secret, now });
      files.set(other, file);
      return other;
    },
  },
);

describe("SQLite store: the database file", () => {
  it("uses WAL, a busy timeout and foreign keys", async () => {
    const store = await openSqliteStore({ file: tempFile(), busyTimeoutMs: 2500 });
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("busy_timeout", { simple: true })).toBe(2500);
    expect(store.db.pragma("foreign_keys", { simple: true })).toBe(1);
    await store.close();
  });

  it("numbers its migrations 1, 2, 3, ... and records each one applied", async () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const store = await openSqliteStore({ file: tempFile() });
    const rows = store.db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await store.close();
  });

  it("migrates a database made by an older version, keeping its data", async () => {
    const file = tempFile();
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 1));
    expect(schemaVersion(old)).toBe(1);
    old
      .prepare(
        "INSERT INTO flows (id, name, source, created_at, updated_at) VALUES ('old-flow', 'Old', 'x: 1', 1, 1)",
      )
      .run();
    old.close();

    const store = await openSqliteStore({ file });
    expect(schemaVersion(store.db)).toBe(LATEST_VERSION);
    expect(await store.getFlow("old-flow")).toMatchObject({ name: "Old", status: "active", enabled: true });
    // Tables of later migrations work.
    expect(
      (await store.insertWebhook({ source: "s", webhookId: "w", payload: {}, receivedAt: 1 })).inserted,
    ).toBe(true);
    await store.close();
  });

  it("opening twice applies nothing twice", async () => {
    const file = tempFile();
    await (await openSqliteStore({ file })).close();
    const db = openDatabase(file);
    expect(migrate(db)).toEqual({ from: LATEST_VERSION, to: LATEST_VERSION });
    db.close();
  });

  it("refuses a database from a newer hlconnect", async () => {
    const file = tempFile();
    const db = openDatabase(file);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)").run();
    db.close();
    await expect(openSqliteStore({ file })).rejects.toThrow(
      /schema is at version 99, newer than this hlconnect/,
    );
  });

  it("says which file is not a database", async () => {
    const file = join(dir, "not-a-db.db");
    writeFileSync(file, "this is a text file, not SQLite ".repeat(50));
    const opening = openSqliteStore({ file });
    await expect(opening).rejects.toThrow(StoreError);
    await expect(openSqliteStore({ file })).rejects.toThrow(
      /cannot open the database ".*not-a-db\.db": file is not a database/,
    );
  });

  it("creates the data directory when missing", async () => {
    const file = join(dir, "nested", "deeper", "hlconnect.db");
    const store = await openSqliteStore({ file });
    await store.close();
    expect(readdirSync(join(dir, "nested", "deeper"))).toContain("hlconnect.db");
  });
});

describe("SQLite store: secrets at rest", () => {
  it("never writes tokens or secrets to the file in clear", async () => {
    const file = tempFile();
    const secrets = {
      access: "at-PLAINTEXT-ACCESS-7f3a9c",
      refresh: "rt-PLAINTEXT-REFRESH-91b2",
      pit: "pit-PLAINTEXT-PRIVATE-5e6d",
      client: "cs-PLAINTEXT-CLIENT-0a1b",
      hook: "hk-PLAINTEXT-HOOK-3c4d",
    };
    const store = await openSqliteStore({ file, secret: "correct horse battery staple" });
    await store.saveConnection({ id: "c", label: "Main", kind: "oauth", locationIds: ["loc-visible"] });
    await store.setConnectionSecrets("c", { privateToken: secrets.pit, clientSecret: secrets.client });
    await store.tokenStore().save("c", {
      accessToken: secrets.access,
      refreshToken: secrets.refresh,
      expiresAt: Date.now() + 3600_000,
      userType: "Location",
    });
    await store.saveFlow({ id: "f", name: "F", source: "x" });
    await store.setFlowHookSecret("f", secrets.hook);
    // Before close: what is in the WAL counts too.
    const raw = () =>
      readdirSync(dir)
        .filter((name) => join(dir, name).startsWith(file))
        .map((name) => readFileSync(join(dir, name)));
    const check = (bytes: Buffer[]) => {
      expect(bytes.length).toBeGreaterThan(0);
      const all = Buffer.concat(bytes);
      expect(all.includes("loc-visible")).toBe(true); // the grep itself works
      for (const value of Object.values(secrets)) {
        expect(all.includes(value)).toBe(false);
        expect(all.includes(Buffer.from(value, "utf16le"))).toBe(false);
        expect(all.includes(Buffer.from(value).toString("base64"))).toBe(false);
      }
    };
    check(raw());
    await store.close();
    check(raw());
    const again = await openSqliteStore({ file, secret: "correct horse battery staple" });
    expect((await again.tokenStore().load("c"))!.accessToken).toBe(secrets.access);
    await again.close();
  });
});

describe("SQLite store: OAuth refresh across processes", () => {
  it("two processes refreshing the same connection spend the refresh token once", async () => {
    const file = tempFile();
    const secret = "0123456789abcdef".repeat(4);
    const now = 1_750_000_000_000;
    // A token endpoint that, like HighLevel's, accepts each refresh token once.
    let issued = 0;
    let requests = 0;
    const spent = new Set<string>();
    const fetch = async (_url: string, init?: RequestInit) => {
      requests++;
      const form = new URLSearchParams(String(init?.body));
      const token = form.get("refresh_token")!;
      await new Promise((resolve) => setImmediate(resolve));
      if (spent.has(token)) {
        return new Response(JSON.stringify({ error: "invalid_grant" }), { status: 400 });
      }
      spent.add(token);
      issued++;
      return new Response(
        JSON.stringify({
          access_token: `access-${issued}`,
          refresh_token: `refresh-${issued}`,
          expires_in: 86399,
          userType: "Location",
          locationId: "loc1",
        }),
        { status: 200, headers: { "content-type": "application/json" } },
      );
    };
    const app = () => new OAuthApp({ clientId: "app", clientSecret: "shh", fetch, now: () => now });

    const one = await openSqliteStore({ file, secret, now: () => now });
    const two = await openSqliteStore({ file, secret, now: () => now });
    await one.saveConnection({ id: "c", label: "c", kind: "oauth", locationIds: ["loc1"] });
    await one.tokenStore().save("c", {
      accessToken: "access-0",
      refreshToken: "refresh-0",
      expiresAt: now - 1,
      userType: "Location",
      locationId: "loc1",
    });
    const a = await OAuthCredentials.create({ app: app(), store: one.tokenStore(), connectionId: "c" });
    const b = await OAuthCredentials.create({ app: app(), store: two.tokenStore(), connectionId: "c" });
    const tokens = await Promise.all([a.getAccessToken(), b.getAccessToken()]);
    expect(tokens).toEqual(["access-1", "access-1"]);
    expect(issued).toBe(1);
    // The second process waited for the lock, then found the new pair: it never asked the endpoint.
    expect(requests).toBe(1);
    expect((await two.tokenStore().load("c"))!.refreshToken).toBe("refresh-1");
    await one.close();
    await two.close();
  });
});
