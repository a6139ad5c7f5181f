// What the SQLite store's parts share: the connection, the clock, write transactions and the vault.
import type { Vault } from "../../secrets/vault.ts";
import type { SqliteDb } from "./db.ts";

export interface SqliteContext {
  db: SqliteDb;
  now(): number;
  /**
   * Run fn in a write transaction. BEGIN IMMEDIATE takes the write lock up front: a deferred transaction
   * that reads, then writes, can fail with SQLITE_BUSY when another process wrote in between.
   */
  tx<T>(fn: () => T): T;
  /** The vault; throws SecretKeyError when the store was opened without HLCONNECT_SECRET. */
  vault(): Vault;
}

export function makeTx(db: SqliteDb): <T>(fn: () => T) => T {
  return (fn) => db.transaction(fn).immediate();
}

/** Optional field helper: { key: value } unless the column is NULL. */
export function opt<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export function parseJson(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}
