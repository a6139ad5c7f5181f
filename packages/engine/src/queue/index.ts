export { openSqliteJobQueue, type SqliteJobQueueOptions } from "./sqlite.ts";
export type { EnqueueInput, Job, JobQueue, QueueStats } from "./types.ts";
export { type JobOutcome, startWorker, type Worker, type WorkerOptions } from "./worker.ts";
