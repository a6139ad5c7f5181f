// The PostgreSQL Store: the same port as the embedded SQLite store, for deployments with several
// processes. Opening it connects (one clear error naming the URL when the server cannot be reached),
// applies pending migrations under an advisory lock, and unlocks the vault.
import type pg from "pg";
import { missingVault } from "../sqlite/vault-meta.ts";
import type { Store } from "../types.ts";
import { pgAlerts, pgPrune } from "./alerts.ts";
import { pgConnections } from "./connections.ts";
import { makeTx, type PgContext } from "./context.ts";
import { checkSchemaName, createPool, migratePg, unreachable } from "./db.ts";
import { pgFlows } from "./flows.ts";
import { type PgLockOptions, pgLocks } from "./locks.ts";
import { pgRuns } from "./runs.ts";
import { pgTriggers } from "./triggers.ts";
import { openPgVault } from "./vault-meta.ts";
import { pgWebhooks } from "./webhooks.ts";

export interface PgStoreOptions {
  /** postgres://user:password@host:port/database (HLCONNECT_DATABASE_URL). */
  url: string;
  /** Schema of the tables. Default "hlconnect". */
  schema?: string;
  /** The HLCONNECT_SECRET value. Without it secrets and tokens cannot be read or written. */
  secret?: string;
  now?: () => number;
  /** Pool size. Default 10. */
  poolSize?: number;
  connectTimeoutMs?: number;
  locks?: PgLockOptions;
  /** Apply pending migrations when opening (default true). */
  migrate?: boolean;
}

export interface PgStore extends Store {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** A cheap round trip, for /healthz. */
  ping(): Promise<void>;
}

export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  const schema = checkSchemaName(options.schema ?? "hlconnect");
  const pool = createPool({
    url: options.url,
    schema,
    ...(options.poolSize ? { max: options.poolSize } : {}),
    ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
  });
  try {
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      throw unreachable(options.url, error);
    }
    if (options.migrate !== false) await migratePg(pool, schema);
    const vault =
      options.secret === undefined ? undefined : await openPgVault(pool, options.secret, `schema ${schema}`);
    const ctx: PgContext = {
      pool,
      schema,
      now: options.now ?? Date.now,
      tx: makeTx(pool),
      vault: () => vault ?? missingVault(),
    };
    const locks = pgLocks(ctx, options.locks);
    let closed = false;
    return {
      pool,
      schema,
      ...pgFlows(ctx),
      ...pgConnections(ctx, locks),
      withLock: locks.withLock,
      ...pgTriggers(ctx),
      ...pgWebhooks(ctx),
      ...pgRuns(ctx),
      pruneHistory: pgPrune(ctx),
      ...pgAlerts(ctx),
      async ping() {
        await pool.query("SELECT 1");
      },
      async close() {
        if (closed) return;
        closed = true;
        locks.closeHeld();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}
