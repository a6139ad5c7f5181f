// The MCP server: tools/list answers the selected tools, tools/call validates the arguments with the
// entry's own schema (the same field-level messages the CLI prints; nothing is sent to HighLevel for
// invalid arguments) and runs the entry through the catalog runtime with a fresh context. Every
// failure becomes a tool result with isError, so an agent reads HighLevel's message and the server
// carries on.
import { type CatalogContext, CatalogInputError, parseInput, runEntry } from "@hlconnect/catalog";
import { HighLevelError } from "@hlconnect/client";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { Protocol } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  CallToolRequestParamsSchema,
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
  /**
   * Said when HighLevel needs the agency (company) id and the connection has none, naming where to
   * set it for this server's kind of connection (default: a stored connection's).
   */
  companyIdHelp?: string;
}

/** Where a stored connection's company id is set (the web app's form or its API; no CLI command edits it). */
export const STORED_COMPANY_ID_HELP =
  "The connection has no company (agency) id, which HighLevel needs here: set it on the web app's " +
  "Connections page (Company ID), with `hlconnect connections edit CONNECTION_ID --company-id ...`, " +
  'or with PUT /api/connections/CONNECTION_ID {"companyId": "..."}. ' +
  "It is the companyId of the location (the locations_get tool shows it).";

const INSTRUCTIONS =
  "Tools for one HighLevel (GoHighLevel) location: contacts, calendars and appointments, opportunities, " +
  "conversations and more. Each tool's annotations say whether it only reads (readOnlyHint) or changes the " +
  "account. Ids come from the list, search and find tools. Custom fields are given by their names, e.g. " +
  '{"customFields": {"Estimated Value": 250000}}. Lists come in parts: pass nextCursor back as cursor.';

/**
 * tools/call with `arguments` of any JSON type. The SDK's own schema refuses a non-object `arguments`
 * before any handler runs, answering zod's raw issue list as an internal error (-32603); with this one
 * the request reaches callHandler, which answers an invalid-params error an agent can act on.
 */
const anyValue = CallToolRequestParamsSchema.shape.arguments.unwrap().valueType; // the SDK's own zod, no import of ours
const CallToolAnyArguments = CallToolRequestSchema.extend({
  params: CallToolRequestParamsSchema.extend({ arguments: anyValue.optional() }),
});

/** The arguments as an object, or an invalid-params error saying what was sent instead. */
export function argumentsObject(tool: string, args: unknown): Record<string, unknown> {
  if (args === undefined || args === null) return {};
  if (typeof args === "object" && !Array.isArray(args)) return args as Record<string, unknown>;
  const got = Array.isArray(args) ? "an array" : `a ${typeof args}`;
  throw new McpError(
    ErrorCode.InvalidParams,
    `${tool}: "arguments" must be a JSON object of the tool's inputs (e.g. {"contactId": "..."}), not ${got}; ` +
      "see the tool's inputSchema in tools/list",
  );
}

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

  const callHandler = async (request: {
    params: { name: string; arguments?: unknown };
  }): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `unknown tool "${request.params.name}": this server offers ${byName.size} tools (see tools/list)`,
      );
    }
    const started = performance.now();
    const args = argumentsObject(tool.name, request.params.arguments);
    try {
      const result = await callTool(tool, args, options.context);
      options.logger.info(
        { tool: tool.name, ms: Math.round(performance.now() - started), ok: true },
        "tool call",
      );
      return result;
    } catch (err) {
      const result = errorResult(err, options.companyIdHelp ?? STORED_COMPANY_ID_HELP);
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
  };
  // Registered through Protocol's method, not Server's: Server's wraps the handler in the SDK's own
  // tools/call schema again (see CallToolAnyArguments). Results are built by toolResult/errorResult.
  Protocol.prototype.setRequestHandler.call(
    server,
    CallToolAnyArguments as unknown as typeof CallToolRequestSchema,
    callHandler as unknown as Parameters<Server["setRequestHandler"]>[1],
  );

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
export function errorResult(err: unknown, companyIdHelp = STORED_COMPANY_ID_HELP): CallToolResult {
  const lines: string[] = [];
  if (err instanceof CatalogInputError) {
    // The CLI's message, word for word: every field at fault, with what was wrong.
    lines.push(err.message, "Nothing was sent to HighLevel.");
  } else if (err instanceof HighLevelError) {
    lines.push(err.message);
    for (const m of err.messages) if (!err.message.includes(m)) lines.push(`- ${m}`);
    if (err.status !== undefined) lines.push(`(HTTP ${err.status}${err.code ? `, ${err.code}` : ""})`);
    // The request was not sent: the operation takes the agency's id and the connection has none.
    if (err.messages.some((m) => m.includes('parameter "companyId"'))) lines.push(companyIdHelp);
  } else if (err instanceof Error) {
    lines.push(err.message);
  } else {
    lines.push(String(err));
  }
  return { isError: true, content: [{ type: "text", text: lines.join("\n") }] };
}
