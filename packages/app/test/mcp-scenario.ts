// What the MCP tests check over each transport, with the SDK's own client against a sandbox:
// the tool list against the catalog, representative calls, errors as tool results, and that
// invalid arguments never reach HighLevel. Shared by mcp-stdio.test.ts and mcp-http.test.ts.
import { CATALOG } from "@hlconnect/catalog";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "vitest";

type Json = Record<string, unknown>;

/** Entries an agent can call (instant triggers only fire from webhooks). */
export const RUNNABLE = CATALOG.filter((e) => e.kind === "action" || Boolean(e.read));
/** The raw request: an action that declares no operations. */
export const RAW = RUNNABLE.filter((e) => e.operations.length === 0);

export const expectedName = (key: string) => key.replace(/^highlevel\./, "").replace(/[^a-zA-Z0-9_-]/g, "_");

export async function listAll(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

/**
 * The fields whose schema keeps a union (src/mcp/schema.ts, ESSENTIAL_UNION_REASON): required fields
 * that may be null, null being a value of its own ("unlink"). Every other field has one type, as
 * strict function-calling clients (Gemini, OpenAI strict mode) want.
 */
export const UNION_FIELDS = ["contacts_business_bulk.businessId"];

/** `tool.path` of every schema node with a `type` list, anyOf or oneOf. */
export function unionFields(tools: Array<{ name: string; inputSchema: unknown }>): string[] {
  const found: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        walk(n, `${at}[${i}]`);
      });
      return;
    }
    if (!node || typeof node !== "object") return;
    const n = node as Json;
    if (Array.isArray(n.type) || n.anyOf !== undefined || n.oneOf !== undefined) found.push(at);
    for (const [k, v] of Object.entries(n)) {
      if (k === "properties") for (const [name, p] of Object.entries(v as Json)) walk(p, `${at}.${name}`);
      else if (k !== "anyOf" && k !== "oneOf") walk(v, `${at}.${k}`);
    }
  };
  for (const t of tools) walk(t.inputSchema, t.name);
  return found;
}

/** Tools an input's description sends the agent to ("an item from the users_search tool"). */
export function referencedTools(tools: Array<{ inputSchema: unknown }>): Set<string> {
  const names = new Set<string>();
  for (const t of tools) {
    for (const m of JSON.stringify(t.inputSchema).matchAll(/from the ([A-Za-z0-9_-]+) tool/g))
      names.add(m[1]!);
  }
  return names;
}

/**
 * Every tool: a valid name from a runnable entry, a description, a schema strict JSON Schema accepts
 * (unions refused: `strictTypes` without allowUnionTypes), one type per field but the UNION_FIELDS,
 * and every tool an input refers to in the list too.
 */
export function checkToolList(tools: Tool[], opts: { allowRaw: boolean }): void {
  const expected = (opts.allowRaw ? RUNNABLE : RUNNABLE.filter((e) => !RAW.includes(e))).map((e) =>
    expectedName(e.key),
  );
  expect(tools.map((t) => t.name).sort()).toEqual([...expected].sort());
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });
  expect(unionFields(tools)).toEqual(UNION_FIELDS);
  const names = new Set(tools.map((t) => t.name));
  for (const referenced of referencedTools(tools)) expect(names.has(referenced), referenced).toBe(true);
  for (const t of tools) {
    expect(t.name, t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(t.description?.length ?? 0, t.name).toBeGreaterThan(30);
    expect(t.inputSchema.type, t.name).toBe("object");
    // Strict mode refuses unknown keywords (the catalog's label/help/options must be gone).
    expect(() => ajv.compile(t.inputSchema), t.name).not.toThrow();
    if (t.outputSchema) expect(() => ajv.compile(t.outputSchema!), t.name).not.toThrow();
    const a = t.annotations!;
    for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const) {
      expect(typeof a[hint], `${t.name} ${hint}`).toBe("boolean");
    }
    if (a.readOnlyHint) expect(a.destructiveHint, t.name).toBe(false);
  }
}

export function structured(r: CallToolResult): Json {
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  expect(r.structuredContent).toBeDefined();
  // The text block carries the same answer for clients that only read text.
  expect(JSON.parse((r.content[0] as { text: string }).text)).toEqual(r.structuredContent);
  return r.structuredContent as Json;
}

export function errorText(r: CallToolResult): string {
  expect(r.isError).toBe(true);
  return (r.content as Array<{ type: string; text: string }>).map((c) => c.text).join("\n");
}

async function requestLog(
  baseUrl: string,
): Promise<Array<{ id: number; path: string; method: string; status: number }>> {
  const res = await fetch(`${baseUrl}/__sandbox/requests`);
  return (
    (await res.json()) as { requests: Array<{ id: number; path: string; method: string; status: number }> }
  ).requests;
}

