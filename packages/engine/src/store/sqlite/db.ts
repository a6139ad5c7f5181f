// Opens the embedded database: one file, WAL (readers never block the writer), a busy timeout (another
// process holding the write lock makes us wait rather than fail), foreign keys, full fsync on commit
// (a webhook acknowledged with 200 must survive a power cut), then the pending migrations.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "../errors.ts";
import { MIGRATIONS, type Migration } from "./migrations.ts";
import { preparePrivateFile, tightenFiles } from "./private-files.ts";

export type SqliteDb = Database.Database;

export interface OpenDatabaseOptions {
  /** How long a statement waits for another connection's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** For tests of the upgrade path; default all migrations. */
  migrations?: readonly Migration[];
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDb {
  const memory = file === ":memory:" || file === "";
  let db: SqliteDb | undefined;
  try {
    if (!memory) {
      mkdirSync(dirname(resolve(file)), { recursive: true });
      preparePrivateFile(file);
    }
    db = new Database(file);
    cacheStatements(db);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!memory) db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    migrate(db, options.migrations);
    if (!memory) tightenFiles([`${file}-wal`, `${file}-shm`]);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError("unavailable", `cannot open the database "${file}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Make db.prepare return the statement it prepared before for the same SQL. The store's hot paths
 * prepare per call (simple code); compiling the same SQL hundreds of times a second was a tenth of
 * the server's CPU under a webhook burst. Safe here because no code iterates a statement lazily
 * (.iterate) or changes its modes (.pluck/.raw), which a shared statement would not allow.
 */
function cacheStatements(db: SqliteDb): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      // Built SQL (lists of placeholders) could make many variants: keep the cache bounded.
      if (cache.size >= 500) cache.clear();
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }) as SqliteDb["prepare"];
}

/**
 * Run fn with its commit written to the WAL but not flushed to the disk (synchronous=NORMAL): for the
 * engine's own bookkeeping (job leases, run status, step results, routing). A process crash loses
 * none of it (the WAL is in the OS's hands); a power cut can lose the last such commits, but never a
 * commit made durable after them: the WAL is one sequence, so the next flushed commit (a webhook
 * acknowledgement, a step's recorded input before its call, a token) flushes everything before it.
 * What a power cut can take back is therefore only work with no outside effect yet, which the
 * engine redoes on restart exactly as after a crash. Everything else keeps synchronous=FULL.
 */
export function withoutFlush<T>(db: SqliteDb, fn: () => T): T {
  db.prepare("PRAGMA synchronous = NORMAL").run();
  try {
    return fn();
  } finally {
    db.prepare("PRAGMA synchronous = FULL").run();
  }
}

/** The schema version recorded in the database (0 for a new one). */
export function schemaVersion(db: SqliteDb): number {
  const row = db.prepare("SELECT max(version) AS version FROM schema_migrations").get() as
    | { version: number | null }
    | undefined;
  return row?.version ?? 0;
}

/** Apply the migrations newer than the database, all in one transaction. */
export function migrate(
  db: SqliteDb,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const latest = migrations.at(-1)?.version ?? 0;
  // IMMEDIATE: two processes starting together must not both apply the same migration.
  return db
    .transaction(() => {
      const from = schemaVersion(db);
      if (from > latest) {
        throw new StoreError(
          "unavailable",
          `the database schema is at version ${from}, newer than this hlconnect knows (${latest}): ` +
            `upgrade hlconnect, or use a backup made by this version`,
        );
      }
      const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
      for (const migration of migrations) {
        if (migration.version <= from) continue;
        db.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
      }
      return { from, to: Math.max(from, latest) };
    })
    .immediate();
}
