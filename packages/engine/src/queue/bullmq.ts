// The job queue on BullMQ (Redis), for deployments with several worker processes. The only module that
// imports bullmq. A job carries its run's id and a few times; the store stays the source of truth, so a
// lost Redis loses no run (the sweeper enqueues again every run the store says is open).
//
// BullMQ does the storing, the ordering, the delays and the atomic hand-out (getNextJob with our lease id
// as the lock token: BullMQ's scripts refuse a complete, fail or extend with any other token, which is
// the fencing). The lease deadline of the port (leaseUntil) lives next to it, in a sorted set, and is
// computed and compared inside Lua on Redis' own clock (TIME): workers on several machines whose clocks
// disagree would otherwise take live jobs back from each other as "expired". A reserve first hands every
// job whose lease ran out back to waiting. BullMQ's own lock is a long backstop for the one gap the sorted
// set cannot see (a process dying between taking a job and recording its lease): BullMQ's stalled check
// returns such a job after lockMs.
import { createHash } from "node:crypto";
import { type Job as BullJob, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { InvalidInputError } from "../store/errors.ts";
import { newId } from "../store/ids.ts";
import { requirePositive, requireText, requireTime } from "../store/validate.ts";
import type { EnqueueInput, Job, JobQueue, QueueStats } from "./types.ts";

interface JobData {
  runId: string;
  availableAt: number;
  createdAt: number;
  lastError?: string;
}

interface Lease {
  leaseId: string;
  workerId: string;
  leaseUntil: number;
}

export interface BullJobQueueOptions {
  /** redis://[:password@]host:port[/db] (HLCONNECT_REDIS_URL). */
  url: string;
  /** Prefix of every key (default "hlconnect"); tests use one per test. */
  prefix?: string;
  /** BullMQ queue name (default "runs"). */
  name?: string;
  now?: () => number;
  /** Tests only: the clock lease deadlines are computed and compared on. Default: Redis' (TIME). */
  leaseClock?: () => number;
  /** BullMQ's lock on a job in hand, the backstop described above. Default 10 minutes. */
  lockMs?: number;
}

export interface BullJobQueue extends JobQueue {
  /** A round trip to Redis, for /healthz. */
  ping(): Promise<void>;
  /** Jobs handed back because their lease ran out, since this instance started (for /metrics). */
  readonly leaseTakeovers: number;
}

// Atomic on the Redis side, so a renewal and a takeover can never both win. Each script takes the time
// as an argument only from a test's leaseClock; otherwise it reads Redis' clock, shared by every process.
const CLOCK = `
local function clock(given)
  if given ~= '' then return tonumber(given) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;
const TAKE_EXPIRED = `${CLOCK}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', clock(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
local taken = {}
for _, id in ipairs(due) do
  local lease = redis.call('HGET', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('HDEL', KEYS[2], id)
  if lease then table.insert(taken, id) table.insert(taken, lease) end
end
return taken`;
/** Record a new lease of leaseMs (ARGV[3]) from now; returns its deadline. */
const LEASE = `${CLOCK}
local leaseUntil = clock(ARGV[4]) + tonumber(ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({leaseId = ARGV[2], workerId = ARGV[5], leaseUntil = leaseUntil}))
redis.call('ZADD', KEYS[1], leaseUntil, ARGV[1])
return leaseUntil`;
const RENEW = `${CLOCK}
local lease = redis.call('HGET', KEYS[2], ARGV[1])
if not lease then return 0 end
local decoded = cjson.decode(lease)
if ARGV[2] ~= '' and decoded.leaseId ~= ARGV[2] then return 0 end
decoded.leaseUntil = clock(ARGV[4]) + tonumber(ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(decoded))
redis.call('ZADD', KEYS[1], decoded.leaseUntil, ARGV[1])
return 1`;
/** Drop the lease (and the run's job pointer) if the lease is the one given (or any, when none given). */
const RELEASE = `
local lease = redis.call('HGET', KEYS[2], ARGV[1])
if not lease then return '' end
local decoded = cjson.decode(lease)
if ARGV[2] ~= '' and decoded.leaseId ~= ARGV[2] then return '' end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
return decoded.leaseId`;
const FORGET_RUN = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;
/**
 * After a completion BullMQ accepted with the lease's token: drop that lease (when it is still the one
 * recorded) and the run's job pointer (when it still points to this job), in one round trip.
 */
const FORGET_COMPLETED = `
local lease = redis.call('HGET', KEYS[2], ARGV[1])
if lease and cjson.decode(lease).leaseId == ARGV[2] then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[1], ARGV[1])
end
if redis.call('HGET', KEYS[3], ARGV[3]) == ARGV[1] then redis.call('HDEL', KEYS[3], ARGV[3]) end
return 1`;

/** Jobs in hand kept at most (the instances reserve returned; any job can still be read back). */
const MAX_IN_HAND = 10_000;

/** A Lua script sent by its SHA1 (EVALSHA); its text only when the server does not have it yet. */
function luaScript(redis: Redis, lua: string, numberOfKeys: number) {
  const sha = createHash("sha1").update(lua).digest("hex");
  return async (...args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, numberOfKeys, ...args);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(lua, numberOfKeys, ...args);
    }
  };
}

export async function openBullJobQueue(options: BullJobQueueOptions): Promise<BullJobQueue> {
  const prefix = options.prefix ?? "hlconnect";
  const name = options.name ?? "runs";
  const now = options.now ?? Date.now;
  const lockMs = options.lockMs ?? 600_000;
  // The time argument of the lease scripts: empty means "Redis' clock".
  const leaseTime = () => (options.leaseClock ? String(options.leaseClock()) : "");
  const connect = () =>
    new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: true, enableOfflineQueue: true });
  const redis = connect();
  const workerConnection = connect();
  // A lost connection is retried by ioredis (commands wait meanwhile) and shows on /healthz; its
  // 'error' events must not end the process.
  redis.on("error", () => {});
  workerConnection.on("error", () => {});
  await Promise.all([redis.connect(), workerConnection.connect()]);
  const queue = new Queue<JobData>(name, { connection: redis, prefix });
  const worker = new Worker<JobData>(name, null, {
    connection: workerConnection,
    prefix,
    autorun: false,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: Number.MAX_SAFE_INTEGER,
  });
  // Errors reach the callers of each operation; unhandled 'error' events must not end the process.
  queue.on("error", () => {});
  worker.on("error", () => {});
  void worker.startStalledCheckTimer().catch(() => {});

  const keys = {
    byRun: `${prefix}:${name}:hl:by-run`,
    leases: `${prefix}:${name}:hl:lease-until`,
    lease: `${prefix}:${name}:hl:lease`,
  };
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own.
      }
    }
  };
  let takeovers = 0;
  const scripts = {
    takeExpired: luaScript(redis, TAKE_EXPIRED, 2),
    lease: luaScript(redis, LEASE, 2),
    renew: luaScript(redis, RENEW, 2),
    release: luaScript(redis, RELEASE, 2),
    forgetRun: luaScript(redis, FORGET_RUN, 1),
    forgetCompleted: luaScript(redis, FORGET_COMPLETED, 3),
  };
  // The jobs this instance reserved, as BullMQ handed them out: completing one needs no read back.
  const inHand = new Map<string, BullJob<JobData>>();

  async function leaseOf(jobId: string): Promise<Lease | undefined> {
    const text = await redis.hget(keys.lease, jobId);
    return text ? (JSON.parse(text) as Lease) : undefined;
  }

  function toJob(job: BullJob<JobData>, lease: Lease | undefined): Job {
    const data = job.data;
    return {
      id: job.id!,
      runId: data.runId,
      availableAt: data.availableAt,
      attempts: job.attemptsStarted ?? 0,
      ...(lease ? { leaseId: lease.leaseId, leaseUntil: lease.leaseUntil, workerId: lease.workerId } : {}),
      ...(data.lastError === undefined ? {} : { lastError: data.lastError }),
      createdAt: data.createdAt,
    };
  }

  async function getJob(jobId: string): Promise<BullJob<JobData> | undefined> {
    const job = await queue.getJob(jobId);
    return job ?? undefined;
  }

  /** The job as reserved here when it is in hand, else as stored. */
  function jobInHand(jobId: string): Promise<BullJob<JobData> | undefined> {
    const held = inHand.get(jobId);
    return held ? Promise.resolve(held) : getJob(jobId);
  }

  /** Hand jobs whose lease ran out back to waiting, using the dead holder's token. */
  async function takeBackExpired(): Promise<void> {
    const taken = (await scripts.takeExpired(keys.leases, keys.lease, leaseTime(), 50)) as string[];
    for (let i = 0; i < taken.length; i += 2) {
      const jobId = taken[i]!;
      const lease = JSON.parse(taken[i + 1]!) as Lease;
      const job = await getJob(jobId);
      if (!job) continue;
      try {
        await job.moveToWait(lease.leaseId);
        takeovers++;
      } catch {
        // Already moved (its holder finished it, or BullMQ's stalled check got there first).
      }
    }
  }

  async function redisNow(): Promise<number> {
    const [seconds, micros] = await redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  async function release(jobId: string, leaseId: string | undefined): Promise<string | undefined> {
    const token = (await scripts.release(keys.leases, keys.lease, jobId, leaseId ?? "")) as string;
    return token || undefined;
  }

  const self: BullJobQueue = {
    get leaseTakeovers() {
      return takeovers;
    },

    async enqueue(input: EnqueueInput) {
      const runId = requireText(input?.runId, "job runId");
      const at =
        input.availableAt === undefined
          ? now()
          : requireTime(input.availableAt, `job for run "${runId}": availableAt`);
      for (let attempt = 0; attempt < 3; attempt++) {
        const known = await redis.hget(keys.byRun, runId);
        if (known) {
          const existing = await getJob(known);
          if (existing) return toJob(existing, await leaseOf(known));
        }
        // No job (or a pointer whose job is gone): make one. HSETNX decides between racing enqueuers.
        const jobId = known ?? newId("job", now());
        if (!known && !(await redis.hsetnx(keys.byRun, runId, jobId))) continue;
        const data: JobData = { runId, availableAt: at, createdAt: now() };
        // Adding an id that exists is a no-op in BullMQ; read back what is stored.
        await queue.add("run", data, {
          jobId,
          delay: Math.max(0, at - now()),
          removeOnComplete: true,
          removeOnFail: true,
        });
        const stored = await getJob(jobId);
        notify();
        if (stored) return toJob(stored, await leaseOf(jobId));
      }
      throw new InvalidInputError(`could not enqueue run "${runId}": its job kept changing`);
    },

    async reserve(workerId, leaseMs) {
      requireText(workerId, "reserve: workerId");
      requirePositive(leaseMs, "reserve: leaseMs");
      await takeBackExpired();
      const leaseId = newId("lease", now());
      const job = (await worker.getNextJob(leaseId, { block: false })) as BullJob<JobData> | undefined;
      if (!job) return undefined;
      const leaseUntil = Number(
        await scripts.lease(keys.leases, keys.lease, job.id!, leaseId, leaseMs, leaseTime(), workerId),
      );
      if (inHand.size >= MAX_IN_HAND) inHand.clear();
      inHand.set(job.id!, job);
      return toJob(job, { leaseId, workerId, leaseUntil });
    },

    async complete(jobId, leaseId) {
      if (leaseId !== undefined) {
        // The lease id is BullMQ's lock token: its script refuses a stale holder (the fencing), so the
        // completion goes first and the lease and the run's pointer are dropped after it.
        const job = await jobInHand(jobId);
        if (!job) return false;
        try {
          await job.moveToCompleted(null, leaseId, false);
        } catch {
          return false;
        }
        inHand.delete(jobId);
        await scripts.forgetCompleted(keys.leases, keys.lease, keys.byRun, jobId, leaseId, job.data.runId);
        return true;
      }
      const job = await getJob(jobId);
      if (!job) return false;
      const token = await release(jobId, leaseId);
      if (!token) {
        if (leaseId !== undefined) return false;
        // Not reserved and no lease given: remove it outright, as the port allows.
        await job.remove();
      } else {
        try {
          await job.moveToCompleted(null, token, false);
        } catch {
          return false;
        }
      }
      inHand.delete(jobId);
      await scripts.forgetRun(keys.byRun, job.data.runId, jobId);
      return true;
    },

    async fail(jobId, retryAt, error, leaseId) {
      requireTime(retryAt, `fail job "${jobId}": retryAt`);
      if (error !== undefined && typeof error !== "string") {
        throw new InvalidInputError(`fail job "${jobId}": error must be a string`);
      }
      const job = await jobInHand(jobId);
      if (!job) return false;
      const lease = await leaseOf(jobId);
      if (!lease || (leaseId !== undefined && lease.leaseId !== leaseId)) return false;
      await job.updateData({
        ...job.data,
        availableAt: retryAt,
        ...(error === undefined ? {} : { lastError: error }),
      });
      const token = await release(jobId, lease.leaseId);
      if (!token) return false;
      try {
        await job.moveToDelayed(retryAt, token);
      } catch {
        return false;
      }
      inHand.delete(jobId);
      notify();
      return true;
    },

    async extendLease(jobId, leaseMs, leaseId) {
      requirePositive(leaseMs, `extend lease of job "${jobId}": leaseMs`);
      const lease = await leaseOf(jobId);
      if (!lease || (leaseId !== undefined && lease.leaseId !== leaseId)) return false;
      const job = await jobInHand(jobId);
      if (!job || !(await job.extendLock(lease.leaseId, lockMs))) return false;
      const renewed = await scripts.renew(
        keys.leases,
        keys.lease,
        jobId,
        lease.leaseId,
        leaseMs,
        leaseTime(),
      );
      return renewed === 1;
    },

    async get(jobId) {
      const job = await getJob(jobId);
      return job && toJob(job, await leaseOf(jobId));
    },

    async getByRun(runId) {
      const jobId = await redis.hget(keys.byRun, runId);
      return jobId ? self.get(jobId) : undefined;
    },

    async stats(): Promise<QueueStats> {
      const t = options.leaseClock ? options.leaseClock() : await redisNow();
      const counts = await queue.getJobCounts("wait", "prioritized", "delayed", "active");
      const live = await redis.zcount(keys.leases, `(${t}`, "+inf");
      const expired = (counts.active ?? 0) - live;
      return {
        ready: (counts.wait ?? 0) + (counts.prioritized ?? 0) + Math.max(0, expired),
        scheduled: counts.delayed ?? 0,
        leased: live,
      };
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async ping() {
      await redis.ping();
    },

    async close() {
      listeners.clear();
      inHand.clear();
      await worker.close(true).catch(() => {});
      await queue.close().catch(() => {});
      redis.disconnect();
      workerConnection.disconnect();
    },
  };
  return self;
}
