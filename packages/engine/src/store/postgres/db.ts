// Opens the PostgreSQL pool of one store: its own schema (search_path), BIGINT read back as numbers (our
// epoch-ms times fit easily), then the pending migrations, applied under an advisory lock so several
// processes starting at once apply each migration once.
import pg from "pg";
import { maskUrl } from "../../cluster/mask.ts";
import { StoreError } from "../errors.ts";
import { PG_MIGRATIONS, type PgMigration } from "./migrations.ts";

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

const INT8_OID = 20;

export interface OpenPoolOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** The schema holding the tables (created if missing). Default "hlconnect". */
  schema?: string;
  /** Pool size. Default 10. */
  max?: number;
  /** How long to wait for a connection at start. Default 5000 ms. */
  connectTimeoutMs?: number;
}

export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreError(
      "invalid",
      `PostgreSQL schema name "${schema}" must be lower-case letters, digits and underscores (at most 63)`,
    );
  }
  return schema;
}

export function createPool(options: OpenPoolOptions): pg.Pool {
  const schema = checkSchemaName(options.schema ?? "hlconnect");
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    options: `-c search_path=${schema}`,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the pool replaces it and the
  // next query reports the outage to its caller.
  pool.on("error", () => {});
  return pool;
}

/** One line saying which database could not be reached (password masked), without a stack. */
export function unreachable(url: string, error: unknown): StoreError {
  return new StoreError("unavailable", `cannot reach PostgreSQL at ${maskUrl(url)}: ${reasonOf(error)}`, {
    cause: error,
  });
}

/** A one-line reason; connection failures to several addresses come as an AggregateError without one. */
export function reasonOf(error: unknown): string {
  const e = error as { message?: string; code?: string; errors?: unknown[] };
  const inner = Array.isArray(e?.errors) && e.errors.length ? (e.errors[0] as Error).message : undefined;
  return (e?.message || inner || e?.code || String(error)).split("\n")[0]!;
}

/** Apply the migrations newer than the schema, in one transaction, under a per-schema advisory lock. */
export async function migratePg(
  pool: pg.Pool,
  schema: string,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
): Promise<{ from: number; to: number }> {
  checkSchemaName(schema);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // Waits for another process migrating the same schema; released by COMMIT/ROLLBACK.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('hlconnect:migrate'), hashtext($1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const { rows } = await client.query(
      `SELECT coalesce(max(version), 0) AS v FROM ${schema}.schema_migrations`,
    );
    const from = Number(rows[0].v);
    const latest = migrations.at(-1)?.version ?? 0;
    if (from > latest) {
      throw new StoreError(
        "unavailable",
        `the PostgreSQL schema "${schema}" is at version ${from}, newer than this hlconnect knows (${latest}): ` +
          "upgrade hlconnect, or restore a backup made by this version",
      );
    }
    await client.query(`SET LOCAL search_path = ${schema}`);
    for (const migration of migrations) {
      if (migration.version <= from) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        migration.version,
        migration.name,
        Date.now(),
      ]);
    }
    await client.query("COMMIT");
    return { from, to: Math.max(from, latest) };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The schema version recorded (0 when the schema is new or absent). */
export async function pgSchemaVersion(pool: pg.Pool, schema: string): Promise<number> {
  checkSchemaName(schema);
  const { rows } = await pool.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [
    `${schema}.schema_migrations`,
  ]);
  if (!rows[0].present) return 0;
  const result = await pool.query(`SELECT coalesce(max(version), 0) AS v FROM ${schema}.schema_migrations`);
  return Number(result.rows[0].v);
}
