// `hlconnect doctor`: what this installation runs on and whether each part answers, one line per
// check, each problem with the command or setting that fixes it. Exit 1 when a check failed.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { DATA_HELP, DEFAULT_DATA_DIR, findBaseUrl, findSecret, resolveDataDir } from "./data.ts";
import { readBaseUrl } from "./env.ts";
import { CliError } from "./errors.ts";

type Level = "ok" | "warn" | "fail";
export interface Check {
  level: Level;
  what: string;
  detail: string;
  fix?: string;
}

const REACH_TIMEOUT_MS = 5000;

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description("Check this installation: Node, data dir, secret, store, queue, connections, HighLevel")
    .option("--data <dir>", DATA_HELP)
    .option("--json", "print the checks as JSON")
    .option("--live", "also check what a real account needs: public URL, webhook key, flows' scopes, clock")
    .action(async (opts: { data?: string; json?: boolean; live?: boolean }) => {
      const checks = await runChecks(opts.data);
      if (opts.live) {
        const { liveChecks } = await import("./doctor-live.ts");
        checks.push(...(await liveChecks(opts.data, baseUrlOf(resolveDataDir(opts.data)))));
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(checks, null, 2)}\n`);
      else process.stdout.write(formatChecks(checks));
      if (checks.some((c) => c.level === "fail")) process.exitCode = 1;
    });
}

export function formatChecks(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.what.length));
  const lines = checks.map((c) => {
    const line = `${c.level.padEnd(4)}  ${c.what.padEnd(width)}  ${c.detail}`;
    return c.fix ? `${line}\n      ${"".padEnd(width)}  fix: ${c.fix}` : line;
  });
  const failed = checks.filter((c) => c.level === "fail").length;
  const warned = checks.filter((c) => c.level === "warn").length;
  lines.push("", failed || warned ? `${failed} failed, ${warned} to look at` : "everything answers");
  return `${lines.join("\n")}\n`;
}

export async function runChecks(data: string | undefined): Promise<Check[]> {
  const checks: Check[] = [nodeCheck()];
  const dataDir = resolveDataDir(data);
  const dataFlag = data ? ` --data ${data}` : "";
  const hasDir = existsSync(dataDir);
  checks.push(...permissionChecks(dataDir, hasDir, data ?? DEFAULT_DATA_DIR));
  checks.push(secretCheck(dataDir));
  checks.push(...(await storeChecks(dataDir, dataFlag)));
  checks.push(await reachCheck(dataDir));
  return checks;
}

function nodeCheck(): Check {
  const range = pkg.engines.node;
  const need = /^>=\s*(\d+)\.(\d+)/.exec(range);
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  const ok = !need || major > Number(need[1]) || (major === Number(need[1]) && minor >= Number(need[2]));
  return ok
    ? { level: "ok", what: "node", detail: `${process.version} (hlconnect ${pkg.version} needs ${range})` }
    : {
        level: "fail",
        what: "node",
        detail: `${process.version} is older than hlconnect needs (${range})`,
        fix: `install Node ${range.replace(">=", "")} or newer`,
      };
}

function permissionChecks(dataDir: string, hasDir: boolean, shown: string): Check[] {
  if (!hasDir) {
    return [
      {
        level: "warn",
        what: "data dir",
        detail: `${dataDir} does not exist yet`,
        fix: `\`hlconnect serve --data ${shown}\` creates it (or pass --data DIR of an existing one)`,
      },
    ];
  }
  const checks: Check[] = [];
  const mode = statSync(dataDir).mode & 0o777;
  checks.push(
    mode & 0o077
      ? {
          level: "warn",
          what: "data dir",
          detail: `${dataDir} is mode ${octal(mode)}: others on this machine can read it`,
          fix: `chmod 700 ${dataDir}`,
        }
      : { level: "ok", what: "data dir", detail: `${dataDir} (mode ${octal(mode)})` },
  );
  const open = readdirSync(dataDir)
    .map((f) => path.join(dataDir, f))
    .filter((f) => statSync(f).isFile() && statSync(f).mode & 0o077);
  checks.push(
    open.length
      ? {
          level: "warn",
          what: "data files",
          detail: `${open.map((f) => `${path.basename(f)} (${octal(statSync(f).mode & 0o777)})`).join(", ")} readable by others`,
          fix: `chmod 600 ${open.join(" ")}`,
        }
      : { level: "ok", what: "data files", detail: "readable by this user only (600)" },
  );
  return checks;
}

function secretCheck(dataDir: string): Check {
  if (process.env.HLCONNECT_SECRET?.trim())
    return { level: "ok", what: "secret", detail: "HLCONNECT_SECRET is set" };
  if (findSecret(dataDir))
    return {
      level: "ok",
      what: "secret",
      detail: `from ${path.join(dataDir, "secret")} (made by serve --demo)`,
    };
  return {
    level: "fail",
    what: "secret",
    detail: "HLCONNECT_SECRET is not set: stored connection tokens cannot be decrypted",
    fix: 'export HLCONNECT_SECRET="$(node -e "console.log(crypto.randomBytes(32).toString(\'base64\'))")" and keep it',
  };
}

