// The catalog as MCP tools: which entries become tools, their names, descriptions, schemas and
// hints, and the selection an agent is given (toolsets, read-only, the raw request). Everything is
// derived from the entries' declarations; no entry is described here by hand.
import { CATALOG, type CatalogEntry, describeEntry, inputJsonSchema } from "@hlconnect/catalog";
import { getOperation } from "@hlconnect/client";
import { isListTool } from "./paging.ts";
import { toAgentSchema } from "./schema.ts";
import { ALL_TOOLSETS, DEFAULT_TOOLSETS } from "./toolsets.ts";

export { ALL_TOOLSETS, DEFAULT_TOOLSETS };

/** What a tool does to the account, from the entry's operations and idempotency class. */
export type ToolEffect = "read" | "write" | "raw";

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface McpTool {
  name: string;
  entry: CatalogEntry;
  toolset: string;
  effect: ToolEffect;
  /** The tool takes a `cursor` and caps its answers (its output holds a list). */
  paged: boolean;
  /** Tools the ids of this tool's fields come from (its fields' option sources). */
  lookups: string[];
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations: ToolAnnotations;
}

export interface ToolSelection {
  /** Toolset names (see toolsetOf); "all" for every one; empty or absent: DEFAULT_TOOLSETS. */
  toolsets?: string[];
  readOnly?: boolean;
  allowRaw?: boolean;
}

export class ToolSelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolSelectionError";
  }
}

/** The argument paged tools take; the answer's nextCursor goes back in it. */
export const CURSOR_ARG = "cursor";

/** `highlevel.contacts.tasks.create` -> `contacts_tasks_create`; other services keep their prefix. */
export function toolNameOf(key: string): string {
  return key
    .replace(/^highlevel\./, "")
    .replace(/[^a-zA-Z0-9_-]/g, "_")
    .slice(0, 64);
}

/** A category's toolset: its first word, lowercased ("Calendars & Appointments" -> "calendars"). */
export function toolsetOf(category: string): string {
  return (category.split(/[^A-Za-z0-9]+/).find(Boolean) ?? category).toLowerCase();
}

/** Whether the entry can be called on demand (instant triggers only fire from webhooks). */
export function isRunnable(e: CatalogEntry): boolean {
  return e.kind === "action" || Boolean(e.read);
}

function fieldFormats(e: CatalogEntry): string[] {
  const props = (inputJsonSchema(e).properties ?? {}) as Record<string, { format?: unknown }>;
  return Object.values(props).map((p) => String(p.format ?? ""));
}

/**
 * - raw: an action that declares no operations may call any endpoint;
 * - read: a trigger's on-demand read, or an action whose operations are all GETs and that sends
 *   nothing elsewhere (an input of format "url" is an address it posts to);
 * - write: everything else.
 */
export function effectOf(e: CatalogEntry): ToolEffect {
  if (e.kind === "trigger") return "read";
  if (e.operations.length === 0) return "raw";
  const allGets = e.operations.every((op) => getOperation(op).method === "GET");
  return allGets && !fieldFormats(e).includes("url") ? "read" : "write";
}

/**
 * The MCP hints. Destructive: a write that replaces or removes (PUT, PATCH, DELETE, or a POST that is
 * safe to repeat, i.e. sets values: upserts, bulk updates); creates only add. Open world: the entry
 * reaches beyond the HighLevel location: people (actions not safe to repeat send messages or start
 * workflows), another service (keys outside `highlevel.`), a given URL, or any endpoint (raw).
 */
export function annotationsOf(e: CatalogEntry): ToolAnnotations {
  const effect = effectOf(e);
  const methods = e.operations.map((op) => getOperation(op).method);
  const idempotency = e.kind === "action" ? e.idempotency : "safe";
  const replaces = methods.some((m) => m === "PUT" || m === "PATCH" || m === "DELETE");
  return {
    title: e.name,
    readOnlyHint: effect === "read",
    destructiveHint: effect === "raw" || (effect === "write" && (replaces || idempotency === "safe")),
    idempotentHint: effect === "read" || (effect === "write" && idempotency === "safe"),
    openWorldHint:
      effect === "raw" ||
      idempotency === "unsafe" ||
      !e.key.startsWith("highlevel.") ||
      fieldFormats(e).includes("url"),
  };
}

function sentence(text: string): string {
  const t = text.trim();
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}

/**
 * One or two sentences and what the tool returns. The title carries the entry's name, the server's
 * instructions and the `cursor` argument explain paging, and docs/mcp.md how names map to catalog
 * keys, so none of that is repeated in each of ~140 descriptions.
 */
function describeTool(e: CatalogEntry, effect: ToolEffect): string {
  const parts = [sentence(e.description)];
  // A polling trigger fires in flows; called by an agent it reads what it watches.
  if (e.kind === "trigger") parts.push("Reads the current items.");
  if (e.help) parts.push(sentence(e.help));
  parts.push(`Returns ${lowerFirst(sentence(e.output.description))}`);
  if (effect === "write" && e.kind === "action" && e.idempotency === "unsafe") {
    parts.push("Not safe to repeat: calling it twice does it twice.");
  }
  return parts.join(" ");
}

