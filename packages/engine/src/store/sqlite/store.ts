// The embedded Store: one SQLite file shared with the job queue. Each concern lives in its own module;
// this one opens the database and the vault and puts the parts together.
import { StoreError } from "../errors.ts";
import type { Store } from "../types.ts";
import { sqliteAlerts } from "./alerts.ts";
import { sqliteConnections } from "./connections.ts";
import { makeTx, type SqliteContext } from "./context.ts";
import { openDatabase, type SqliteDb } from "./db.ts";
import { sqliteFlows } from "./flows.ts";
import { type LockOptions, sqliteLocks } from "./locks.ts";
import { sqlitePrune } from "./prune.ts";
import { sqliteRuns } from "./runs.ts";
import { sqliteTriggers } from "./triggers.ts";
import { missingVault, openStoreVault } from "./vault-meta.ts";
import { sqliteWebhooks } from "./webhooks.ts";

export interface SqliteStoreOptions {
  /** The database file; created (with its directory) if missing. */
  file?: string;
  /** An already open database (e.g. shared with the job queue); the store then does not close it. */
  db?: SqliteDb;
  /** The HLCONNECT_SECRET value. Without it the store opens, but secrets and tokens cannot be read or written. */
  secret?: string;
  /** Clock, epoch ms. */
  now?: () => number;
  busyTimeoutMs?: number;
  locks?: LockOptions;
}

export interface SqliteStore extends Store {
  readonly db: SqliteDb;
}

export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  if (!options.db && !options.file) throw new StoreError("invalid", "openSqliteStore needs a file or a db");
  const owned = !options.db;
  const db = options.db ?? openDatabase(options.file!, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    const secret = options.secret;
    const vault = secret === undefined ? undefined : await openStoreVault(db, secret, db.name);
    const ctx: SqliteContext = {
      db,
      now: options.now ?? Date.now,
      tx: makeTx(db),
      vault: () => vault ?? missingVault(),
    };
    const locks = sqliteLocks(ctx, options.locks);
    let closed = false;
    return {
      db,
      ...sqliteFlows(ctx),
      ...sqliteConnections(ctx, locks),
      ...locks,
      ...sqliteTriggers(ctx),
      ...sqliteWebhooks(ctx),
      ...sqliteRuns(ctx),
      pruneHistory: sqlitePrune(ctx),
      ...sqliteAlerts(ctx),
      async close() {
        if (closed) return;
        closed = true;
        if (owned) db.close();
      },
    };
  } catch (error) {
    if (owned) db.close();
    throw error;
  }
}
