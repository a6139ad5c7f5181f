// Options shared by the commands that can run on PostgreSQL + Redis (serve, worker, db): the URLs come
// from flags or the environment; a half or malformed configuration is a clear error, exit code 2.
import { registerSecret } from "@hlconnect/client";
import { type ScaleOutConfig, scaleOutConfig } from "@hlconnect/engine/cluster/config";
import { StoreError } from "@hlconnect/engine/store/errors";
import type { Command } from "commander";
import { CliError } from "./errors.ts";

export interface ScaleOptions {
  databaseUrl?: string;
  redisUrl?: string;
}

export const SCALE_ENV_HELP = `
  HLCONNECT_DATABASE_URL         PostgreSQL (postgres://user:password@host:5432/db): the store shared by
                                 every process; with HLCONNECT_REDIS_URL (default: SQLite in --data)
  HLCONNECT_REDIS_URL            Redis (redis://[:password@]host:6379): the job queue and the shared rate limit
  HLCONNECT_DATABASE_SCHEMA      PostgreSQL schema of the tables (default hlconnect)
  HLCONNECT_REDIS_PREFIX         prefix of the Redis keys (default hlconnect)`;

export function addScaleOptions(command: Command): Command {
  return command
    .option("--database-url <url>", "PostgreSQL URL (default $HLCONNECT_DATABASE_URL)")
    .option("--redis-url <url>", "Redis URL (default $HLCONNECT_REDIS_URL)");
}

/** undefined: the embedded deployment. */
export function readScaleOut(
  opts: ScaleOptions,
  env: NodeJS.ProcessEnv = process.env,
): ScaleOutConfig | undefined {
  try {
    const config = scaleOutConfig(
      opts.databaseUrl ?? env.HLCONNECT_DATABASE_URL,
      opts.redisUrl ?? env.HLCONNECT_REDIS_URL,
    );
    // A driver's error message may quote its URL: the passwords are scrubbed from logs and answers.
    if (config) for (const url of [config.databaseUrl, config.redisUrl]) registerUrlPassword(url);
    return config;
  } catch (err) {
    if (err instanceof StoreError) throw new CliError(err.message, 2);
    throw err;
  }
}

function registerUrlPassword(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // scaleOutConfig has already said what is wrong with it
  }
  for (const password of [parsed.password, parsed.searchParams.get("password") ?? ""]) {
    if (!password) continue;
    registerSecret(password);
    try {
      registerSecret(decodeURIComponent(password));
    } catch {
      // not percent-encoded text: the raw form is registered
    }
  }
}

export function scaleNames(env: NodeJS.ProcessEnv = process.env): { schema?: string; redisPrefix?: string } {
  const schema = env.HLCONNECT_DATABASE_SCHEMA?.trim();
  const redisPrefix = env.HLCONNECT_REDIS_PREFIX?.trim();
  return { ...(schema ? { schema } : {}), ...(redisPrefix ? { redisPrefix } : {}) };
}
