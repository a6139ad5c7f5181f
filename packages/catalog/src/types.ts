// What a catalog entry is. One declaration drives validation, the CLI, the HTTP API, the
// dashboard form, the MCP tool and the docs, so everything a front end needs is data here.
import type { HighLevelClient, WebhookEventName } from "@hlconnect/client";
import type { z } from "zod";
import type { CustomFieldResolver } from "./custom-fields.ts";

export type EntryKind = "trigger" | "action";

/**
 * How an action may be repeated after a failure:
 * - safe: repeating it changes nothing more (reads, updates to given values, deletes, upserts);
 * - reconcilable: not safe, but `reconcile` can look up whether it already happened;
 * - unsafe: never repeated automatically (a duplicate would be visible, e.g. a sent SMS).
 */
export type IdempotencyClass = "safe" | "reconcilable" | "unsafe";

/** Where a person picks an id from: another catalog read whose items become the options. */
export interface OptionSource {
  /** Key of the catalog entry that lists the options. */
  entry: string;
  /** Field of each item holding the value (usually "id") and the label. */
  value: string;
  label: string;
  /** Inputs of the source taken from this entry's inputs, e.g. {pipelineId: "pipelineId"} for stages. */
  dependsOn?: Record<string, string>;
  /** Path to the items in the source's output when it is not a plain list (e.g. "pipelines[].stages"). */
  items?: string;
}

/** Metadata attached to each input field with zod's `.meta()`. */
export interface FieldMeta {
  label: string;
  help?: string;
  options?: OptionSource;
  /** What a person types, converted for the endpoint (see fields.ts). */
  format?: "email" | "phone" | "date" | "datetime" | "epoch-ms" | "url" | "custom-fields" | "tags";
  example?: unknown;
}

export interface CatalogContext {
  client: HighLevelClient;
  locationId: string;
  companyId?: string;
  customFields: CustomFieldResolver;
  /** ISO 3166 country for phone numbers typed without a country code. */
  defaultCountry: string;
  now(): number;
}

export interface OutputDescription {
  description: string;
  /** A realistic sample of what the entry returns (for docs, UI field pickers and tests). */
  sample: unknown;
  /**
   * The output's shape, where the entry builds it itself and can promise it (an MCP tool's
   * outputSchema). Absent for answers passed through from HighLevel, whose shapes the specs only sketch.
   */
  schema?: z.ZodType;
}

/** An example input, where `{"$example": NAME}` stands for an id found (or made) in the account at run time. */
export type ExampleInput = Record<string, unknown>;

interface EntryBase<I extends z.ZodType> {
  key: string;
  name: string;
  description: string;
  category: string;
  /** Longer help, shown in `ops describe` and the docs. */
  help?: string;
  /** API operation keys the entry may call: they give its scopes and token kind. */
  operations: string[];
  input: I;
  output: OutputDescription;
  example: ExampleInput;
  /** The name this entry has in the seed catalog users come from, when it has one. */
  seedName?: string;
}

export interface ActionEntry<I extends z.ZodType = z.ZodType> extends EntryBase<I> {
  kind: "action";
  idempotency: IdempotencyClass;
  run(ctx: CatalogContext, input: z.output<I>): Promise<unknown>;
  /** For reconcilable actions: the result if the action already happened, else undefined. */
  reconcile?(ctx: CatalogContext, input: z.output<I>): Promise<unknown | undefined>;
}

/** The state a polling trigger keeps between polls: small whatever the account's size. */
export interface PollCursor {
  /** Only items at or after this time are fetched (epoch ms). */
  since?: number;
  /** Dedupe keys already emitted at or after `since`, with their times, for equal-timestamp safety. */
  seen?: Array<[string, number]>;
  /** For snapshot triggers: short hashes of the items (or versions) last seen. */
  snapshot?: string[];
}

export interface PollResult {
  items: unknown[];
  /** Each item's dedupe key (same order as items): what makes one event one run. */
  keys?: string[];
  cursor: PollCursor;
  /** API requests this poll made. */
  requests: number;
}

export interface PollingTrigger<I extends z.ZodType = z.ZodType> {
  type: "polling";
  /** "id" for new items, "id+updated" for changed items. */
  dedupe: "id" | "id+updated";
  /** The request one poll makes, in words (for docs). */
  describe: string;
  poll(ctx: CatalogContext, input: z.output<I>, cursor: PollCursor | undefined): Promise<PollResult>;
}

export interface InstantTrigger {
  type: "instant";
  /** The HighLevel webhook event that fires it. */
  event: WebhookEventName;
}

export interface TriggerEntry<I extends z.ZodType = z.ZodType> extends EntryBase<I> {
  kind: "trigger";
  trigger: PollingTrigger<I> | InstantTrigger;
  /** Fetch the current items once (what `ops run` prints for a trigger). */
  read?(ctx: CatalogContext, input: z.output<I>): Promise<unknown>;
}

export type CatalogEntry = ActionEntry | TriggerEntry;
