// `/mcp` on `hlconnect serve`: the MCP server over Streamable HTTP, behind the API's bearer token.
// Stateless: each POST gets its own server and transport (the tools are the same every time and a
// cursor carries its own state), so nothing is kept between requests and any replica can answer.
// The URL's query chooses what an agent sees: ?toolsets=contacts,calendars&read_only=1&allow_raw=1,
// and where calls go: ?connection=ID&location=ID (default: the only connection, its first location).
import { Hono } from "hono";
import { bearerAuth } from "../server/auth.ts";
import type { ServerDeps } from "../server/deps.ts";
import { errorBody } from "../server/http-errors.ts";

const yes = (v: string | undefined) => v !== undefined && /^(1|true|yes|on|)$/i.test(v);

export function mcpRoutes(deps: ServerDeps, apiToken: string): Hono {
  const app = new Hono();
  app.use("*", bearerAuth(apiToken));

  app.all("/", async (c) => {
    // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE).
    if (c.req.method !== "POST") {
      c.header("Allow", "POST");
      return c.json(errorBody("this MCP endpoint is stateless: send JSON-RPC messages with POST"), 405);
    }
    // The tools (and, below, the MCP SDK) load with the first request: `serve` starts without them.
    const { parseToolsets, selectTools, ToolSelectionError } = await import("./tools.ts");
    let tools: ReturnType<typeof selectTools>;
    try {
      tools = selectTools({
        toolsets: parseToolsets(c.req.query("toolsets")),
        readOnly: yes(c.req.query("read_only")),
        allowRaw: yes(c.req.query("allow_raw")),
      });
    } catch (err) {
      if (err instanceof ToolSelectionError) return c.json(errorBody(err.message), 400);
      throw err;
    }
    const connectionId = c.req.query("connection") || undefined;
    const locationId = c.req.query("location") || undefined;
    const [
      { WebStandardStreamableHTTPServerTransport },
      { createMcpServer },
      { connectionContext, ConnectionChoiceError },
    ] = await Promise.all([
      import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"),
      import("./server.ts"),
      import("./connection.ts"),
    ]);
    const server = createMcpServer({
      tools,
      // Resolved per call: a missing connection is a tool error the agent reads, not a failed request.
      context: async () => {
        try {
          return await (await connectionContext(deps.engine, connectionId, locationId)).context();
        } catch (err) {
          throw withQueryHint(err, ConnectionChoiceError);
        }
      },
      logger: deps.logger,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });

  return app;
}

/**
 * A connection choice that failed, saying how an MCP client chooses over HTTP: the endpoint's URL
 * (the tools take no connection argument; the URL is the client's configuration).
 */
function withQueryHint(err: unknown, choiceError: new (...args: never[]) => Error): unknown {
  if (!(err instanceof choiceError)) return err;
  const problem = (err as Error & { problem?: string }).problem;
  const how =
    problem === "unknown-connection"
      ? "choose one with ?connection=ID in the MCP endpoint's URL (without it: the default connection)"
      : problem === "location"
        ? "choose the location with ?location=ID in the MCP endpoint's URL"
        : undefined;
  return how ? new Error(`${err.message}; ${how}`) : err;
}
