export {
  ConflictError,
  InvalidInputError,
  LockTimeoutError,
  NotFoundError,
  StoreError,
  type StoreErrorCode,
} from "./errors.ts";
export { newId } from "./ids.ts";
export { migrate, openDatabase, type SqliteDb, schemaVersion } from "./sqlite/db.ts";
export { type Embedded, type EmbeddedOptions, openEmbedded } from "./sqlite/embedded.ts";
export type { LockOptions } from "./sqlite/locks.ts";
export { LATEST_VERSION, MIGRATIONS, type Migration } from "./sqlite/migrations.ts";
export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./sqlite/store.ts";
export * from "./types.ts";
