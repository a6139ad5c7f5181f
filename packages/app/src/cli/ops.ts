// `hlconnect ops`: the catalog's triggers and actions, listed, described, run and polled.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  CATALOG,
  createContext,
  describeEntry,
  getEntry,
  type PollCursor,
  pollEntry,
  resolveExample,
  runEntry,
  summarize,
} from "@hlconnect/catalog";
import type { Command } from "commander";
import { clientFromEnv } from "./env.ts";
import { CliError, parseJsonOption } from "./errors.ts";

export function registerOpsCommands(program: Command): void {
  const ops = program.command("ops").description("Triggers and actions of the catalog");

  ops
    .command("list")
    .description("List catalog entries")
    .option("--json", "print a JSON array")
    .option("--category <name>", "only this category")
    .option("--kind <kind>", "trigger or action")
    .action((opts: { json?: boolean; category?: string; kind?: string }) => {
      const rows = CATALOG.filter(
        (e) =>
          (!opts.category || e.category.toLowerCase() === opts.category.toLowerCase()) &&
          (!opts.kind || e.kind === opts.kind),
      ).map(summarize);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const w = Math.max(...rows.map((r) => r.key.length));
      let category = "";
      for (const r of rows) {
        if (r.category !== category) {
          category = r.category;
          process.stdout.write(`\n${category}\n`);
        }
        process.stdout.write(`  ${r.key.padEnd(w)}  ${r.kind.padEnd(7)} ${r.name}\n`);
      }
      process.stdout.write(`\n${rows.length} entries\n`);
    });

  ops
    .command("describe")
    .description("Inputs, outputs, scopes and example of one entry")
    .argument("<key>", "entry key or seed name")
    .action((key: string) => {
      process.stdout.write(`${JSON.stringify(describeEntry(getEntry(key)), null, 2)}\n`);
    });

  ops
    .command("run")
    .description("Validate an input and run the entry against HighLevel (HIGHLEVEL_* environment)")
    .argument("<key>", "entry key or seed name")
    .option("--input <json>", "the input as a JSON object")
    .option("--example", "run the entry's own example")
    .option("--json", "print compact JSON")
    .action(async (key: string, opts: { input?: string; example?: boolean; json?: boolean }) => {
      const entry = getEntry(key);
      if (!opts.input && !opts.example) throw new CliError("give --input JSON or --example", 2);
      const ctx = createContext({ client: clientFromEnv() });
      const input = opts.example
        ? await resolveExample(ctx, entry.example)
        : parseJsonOption("--input", opts.input);
      const out = await runEntry(entry, ctx, input);
      process.stdout.write(`${opts.json ? JSON.stringify(out) : JSON.stringify(out, null, 2)}\n`);
    });

  ops
    .command("poll")
    .description("Run one poll of a polling trigger and print the new items")
    .argument("<key>", "trigger key or seed name")
    .option("--input <json>", "the trigger's input as a JSON object")
    .option("--state <file>", "where the trigger's cursor is kept between polls")
    .action(async (key: string, opts: { input?: string; state?: string }) => {
      const entry = getEntry(key);
      let cursor: PollCursor | undefined;
      if (opts.state && existsSync(opts.state)) {
        try {
          cursor = JSON.parse(readFileSync(opts.state, "utf8")) as PollCursor;
        } catch (err) {
          throw new CliError(`--state ${opts.state} is not a cursor file: ${(err as Error).message}`, 2);
        }
      }
      const ctx = createContext({ client: clientFromEnv() });
      const r = await pollEntry(entry, ctx, parseJsonOption("--input", opts.input) ?? {}, cursor);
      if (opts.state) writeFileSync(opts.state, `${JSON.stringify(r.cursor)}\n`);
      process.stdout.write(
        `${JSON.stringify({ items: r.items, requests: r.requests, firstPoll: !cursor }, null, 2)}\n`,
      );
    });
}
