// `hlconnect ops`: the catalog's triggers and actions, listed, described, run and polled.
// Listing reads the generated summaries; the catalog itself (input schemas for ~200 entries) loads
// only for the commands that describe, run or poll an entry.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { PollCursor } from "@hlconnect/catalog";
import { categories, SUMMARIES } from "@hlconnect/catalog/summaries";
import type { Command } from "commander";
import { connectionFromOptions } from "./env.ts";
import { CliError, parseJsonOption } from "./errors.ts";
import { formatDescription } from "./ops-describe.ts";
import { oneOf } from "./suggest.ts";

const KINDS = ["trigger", "action"];

export function registerOpsCommands(program: Command): void {
  const ops = program.command("ops").description("Triggers and actions of the catalog");

  ops
    .command("list")
    .description("List catalog entries")
    .option("--json", "print a JSON array")
    .option("--category <name>", "only this category (see the headings of `hlconnect ops list`)")
    .option("--kind <kind>", "trigger or action")
    .action((opts: { json?: boolean; category?: string; kind?: string }) => {
      const category = opts.category && oneOf("--category", opts.category, categories());
      const kind = opts.kind && oneOf("--kind", opts.kind, KINDS);
      const rows = SUMMARIES.filter(
        (e) => (!category || e.category === category) && (!kind || e.kind === kind),
      );
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const w = Math.max(...rows.map((r) => r.key.length));
      let heading = "";
      for (const r of rows) {
        if (r.category !== heading) {
          heading = r.category;
          process.stdout.write(`\n${heading}\n`);
        }
        process.stdout.write(`  ${r.key.padEnd(w)}  ${r.kind.padEnd(7)} ${r.name}\n`);
      }
      process.stdout.write(`\n${rows.length} entries\n`);
    });

  ops
    .command("describe")
    .description("Inputs, outputs, scopes and example of one entry")
    .argument("<key>", "entry key or seed name")
    .option("--json", "print the description as JSON (input as JSON Schema)")
    .action(async (key: string, opts: { json?: boolean }) => {
      const { describeEntry } = await import("@hlconnect/catalog");
      const d = describeEntry(await entryOf(key));
      process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : formatDescription(d));
    });

  ops
    .command("run")
    .description("Validate an input and run the entry against HighLevel (HIGHLEVEL_* environment)")
    .argument("<key>", "entry key or seed name")
    .option("--input <json>", "the input as a JSON object")
    .option("--example", "run the entry's own example")
    .option("--connection <id>", "use this connection of the data dir instead of HIGHLEVEL_* tokens")
    .option("--data <dir>", "data directory of --connection (default ./.hlconnect)")
    .option("--json", "print compact JSON")
    .action(
      async (
        key: string,
        opts: { input?: string; example?: boolean; json?: boolean; connection?: string; data?: string },
      ) => {
        if (!opts.input && !opts.example) throw new CliError("give --input JSON or --example", 2);
        const input = opts.input ? parseJsonOption("--input", opts.input) : undefined;
        const entry = await entryOf(key);
        const { createContext, resolveExample, runEntry } = await import("@hlconnect/catalog");
        const { client, close } = await connectionFromOptions(opts);
        let out: unknown;
        try {
          const ctx = createContext({ client });
          out = await runEntry(entry, ctx, opts.example ? await resolveExample(ctx, entry.example) : input);
        } finally {
          await close?.();
        }
        process.stdout.write(`${opts.json ? JSON.stringify(out) : JSON.stringify(out, null, 2)}\n`);
      },
    );

  ops
    .command("poll")
    .description("Run one poll of a polling trigger and print the new items")
    .argument("<key>", "trigger key or seed name")
    .option("--input <json>", "the trigger's input as a JSON object")
    .option("--state <file>", "where the trigger's cursor is kept between polls")
    .option("--connection <id>", "use this connection of the data dir instead of HIGHLEVEL_* tokens")
    .option("--data <dir>", "data directory of --connection (default ./.hlconnect)")
    .action(
      async (key: string, opts: { input?: string; state?: string; connection?: string; data?: string }) => {
        const input = parseJsonOption("--input", opts.input) ?? {};
        let cursor: PollCursor | undefined;
        if (opts.state && existsSync(opts.state)) {
          try {
            cursor = JSON.parse(readFileSync(opts.state, "utf8")) as PollCursor;
          } catch (err) {
            throw new CliError(`--state ${opts.state} is not a cursor file: ${(err as Error).message}`, 2);
          }
        }
        const entry = await entryOf(key);
        const { createContext, pollEntry } = await import("@hlconnect/catalog");
        const { client, close } = await connectionFromOptions(opts);
        let r: Awaited<ReturnType<typeof pollEntry>>;
        try {
          r = await pollEntry(entry, createContext({ client }), input, cursor);
        } finally {
          await close?.();
        }
        if (opts.state) writeFileSync(opts.state, `${JSON.stringify(r.cursor)}\n`);
        process.stdout.write(
          `${JSON.stringify({ items: r.items, requests: r.requests, firstPoll: !cursor }, null, 2)}\n`,
        );
      },
    );
}

/** The entry by key or seed name (an unknown one is refused naming the closest keys). */
async function entryOf(key: string) {
  const { getEntry } = await import("@hlconnect/catalog");
  return getEntry(key);
}
