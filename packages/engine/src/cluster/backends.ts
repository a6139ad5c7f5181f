// Opens what the engine runs on: the embedded SQLite file and in-process queue, or PostgreSQL + BullMQ
// with the shared Redis rate limiter and the scheduler's leadership lock. Either way the engine sees
// the same ports (Store, JobQueue, RateLimiter, Leadership) and a health probe.
import path from "node:path";
import type { RateLimiter } from "@hlconnect/client";
import type { JobQueue } from "../queue/types.ts";
import { openEmbedded } from "../store/sqlite/embedded.ts";
import type { Store } from "../store/types.ts";
import type { ScaleOutConfig } from "./config.ts";
import { type Leadership, soleLeader } from "./leadership.ts";

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
  /** The job lease (HLCONNECT_JOB_LEASE_MS): BullMQ's own lock, the backstop, is sized from it. */
  leaseMs?: number;
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
  // Loaded only here: the PostgreSQL, Redis and BullMQ clients cost seconds of start-up on a small
  // machine, which the embedded deployment (and every CLI command) would otherwise pay.
  const { openScaleOut } = await import("./scale-out.ts");
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
