// The hlconnect command line. Each command group lives in its own module; this file wires them
// together and turns any error into a readable message and a non-zero exit.
//
// Modules load on demand: a command loads only its own group (an import need not pay for the
// server, the engine or the catalog), while help and unknown commands load them all.
import { Command, CommanderError } from "commander";
import { CliError } from "./errors.ts";

type Register = (program: Command) => void;

/** Command group name -> the module that registers it. */
const GROUPS: Record<string, () => Promise<Register>> = {
  api: async () => (await import("./api.ts")).registerApiCommands,
  ops: async () => (await import("./ops.ts")).registerOpsCommands,
  sandbox: async () => (await import("./sandbox.ts")).registerSandboxCommand,
  serve: async () => (await import("./serve.ts")).registerServeCommand,
  flows: async () => (await import("./flows.ts")).registerFlowsCommands,
  runs: async () => (await import("./runs.ts")).registerRunsCommands,
  connections: async () => (await import("./connections.ts")).registerConnectionsCommands,
  import: async () => (await import("./import.ts")).registerImportCommands,
  templates: async () => (await import("./templates.ts")).registerTemplatesCommands,
};

/** The program with every group, or only `only` when it names one. */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command("hlconnect")
    .description("Self-hosted automation connector for the HighLevel (LeadConnector) CRM")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  const names = only && only in GROUPS ? [only] : Object.keys(GROUPS);
  for (const name of names) (await GROUPS[name]!())(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const first = argv[2];
    await (await buildProgram(first && !first.startsWith("-") ? first : undefined)).parseAsync(argv);
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
