// The embedded job queue: rows in the same SQLite file as the store, so jobs survive restarts. Its
// writes are bookkeeping, committed without a flush of their own (withoutFlush in store/sqlite/db.ts).
import { InvalidInputError, StoreError } from "../store/errors.ts";
import { newId } from "../store/ids.ts";
import { openDatabase, type SqliteDb, withoutFlush } from "../store/sqlite/db.ts";
import { requirePositive, requireText, requireTime } from "../store/validate.ts";
import type { EnqueueInput, Job, JobQueue } from "./types.ts";

interface JobRow {
  id: string;
  run_id: string;
  available_at: number;
  attempts: number;
  lease_id: string | null;
  lease_until: number | null;
  worker_id: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

function toJob(row: JobRow): Job {
  return {
    id: row.id,
    runId: row.run_id,
    availableAt: row.available_at,
    attempts: row.attempts,
    ...(row.lease_id === null ? {} : { leaseId: row.lease_id }),
    ...(row.lease_until === null ? {} : { leaseUntil: row.lease_until }),
    ...(row.worker_id === null ? {} : { workerId: row.worker_id }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    createdAt: row.created_at,
  };
}

export interface SqliteJobQueueOptions {
  file?: string;
  /** An already open database (e.g. the store's); the queue then does not close it. */
  db?: SqliteDb;
  now?: () => number;
  busyTimeoutMs?: number;
}

export function openSqliteJobQueue(options: SqliteJobQueueOptions): JobQueue {
  if (!options.db && !options.file)
    throw new StoreError("invalid", "openSqliteJobQueue needs a file or a db");
  const owned = !options.db;
  const db = options.db ?? openDatabase(options.file!, { busyTimeoutMs: options.busyTimeoutMs });
  const now = options.now ?? Date.now;
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the other workers still need waking.
      }
    }
  };
  const select = db.prepare("SELECT * FROM jobs WHERE id = ?");
  /** Matches the job, and when a lease id is given, only if it still holds the job. */
  const held = "id = @jobId AND (@leaseId IS NULL OR lease_id = @leaseId)";

  return {
    async enqueue(input: EnqueueInput) {
      const runId = requireText(input?.runId, "job runId");
      const at =
        input.availableAt === undefined
          ? now()
          : requireTime(input.availableAt, `job for run "${runId}": availableAt`);
      const row = withoutFlush(db, () =>
        db
          .transaction(() => {
            db.prepare(
              `INSERT INTO jobs (id, run_id, available_at, created_at, updated_at) VALUES (@id, @runId, @at, @now, @now)
             ON CONFLICT (run_id) DO NOTHING`,
            ).run({ id: newId("job", now()), runId, at, now: now() });
            return db.prepare("SELECT * FROM jobs WHERE run_id = ?").get(runId) as JobRow;
          })
          .immediate(),
      );
      notify();
      return toJob(row);
    },

    async reserve(workerId, leaseMs) {
      requireText(workerId, "reserve: workerId");
      requirePositive(leaseMs, "reserve: leaseMs");
      const t = now();
      // One statement: choosing and claiming are atomic, also between processes.
      const row = withoutFlush(db, () =>
        db
          .prepare(
            `UPDATE jobs SET lease_id = @leaseId, lease_until = @until, worker_id = @workerId,
             attempts = attempts + 1, updated_at = @now
           WHERE id = (
             SELECT id FROM jobs
             WHERE available_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
             ORDER BY available_at, id LIMIT 1)
           RETURNING *`,
          )
          .get({ leaseId: newId("lease", t), until: t + leaseMs, workerId, now: t }),
      ) as JobRow | undefined;
      return row && toJob(row);
    },

    async complete(jobId, leaseId) {
      return (
        withoutFlush(db, () =>
          db.prepare(`DELETE FROM jobs WHERE ${held}`).run({ jobId, leaseId: leaseId ?? null }),
        ).changes > 0
      );
    },

    async fail(jobId, retryAt, error, leaseId) {
      requireTime(retryAt, `fail job "${jobId}": retryAt`);
      if (error !== undefined && typeof error !== "string") {
        throw new InvalidInputError(`fail job "${jobId}": error must be a string`);
      }
      const changes = withoutFlush(db, () =>
        db
          .prepare(
            `UPDATE jobs SET available_at = @retryAt, lease_id = NULL, lease_until = NULL, worker_id = NULL,
             last_error = coalesce(@error, last_error), updated_at = @now
           WHERE ${held}`,
          )
          .run({ jobId, leaseId: leaseId ?? null, retryAt, error: error ?? null, now: now() }),
      ).changes;
      if (changes > 0) notify();
      return changes > 0;
    },

    async extendLease(jobId, leaseMs, leaseId) {
      requirePositive(leaseMs, `extend lease of job "${jobId}": leaseMs`);
      const t = now();
      return (
        withoutFlush(db, () =>
          db
            .prepare(
              `UPDATE jobs SET lease_until = @until, updated_at = @now WHERE ${held} AND lease_id IS NOT NULL`,
            )
            .run({ jobId, leaseId: leaseId ?? null, until: t + leaseMs, now: t }),
        ).changes > 0
      );
    },

    async get(jobId) {
      const row = select.get(jobId) as JobRow | undefined;
      return row && toJob(row);
    },

    async getByRun(runId) {
      const row = db.prepare("SELECT * FROM jobs WHERE run_id = ?").get(runId) as JobRow | undefined;
      return row && toJob(row);
    },

    async stats() {
      const t = now();
      const row = db
        .prepare(
          `SELECT
             count(*) FILTER (WHERE lease_until > @now) AS leased,
             count(*) FILTER (WHERE (lease_until IS NULL OR lease_until <= @now) AND available_at <= @now) AS ready,
             count(*) FILTER (WHERE (lease_until IS NULL OR lease_until <= @now) AND available_at > @now) AS scheduled
           FROM jobs`,
        )
        .get({ now: t }) as { leased: number; ready: number; scheduled: number };
      return { ready: row.ready, scheduled: row.scheduled, leased: row.leased };
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async close() {
      listeners.clear();
      if (owned && db.open) db.close();
    },
  };
}
