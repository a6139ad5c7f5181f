// The Store contract against PostgreSQL, each store on its own schema; plus what is PostgreSQL's own:
// migrations under an advisory lock (several processes starting at once), and the error when the
// server cannot be reached.
import { afterAll, describe, expect, it } from "vitest";
import { createPool, migratePg, pgSchemaVersion } from "../src/store/postgres/db.ts";
import { PG_LATEST_VERSION, PG_MIGRATIONS } from "../src/store/postgres/migrations.ts";
import { openPgStore, type PgStore } from "../src/store/postgres/store.ts";
import { storeContract } from "./contracts/store-contract.ts";
import { dropSchemas, TEST_DATABASE_URL, uniqueName } from "./support/services.ts";

const schemas: string[] = [];
afterAll(() => dropSchemas(schemas));

function newSchema(): string {
  const schema = uniqueName("t_store");
  schemas.push(schema);
  return schema;
}

storeContract(
  "PostgreSQL",
  async ({ now, secret }) =>
    openPgStore({ url: TEST_DATABASE_URL, schema: newSchema(), secret, now, poolSize: 4 }),
  {
    reopen: async (store, { now, secret }) =>
      openPgStore({ url: TEST_DATABASE_URL, schema: (store as PgStore).schema, secret, now, poolSize: 4 }),
  },
);

describe("PostgreSQL store: schema and connection", () => {
  it("migrates once when several processes start together, and records every migration", async () => {
    const schema = newSchema();
    const pools = Array.from({ length: 4 }, () => createPool({ url: TEST_DATABASE_URL, schema, max: 1 }));
    try {
      const results = await Promise.all(pools.map((pool) => migratePg(pool, schema)));
      // Exactly one of them did the work; the others found the schema current.
      expect(results.filter((r) => r.from === 0)).toHaveLength(1);
      expect(results.every((r) => r.to === PG_LATEST_VERSION)).toBe(true);
      const { rows } = await pools[0]!.query("SELECT version, name FROM schema_migrations ORDER BY version");
      expect(rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      expect(await pgSchemaVersion(pools[0]!, schema)).toBe(PG_LATEST_VERSION);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it("refuses a schema newer than this version knows, saying what to do", async () => {
    const schema = newSchema();
    const pool = createPool({ url: TEST_DATABASE_URL, schema, max: 1 });
    try {
      await migratePg(pool, schema);
      await pool.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
      await expect(migratePg(pool, schema)).rejects.toThrow(/version 999, newer than this hlconnect knows/);
    } finally {
      await pool.end();
    }
  });

  it("an unreachable server gives one line naming the URL with the password masked", async () => {
    const error = await openPgStore({
      url: "postgres://app:hunter2@127.0.0.1:1/hl",
      schema: newSchema(),
      connectTimeoutMs: 2000,
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot reach PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/hl: /);
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("\n");
  });

  it("keeps a secret sealed in the database, never in clear", async () => {
    const store = await openPgStore({
      url: TEST_DATABASE_URL,
      schema: newSchema(),
      secret: "a long enough passphrase",
    });
    try {
      await store.saveConnection({ id: "c", label: "c", kind: "pit" });
      await store.setConnectionSecrets("c", { privateToken: "pit-very-secret-token" });
      const { rows } = await store.pool.query("SELECT sealed_secrets FROM connections");
      expect(rows[0].sealed_secrets).toBeTruthy();
      expect(JSON.stringify(rows)).not.toContain("pit-very-secret-token");
      expect(await store.getConnectionSecrets("c")).toEqual({ privateToken: "pit-very-secret-token" });
    } finally {
      await store.close();
    }
  });
});
