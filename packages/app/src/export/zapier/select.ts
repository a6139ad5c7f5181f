// Which catalog entries become which Zapier step. Zapier has three kinds: triggers (polled, deduped
// by `id`), searches (return a list, first match wins) and creates (return one object).
import { CATALOG, type CatalogEntry, inputJsonSchema } from "@hlconnect/catalog";
import { getOperation } from "@hlconnect/client";

/** Categories that need another service's account, so they do not belong in a HighLevel app. */
const OTHER_SERVICES = new Set(["BatchLeads & BatchData"]);

export type ZapierKind = "trigger" | "search" | "create";

export interface Placement {
  entry: CatalogEntry;
  kinds: ZapierKind[];
}

/** Operations only an agency (company) token may call: they need the connection's agency token. */
export function needsAgency(e: CatalogEntry): boolean {
  return e.operations.some((op) => getOperation(op).security === "agency");
}

export interface ExportScope {
  /** Whether connections can carry an agency token too (Private Integration Tokens; OAuth is one location). */
  agency?: boolean;
}

/** Whether an entry can run from a Zapier connection at all (and why not, for the docs). */
export function exportable(e: CatalogEntry, scope: ExportScope = {}): boolean {
  if (OTHER_SERVICES.has(e.category)) return false;
  if (e.kind === "trigger" && e.trigger.type === "instant") return false; // HighLevel's webhooks go to one app URL
  return scope.agency === true || !needsAgency(e);
}

/** Reads only: every operation is a GET or a search endpoint. */
function readsOnly(e: CatalogEntry): boolean {
  return (
    e.operations.length > 0 &&
    e.operations.every((op) => {
      const o = getOperation(op);
      return o.method === "GET" || /search|filter/i.test(o.operationId);
    })
  );
}

function hasRequiredInput(e: CatalogEntry): boolean {
  const required = inputJsonSchema(e).required;
  return Array.isArray(required) && required.length > 0;
}

/**
 * Polling triggers are triggers; the seed's reads that look something up (Get Contact: they need
 * an input, such as an id) are also searches, while "New ..."/"Updated ..." triggers stay triggers.
 * Read-only actions (Find Contact, filter users by email) are searches; the rest creates.
 */
export function place(e: CatalogEntry): ZapierKind[] {
  if (e.kind === "trigger") return e.seedName && hasRequiredInput(e) ? ["trigger", "search"] : ["trigger"];
  return e.idempotency === "safe" && readsOnly(e) ? ["search"] : ["create"];
}

export function exportCategories(scope: ExportScope = {}): string[] {
  return [...new Set(CATALOG.filter((e) => exportable(e, scope)).map((e) => e.category))];
}

/** The entries to export, limited to `only` categories (case-insensitive) when given. */
export function selectEntries(only?: string[], scope: ExportScope = {}): Placement[] {
  const known = exportCategories(scope);
  let wanted: Set<string> | undefined;
  if (only?.length) {
    wanted = new Set();
    const unknown: string[] = [];
    for (const raw of only) {
      // A category by its name or its first word ("calendars"), as the MCP server's toolsets name them.
      const want = raw.trim().toLowerCase();
      const hit = known.find((c) => c.toLowerCase() === want || c.split(/\s/)[0]!.toLowerCase() === want);
      if (hit) wanted.add(hit);
      else unknown.push(raw.trim());
    }
    if (unknown.length) {
      throw new UnknownCategoryError(
        `unknown categor${unknown.length > 1 ? "ies" : "y"} ${unknown.map((u) => `"${u}"`).join(", ")} in --only; ` +
          `known: ${known.map((k) => `"${k}"`).join(", ")}`,
      );
    }
  }
  return CATALOG.filter((e) => exportable(e, scope) && (!wanted || wanted.has(e.category))).map((entry) => ({
    entry,
    kinds: place(entry),
  }));
}

export class UnknownCategoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownCategoryError";
  }
}
