// `hlconnect api`: the whole v2 surface from the terminal, listed and callable by operation key.
import { getOperation, OPERATIONS } from "@hlconnect/client";
import type { Command } from "commander";
import { clientFromEnv } from "./env.ts";
import { CliError, parseJsonOption } from "./errors.ts";
import { oneOf } from "./suggest.ts";

export function registerApiCommands(program: Command): void {
  const api = program.command("api").description("Every HighLevel v2 operation, listed and callable");

  api
    .command("list")
    .description("List every callable operation")
    .option("--json", "print a JSON array")
    .option("--service <name>", "only this service (contacts, calendars, ...)")
    .action((opts: { json?: boolean; service?: string }) => {
      const service =
        opts.service &&
        oneOf("--service", opts.service, [...new Set(OPERATIONS.map((o) => o.service))].sort());
      const ops = OPERATIONS.filter((o) => !service || o.service === service);
      if (opts.json) {
        const rows = ops.map((o) => ({
          key: o.key,
          operationId: o.operationId,
          service: o.service,
          method: o.method,
          path: o.path,
          version: o.version,
          scopes: o.scopes,
          security: o.security,
          deprecated: o.deprecated,
          summary: o.summary,
        }));
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const width = Math.max(...ops.map((o) => o.key.length));
      for (const o of ops) {
        const flags = o.deprecated ? " (deprecated)" : "";
        process.stdout.write(`${o.key.padEnd(width)}  ${o.method.padEnd(6)} ${o.path}${flags}\n`);
      }
      process.stdout.write(`${ops.length} operations\n`);
    });

  api
    .command("call")
    .description("Call one operation and print its JSON answer")
    .argument("<operation>", "operation key, e.g. get-contact (see `hlconnect api list`)")
    .option("--params <json>", "path and query parameters as one JSON object")
    .option("--body <json>", "the JSON request body")
    .action(async (key: string, opts: { params?: string; body?: string }) => {
      const op = getOperation(key);
      const params = parseJsonOption("--params", opts.params) ?? {};
      if (typeof params !== "object" || Array.isArray(params) || params === null) {
        throw new CliError('--params must be a JSON object, e.g. \'{"contactId":"abc"}\'', 2);
      }
      const body = parseJsonOption("--body", opts.body);
      const answer = await clientFromEnv().callByKey(op.key, params as Record<string, unknown>, body);
      process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    });
}
