// The tool selection and the server's edge cases, in-process (SDK client over the in-memory transport,
// catalog context on a sandbox): quick checks the transport suites would pay a process start for.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CATALOG, createContext } from "@hlconnect/catalog";
import { HighLevelClient } from "@hlconnect/client";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { type CallToolResult, CallToolResultSchema, ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionContext } from "../src/mcp/connection.ts";
import { createMcpServer, listedTool, MAX_RECORD_CHARS, toolResult } from "../src/mcp/server.ts";
import {
  allTools,
  DEFAULT_TOOLSETS,
  type McpTool,
  selectTools,
  ToolSelectionError,
  toolsetNames,
} from "../src/mcp/tools.ts";
import { APP_VERSION } from "../src/version.ts";
import {
  errorText,
  referencedTools,
  requestsDuring,
  structured,
  UNION_FIELDS,
  unionFields,
} from "./mcp-scenario.ts";
import { webFixture } from "./web-helpers.ts";

const silent = { info() {}, warn() {}, error() {} };
let sandbox: Sandbox;

async function connect(selection: Parameters<typeof selectTools>[0] = {}): Promise<Client> {
  const hl = new HighLevelClient({
    credentials: sandbox.info.locationToken,
    baseUrl: sandbox.info.baseUrl,
    locationId: sandbox.info.locationId,
  });
  const server = createMcpServer({
    tools: selectTools(selection),
    context: async () => createContext({ client: hl }),
    logger: silent,
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: "mcp-tools-test", version: "1.0.0" });
  await client.connect(b);
  return client;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 33 });
});
afterAll(async () => {
  await sandbox?.close();
});

describe("version", () => {
  it("is packages/app/package.json's, in the MCP handshake and in the web app's session answer", async () => {
    const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../package.json"), "utf8"));
    expect(APP_VERSION).toBe(pkg.version);
    const client = await connect();
    expect(client.getServerVersion()).toMatchObject({ name: "hlconnect", version: APP_VERSION });
    await client.close();
    const f = await webFixture();
    try {
      expect((await f.call("GET", "/api/session")).json.version).toBe(APP_VERSION);
    } finally {
      await f.close();
    }
  });
});

