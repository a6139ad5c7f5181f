// Cross-process locks as lease rows. A holder renews its lease while it works; a holder that died stops
// renewing and its lock can be taken once the lease has run out. A lease row, not a long BEGIN IMMEDIATE:
// an open write transaction would stop every other writer (webhooks, runs) for the whole critical section,
// which for a token refresh includes an HTTP call.
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { LockTimeoutError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { LockStore } from "../types.ts";
import { requireText } from "../validate.ts";
import type { SqliteContext } from "./context.ts";

export interface LockOptions {
  /** How long a lease lasts without renewal (how long a dead holder blocks others). Default 30 s. */
  leaseMs?: number;
  /** How often a waiter tries again. Default 50 ms. */
  pollMs?: number;
  /** How long a waiter waits before LockTimeoutError. Default 2 minutes. */
  waitMs?: number;
}

export function sqliteLocks(ctx: SqliteContext, options: LockOptions = {}): LockStore {
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 50;
  const waitMs = options.waitMs ?? 120_000;
  const { db } = ctx;
  const take = db.prepare(
    `INSERT INTO locks (name, owner, expires_at) VALUES (@name, @owner, @expires)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE locks.expires_at <= @now`,
  );
  const holder = db.prepare("SELECT owner FROM locks WHERE name = ?");
  const takeFrom = db.prepare("UPDATE locks SET owner = ?, expires_at = ? WHERE name = ? AND owner = ?");
  const renew = db.prepare("UPDATE locks SET expires_at = ? WHERE name = ? AND owner = ?");
  const release = db.prepare("DELETE FROM locks WHERE name = ? AND owner = ?");
  /** The locks the current async call chain holds, for re-entrancy. */
  const held = new AsyncLocalStorage<ReadonlySet<string>>();
  /** In-process waiters queue here rather than all polling the table. */
  const queues = new Map<string, Promise<unknown>>();

  async function acquire(name: string, owner: string): Promise<void> {
    const started = performance.now();
    for (;;) {
      const now = ctx.now();
      if (take.run({ name, owner, expires: now + leaseMs, now }).changes > 0) return;
      // The embedded store is one machine's: a holder whose process is gone (kill -9) is not waited
      // out for its whole lease (the backfill and polls after a restart would stall for it).
      const current = (holder.get(name) as { owner: string } | undefined)?.owner;
      if (current && processGone(current) && takeFrom.run(owner, now + leaseMs, name, current).changes > 0)
        return;
      // Real time, not ctx.now: the wait is about this process's patience, not the leases' clock.
      if (performance.now() - started >= waitMs) throw new LockTimeoutError(name, waitMs);
      await sleep(pollMs);
    }
  }

  async function holding<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const owner = `${process.pid}:${newId("lck", ctx.now())}`;
    await acquire(name, owner);
    const heartbeat = setInterval(
      () => {
        try {
          renew.run(ctx.now() + leaseMs, name, owner);
        } catch {
          // The store was closed under us; the lease simply runs out.
        }
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      return await held.run(new Set([...(held.getStore() ?? []), name]), fn);
    } finally {
      clearInterval(heartbeat);
      try {
        release.run(name, owner);
      } catch {
        // Closed store: nothing to release here, the lease runs out.
      }
    }
  }

  return {
    async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
      requireText(name, "lock name");
      if (held.getStore()?.has(name)) return fn();
      const previous = queues.get(name) ?? Promise.resolve();
      const run = previous.then(() => holding(name, fn));
      // The queue must survive a failed holder, or the next waiter would never run.
      const tail = run.catch(() => undefined);
      queues.set(name, tail);
      try {
        return await run;
      } finally {
        if (queues.get(name) === tail) queues.delete(name);
      }
    },
  };
}

/** Whether the process named in a lock's owner (`pid:id`) no longer runs on this machine. */
function processGone(owner: string): boolean {
  const pid = Number(owner.split(":", 1)[0]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it runs, under another user. Only "no such process" frees the lock.
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
