// The scale-out backends: PostgreSQL store, BullMQ queue on Redis, the shared Redis rate limiter and
// the PostgreSQL leadership. Imported by backends.ts only when HLCONNECT_DATABASE_URL and
// HLCONNECT_REDIS_URL are set.
import { RedisRateLimiter } from "@hlconnect/client";
import { Redis } from "ioredis";
import { openBullJobQueue } from "../queue/bullmq.ts";
import { StoreError } from "../store/errors.ts";
import { reasonOf } from "../store/postgres/db.ts";
import { openPgStore } from "../store/postgres/store.ts";
import type { BackendOptions, Backends, ComponentHealth } from "./backends.ts";
import type { ScaleOutConfig } from "./config.ts";
import { pgLeadership } from "./leader.ts";
import { maskUrl } from "./mask.ts";

/** Connect to Redis once, failing with one line (password masked) when it cannot be reached. */
async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: null,
    // After the first connection, ioredis retries with backoff forever; commands wait meanwhile.
    retryStrategy: (times) => Math.min(5000, 100 * 2 ** Math.min(times, 6)),
  });
  redis.on("error", () => {}); // reported by /healthz and by the commands that fail
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      redis.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      redis.connect().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new StoreError("unavailable", `cannot reach Redis at ${maskUrl(url)}: ${reasonOf(error)}`, {
      cause: error,
    });
  }
}

export async function openScaleOut(options: BackendOptions, config: ScaleOutConfig): Promise<Backends> {
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  const schema = options.schema ?? "hlconnect";
  const prefix = options.redisPrefix ?? "hlconnect";
  // Redis first: it is the cheaper check, and both must answer before anything starts.
  const redis = await connectRedis(config.redisUrl, timeoutMs);
  let store: Awaited<ReturnType<typeof openPgStore>> | undefined;
  let queue: Awaited<ReturnType<typeof openBullJobQueue>> | undefined;
  try {
    store = await openPgStore({
      url: config.databaseUrl,
      schema,
      connectTimeoutMs: timeoutMs,
      ...(options.secret ? { secret: options.secret } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    queue = await openBullJobQueue({
      url: config.redisUrl,
      prefix,
      ...(options.now ? { now: options.now } : {}),
      // BullMQ's lock is renewed with every lease renewal (each third of a lease), so three leases
      // keep a live job's lock well ahead, while a job whose taker died before recording its lease
      // (the one gap the leases cannot see) is back within two locks, not twenty minutes.
      ...(options.leaseMs ? { lockMs: Math.max(10_000, 3 * options.leaseMs) } : {}),
    });
  } catch (error) {
    await store?.close().catch(() => {});
    redis.disconnect();
    throw error;
  }
  const openedStore = store;
  const openedQueue = queue;
  const probe = async (kind: string, fn: () => Promise<unknown>): Promise<ComponentHealth> => {
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("no answer within 2 s")), 2000).unref()),
      ]);
      return { status: "ok", kind };
    } catch (error) {
      return { status: "error", kind, error: (error as Error).message };
    }
  };
  return {
    kind: "scale-out",
    store: openedStore,
    queue: openedQueue,
    limiter: new RedisRateLimiter({ redis, prefix }),
    leader: pgLeadership({
      url: config.databaseUrl,
      schema,
      onError: (error) => options.onError?.(error, "scheduler leadership"),
    }),
    health: async () => ({
      store: await probe("postgresql", () => openedStore.ping()),
      queue: await probe("bullmq", () => openedQueue.ping()),
    }),
    leaseTakeovers: () => openedQueue.leaseTakeovers,
    async close() {
      await openedQueue.close();
      await openedStore.close();
      redis.disconnect();
    },
  };
}
