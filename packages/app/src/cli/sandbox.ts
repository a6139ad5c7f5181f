// `hlconnect sandbox`: the local HighLevel emulator, for trying flows and for tests.
import { startSandbox } from "@hlconnect/sandbox";
import type { Command } from "commander";
import { CliError } from "./errors.ts";

export function registerSandboxCommand(program: Command): void {
  program
    .command("sandbox")
    .description("Serve a local emulator of the HighLevel v2 API (no real account touched)")
    .option("--port <n>", "port to listen on", "4100")
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--db <file>", "SQLite file that keeps the sandbox's state (default: in memory)")
    .option("--seed <n>", "seed for deterministic fixture ids", "1")
    .option("--rate-limit <max/windowMs>", "burst limit, e.g. 100/10000")
    .option("--webhook-url <url>", "where to send signed webhook events")
    .option("--json", "print the start object as the first stdout line")
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const port = toInt("--port", opts.port);
      const seed = toInt("--seed", opts.seed);
      let rateLimit: { max: number; windowMs: number } | undefined;
      if (typeof opts.rateLimit === "string") {
        const m = /^(\d+)\/(\d+)$/.exec(opts.rateLimit);
        if (!m)
          throw new CliError(
            `--rate-limit must look like MAX/WINDOW_MS (e.g. 100/10000), got "${opts.rateLimit}"`,
            2,
          );
        rateLimit = { max: Number(m[1]), windowMs: Number(m[2]) };
      }
      const sandbox = await startSandbox({
        port,
        host: String(opts.host),
        seed,
        ...(typeof opts.db === "string" ? { dbFile: opts.db } : {}),
        ...(rateLimit ? { rateLimit } : {}),
        ...(typeof opts.webhookUrl === "string" ? { webhookUrl: opts.webhookUrl } : {}),
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(sandbox.info)}\n`);
      else {
        const i = sandbox.info;
        process.stdout.write(
          `HighLevel sandbox listening on ${i.baseUrl}\n` +
            `  company  ${i.companyId}\n  location ${i.locationId} (Demo Realty)\n` +
            `  export HIGHLEVEL_BASE_URL=${i.baseUrl} HIGHLEVEL_TOKEN=${i.locationToken} HIGHLEVEL_LOCATION_ID=${i.locationId}\n`,
        );
      }
      const stop = async () => {
        await sandbox.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
}

function toInt(name: string, v: unknown): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError(`${name} must be a whole number, got "${String(v)}"`, 2);
  return n;
}