/** Run fn and return the sandbox requests it caused. */
export async function requestsDuring(baseUrl: string, fn: () => Promise<unknown>) {
  const before = await requestLog(baseUrl);
  const last = before.length ? before[before.length - 1]!.id : 0;
  await fn();
  return (await requestLog(baseUrl)).filter((r) => r.id > last);
}

/**
 * Fifteen-plus representative tools against the sandbox: contacts (create with custom fields by
 * name, update, search, find, get), tasks, notes, tags, opportunities, calendars, free slots and an
 * appointment in one of them. Returns how many distinct tools were called.
 */
export async function representativeCalls(client: Client, tag: string): Promise<number> {
  const called = new Set<string>();
  const call = async (name: string, args: Json) => {
    called.add(name);
    return structured((await client.callTool({ name, arguments: args })) as CallToolResult);
  };
  const email = `mcp-${tag}@example.com`;

  // Custom fields by name, as in flows: "Estimated Value" (money) and "Property Type" (options).
  const created = await call("contacts_create", {
    firstName: "Mona",
    lastName: "Client",
    email,
    phone: "(713) 555-0199",
    tags: "mcp, buyer",
    customFields: { "Estimated Value": "$250,000", "property type": "condo" },
  });
  const contact = created.contact as Json;
  expect(contact.phone).toBe("+17135550199");
  const contactId = contact.id as string;

  const fields = await call("locations_custom-fields_list", { model: "contact" });
  const byName = new Map(
    (fields.customFields as Json[]).map((f) => [f.name as string, f.id as string] as [string, string]),
  );
  const got = (await call("contacts_get", { contactId })).contact as Json;
  const values = new Map(
    (got.customFields as Json[]).map((f) => [f.id as string, f.value ?? f.field_value] as [string, unknown]),
  );
  expect(values.get(byName.get("Estimated Value")!)).toBe(250000);
  expect(values.get(byName.get("Property Type")!)).toBe("Condo");

  const updated = await call("contacts_update", { contactId, city: "Houston" });
  expect((updated.contact as Json).city).toBe("Houston");

  const found = await call("contacts_find", { email });
  expect(found.found).toBe(true);
  expect((found.contact as Json).id).toBe(contactId);

  const search = await call("contacts_search", { query: email });
  expect((search.contacts as Json[]).map((c) => c.id)).toContain(contactId);

  const task = await call("contacts_tasks_create", {
    contactId,
    title: "Call Mona back",
    dueDate: "01/15/2030 3:00 pm",
  });
  expect((task.task as Json).dueDate).toMatch(/^2030-01-15T15:00:00/);
  const tasks = await call("contacts_tasks_list", { contactId });
  expect((tasks.tasks as Json[]).map((t) => t.title)).toContain("Call Mona back");

  await call("contacts_notes_create", { contactId, body: "Wants a condo near the park." });
  const notes = await call("contacts_notes_list", { contactId });
  expect((notes.notes as Json[]).map((n) => n.body)).toContain("Wants a condo near the park.");

  const tagged = await call("contacts_tags_add", { contactId, tags: ["Hot", "seller"] });
  expect(tagged.tags).toEqual(expect.arrayContaining(["hot", "seller", "mcp", "buyer"]));
  const untagged = await call("contacts_tags_remove", { contactId, tags: ["seller"] });
  expect(untagged.tags).not.toContain("seller");

  const pipelines = (await call("opportunities_pipelines", {})).pipelines as Json[];
  const pipeline = pipelines[0]!;
  const stage = (pipeline.stages as Json[])[0]!;
  const opportunity = (
    await call("opportunities_create", {
      pipelineId: pipeline.id,
      pipelineStageId: stage.id,
      contactId,
      name: `Mona - condo (${tag})`,
      monetaryValue: "$410,000",
    })
  ).opportunity as Json;
  expect(opportunity.monetaryValue).toBe(410000);
  const opportunities = await call("opportunities_search", { contact_id: contactId });
  expect((opportunities.opportunities as Json[]).map((o) => o.id)).toContain(opportunity.id);

  const calendars = (await call("calendars_list", {})).calendars as Json[];
  const calendarId = calendars[0]!.id as string;
  const slots = await call("calendars_free-slots", {
    calendarId,
    startDate: "2030-01-07",
    endDate: "2030-01-11",
    timezone: "America/Chicago",
  });
  const first = (slots.slots as string[])[0]!;
  expect(first).toMatch(/^2030-01-0/);
  const appointment = await call("calendars_appointments_create", {
    calendarId,
    contactId,
    startTime: first,
    title: `Condo tour (${tag})`,
  });
  expect(JSON.stringify(appointment)).toContain(contactId);
  return called.size;
}
