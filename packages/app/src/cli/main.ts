// The hlconnect command line. Each command group lives in its own module; this file wires them
// together and turns any error into a readable message and a non-zero exit.
//
// Modules load on demand: a command loads only its own group (an import need not pay for the
// server, the engine or the catalog). The top-level help, --version and unknown commands load none:
// they use the one-line summaries below (a test keeps them equal to the groups' own descriptions).
import { Command, CommanderError } from "commander";
import pkg from "../../package.json" with { type: "json" };
import { CliError } from "./errors.ts";
import { quietOnClosedPipe } from "./pipe.ts";

type Register = (program: Command) => void;

/** Command group name -> the module that registers it. */
export const GROUPS: Record<string, () => Promise<Register>> = {
  api: async () => (await import("./api.ts")).registerApiCommands,
  ops: async () => (await import("./ops.ts")).registerOpsCommands,
  sandbox: async () => (await import("./sandbox.ts")).registerSandboxCommand,
  serve: async () => (await import("./serve.ts")).registerServeCommand,
  flows: async () => (await import("./flows.ts")).registerFlowsCommands,
  runs: async () => (await import("./runs.ts")).registerRunsCommands,
  connections: async () => (await import("./connections.ts")).registerConnectionsCommands,
  import: async () => (await import("./import.ts")).registerImportCommands,
  templates: async () => (await import("./templates.ts")).registerTemplatesCommands,
  export: async () => (await import("./export.ts")).registerExportCommands,
  mcp: async () => (await import("./mcp.ts")).registerMcpCommand,
  doctor: async () => (await import("./doctor.ts")).registerDoctorCommand,
  worker: async () => (await import("./worker.ts")).registerWorkerCommand,
  db: async () => (await import("./db.ts")).registerDbCommands,
};

/** What `hlconnect --help` says of each group without loading it (a group left out here is loaded). */
export const SUMMARIES: Record<string, string> = {
  api: "Every HighLevel v2 operation, listed and callable",
  ops: "Triggers and actions of the catalog",
  sandbox: "Serve a local emulator of the HighLevel v2 API (no real account touched)",
  serve: "Run flows: the engine with its HTTP API, webhook endpoints, /healthz and /metrics",
  flows: "Flows: list, validate, enable, disable, run once",
  runs: "Runs: list, show, replay",
  connections: "HighLevel connections: add, oauth, list, test, edit, remove",
  import: "Import leads from other tools into HighLevel",
  templates: "Ready flows to start from: list them, copy one",
  export: "Generate front ends from the catalog",
  mcp: "Serve the catalog as MCP tools over stdio (for AI agents)",
  doctor: "Check this installation: Node, data dir, secret, store, queue, connections, HighLevel",
  worker: "Run flows' runs from the shared queue (PostgreSQL + Redis deployments)",
  db: "The PostgreSQL database of a scaled-out deployment",
};

export const VERSION: string = pkg.version;

/** The program with every group, or only `only` when it names one. */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command("hlconnect")
    .description("Self-hosted automation connector for the HighLevel (LeadConnector) CRM")
    .version(VERSION, "-V, --version", "print the version")
    .showHelpAfterError()
    .exitOverride();
  if (only && only in GROUPS) {
    (await GROUPS[only]!())(program);
    return program;
  }
  for (const name of Object.keys(GROUPS)) {
    const summary = SUMMARIES[name];
    if (summary) program.command(name).description(summary).helpOption(false);
    else (await GROUPS[name]!())(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  try {
    const first = argv[2];
    // `hlconnect help ops` is `hlconnect ops --help`: it needs the group itself.
    const group = first === "help" && argv[3] && argv[3] in GROUPS ? argv[3] : first;
    await (await buildProgram(group && !group.startsWith("-") ? group : undefined)).parseAsync(argv);
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
