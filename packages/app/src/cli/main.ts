// The hlconnect command line. Each command group lives in its own module; this file wires them
// together and turns any error into a readable message and a non-zero exit.
import { Command, CommanderError } from "commander";
import { registerApiCommands } from "./api.ts";
import { registerConnectionsCommands } from "./connections.ts";
import { CliError } from "./errors.ts";
import { registerFlowsCommands } from "./flows.ts";
import { registerImportCommands } from "./import.ts";
import { registerOpsCommands } from "./ops.ts";
import { registerRunsCommands } from "./runs.ts";
import { registerSandboxCommand } from "./sandbox.ts";
import { registerServeCommand } from "./serve.ts";
import { registerTemplatesCommands } from "./templates.ts";

export function buildProgram(): Command {
  const program = new Command("hlconnect")
    .description("Self-hosted automation connector for the HighLevel (LeadConnector) CRM")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  registerApiCommands(program);
  registerOpsCommands(program);
  registerSandboxCommand(program);
  registerServeCommand(program);
  registerFlowsCommands(program);
  registerRunsCommands(program);
  registerConnectionsCommands(program);
  registerImportCommands(program);
  registerTemplatesCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`hlconnect: ${describeError(err)}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