describe("MCP tool selection", () => {
  it("has one toolset per category with runnable entries: its tools, plus the reads their ids come from", () => {
    const categories = [...new Set(allTools().map((t) => t.entry.category))];
    expect(toolsetNames()).toHaveLength(categories.length);
    let total = 0;
    for (const name of toolsetNames()) {
      const tools = selectTools({ toolsets: [name], allowRaw: true });
      const own = tools.filter((t) => t.toolset === name);
      const referenced = referencedTools(own.map((t) => ({ inputSchema: t.inputSchema })));
      for (const other of tools.filter((t) => t.toolset !== name)) {
        expect(other.effect, `${name}: ${other.name}`).toBe("read");
        expect(referenced.has(other.name), `${name}: ${other.name}`).toBe(true);
      }
      for (const r of referenced)
        expect(
          tools.map((t) => t.name),
          `${name} refers to ${r}`,
        ).toContain(r);
      total += own.length;
    }
    expect(total).toBe(CATALOG.filter((e) => e.kind === "action" || e.read).length);
    expect(selectTools({ toolsets: ["all"], allowRaw: true })).toHaveLength(total);
  });

  it("gives the default toolsets when none is named, a fraction of all by size", () => {
    const byDefault = selectTools();
    expect(byDefault).toEqual(selectTools({ toolsets: DEFAULT_TOOLSETS }));
    expect(new Set(byDefault.filter((t) => t.effect !== "read").map((t) => t.toolset))).toEqual(
      new Set(DEFAULT_TOOLSETS),
    );
    const bytes = (tools: McpTool[]) => JSON.stringify(tools.map(listedTool)).length;
    const all = selectTools({ toolsets: ["all"] });
    expect(bytes(byDefault)).toBeLessThan(bytes(all) * 0.6);
    // Descriptions: a sentence or two and what comes back, no per-tool boilerplate.
    for (const t of all) {
      expect(t.description.length, t.name).toBeLessThan(1000);
      expect(t.description, t.name).not.toContain("catalog entry");
      expect(t.description, t.name).toMatch(/Returns /);
    }
  });

  it("gives every field of every tool one type, but the documented unions, and strict ajv compiles them", () => {
    const tools = allTools();
    expect(unionFields(tools)).toEqual(UNION_FIELDS);
    const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
    for (const t of tools) {
      expect(t.inputSchema.type, t.name).toBe("object");
      expect(t.inputSchema.properties, t.name).toBeTypeOf("object");
      expect(() => ajv.compile(t.inputSchema), t.name).not.toThrow();
    }
    const props = (name: string) =>
      allTools().find((t) => t.name === name)!.inputSchema.properties as Record<
        string,
        Record<string, unknown>
      >;
    // A phone, an amount, a date: one string; tags a list; constants one enum; nullable optional: optional.
    expect(props("contacts_create").phone!.type).toBe("string");
    expect(props("contacts_create").firstName!.type).toBe("string");
    expect(props("contacts_create").tags!.type).toBe("array");
    expect(props("opportunities_create").monetaryValue!.type).toBe("string");
    expect(props("contacts_tasks_create").dueDate!.type).toBe("string");
    expect(props("calendars_create").availabilityType).toMatchObject({ type: "number", enum: [0, 1] });
    expect(props("conversations_typing").isTyping!.type).toBe("boolean");
  });

  it("names unknown toolsets with the known ones", () => {
    expect(() => selectTools({ toolsets: ["contacts", "crm", "deals"] })).toThrow(ToolSelectionError);
    expect(() => selectTools({ toolsets: ["crm", "deals"] })).toThrow(
      /unknown toolsets "crm", "deals"; known toolsets: contacts, calendars, opportunities/,
    );
  });

  it("keeps writes out of read-only selections, even with the raw request allowed", () => {
    const tools = selectTools({ readOnly: true, allowRaw: true });
    expect(tools.every((t) => t.effect === "read" && t.annotations.readOnlyHint)).toBe(true);
    expect(tools.some((t) => t.name === "api_request")).toBe(false);
  });
});

describe("MCP server edge cases", () => {
  it("refuses a tool the selection hides, and keeps answering", async () => {
    const client = await connect({ readOnly: true });
    await expect(client.callTool({ name: "contacts_create", arguments: { firstName: "X" } })).rejects.toThrow(
      /unknown tool "contacts_create"/,
    );
    expect(
      structured((await client.callTool({ name: "users_list", arguments: {} })) as CallToolResult),
    ).toHaveProperty("users");
  });

  it("checks cursors: another tool's cursor or a made-up one is a tool error with no request", async () => {
    const client = await connect();
    // A cursor from a list that goes on (pipelines are one page, so take the contacts search).
    const first = structured(
      (await client.callTool({ name: "contacts_search", arguments: { pageLimit: 1 } })) as CallToolResult,
    );
    expect(first.nextCursor).toEqual(expect.any(String));
    const sent = await requestsDuring(sandbox.info.baseUrl, async () => {
      const other = (await client.callTool({
        name: "opportunities_search",
        arguments: { cursor: first.nextCursor },
      })) as CallToolResult;
      expect(errorText(other)).toContain("this cursor belongs to the contacts_search tool");
      const forged = (await client.callTool({
        name: "contacts_search",
        arguments: {
          cursor: Buffer.from('{"t":"contacts_search","a":{"bogus":1},"s":0}').toString("base64url"),
        },
      })) as CallToolResult;
      expect(errorText(forged)).toContain('unknown field(s) "bogus"');
    });
    expect(sent).toEqual([]);
  });

  it("answers arguments that are not an object with an invalid-params error, and keeps answering", async () => {
    const client = await connect();
    for (const [args, got] of [
      ["abc", "a string"],
      [[1, 2], "an array"],
      [42, "a number"],
    ] as const) {
      const call = client.request(
        { method: "tools/call", params: { name: "contacts_get", arguments: args as never } },
        CallToolResultSchema,
      );
      await expect(call).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
      await expect(call).rejects.toThrow(`contacts_get: "arguments" must be a JSON object`);
      await expect(call).rejects.toThrow(`not ${got}`);
    }
    // No arguments at all is an empty object (tools without required inputs run).
    const none = (await client.request(
      { method: "tools/call", params: { name: "users_list" } },
      CallToolResultSchema,
    )) as CallToolResult;
    expect(structured(none)).toHaveProperty("users");
  });

  it("says how to set the company id when HighLevel needs it and the connection has none", async () => {
    const client = await connect();
    const sent = await requestsDuring(sandbox.info.baseUrl, async () => {
      const r = (await client.callTool({ name: "users_search", arguments: {} })) as CallToolResult;
      const text = errorText(r);
      expect(text).toContain('missing required query parameter "companyId"');
      expect(text).toContain("Connections page (Company ID)");
      expect(text).toContain("PUT /api/connections/CONNECTION_ID");
    });
    expect(sent).toEqual([]);
  });

  it("answers a custom field name that matches nothing with the closest names, creating nothing", async () => {
    const client = await connect();
    const sent = await requestsDuring(sandbox.info.baseUrl, async () => {
      const r = (await client.callTool({
        name: "contacts_create",
        arguments: { firstName: "Typo", customFields: { "Estimted Value": 1 } },
      })) as CallToolResult;
      expect(errorText(r)).toContain(
        'Unknown custom field "Estimted Value". Close matches: "Estimated Value"',
      );
    });
    // The field list was read; no contact was created.
    expect(sent.map((r) => r.method)).not.toContain("POST");
  });
});

