// `/mcp` on the HTTP server (Streamable HTTP), driven by the MCP SDK's own client over a real socket:
// the server runs over an Engine whose stored connection points at a sandbox.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type CallToolResult, CallToolResultSchema, ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TOOLSETS, selectTools } from "../src/mcp/tools.ts";
import { createApp } from "../src/server/app.ts";
import { type Listening, listen } from "../src/server/listen.ts";
import {
  checkToolList,
  errorText,
  expectedName,
  listAll,
  RAW,
  RUNNABLE,
  referencedTools,
  representativeCalls,
  requestsDuring,
  structured,
} from "./mcp-scenario.ts";
import { quietLogger } from "./web-helpers.ts";

const API_TOKEN = "mcp-http-test-api-token-9d2e";
const SECRET = "an-mcp-http-test-passphrase-long-enough";

let sandbox: Sandbox;
let engine: Engine;
let server: Listening;
let dataDir: string;
let connectionId: string;
const clients: Client[] = [];

async function connect(query = "", token = API_TOKEN): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp${query}`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "mcp-http-test", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  // A one-second rate-limit window, so waiting out an injected 429 is short.
  sandbox = await startSandbox({ port: 0, seed: 21, rateLimit: { max: 100, windowMs: 1000 } });
  dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-mcp-http-"));
  engine = await Engine.open({ dataDir, secret: SECRET, baseUrl: sandbox.info.baseUrl });
  const record = await engine.addConnection(
    { label: "Sandbox", kind: "pit", locationIds: [sandbox.info.locationId] },
    { privateToken: sandbox.info.locationToken },
  );
  connectionId = record.id;
  const { app } = createApp({ engine, apiToken: API_TOKEN, logger: quietLogger() });
  server = await listen({ port: 0, host: "127.0.0.1" });
  server.setApp(app);
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await server?.close();
  await engine?.stop();
  await sandbox?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("/mcp (Streamable HTTP)", () => {
  it("needs the API's bearer token", async () => {
    const res = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
    await expect(connect("", "wrong-token")).rejects.toThrow();
  });

  it("lists the catalog's tools and calls representative ones through the stored connection", async () => {
    const client = await connect(`?connection=${connectionId}&toolsets=all`);
    const tools = await listAll(client);
    expect(tools.length).toBe(RUNNABLE.length - RAW.length);
    checkToolList(tools, { allowRaw: false });
    expect(await representativeCalls(client, "http")).toBeGreaterThanOrEqual(15);
  });

  it("turns failures into tool errors and sends nothing for invalid arguments", async () => {
    // No ?connection: the only connection is used.
    const client = await connect();
    const failing = (await client.callTool({
      name: "opportunities_get",
      arguments: { id: "no-such-opportunity-000" },
    })) as CallToolResult;
    expect(errorText(failing)).toMatch(/HTTP (400|404|422)/);

    let r: CallToolResult | undefined;
    const sent = await requestsDuring(sandbox.info.baseUrl, async () => {
      r = (await client.callTool({
        name: "contacts_tasks_create",
        arguments: { contactId: "", title: "Call", dueDate: "someday" },
      })) as CallToolResult;
    });
    expect(sent).toEqual([]);
    const text = errorText(r!);
    expect(text).toContain("highlevel.contacts.tasks.create: invalid input");
    expect(text).toContain("contactId:");
    expect(text).toContain('dueDate: Due "someday" is not a date or time I can read');

    const unknownConnection = await connect("?connection=nope");
    const refused = (await unknownConnection.callTool({
      name: "calendars_list",
      arguments: {},
    })) as CallToolResult;
    expect(errorText(refused)).toContain('there is no connection "nope"');
    expect(
      structured((await client.callTool({ name: "calendars_list", arguments: {} })) as CallToolResult),
    ).toHaveProperty("calendars");
  });

  it("shapes rate limits as the client does everywhere: a 429 waits and the call succeeds", async () => {
    const client = await connect();
    sandbox.setFaults({ rate: 0.5, kinds: ["429"], seed: 7, match: { operationId: "get-calendars" } });
    try {
      const sent = await requestsDuring(sandbox.info.baseUrl, async () => {
        for (let i = 0; i < 4; i++) {
          const r = (await client.callTool({ name: "calendars_list", arguments: {} })) as CallToolResult;
          expect(structured(r).calendars).toBeDefined();
        }
      });
      const statuses = sent.map((r) => r.status);
      expect(statuses).toContain(429);
      expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    } finally {
      sandbox.setFaults(null);
    }
  });

  it("selects tools from the query: read_only, toolsets, allow_raw; unknown toolsets are a 400", async () => {
    const readOnly = await listAll(await connect("?read_only=1&toolsets=all"));
    expect(readOnly.length).toBeGreaterThan(50);
    for (const t of readOnly) expect(t.annotations?.readOnlyHint, t.name).toBe(true);

    const some = await listAll(await connect("?toolsets=opportunities,users&allow_raw=1"));
    const expected = RUNNABLE.filter((e) => ["Opportunities", "Users"].includes(e.category));
    const chosen = expected.map((e) => expectedName(e.key));
    expect(some.map((t) => t.name)).toEqual(expect.arrayContaining(chosen));
    // Beside them only the reads their inputs take ids from (the contact of an opportunity).
    const referenced = referencedTools(some);
    for (const t of some.filter((x) => !chosen.includes(x.name))) {
      expect(t.annotations?.readOnlyHint && referenced.has(t.name), t.name).toBe(true);
    }

    const res = await fetch(`${server.url}/mcp?toolsets=contacts,bogus`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${API_TOKEN}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('unknown toolset "bogus"');

    const get = await fetch(`${server.url}/mcp`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(get.status).toBe(405);

    // Garbage is a JSON-RPC parse error, and the endpoint carries on.
    const garbage = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${API_TOKEN}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: "{not json",
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect((await listAll(await connect("?toolsets=businesses"))).length).toBeGreaterThan(0);
    // No toolsets: the default ones (and the lookups their fields need), not all ~140 tools.
    const byDefault = await listAll(await connect());
    expect(new Set(byDefault.map((t) => t.name))).toEqual(
      new Set(selectTools({ toolsets: DEFAULT_TOOLSETS }).map((t) => t.name)),
    );
    expect(byDefault.length).toBeLessThan(RUNNABLE.length - RAW.length);
  });

  it("answers arguments that are not an object with an invalid-params error naming the tool", async () => {
    const client = await connect();
    const call = client.request(
      { method: "tools/call", params: { name: "contacts_get", arguments: "abc" as never } },
      CallToolResultSchema,
    );
    await expect(call).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    await expect(call).rejects.toThrow(/contacts_get: "arguments" must be a JSON object .* not a string/);
  });

  // Last: it adds a second connection (unnamed calls then use the default, the first added).
  it("names the ?connection= query parameter when the named connection does not exist", async () => {
    const refused = (await (
      await connect("?connection=nope")
    ).callTool({
      name: "calendars_list",
      arguments: {},
    })) as CallToolResult;
    expect(errorText(refused)).toContain(
      `there is no connection "nope"; connections: ${connectionId} ("Sandbox"); choose one with ?connection=ID in the MCP endpoint's URL`,
    );
    const second = await engine.addConnection(
      { label: "Second", kind: "pit", locationIds: [sandbox.info.locationId] },
      { privateToken: sandbox.info.locationToken },
    );
    for (const query of ["", `?connection=${second.id}`]) {
      const client = await connect(query);
      const r = (await client.callTool({ name: "calendars_list", arguments: {} })) as CallToolResult;
      expect(structured(r), query).toHaveProperty("calendars");
    }
  });
});
