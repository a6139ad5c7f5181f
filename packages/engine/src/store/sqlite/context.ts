// What the SQLite store's parts share: the connection, the clock, write transactions and the vault.
import type { Vault } from "../../secrets/vault.ts";
import { type SqliteDb, withoutFlush } from "./db.ts";

export interface SqliteContext {
  db: SqliteDb;
  now(): number;
  /**
   * Run fn in a write transaction. BEGIN IMMEDIATE takes the write lock up front: a deferred transaction
   * that reads, then writes, can fail with SQLITE_BUSY when another process wrote in between.
   */
  tx<T>(fn: () => T, options?: TxOptions): T;
  /** The vault; throws SecretKeyError when the store was opened without HLCONNECT_SECRET. */
  vault(): Vault;
}

export interface TxOptions {
  /**
   * false for the engine's bookkeeping (see withoutFlush in db.ts): committed to the WAL, flushed to the
   * disk with the next durable commit. Default true: flushed before tx returns.
   */
  flush?: boolean;
}

export function makeTx(db: SqliteDb): <T>(fn: () => T, options?: TxOptions) => T {
  return (fn, options) =>
    options?.flush === false
      ? withoutFlush(db, () => db.transaction(fn).immediate())
      : db.transaction(fn).immediate();
}

/** Optional field helper: { key: value } unless the column is NULL. */
export function opt<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}
