// What a flow needs from a HighLevel account before it can run: the scopes of every operation its
// trigger and steps call, which kind of token those operations take, the webhook events an instant
// trigger needs ticked in a Marketplace app, and where a generic webhook flow receives its posts.
// `hlconnect flows requirements`, `connections add` and the web app all read it from here, so a
// token that lacks a scope is named before a run fails on it.
import { type CatalogEntry, entryScopes, getEntry } from "@hlconnect/catalog";
import { getOperation, type OperationSpec } from "@hlconnect/client";
import type { Flow } from "./types.ts";

function findOperation(key: string): OperationSpec | undefined {
  try {
    return getOperation(key);
  } catch {
    return undefined;
  }
}

export type TokenKind = "location" | "agency";

export interface StepRequirement {
  /** "trigger" or the step's id. */
  step: string;
  op: string;
  scopes: string[];
  /** The token kinds the entry's operations accept; both when any of them would do. */
  tokens: TokenKind[];
}

export interface FlowRequirements {
  flowId: string;
  name: string;
  /** Every scope the flow's trigger and steps need, sorted. */
  scopes: string[];
  /** The token kind the flow needs: "agency" when any operation takes only an agency token. */
  token: TokenKind;
  /** HighLevel webhook events (as named in a Marketplace app's settings) an instant trigger needs. */
  events: string[];
  /** For `webhook: {}` flows: the path to post to (the secret is shown by `flows show`/the web app). */
  hookPath?: string;
  parts: StepRequirement[];
}

/**
 * The scope HighLevel asks of an app for each webhook event family, from the Marketplace webhook
 * guide: an event is only delivered when the app holds the read scope of what it reports on.
 */
const EVENT_SCOPES: Array<[RegExp, string]> = [
  [/^(Contact|Task|Note)/, "contacts.readonly"],
  [/^Appointment/, "calendars/events.readonly"],
  [/^Opportunity/, "opportunities.readonly"],
  [
    /^(Conversation|InboundMessage|OutboundMessage|ProviderOutboundMessage|LCEmailStats)/,
    "conversations/message.readonly",
  ],
  [/^User/, "users.readonly"],
  [/^Campaign/, "campaigns.readonly"],
  [/^Association/, "associations.readonly"],
  [/^Relation/, "associations/relation.readonly"],
  [/^ObjectSchema/, "objects/schema.readonly"],
  [/^Record/, "objects/record.readonly"],
  [/^Location/, "locations.readonly"],
  [/^Invoice/, "invoices.readonly"],
  [/^Order/, "payments/orders.readonly"],
  [/^Product/, "products.readonly"],
  [/^Price/, "products/prices.readonly"],
];

export function eventScopes(event: string): string[] {
  const hit = EVENT_SCOPES.find(([re]) => re.test(event));
  return hit ? [hit[1]] : [];
}

/** The token kinds an entry's operations accept (the raw request names its operation in its input). */
function entryTokens(entry: CatalogEntry, operations: string[]): TokenKind[] {
  const kinds = new Set<TokenKind>();
  for (const key of operations) {
    const security = findOperation(key)?.security;
    if (security === "agency") kinds.add("agency");
    else if (security === "location") kinds.add("location");
    else if (security === "either") {
      kinds.add("location");
      kinds.add("agency");
    }
  }
  return kinds.size ? [...kinds].sort() : entry.kind === "trigger" ? ["location"] : ["location", "agency"];
}

/** A raw API request names its operation in its input: when that is a literal, its scopes count. */
function operationsOf(entry: CatalogEntry, input: Record<string, unknown>): string[] {
  if (entry.operations.length) return entry.operations;
  const named = input.operation;
  return typeof named === "string" && !named.includes("{{") && findOperation(named) ? [named] : [];
}

function part(
  step: string,
  op: string,
  input: Record<string, unknown>,
): StepRequirement & { events: string[] } {
  const entry = getEntry(op);
  const operations = operationsOf(entry, input);
  const scopes = new Set(operations.length === entry.operations.length ? entryScopes(entry) : []);
  for (const key of operations) for (const s of findOperation(key)?.scopes ?? []) scopes.add(s);
  const events: string[] = [];
  if (entry.kind === "trigger" && entry.trigger.type === "instant") {
    events.push(entry.trigger.event);
    for (const s of eventScopes(entry.trigger.event)) scopes.add(s);
  }
  return { step, op, scopes: [...scopes].sort(), tokens: entryTokens(entry, operations), events };
}

export function flowRequirements(flow: Flow): FlowRequirements {
  const parts: Array<StepRequirement & { events: string[] }> = [];
  if (flow.trigger.type !== "webhook") parts.push(part("trigger", flow.trigger.op, flow.trigger.input));
  for (const step of flow.steps) parts.push(part(step.id, step.op, step.input));
  const scopes = [...new Set(parts.flatMap((p) => p.scopes))].sort();
  // An operation that takes only an agency token decides it; everything else runs on a location token.
  const token: TokenKind = parts.some((p) => p.tokens.length === 1 && p.tokens[0] === "agency")
    ? "agency"
    : "location";
  return {
    flowId: flow.id,
    name: flow.name,
    scopes,
    token,
    events: [...new Set(parts.flatMap((p) => p.events))].sort(),
    ...(flow.trigger.type === "webhook" ? { hookPath: `/hooks/${flow.id}` } : {}),
    parts: parts.map(({ events: _events, ...p }) => p),
  };
}

export interface RequirementsTotal {
  scopes: string[];
  events: string[];
  /** Flows that need an agency token. */
  agencyFlows: string[];
  hookPaths: string[];
}

export function totalRequirements(all: FlowRequirements[]): RequirementsTotal {
  return {
    scopes: [...new Set(all.flatMap((r) => r.scopes))].sort(),
    events: [...new Set(all.flatMap((r) => r.events))].sort(),
    agencyFlows: all.filter((r) => r.token === "agency").map((r) => r.flowId),
    hookPaths: all.flatMap((r) => (r.hookPath ? [r.hookPath] : [])),
  };
}

export interface MissingScope {
  flowId: string;
  scope: string;
  /** "flow welcome-call-task needs contacts.write" */
  message: string;
}

/** Which of the flows' scopes a token with `granted` scopes lacks, flow by flow. */
export function missingScopes(all: FlowRequirements[], granted: Iterable<string>): MissingScope[] {
  const have = new Set(granted);
  return all.flatMap((r) =>
    r.scopes
      .filter((s) => !have.has(s))
      .map((scope) => ({ flowId: r.flowId, scope, message: `flow ${r.flowId} needs ${scope}` })),
  );
}
