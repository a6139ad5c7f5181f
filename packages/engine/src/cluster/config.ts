// Where the engine keeps its state: SQLite and the in-process queue by default, PostgreSQL and
// BullMQ/Redis when both URLs are given (flags or HLCONNECT_DATABASE_URL / HLCONNECT_REDIS_URL).
import { StoreError } from "../store/errors.ts";

/** all: everything in one process (the default); api: HTTP, UI and webhook ingress; worker: runs. */
export type EngineRole = "all" | "api" | "worker";
export const ENGINE_ROLES: readonly EngineRole[] = ["all", "api", "worker"];

export interface ScaleOutConfig {
  databaseUrl: string;
  redisUrl: string;
}

/** undefined: the embedded deployment. Throws a clear error for half a configuration or a bad URL. */
export function scaleOutConfig(
  databaseUrl: string | undefined,
  redisUrl: string | undefined,
): ScaleOutConfig | undefined {
  const db = databaseUrl?.trim() || undefined;
  const redis = redisUrl?.trim() || undefined;
  if (!db && !redis) return undefined;
  if (!db || !redis) {
    throw new StoreError(
      "invalid",
      db
        ? "HLCONNECT_DATABASE_URL is set but HLCONNECT_REDIS_URL is not: the PostgreSQL deployment needs Redis for its job queue and shared rate limit"
        : "HLCONNECT_REDIS_URL is set but HLCONNECT_DATABASE_URL is not: the Redis job queue needs the PostgreSQL store",
    );
  }
  if (!/^postgres(ql)?:\/\//.test(db)) {
    throw new StoreError(
      "invalid",
      `HLCONNECT_DATABASE_URL must be a postgres:// URL, got "${db.split(":")[0]}:..."`,
    );
  }
  if (!/^rediss?:\/\//.test(redis)) {
    throw new StoreError(
      "invalid",
      `HLCONNECT_REDIS_URL must be a redis:// or rediss:// URL, got "${redis.split(":")[0]}:..."`,
    );
  }
  return { databaseUrl: db, redisUrl: redis };
}
