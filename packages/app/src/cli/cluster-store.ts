// The CLI's side of a scaled-out deployment (HLCONNECT_DATABASE_URL and HLCONNECT_REDIS_URL set): the
// store commands read the cluster's PostgreSQL schema, and the runs they start are queued for the
// cluster's workers, never executed in the CLI process (a second executor beside the workers would
// bypass their concurrency and leases). These helpers check the schema and wait for queued runs.

import { maskUrl } from "@hlconnect/engine/cluster/mask";
import type { Engine } from "@hlconnect/engine/engine";
import {
  checkSchemaName,
  createPool,
  pgSchemaVersion,
  unreachable,
} from "@hlconnect/engine/store/postgres/db";
import type { RunRecord } from "@hlconnect/engine/store/types";
import { CliError } from "./errors.ts";
import { runLine, write } from "./format.ts";

/**
 * A read command on a schema no process ever created is a typo (a wrong HLCONNECT_DATABASE_SCHEMA or
 * database), not an empty deployment: say so instead of migrating a new, empty schema into place.
 */
export async function requireClusterSchema(url: string, schema: string): Promise<void> {
  try {
    checkSchemaName(schema);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const pool = createPool({ url, schema, max: 1 });
  try {
    let version: number;
    try {
      version = await pgSchemaVersion(pool, schema);
    } catch (err) {
      throw new CliError(unreachable(url, err).message);
    }
    if (version === 0) {
      throw new CliError(
        `there is no hlconnect data in schema "${schema}" of ${maskUrl(url)}: check HLCONNECT_DATABASE_SCHEMA ` +
          "(default hlconnect), or create it with `hlconnect db migrate` or by starting `hlconnect serve`",
      );
    }
  } finally {
    await pool.end().catch(() => {});
  }
}

/** How long `runs replay` and `flows run-once` wait for the workers before leaving the runs to them. */
export const CLUSTER_WAIT_MS = 60_000;
const POLL_MS = 250;

/** The --wait option (seconds, 0 to 3600) in milliseconds. */
export function parseWaitOption(text: string): number {
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new CliError(`--wait must be a number of seconds from 0 to 3600, got "${text}"`, 2);
  }
  return seconds * 1000;
}

function open(run: RunRecord): boolean {
  return run.status === "queued" || run.status === "running";
}

/**
 * Wait until the cluster's workers have finished these runs, or `timeoutMs` passed; the runs as they
 * are then (a run still open is still queued for the workers: nothing is cancelled).
 */
export async function waitForRuns(
  engine: Engine,
  runs: RunRecord[],
  timeoutMs = CLUSTER_WAIT_MS,
): Promise<RunRecord[]> {
  const until = Date.now() + timeoutMs;
  let current = runs;
  while (current.some(open) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    current = await Promise.all(
      current.map(async (r) => (open(r) ? ((await engine.store.getRun(r.id)) ?? r) : r)),
    );
  }
  return current;
}

/**
 * Wait for the workers, then print each run as the embedded commands print a run they executed; a run
 * not finished in time is named with how to follow it. Exit code 1 unless every run succeeded or was
 * skipped, as when the run is executed here.
 */
export async function reportClusterRuns(
  engine: Engine,
  runs: RunRecord[],
  timeoutMs = CLUSTER_WAIT_MS,
): Promise<void> {
  for (const run of await waitForRuns(engine, runs, timeoutMs)) {
    write(runLine(run));
    if (open(run)) {
      write(
        `run ${run.id} is still ${run.status} after ${Math.round(timeoutMs / 1000)} s: the cluster's workers ` +
          `(\`hlconnect worker\`) run it; follow it with \`hlconnect runs show ${run.id}\``,
      );
    }
    if (run.status !== "succeeded" && run.status !== "skipped") process.exitCode = 1;
  }
}
