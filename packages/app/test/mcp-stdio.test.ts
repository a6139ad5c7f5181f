// `hlconnect mcp` over stdio, driven by the MCP SDK's own client: the process is spawned as an MCP
// client would spawn it, with HIGHLEVEL_* pointing at a sandbox.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inputJsonSchema } from "@hlconnect/catalog";
import { getOperation, HighLevelClient } from "@hlconnect/client";
import { Engine } from "@hlconnect/engine/engine";
import { type Sandbox, startSandbox } from "@hlconnect/sandbox";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listedTool } from "../src/mcp/server.ts";
import { selectTools } from "../src/mcp/tools.ts";
import { BIN, runCli } from "./helpers/cli.ts";
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

let sandbox: Sandbox;
let env: Record<string, string>;
const clients: Client[] = [];
const stderr: string[] = [];

async function connect(args: string[] = [], extraEnv: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "mcp", ...args],
    env: { ...(process.env as Record<string, string>), ...env, ...extraEnv },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: "mcp-stdio-test", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const cli = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { ...env, ...extraEnv });

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 12 });
  env = {
    HIGHLEVEL_BASE_URL: sandbox.info.baseUrl,
    HIGHLEVEL_TOKEN: sandbox.info.locationToken,
    HIGHLEVEL_LOCATION_ID: sandbox.info.locationId,
  };
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await sandbox?.close();
});

describe("hlconnect mcp (stdio)", () => {
  let client: Client;
  beforeAll(async () => {
    client = await connect(["--toolsets", "all"]);
  }, 120_000);

  it("lists every runnable catalog entry but the raw request as a tool, each with a valid schema", async () => {
    const tools = await listAll(client);
    expect(tools.length).toBe(RUNNABLE.length - RAW.length);
    checkToolList(tools, { allowRaw: false });
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get("contacts_get")!.annotations).toMatchObject({
      readOnlyHint: true,
      idempotentHint: true,
    });
    expect(byName.get("contacts_delete")!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
    });
    expect(byName.get("contacts_create")!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    });
    expect(byName.get("conversations_send-sms")!.annotations).toMatchObject({
      idempotentHint: false,
      openWorldHint: true,
    });
    // The entry that declares its output's shape gets an outputSchema; the client validates against it.
    expect(byName.get("contacts_find")!.outputSchema).toMatchObject({
      type: "object",
      properties: { found: { type: "boolean" } },
    });
    // Option sources name the tool the ids come from.
    const slots = byName.get("calendars_free-slots")!.inputSchema.properties as Record<
      string,
      { description?: string }
    >;
    expect(slots.calendarId!.description).toContain("calendars_list");
    expect(byName.get("contacts_search")!.inputSchema.properties).toHaveProperty("cursor");
    // Logs go to stderr: stdout is the protocol (the handshake above would have failed otherwise).
    expect(stderr.join("")).toContain("MCP server ready on stdio");
  });

  it("calls representative tools against the sandbox (custom fields by name included)", async () => {
    expect(await representativeCalls(client, "stdio")).toBeGreaterThanOrEqual(15);
  });

  it("returns HighLevel's error as a tool error and keeps serving", async () => {
    const r = (await client.callTool({
      name: "contacts_tasks_create",
      arguments: { contactId: "no-such-contact-0000000", title: "x", dueDate: "2030-01-01" },
    })) as CallToolResult;
    const text = errorText(r);
    expect(text).toMatch(/HTTP (400|404|422)/);
    expect(text.toLowerCase()).toContain("contact");
    const again = await client.callTool({ name: "calendars_list", arguments: {} });
    expect(structured(again as CallToolResult).calendars).toBeDefined();
  });

  it("answers invalid arguments with the CLI's field-level message and sends nothing", {
    timeout: 120_000,
  }, async () => {
    const args = { email: "not-an-email", phone: "12", bogus: true };
    let r: CallToolResult | undefined;
    const sent = await requestsDuring(sandbox.info.baseUrl, async () => {
      r = (await client.callTool({ name: "contacts_create", arguments: args })) as CallToolResult;
    });
    expect(sent).toEqual([]);
    const text = errorText(r!);
    expect(text).toContain("email: Email is not a valid email address");
    expect(text).toContain('unknown field(s) "bogus"');
    const fromCli = await cli(["ops", "run", "highlevel.contacts.create", "--input", JSON.stringify(args)]);
    expect(fromCli.code).not.toBe(0);
    expect(text).toContain(fromCli.stderr.replace(/^hlconnect: /, "").trim());
  });

  it("pages long lists with a cursor, answers capped, nothing missed or repeated", async () => {
    const hl = new HighLevelClient({
      credentials: sandbox.info.locationToken,
      baseUrl: sandbox.info.baseUrl,
      locationId: sandbox.info.locationId,
    });
    for (let i = 0; i < 60; i++) {
      await hl.callByKey(
        "create-contact",
        {},
        {
          locationId: sandbox.info.locationId,
          firstName: `Page${i}`,
          lastName: "Tester",
          email: `page${i}@paging.example`,
          address1: `${100 + i} Long Street, with a description long enough to fill answers`,
        },
      );
    }
    const total = (
      (await hl.callByKey(
        "search-contacts-advanced",
        {},
        { locationId: sandbox.info.locationId, pageLimit: 1 },
      )) as {
        total: number;
      }
    ).total;
    // Search (page numbers) and the keyset list: every contact exactly once across the parts.
    for (const [tool, args] of [
      ["contacts_search", {}],
      ["contacts_list", { limit: 100 }],
    ] as const) {
      const ids: string[] = [];
      let cursor: string | undefined;
      let parts = 0;
      do {
        const r = (await client.callTool({
          name: tool,
          arguments: cursor ? { cursor } : args,
        })) as CallToolResult;
        const s = structured(r);
        expect((r.content[0] as { text: string }).text.length).toBeLessThanOrEqual(24_000);
        ids.push(...(s.contacts as Array<{ id: string }>).map((c) => c.id));
        cursor = s.nextCursor as string | undefined;
        parts++;
      } while (cursor && parts < 50);
      expect(parts, tool).toBeGreaterThanOrEqual(2);
      expect(new Set(ids).size, tool).toBe(ids.length);
      expect(ids.length, tool).toBe(total);
    }
    const wrong = (await client.callTool({
      name: "contacts_search",
      arguments: { cursor: "garbage!" },
    })) as CallToolResult;
    expect(errorText(wrong)).toContain("cursor");
  });
});

