// The MCP server: tools/list answers the selected tools, tools/call validates the arguments with the
// entry's own schema (the same field-level messages the CLI prints; nothing is sent to HighLevel for
// invalid arguments) and runs the entry through the catalog runtime with a fresh context. Every
// failure becomes a tool result with isError, so an agent reads HighLevel's message and the server
// carries on.
import { type CatalogContext, CatalogInputError, parseInput, runEntry } from "@hlconnect/catalog";
import { HighLevelError } from "@hlconnect/client";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { APP_VERSION } from "../version.ts";
import { CursorError, MAX_ANSWER_CHARS, runPaged } from "./paging.ts";
import { CURSOR_ARG, type McpTool } from "./tools.ts";

export const SERVER_NAME = "hlconnect";
/** The app's own version (packages/app/package.json), not a copy of it. */
export const SERVER_VERSION = APP_VERSION;
/** One record beyond this (four list answers) is cut; lists are cut to MAX_ANSWER_CHARS by paging. */
export const MAX_RECORD_CHARS = MAX_ANSWER_CHARS * 4;

/** What the server logs (pino's shape); stdio mode hands in a logger writing to stderr. */
export interface McpLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface McpServerOptions {
  tools: McpTool[];
  /** A catalog context for one call: the connection's client and location. */
  context: () => Promise<CatalogContext>;
  logger: McpLogger;
}

const INSTRUCTIONS =
  "Tools for one HighLevel (GoHighLevel) location: contacts, calendars and appointments, opportunities, " +
  "conversations and more. Each tool's annotations say whether it only reads (readOnlyHint) or changes the " +
  "account. Ids come from the list, search and find tools. Custom fields are given by their names, e.g. " +
  '{"customFields": {"Estimated Value": 250000}}. Lists come in parts: pass nextCursor back as cursor.';

export function listedTool(t: McpTool): Tool {
  return {
    name: t.name,
    title: t.annotations.title,
    description: t.description,
    inputSchema: t.inputSchema as Tool["inputSchema"],
    ...(t.outputSchema ? { outputSchema: t.outputSchema as Tool["outputSchema"] } : {}),
    annotations: t.annotations,
  };
}

export function createMcpServer(options: McpServerOptions): Server {
  const byName = new Map(options.tools.map((t) => [t.name, t]));
  const server = new Server(
    { name: SERVER_NAME, version: SERVER_VERSION },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: options.tools.map(listedTool) }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `unknown tool "${request.params.name}": this server offers ${byName.size} tools (see tools/list)`,
      );
    }
    const started = performance.now();
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    try {
      const result = await callTool(tool, args, options.context);
      options.logger.info(
        { tool: tool.name, ms: Math.round(performance.now() - started), ok: true },
        "tool call",
      );
      return result;
    } catch (err) {
      const result = errorResult(err);
      const level = err instanceof HighLevelError || err instanceof CursorError ? "info" : "error";
      options.logger[level](
        {
          tool: tool.name,
          ms: Math.round(performance.now() - started),
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        },
        "tool call failed",
      );
      return result;
    }
  });

  return server;
}

async function callTool(
  tool: McpTool,
  args: Record<string, unknown>,
  context: () => Promise<CatalogContext>,
): Promise<CallToolResult> {
  const entry = tool.entry;
  if (!tool.paged) {
    // Checked before a context exists: bad arguments never reach HighLevel, nor even a token refresh.
    parseInput(entry, args);
    const output = await runEntry(entry, await context(), args);
    return toolResult(output, undefined, Boolean(tool.outputSchema));
  }
  const withoutCursor = { ...args };
  delete withoutCursor[CURSOR_ARG];
  if (args[CURSOR_ARG] === undefined) parseInput(entry, withoutCursor);
  let ctx: CatalogContext | undefined;
  const answer = await runPaged(tool.name, entry, args, async (input) => {
    parseInput(entry, input);
    ctx ??= await context();
    return runEntry(entry, ctx, input);
  });
  return toolResult(answer.output, answer.nextCursor, Boolean(tool.outputSchema));
}

/**
 * The answer as structuredContent and the same JSON as text. Lists are already cut to size (paging.ts);
 * a single record larger than MAX_RECORD_CHARS (a huge transcript, say) comes back cut, as text only,
 * saying so, rather than flooding the agent.
 */
export function toolResult(
  output: unknown,
  nextCursor: string | undefined,
  promised = false,
): CallToolResult {
  const structured: Record<string, unknown> =
    output && typeof output === "object" && !Array.isArray(output)
      ? { ...(output as Record<string, unknown>) }
      : Array.isArray(output)
        ? { items: output }
        : { result: output ?? null };
  if (nextCursor) structured.nextCursor = nextCursor;
  const text = JSON.stringify(structured);
  // An answer an outputSchema promises is never cut: the client would reject it.
  if (text.length > MAX_RECORD_CHARS && !promised) {
    return {
      content: [
        {
          type: "text",
          text:
            `${text.slice(0, MAX_RECORD_CHARS)}\n[cut: the answer is ${text.length} characters; ` +
            `the first ${MAX_RECORD_CHARS} are above. Ask for less: a narrower filter or one record.]`,
        },
      ],
    };
  }
  // Always given (clients that read it need no parsing); promised by outputSchema only where declared.
  return { content: [{ type: "text", text }], structuredContent: structured };
}

/** A tool error an agent can act on: what went wrong, HighLevel's own words, the fields at fault. */
export function errorResult(err: unknown): CallToolResult {
  const lines: string[] = [];
  if (err instanceof CatalogInputError) {
    // The CLI's message, word for word: every field at fault, with what was wrong.
    lines.push(err.message, "Nothing was sent to HighLevel.");
  } else if (err instanceof HighLevelError) {
    lines.push(err.message);
    for (const m of err.messages) if (!err.message.includes(m)) lines.push(`- ${m}`);
    if (err.status !== undefined) lines.push(`(HTTP ${err.status}${err.code ? `, ${err.code}` : ""})`);
  } else if (err instanceof Error) {
    lines.push(err.message);
  } else {
    lines.push(String(err));
  }
  return { isError: true, content: [{ type: "text", text: lines.join("\n") }] };
}
