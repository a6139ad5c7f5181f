// Running entries: validate the input (errors name each field), then run the action, read the
// trigger's current items, or poll it once.
import { type HighLevelClient, HighLevelError } from "@hlconnect/client";
import type { z } from "zod";
import { CustomFieldResolver } from "./custom-fields.ts";
import type { CatalogContext, CatalogEntry, PollCursor, PollResult } from "./types.ts";

export class CatalogInputError extends HighLevelError {
  readonly issues: string[];
  constructor(entryKey: string, issues: string[]) {
    super(`${entryKey}: invalid input: ${issues.join("; ")}`, { code: "INVALID_REQUEST", messages: issues });
    this.name = "CatalogInputError";
    this.issues = issues;
  }
}

export function createContext(opts: {
  client: HighLevelClient;
  locationId?: string;
  companyId?: string;
  defaultCountry?: string;
  now?: () => number;
}): CatalogContext {
  const locationId = opts.locationId ?? opts.client.locationId;
  if (!locationId) {
    throw new HighLevelError("No location: set HIGHLEVEL_LOCATION_ID (or pass locationId).", {
      code: "INVALID_REQUEST",
    });
  }
  const companyId = opts.companyId ?? opts.client.companyId;
  return {
    client: opts.client,
    locationId,
    ...(companyId ? { companyId } : {}),
    customFields: new CustomFieldResolver(opts.client, locationId),
    defaultCountry: opts.defaultCountry ?? "US",
    now: opts.now ?? Date.now,
  };
}

export function parseInput(entry: CatalogEntry, raw: unknown): Record<string, unknown> {
  const result = (entry.input as z.ZodType).safeParse(raw ?? {});
  if (result.success) return result.data as Record<string, unknown>;
  const issues = result.error.issues.map((i) => {
    const where = i.path.length ? i.path.join(".") : "input";
    if (i.code === "unrecognized_keys") {
      const known = Object.keys((entry.input as unknown as { shape?: object }).shape ?? {});
      return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(", ")}; known fields: ${known.join(", ")}`;
    }
    return `${where}: ${i.message}`;
  });
  throw new CatalogInputError(entry.key, issues);
}

/** Run an action, or read a polling trigger's current items once. */
export async function runEntry(entry: CatalogEntry, ctx: CatalogContext, raw: unknown): Promise<unknown> {
  const input = parseInput(entry, raw);
  if (entry.kind === "action") return entry.run(ctx, input);
  if (entry.read) return entry.read(ctx, input);
  throw new HighLevelError(
    `${entry.key} fires on HighLevel's ${entry.trigger.type === "instant" ? entry.trigger.event : ""} webhook; ` +
      "it has nothing to read on demand. Use it in a flow.",
    { code: "INVALID_REQUEST" },
  );
}

export async function pollEntry(
  entry: CatalogEntry,
  ctx: CatalogContext,
  raw: unknown,
  cursor: PollCursor | undefined,
): Promise<PollResult> {
  if (entry.kind !== "trigger" || entry.trigger.type !== "polling") {
    throw new HighLevelError(`${entry.key} is not a polling trigger`, { code: "INVALID_REQUEST" });
  }
  return entry.trigger.poll(ctx, parseInput(entry, raw), cursor);
}
