// `hlconnect mcp`: the catalog as Model Context Protocol tools over stdio, for an AI agent's client
// (Claude Desktop, Cursor, VS Code...). stdout carries the protocol, so every log line goes to stderr.
import type { Command } from "commander";
import type { ContextSource } from "../mcp/connection.ts";
import { ALL_TOOLSETS, DEFAULT_TOOLSETS } from "../mcp/toolsets.ts";
import { DATA_HELP } from "./data.ts";
import { CliError } from "./errors.ts";

interface McpOptions {
  connection?: string;
  location?: string;
  data?: string;
  toolsets?: string;
  readOnly?: boolean;
  allowRaw?: boolean;
  list?: boolean;
  json?: boolean;
}

export function registerMcpCommand(program: Command): void {
  program
    .command("mcp")
    .description("Serve the catalog as MCP tools over stdio (for AI agents)")
    .option("--connection <id>", "a connection of the data dir (default: HIGHLEVEL_* variables)")
    .option("--location <id>", "the location to work on (default: the connection's first)")
    .option("--data <dir>", DATA_HELP)
    .option(
      "--toolsets <names>",
      `categories, comma-separated (e.g. contacts,conversations), or ${ALL_TOOLSETS} (default: ${DEFAULT_TOOLSETS.join(",")})`,
    )
    .option("--read-only", "only tools that read")
    .option("--allow-raw", "add the raw API request tool (any endpoint)")
    .option("--list", "print the tools this selection gives and exit")
    .option("--json", "with --list: print JSON")
    .addHelpText(
      "after",
      `
Without --connection the tools use HIGHLEVEL_TOKEN, HIGHLEVEL_LOCATION_ID (and HIGHLEVEL_COMPANY_ID,
HIGHLEVEL_BASE_URL) like \`hlconnect ops\`. Client configuration: docs/mcp.md.`,
    )
    .action(async (opts: McpOptions) => {
      const { parseToolsets, selectTools, ToolSelectionError } = await import("../mcp/tools.ts");
      let tools: ReturnType<typeof selectTools>;
      try {
        tools = selectTools({
          toolsets: parseToolsets(opts.toolsets),
          readOnly: opts.readOnly === true,
          allowRaw: opts.allowRaw === true,
        });
      } catch (err) {
        if (err instanceof ToolSelectionError) throw new CliError(`--toolsets: ${err.message}`, 2);
        throw err;
      }
      if (opts.list) return printTools(tools, opts.json === true);
      await serveStdio(tools, opts);
    });
}

function printTools(tools: import("../mcp/tools.ts").McpTool[], json: boolean): void {
  if (json) {
    const rows = tools.map((t) => ({
      name: t.name,
      entry: t.entry.key,
      toolset: t.toolset,
      effect: t.effect,
      paged: t.paged,
      annotations: t.annotations,
    }));
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const w = Math.max(...tools.map((t) => t.name.length), 4);
  for (const t of tools) process.stdout.write(`${t.name.padEnd(w)}  ${t.effect.padEnd(5)}  ${t.toolset}\n`);
  process.stdout.write(`\n${tools.length} tools\n`);
}

async function serveStdio(tools: import("../mcp/tools.ts").McpTool[], opts: McpOptions): Promise<void> {
  const [{ StdioServerTransport }, { createMcpServer }, { createLogger }, conn] = await Promise.all([
    import("@modelcontextprotocol/sdk/server/stdio.js"),
    import("../mcp/server.ts"),
    import("../server/logging.ts"),
    import("../mcp/connection.ts"),
  ]);
  const logger = createLogger({ stream: process.stderr, level: process.env.HLCONNECT_LOG_LEVEL ?? "info" });

  let source: ContextSource;
  let companyIdHelp: string | undefined;
  let close = async () => {};
  try {
    if (opts.connection) {
      const { openEngine } = await import("./data.ts");
      const { engine } = await openEngine({
        data: opts.data,
        mustExist: true,
        secretNeededFor: "the connection's token is stored encrypted with it",
      });
      close = () => engine.stop();
      source = await conn.connectionContext(engine, opts.connection, opts.location);
    } else if (process.env.HIGHLEVEL_TOKEN?.trim()) {
      const { clientFromEnv } = await import("./env.ts");
      const env = opts.location ? { ...process.env, HIGHLEVEL_LOCATION_ID: opts.location } : process.env;
      source = conn.clientContext(clientFromEnv(env));
      companyIdHelp =
        "HIGHLEVEL_COMPANY_ID is not set, and HighLevel needs the agency (company) id here: set it in the " +
        "MCP client's configuration, next to HIGHLEVEL_TOKEN. It is the companyId of the location (the " +
        "locations_get tool shows it).";
    } else {
      throw new CliError(
        "no HighLevel connection: pass --connection ID (see `hlconnect connections list`) or set " +
          "HIGHLEVEL_TOKEN and HIGHLEVEL_LOCATION_ID (e.g. from `hlconnect sandbox --json`)",
        2,
      );
    }
  } catch (err) {
    await close();
    if (err instanceof conn.ConnectionChoiceError) {
      const how =
        err.problem === "unknown-connection"
          ? " (pass one of them to --connection; `hlconnect connections list` shows them)"
          : err.problem === "location"
            ? ": pass --location ID"
            : "";
      throw new CliError(`${err.message}${how}`, 2);
    }
    throw err;
  }

  const server = createMcpServer({
    tools,
    context: source.context,
    logger,
    ...(companyIdHelp ? { companyIdHelp } : {}),
  });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  logger.info({ tools: tools.length, target: source.describe }, "MCP server ready on stdio");
  await closed;
  await server.close().catch(() => {});
  await close();
}
