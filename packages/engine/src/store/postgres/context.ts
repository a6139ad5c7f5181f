// What the PostgreSQL store's parts share: the pool, the clock, transactions and the vault.
import type pg from "pg";
import type { Vault } from "../../secrets/vault.ts";
import type { Queryable } from "./db.ts";

export interface PgContext {
  pool: pg.Pool;
  schema: string;
  now(): number;
  /** Run fn in a transaction on one connection; rolled back when fn throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>, options?: TxOptions): Promise<T>;
  /** The vault; throws SecretKeyError when the store was opened without HLCONNECT_SECRET. */
  vault(): Vault;
}

export interface TxOptions {
  /**
   * false for the engine's bookkeeping: committed without waiting for the WAL flush (ASYNC_COMMIT says
   * why that is safe). Default true: on the disk before tx returns.
   */
  durable?: boolean;
}

/**
 * Opens a bookkeeping statement: its commit does not wait for the WAL flush (synchronous_commit off for
 * this transaction only; set_config(..., true) is SET LOCAL, and one statement is its own transaction).
 * The statement must read from `async_commit` (FROM async_commit, or INSERT ... SELECT ... FROM
 * async_commit), which is what evaluates set_config; a statement that changes a row always does.
 *
 * Why it is safe: the commit is visible to every session at once; only a PostgreSQL crash or a power
 * cut can take back the last such commits, and never one made before a durable commit (the WAL is one
 * sequence, so flushing a commit flushes everything before it). Every promise to the outside (a
 * webhook acknowledged, a step's recorded input before its call, tokens, flows, connections) is
 * durable; what can be taken back is work with no outside effect yet, which the engine redoes after a
 * restart exactly as after its own crash (the same split as withoutFlush in store/sqlite/db.ts).
 */
export const ASYNC_COMMIT =
  "WITH async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))";

export function makeTx(pool: pg.Pool): PgContext["tx"] {
  return async (fn, options) => {
    const client = await pool.connect();
    try {
      // One round trip for both (the simple protocol takes several statements without parameters).
      await client.query(options?.durable === false ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN");
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
