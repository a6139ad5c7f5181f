// What the PostgreSQL store's parts share: the pool, the clock, transactions and the vault.
import type pg from "pg";
import type { Vault } from "../../secrets/vault.ts";
import type { Queryable } from "./db.ts";

export interface PgContext {
  pool: pg.Pool;
  schema: string;
  now(): number;
  /** Run fn in a transaction on one connection; rolled back when fn throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** The vault; throws SecretKeyError when the store was opened without HLCONNECT_SECRET. */
  vault(): Vault;
}

export function makeTx(pool: pg.Pool): PgContext["tx"] {
  return async (fn) => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
}

/** Optional field helper: { key: value } unless the column is NULL. */
export function opt<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Postgres' unique_violation. */
export const UNIQUE_VIOLATION = "23505";
