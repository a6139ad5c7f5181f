// Cross-process locks as PostgreSQL session advisory locks: the holder keeps one connection for the
// critical section; when its process dies the server ends the session and the lock is free at once
// (no lease to wait out). Keys are (hash of the schema, hash of the name), so stores on other schemas
// never contend; two names hashing alike only serialise each other, which is safe.
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { LockTimeoutError } from "../errors.ts";
import type { LockStore } from "../types.ts";
import { requireText } from "../validate.ts";
import type { PgContext } from "./context.ts";

export interface PgLockOptions {
  /** How often a waiter tries again. Default 25 ms. */
  pollMs?: number;
  /** How long a waiter waits before LockTimeoutError. Default 2 minutes. */
  waitMs?: number;
}

export interface PgLocks extends LockStore {
  /** Drop the connections of locks still held (as a dying process would), releasing them. */
  closeHeld(): void;
}

export function pgLocks(ctx: PgContext, options: PgLockOptions = {}): PgLocks {
  const pollMs = options.pollMs ?? 25;
  const waitMs = options.waitMs ?? 120_000;
  const held = new AsyncLocalStorage<ReadonlySet<string>>();
  const queues = new Map<string, Promise<unknown>>();
  const clients = new Set<pg.PoolClient>();
  const keyArgs = (name: string) => [`hlconnect:${ctx.schema}`, name];

  async function holding<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const client = await ctx.pool.connect();
    clients.add(client);
    let broken = false;
    try {
      const started = performance.now();
      for (;;) {
        const { rows } = await client.query(
          "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok",
          keyArgs(name),
        );
        if (rows[0].ok) break;
        if (performance.now() - started >= waitMs) throw new LockTimeoutError(name, waitMs);
        await sleep(pollMs);
      }
      try {
        return await held.run(new Set([...(held.getStore() ?? []), name]), fn);
      } finally {
        await client
          .query("SELECT pg_advisory_unlock(hashtext($1), hashtext($2))", keyArgs(name))
          .catch(() => {
            broken = true;
          });
      }
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      // A connection that failed mid-way may still hold the lock: destroy it rather than pool it.
      if (clients.delete(client)) client.release(broken);
    }
  }

  return {
    async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
      requireText(name, "lock name");
      if (held.getStore()?.has(name)) return fn();
      const previous = queues.get(name) ?? Promise.resolve();
      const run = previous.then(() => holding(name, fn));
      const tail = run.catch(() => undefined);
      queues.set(name, tail);
      try {
        return await run;
      } finally {
        if (queues.get(name) === tail) queues.delete(name);
      }
    },
    closeHeld() {
      for (const client of clients) client.release(true);
      clients.clear();
    },
  };
}
