// Opens what the engine runs on: the embedded SQLite file and in-process queue, or PostgreSQL + BullMQ
// with the shared Redis rate limiter and the scheduler's leadership lock. Either way the engine sees
// the same ports (Store, JobQueue, RateLimiter, Leadership) and a health probe.
import path from "node:path";
import { type RateLimiter, RedisRateLimiter } from "@hlconnect/client";
import { Redis } from "ioredis";
import { openBullJobQueue } from "../queue/bullmq.ts";
import type { JobQueue } from "../queue/types.ts";
import { StoreError } from "../store/errors.ts";
import { reasonOf } from "../store/postgres/db.ts";
import { openPgStore } from "../store/postgres/store.ts";
import { openEmbedded } from "../store/sqlite/embedded.ts";
import type { Store } from "../store/types.ts";
import type { ScaleOutConfig } from "./config.ts";
import { type Leadership, pgLeadership, soleLeader } from "./leader.ts";
import { maskUrl } from "./mask.ts";

export interface BackendOptions {
  dataDir: string;
  secret?: string;
  now?: () => number;
  scaleOut?: ScaleOutConfig;
  /** PostgreSQL schema (default "hlconnect"). */
  schema?: string;
  /** Redis key prefix (default "hlconnect"). */
  redisPrefix?: string;
  /** How long the first connection to PostgreSQL or Redis may take (default 5000 ms). */
  connectTimeoutMs?: number;
  onError?(error: unknown, where: string): void;
}

export interface ComponentHealth {
  status: "ok" | "error";
  kind: string;
  error?: string;
}

export interface Backends {
  kind: "embedded" | "scale-out";
  store: Store;
  queue: JobQueue;
  /** Shared across processes in scale-out mode; undefined: each client's in-memory limiter. */
  limiter?: RateLimiter;
  leader: Leadership;
  health(): Promise<{ store: ComponentHealth; queue: ComponentHealth }>;
  /** Jobs taken from holders whose lease ran out (scale-out), for /metrics. */
  leaseTakeovers(): number;
  close(): Promise<void>;
}

export async function openBackends(options: BackendOptions): Promise<Backends> {
  if (!options.scaleOut) return openEmbeddedBackends(options);
  return openScaleOut(options, options.scaleOut);
}

async function openEmbeddedBackends(options: BackendOptions): Promise<Backends> {
  const embedded = await openEmbedded({
    file: path.join(options.dataDir, "hlconnect.db"),
    ...(options.secret ? { secret: options.secret } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const probe = async (kind: string, fn: () => unknown): Promise<ComponentHealth> => {
    try {
      await fn();
      return { status: "ok", kind };
    } catch (error) {
      return { status: "error", kind, error: (error as Error).message };
    }
  };
  return {
    kind: "embedded",
    store: embedded.store,
    queue: embedded.queue,
    leader: soleLeader(),
    health: async () => ({
      store: await probe("sqlite", () => embedded.db.prepare("SELECT 1").get()),
      queue: await probe("sqlite", () => embedded.queue.stats()),
    }),
    leaseTakeovers: () => 0,
    close: () => embedded.close(),
  };
}

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

async function openScaleOut(options: BackendOptions, config: ScaleOutConfig): Promise<Backends> {
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
