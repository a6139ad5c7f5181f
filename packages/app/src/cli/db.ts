// `hlconnect db migrate`: apply the PostgreSQL schema's pending migrations (every process also does it
// when it starts, under the same advisory lock; this is for upgrades done as a separate step).
import {
  checkSchemaName,
  createPool,
  migratePg,
  pgSchemaVersion,
  unreachable,
} from "@hlconnect/engine/store/postgres/db";
import type { Command } from "commander";
import { CliError } from "./errors.ts";
import { write } from "./format.ts";
import { addScaleOptions, type ScaleOptions, scaleNames } from "./scale.ts";

export function registerDbCommands(program: Command): void {
  const db = program.command("db").description("The PostgreSQL database of a scaled-out deployment");
  addScaleOptions(
    db
      .command("migrate")
      .description("Apply pending schema migrations (safe while other processes start or run)")
      .option("--json", "print {schema, from, to}"),
  ).action((opts: ScaleOptions & { json?: boolean }) => migrate(opts));
}

async function migrate(opts: ScaleOptions & { json?: boolean }): Promise<void> {
  const url = (opts.databaseUrl ?? process.env.HLCONNECT_DATABASE_URL)?.trim();
  if (!url) throw new CliError("hlconnect db migrate needs HLCONNECT_DATABASE_URL or --database-url", 2);
  if (!/^postgres(ql)?:\/\//.test(url)) throw new CliError("the database URL must start with postgres://", 2);
  const schema = scaleNames().schema ?? "hlconnect";
  try {
    checkSchemaName(schema);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  const pool = createPool({ url, schema, max: 1 });
  try {
    try {
      await pool.query("SELECT 1");
    } catch (err) {
      throw new CliError(unreachable(url, err).message);
    }
    const before = await pgSchemaVersion(pool, schema);
    const { to } = await migratePg(pool, schema);
    if (opts.json) write(JSON.stringify({ schema, from: before, to }));
    else
      write(
        before === to
          ? `schema ${schema} is up to date (version ${to})`
          : `schema ${schema} migrated from version ${before} to ${to}`,
      );
  } finally {
    await pool.end().catch(() => {});
  }
}