describe("MCP answers", () => {
  it("cut a single record too large to read, saying so, unless an outputSchema promises it", () => {
    const huge = { transcript: "word ".repeat(MAX_RECORD_CHARS) };
    const cut = toolResult(huge, undefined);
    expect(cut.structuredContent).toBeUndefined();
    const text = (cut.content[0] as { text: string }).text;
    expect(text.length).toBeLessThan(MAX_RECORD_CHARS + 300);
    expect(text).toMatch(/\[cut: the answer is \d+ characters/);
    expect(toolResult(huge, undefined, true).structuredContent).toEqual(huge);
    const small = toolResult([1, 2], "next");
    expect(small.structuredContent).toEqual({ items: [1, 2], nextCursor: "next" });
  });
});

describe("MCP connections", () => {
  it("name the connection that is missing, and use the default (the first added) when there are several", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-mcp-conn-"));
    const engine = await Engine.open({
      dataDir,
      secret: "an-mcp-tools-test-passphrase",
      baseUrl: sandbox.info.baseUrl,
    });
    try {
      await expect(connectionContext(engine, undefined, undefined)).rejects.toThrow(
        "there is no HighLevel connection yet: add one with `hlconnect connections add`",
      );
      const add = (label: string) =>
        engine.addConnection(
          { label, kind: "pit", locationIds: [sandbox.info.locationId] },
          { privateToken: sandbox.info.locationToken },
        );
      const one = await add("One");
      const only = await connectionContext(engine, undefined, undefined);
      expect((await only.context()).locationId).toBe(sandbox.info.locationId);
      await expect(connectionContext(engine, one.id, sandbox.info.otherLocationId)).rejects.toThrow(
        `connection ${one.id} serves location ${sandbox.info.locationId}, not ${sandbox.info.otherLocationId}`,
      );
      const two = await add("Two");
      // A second connection does not leave unnamed calls without one: they use the first added.
      const fallback = await connectionContext(engine, undefined, undefined);
      expect(fallback.describe).toBe(`connection ${one.id}, location ${sandbox.info.locationId}`);
      await expect(connectionContext(engine, "nope", undefined)).rejects.toThrow(
        `there is no connection "nope"; connections: ${one.id} ("One"), ${two.id} ("Two")`,
      );
    } finally {
      await engine.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