// Each case starts its own `hlconnect mcp` (and sometimes a CLI command): slow on a busy machine.
describe("hlconnect mcp: selections", { timeout: 120_000 }, () => {
  it("--read-only hides every write", async () => {
    const tools = await listAll(await connect(["--read-only", "--toolsets", "all"]));
    // Reads: triggers' reads, and actions that only GET and post nothing to a URL they are given.
    const reads = RUNNABLE.filter(
      (e) =>
        e.kind === "trigger" ||
        (e.operations.length > 0 &&
          e.operations.every((op) => getOperation(op).method === "GET") &&
          !JSON.stringify(inputJsonSchema(e)).includes('"format":"url"')),
    );
    expect(tools.map((t) => t.name).sort()).toEqual(reads.map((e) => expectedName(e.key)).sort());
    for (const t of tools) expect(t.annotations?.readOnlyHint, t.name).toBe(true);
    const names = new Set(tools.map((t) => t.name));
    for (const write of [
      "contacts_create",
      "contacts_delete",
      "conversations_send-sms",
      "batchleads_update_post",
    ]) {
      expect(names.has(write), write).toBe(false);
    }
    expect(names.has("contacts_search")).toBe(true);
  });

  it("--toolsets keeps those categories and the lookups their fields need, --allow-raw adds the raw request; unknown toolsets are refused", async () => {
    const client = await connect(["--toolsets", "contacts,calendars,other", "--allow-raw"]);
    const tools = await listAll(client);
    const chosen = RUNNABLE.filter((e) =>
      ["Contacts", "Calendars & Appointments", "Other Operations"].includes(e.category),
    ).map((e) => expectedName(e.key));
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(chosen));
    // The others are reads an input of the chosen ones takes its ids from (users_search for an assignee).
    const extra = tools.filter((t) => !chosen.includes(t.name));
    expect(extra.map((t) => t.name)).toContain("users_search");
    const referenced = referencedTools(tools.filter((t) => chosen.includes(t.name)));
    for (const t of extra) {
      expect(t.annotations?.readOnlyHint, t.name).toBe(true);
      expect(referenced.has(t.name), t.name).toBe(true);
    }
    expect(tools.find((t) => t.name === "api_request")!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      openWorldHint: true,
    });
    const r = await client.callTool({
      name: "api_request",
      arguments: { operation: "get-location", params: { locationId: sandbox.info.locationId } },
    });
    expect(JSON.stringify(structured(r as CallToolResult))).toContain(sandbox.info.locationId);

    const bad = await cli(["mcp", "--toolsets", "contacts,nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown toolset "nope"');
    expect(bad.stderr).toContain("known toolsets: contacts, calendars, opportunities");
  });

  it("without --toolsets gives the default toolsets, far smaller than all", async () => {
    const byDefault = await listAll(await connect());
    const bytes = JSON.stringify(byDefault).length;
    const all = JSON.stringify(selectTools({ toolsets: ["all"] }).map(listedTool)).length;
    expect(byDefault.map((t) => t.name)).toEqual(selectTools().map((t) => t.name));
    expect(byDefault.map((t) => t.name)).toEqual(
      expect.arrayContaining(["contacts_create", "calendars_free-slots", "opportunities_create"]),
    );
    expect(byDefault.map((t) => t.name)).not.toContain("conversations_send-sms");
    expect(bytes).toBeLessThan(all * 0.6);
  });
});

describe("hlconnect mcp: where the calls go", { timeout: 120_000 }, () => {
  it("--connection uses a stored connection of the data dir (no HIGHLEVEL_TOKEN needed)", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "hlconnect-mcp-stdio-"));
    const secret = "an-mcp-stdio-test-passphrase-long-enough";
    try {
      const engine = await Engine.open({ dataDir, secret, baseUrl: sandbox.info.baseUrl });
      const record = await engine.addConnection(
        { label: "Sandbox", kind: "pit", locationIds: [sandbox.info.locationId] },
        { privateToken: sandbox.info.locationToken },
      );
      await engine.stop();
      const noToken = { HIGHLEVEL_TOKEN: "", HIGHLEVEL_LOCATION_ID: "", HLCONNECT_SECRET: secret };
      const client = await connect(
        ["--connection", record.id, "--data", dataDir, "--toolsets", "contacts"],
        noToken,
      );
      const found = structured(
        (await client.callTool({
          name: "contacts_find",
          arguments: { email: "nobody@nowhere.example" },
        })) as CallToolResult,
      );
      expect(found).toEqual({ found: false, contact: null });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