async function storeChecks(dataDir: string, dataFlag: string): Promise<Check[]> {
  const dbUrl = process.env.HLCONNECT_DATABASE_URL?.trim();
  const redisUrl = process.env.HLCONNECT_REDIS_URL?.trim();
  if (dbUrl || redisUrl) return scaleOutChecks(dbUrl, redisUrl);
  const file = path.join(dataDir, "hlconnect.db");
  if (!existsSync(file)) {
    return [
      {
        level: "warn",
        what: "store",
        detail: `SQLite, no database yet (${file})`,
        fix: `start the server once: hlconnect serve${dataFlag}`,
      },
    ];
  }
  const { openEngine } = await import("./data.ts");
  let engine: Awaited<ReturnType<typeof openEngine>>["engine"] | undefined;
  try {
    engine = (await openEngine({ data: dataDir })).engine;
    const connections = await engine.store.listConnections();
    const flows = await engine.store.listFlows();
    const checks: Check[] = [
      {
        level: "ok",
        what: "store",
        detail: `SQLite ${file} answers (${flows.length} flows, ${connections.length} connections)`,
      },
      { level: "ok", what: "queue", detail: "embedded in the SQLite file" },
    ];
    if (!connections.length) {
      checks.push({
        level: "warn",
        what: "connections",
        detail: "none yet",
        fix: `hlconnect connections add --token PIT --location ID${dataFlag} (or connections oauth)`,
      });
    }
    for (const c of connections) {
      const what = `connection ${c.id}`;
      checks.push(
        c.status === "ok"
          ? { level: "ok", what, detail: `"${c.label}" ${c.kind}, ${c.status}` }
          : {
              level: "fail",
              what,
              detail: `"${c.label}" ${c.status}${c.statusReason ? `: ${c.statusReason}` : ""}`,
              fix:
                c.kind === "pit"
                  ? `hlconnect connections remove ${c.id} and add it again with a valid token`
                  : `hlconnect connections oauth --reconnect ${c.id}`,
            },
      );
    }
    return checks;
  } catch (err) {
    return [
      {
        level: "fail",
        what: "store",
        detail: `SQLite ${file} does not open: ${(err as Error).message}`,
        fix: "check the file's owner and permissions, and that no other version of hlconnect migrated it",
      },
    ];
  } finally {
    await engine?.stop().catch(() => {});
  }
}

async function scaleOutChecks(dbUrl: string | undefined, redisUrl: string | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  if (!dbUrl || !redisUrl) {
    return [
      {
        level: "fail",
        what: "store",
        detail: `${dbUrl ? "HLCONNECT_DATABASE_URL" : "HLCONNECT_REDIS_URL"} is set without ${dbUrl ? "HLCONNECT_REDIS_URL" : "HLCONNECT_DATABASE_URL"}`,
        fix: "set both (PostgreSQL store with the Redis queue) or neither (SQLite in the data dir)",
      },
    ];
  }
  try {
    const pg = (await import("pg")).default;
    const client = new pg.Client({ connectionString: dbUrl, connectionTimeoutMillis: REACH_TIMEOUT_MS });
    await client.connect();
    await client.query("SELECT 1");
    await client.end();
    checks.push({ level: "ok", what: "store", detail: `PostgreSQL ${masked(dbUrl)} answers` });
  } catch (err) {
    checks.push({
      level: "fail",
      what: "store",
      detail: `PostgreSQL ${masked(dbUrl)} does not answer: ${(err as Error).message}`,
      fix: "start PostgreSQL or correct HLCONNECT_DATABASE_URL",
    });
  }
  try {
    const { Redis } = await import("ioredis");
    const redis = new Redis(redisUrl, {
      lazyConnect: true,
      connectTimeout: REACH_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on("error", () => {}); // the failed connect below says it
    try {
      await redis.connect();
      await redis.ping();
      checks.push({ level: "ok", what: "queue", detail: `Redis ${masked(redisUrl)} answers (BullMQ)` });
    } finally {
      redis.disconnect();
    }
  } catch (err) {
    checks.push({
      level: "fail",
      what: "queue",
      detail: `Redis ${masked(redisUrl)} does not answer: ${(err as Error).message}`,
      fix: "start Redis or correct HLCONNECT_REDIS_URL",
    });
  }
  return checks;
}

/** The HighLevel API this data dir talks to (the sandbox's in demo mode); the real one by default. */
function baseUrlOf(dataDir: string): string {
  try {
    return readBaseUrl({ HIGHLEVEL_BASE_URL: findBaseUrl(dataDir) });
  } catch {
    return "https://services.leadconnectorhq.com";
  }
}

async function reachCheck(dataDir: string): Promise<Check> {
  let url: string;
  try {
    url = readBaseUrl({ HIGHLEVEL_BASE_URL: findBaseUrl(dataDir) });
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return { level: "fail", what: "highlevel", detail: err.message, fix: "correct HIGHLEVEL_BASE_URL" };
  }
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(REACH_TIMEOUT_MS), redirect: "manual" });
    await res.body?.cancel();
    return { level: "ok", what: "highlevel", detail: `${url} reachable (HTTP ${res.status})` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    return {
      level: "fail",
      what: "highlevel",
      detail: `${url} is not reachable (${cause})`,
      fix: "check the network, proxy and firewall, or HIGHLEVEL_BASE_URL",
    };
  }
}

function octal(mode: number): string {
  return mode.toString(8).padStart(3, "0");
}

/** A URL without its password. */
function masked(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
