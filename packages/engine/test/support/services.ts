// The PostgreSQL and Redis servers the scale-out tests run against (.ci/run starts them). Tests fail, not
// skip, when they are missing. Every test gets its own schema or key prefix, removed afterwards, so
// suites can run in parallel and leave nothing behind.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const TEST_DATABASE_URL =
  process.env.HLCONNECT_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const TEST_REDIS_URL = process.env.HLCONNECT_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A unique lower-case name for a schema or a key prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(5).toString("hex")}`;
}

/** Drop test schemas made by uniqueName. */
export async function dropSchemas(schemas: string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Delete every Redis key under the given prefixes. */
export async function dropRedisPrefixes(prefixes: string[]): Promise<void> {
  if (prefixes.length === 0) return;
  const { Redis } = await import("ioredis");
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    for (const prefix of prefixes) {
      let cursor = "0";
      do {
        const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
        if (found.length) await redis.del(...found);
        cursor = next;
      } while (cursor !== "0");
    }
  } finally {
    redis.disconnect();
  }
}