function lowerFirst(text: string): string {
  // "The new user." -> "the new user."; "{calendar}: ..." and "ID ..." stay as written.
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

function inputSchemaOf(e: CatalogEntry, paged: boolean): Record<string, unknown> {
  const schema = toAgentSchema(inputJsonSchema(e), (key) => {
    const target = CATALOG.find((x) => x.key === key);
    return target && isRunnable(target) ? toolNameOf(key) : undefined;
  });
  // MCP requires `type: "object"` at the top; a refined object (one of id, email or phone) may lack it.
  if (schema.type === undefined) schema.type = "object";
  if (!paged) return schema;
  const properties = { ...((schema.properties as Record<string, unknown>) ?? {}) };
  if (CURSOR_ARG in properties) throw new Error(`${e.key} already has an input named ${CURSOR_ARG}`);
  properties[CURSOR_ARG] = {
    type: "string",
    title: "Cursor",
    description: "The previous answer's nextCursor, alone: it carries the other arguments.",
  };
  return { ...schema, properties };
}

function outputSchemaOf(e: CatalogEntry, paged: boolean): Record<string, unknown> | undefined {
  if (!e.output.schema) return undefined;
  // describe.ts turns the declared zod shape into JSON Schema, as for `ops describe`.
  const declared = (describeEntry(e).output as { schema?: Record<string, unknown> }).schema;
  if (declared?.type !== "object") return undefined; // structuredContent must be an object
  const { $schema: _dialect, ...schema } = declared;
  if (!paged) return schema;
  return {
    ...schema,
    properties: { ...((schema.properties as object) ?? {}), nextCursor: { type: "string" } },
  };
}

/** The entries a schema's option sources name (an assigned user comes from the users search...). */
function optionEntries(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const n of node) optionEntries(n, into);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "options" && v && typeof (v as { entry?: unknown }).entry === "string") {
        into.add((v as { entry: string }).entry);
      } else optionEntries(v, into);
    }
  }
  return into;
}

function buildTool(e: CatalogEntry): McpTool {
  const effect = effectOf(e);
  const paged = effect === "read" && isListTool(e);
  const outputSchema = outputSchemaOf(e, paged);
  return {
    name: toolNameOf(e.key),
    entry: e,
    toolset: toolsetOf(e.category),
    effect,
    paged,
    lookups: [...optionEntries(inputJsonSchema(e))]
      .map((key) => CATALOG.find((x) => x.key === key))
      .filter((x): x is CatalogEntry => x !== undefined && isRunnable(x) && effectOf(x) === "read")
      .map((x) => toolNameOf(x.key)),
    description: describeTool(e, effect),
    inputSchema: inputSchemaOf(e, paged),
    ...(outputSchema ? { outputSchema } : {}),
    annotations: annotationsOf(e),
  };
}

let all: McpTool[] | undefined;

/** Every runnable entry as a tool, in catalog order. Names are checked to be unique. */
export function allTools(): McpTool[] {
  if (all) return all;
  const tools = CATALOG.filter(isRunnable).map(buildTool);
  const seen = new Map<string, string>();
  for (const t of tools) {
    const other = seen.get(t.name);
    if (other) throw new Error(`MCP tool name ${t.name} is shared by ${other} and ${t.entry.key}`);
    seen.set(t.name, t.entry.key);
  }
  all = tools;
  return all;
}

/** Toolset names with at least one tool, in catalog order. */
export function toolsetNames(): string[] {
  return [...new Set(allTools().map((t) => t.toolset))];
}

/**
 * The tools an agent is given: those of the chosen toolsets (DEFAULT_TOOLSETS when none is named),
 * plus the read tools their fields take ids from (an assigned user from users_search, a business
 * from businesses_list), so every id a tool asks for can be looked up. Unknown toolset names fail,
 * naming the known ones.
 */
export function selectTools(selection: ToolSelection = {}): McpTool[] {
  const named = (selection.toolsets ?? []).map((s) => s.trim().toLowerCase()).filter(Boolean);
  const known = toolsetNames();
  const unknown = named.filter((w) => w !== ALL_TOOLSETS && !known.includes(w));
  if (unknown.length) {
    throw new ToolSelectionError(
      `unknown toolset${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}; ` +
        `known toolsets: ${known.join(", ")} (or ${ALL_TOOLSETS})`,
    );
  }
  const wanted = named.includes(ALL_TOOLSETS) ? known : named.length ? named : DEFAULT_TOOLSETS;
  const allowed = (t: McpTool) =>
    (t.effect !== "raw" || selection.allowRaw === true) && (!selection.readOnly || t.effect === "read");
  const chosen = allTools().filter((t) => wanted.includes(t.toolset) && allowed(t));
  const lookups = new Set(chosen.flatMap((t) => t.lookups));
  return allTools().filter((t) => allowed(t) && (wanted.includes(t.toolset) || lookups.has(t.name)));
}

/** Parse "contacts,calendars" (a CLI option or a query parameter). */
export function parseToolsets(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
