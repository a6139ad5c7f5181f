// The embedded deployment's persistence: store and job queue on one SQLite connection (one file).
import { openSqliteJobQueue } from "../../queue/sqlite.ts";
import type { JobQueue } from "../../queue/types.ts";
import { openDatabase, type SqliteDb } from "./db.ts";
import type { LockOptions } from "./locks.ts";
import { openSqliteStore, type SqliteStore } from "./store.ts";

export interface EmbeddedOptions {
  file: string;
  /** The HLCONNECT_SECRET value. */
  secret?: string;
  now?: () => number;
  busyTimeoutMs?: number;
  locks?: LockOptions;
}

export interface Embedded {
  db: SqliteDb;
  store: SqliteStore;
  queue: JobQueue;
  close(): Promise<void>;
}

export async function openEmbedded(options: EmbeddedOptions): Promise<Embedded> {
  const db = openDatabase(options.file, { busyTimeoutMs: options.busyTimeoutMs });
  try {
    const store = await openSqliteStore({
      db,
      secret: options.secret,
      now: options.now,
      locks: options.locks,
    });
    const queue = openSqliteJobQueue({ db, now: options.now });
    return {
      db,
      store,
      queue,
      async close() {
        await queue.close();
        await store.close();
        if (db.open) db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
