// `hlconnect worker`: a process that only runs flows' runs, for the PostgreSQL + Redis deployment. As
// many as needed, on as many machines; each takes jobs from the shared queue, and any of them may be
// the one that runs the scheduler (a leadership lock moves it when its process dies).
import { registerSecret } from "@hlconnect/client";
import { Engine } from "@hlconnect/engine/engine";
import type { Command } from "commander";
import { createLogger, engineLogger } from "../server/logging.ts";
import { leaseMsFromEnv, requireSecret, resolveDataDir } from "./data.ts";
import { CliError } from "./errors.ts";
import { write } from "./format.ts";
import { addScaleOptions, readScaleOut, SCALE_ENV_HELP, type ScaleOptions, scaleNames } from "./scale.ts";

interface WorkerOptions extends ScaleOptions {
  concurrency: string;
  data?: string;
  json?: boolean;
  logLevel?: string;
}

const STOP_TIMEOUT_MS = 30_000;

export function registerWorkerCommand(program: Command): void {
  addScaleOptions(
    program
      .command("worker")
      .description("Run flows' runs from the shared queue (PostgreSQL + Redis deployments)")
      .option("--concurrency <n>", "runs handled at once by this process", "4")
      .option("--data <dir>", "data directory (only for the secret file; state is in PostgreSQL)")
      .option("--json", "print one JSON line when ready: {worker, pid, concurrency}")
      .option("--log-level <level>", "log level (default info)"),
  )
    .addHelpText(
      "after",
      `\nEnvironment:\n  HLCONNECT_SECRET               decrypts connection tokens (the same value as every other process)${SCALE_ENV_HELP}`,
    )
    .action((opts: WorkerOptions) => runWorker(opts));
}

async function runWorker(opts: WorkerOptions): Promise<void> {
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new CliError(`--concurrency must be a whole number from 1 to 256, got "${opts.concurrency}"`, 2);
  }
  const scaleOut = readScaleOut(opts);
  if (!scaleOut) {
    throw new CliError(
      "hlconnect worker needs HLCONNECT_DATABASE_URL and HLCONNECT_REDIS_URL (or --database-url and --redis-url); " +
        "without them `hlconnect serve` runs everything in one process",
      2,
    );
  }
  const dataDir = resolveDataDir(opts.data);
  const secret = requireSecret(dataDir, "workers decrypt the connections' tokens with it");
  registerSecret(secret);
  const logger = createLogger({ level: opts.logLevel ?? "info" });
  const leaseMs = leaseMsFromEnv();
  const engine = await Engine.open({
    dataDir,
    secret,
    role: "worker",
    workers: concurrency,
    databaseUrl: scaleOut.databaseUrl,
    redisUrl: scaleOut.redisUrl,
    ...scaleNames(),
    logger: engineLogger(logger),
    ...(process.env.HIGHLEVEL_BASE_URL?.trim() ? { baseUrl: process.env.HIGHLEVEL_BASE_URL.trim() } : {}),
    ...(leaseMs ? { leaseMs } : {}),
  });
  await engine.start();
  if (opts.json) write(JSON.stringify({ worker: "ready", pid: process.pid, concurrency }));
  else logger.info({ concurrency }, "worker ready");

  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), STOP_TIMEOUT_MS).unref();
    engine.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
