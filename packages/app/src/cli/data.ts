// The data directory every engine command works on, and the HLCONNECT_SECRET that unlocks its
// connection secrets. The secret comes from the environment, or from the data dir's `secret` file
// (written, mode 0600, by `serve --demo` when none is set).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Engine, EngineOptions } from "@hlconnect/engine/engine";
import { CliError } from "./errors.ts";

export const DEFAULT_DATA_DIR = "./.hlconnect";
/** Help text of every command's --data option. */
export const DATA_HELP = `data directory (default ${DEFAULT_DATA_DIR})`;
const SECRET_FILE = "secret";
/** Written by `serve --demo` while it runs, so other commands reach its sandbox. */
const DEMO_FILE = "demo-sandbox.json";

export function resolveDataDir(option: string | undefined): string {
  return path.resolve(option ?? DEFAULT_DATA_DIR);
}

/** HLCONNECT_SECRET, else the data dir's secret file, else undefined. */
export function findSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.HLCONNECT_SECRET?.trim();
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, SECRET_FILE);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, "utf8").trim() || undefined;
}

export function requireSecret(dataDir: string, why: string): string {
  const secret = findSecret(dataDir);
  if (secret) return secret;
  throw new CliError(
    `HLCONNECT_SECRET is not set: ${why}. ` +
      `Set it to a passphrase of 12+ characters or a key from ` +
      `\`node -e "console.log(crypto.randomBytes(32).toString('base64'))"\` and keep it: ` +
      `the same value is needed every time this data dir (${dataDir}) is used.`,
  );
}

/** The demo's secret: the one set, or one generated into the data dir (0600) and reused after. */
export function ensureDemoSecret(dataDir: string): string {
  const found = findSecret(dataDir);
  if (found) return found;
  const secret = randomBytes(32).toString("base64");
  writeFileSync(path.join(dataDir, SECRET_FILE), `${secret}\n`, { mode: 0o600, flag: "wx" });
  return secret;
}

export function apiTokenFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.HLCONNECT_API_TOKEN?.trim() || undefined;
}

export function generateApiToken(): string {
  return randomBytes(24).toString("base64url");
}

export function writeDemoSandbox(dataDir: string, baseUrl: string): void {
  writeFileSync(path.join(dataDir, DEMO_FILE), `${JSON.stringify({ baseUrl, pid: process.pid })}\n`, {
    mode: 0o600,
  });
}

export function removeDemoSandbox(dataDir: string): void {
  rmSync(path.join(dataDir, DEMO_FILE), { force: true });
}

/** HIGHLEVEL_BASE_URL, else the sandbox of a demo running on this data dir, else HighLevel itself. */
export function findBaseUrl(dataDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.HIGHLEVEL_BASE_URL?.trim();
  if (fromEnv) return fromEnv;
  try {
    const demo = JSON.parse(readFileSync(path.join(dataDir, DEMO_FILE), "utf8")) as { baseUrl?: unknown };
    return typeof demo.baseUrl === "string" ? demo.baseUrl : undefined;
  } catch {
    return undefined;
  }
}

/** A job's lease (HLCONNECT_JOB_LEASE_MS): how soon a dead process's runs are picked up again. */
export function leaseMsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.HLCONNECT_JOB_LEASE_MS?.trim();
  if (!text) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 300) {
    throw new CliError(
      `HLCONNECT_JOB_LEASE_MS must be a whole number of milliseconds (300 or more), got "${text}"`,
    );
  }
  return n;
}

export interface OpenOptions {
  /** The --data option. */
  data: string | undefined;
  /** Refuse to create a new, empty data dir or schema (for commands that only read). */
  mustExist?: boolean;
  /** When set, a missing secret is an error that says this is why it is needed. */
  secretNeededFor?: string;
  /** The command's --database-url / --redis-url; else HLCONNECT_DATABASE_URL / HLCONNECT_REDIS_URL. */
  scale?: { databaseUrl?: string; redisUrl?: string };
}

/**
 * The engine over the store the server uses, for commands that work on it directly (no server): the
 * SQLite file of the data dir, or, when both cluster URLs are set (as for `serve` and `worker`), the
 * cluster's PostgreSQL store and Redis queue. `clustered` tells the commands that start runs to leave
 * them to the cluster's workers. The engine is opened, never started: no scheduler, router or worker.
 */
export async function openEngine(options: OpenOptions, extra: Partial<EngineOptions> = {}) {
  const dataDir = resolveDataDir(options.data);
  // Loaded here, not at the top: commands that only need the data dir stay light.
  const { readScaleOut, scaleNames } = await import("./scale.ts");
  const scaleOut = readScaleOut(options.scale ?? {});
  if (scaleOut && options.mustExist) {
    const { requireClusterSchema } = await import("./cluster-store.ts");
    await requireClusterSchema(scaleOut.databaseUrl, scaleNames().schema ?? "hlconnect");
  } else if (options.mustExist && !existsSync(path.join(dataDir, "hlconnect.db"))) {
    throw new CliError(
      `there is no hlconnect data in ${dataDir}: pass --data DIR (the folder \`hlconnect serve\` uses), ` +
        `or start with \`hlconnect serve --data ${options.data ?? DEFAULT_DATA_DIR}\``,
    );
  }
  const secret = options.secretNeededFor
    ? requireSecret(dataDir, options.secretNeededFor)
    : findSecret(dataDir);
  const baseUrl = findBaseUrl(dataDir);
  const { Engine } = await import("@hlconnect/engine/engine");
  const engine = await Engine.open({
    dataDir,
    ...(secret ? { secret } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(scaleOut
      ? {
          databaseUrl: scaleOut.databaseUrl,
          redisUrl: scaleOut.redisUrl,
          role: "api" as const,
          ...scaleNames(),
        }
      : {}),
    ...extra,
  });
  return { engine, dataDir, clustered: scaleOut !== undefined };
}

/** Run fn with an engine and always close it (the SQLite file stays consistent either way). */
export async function withEngine<T>(
  options: OpenOptions,
  fn: (engine: Engine, dataDir: string) => Promise<T>,
): Promise<T> {
  const { engine, dataDir } = await openEngine(options);
  try {
    return await fn(engine, dataDir);
  } finally {
    await engine.stop();
  }
}
