// The shared state of one sandbox and the contract of operation handlers.
import type { Principal, TokenStore } from "./auth/tokens.ts";
import type { IdSource } from "./random.ts";
import type { SpecOperation } from "./spec/load.ts";
import type { Db } from "./store/db.ts";
import type { Records } from "./store/records.ts";
import type { WebhookSender } from "./webhooks.ts";

/** The seeded world: stable for a given seed. */
export interface Fixtures {
  companyId: string;
  locationId: string;
  /** A second location of the same company, for cross-location tests. */
  otherLocationId: string;
  userId: string;
  locationToken: string;
  agencyToken: string;
  app: { appId: string; versionId: string; clientId: string; clientSecret: string };
}

export interface State {
  db: Db;
  records: Records;
  tokens: TokenStore;
  /** Fixture and record ids (deterministic for the seed). */
  ids: IdSource;
  now: () => number;
  webhooks: WebhookSender;
  fixtures: Fixtures;
  baseUrl: string;
  accessTokenTtlSeconds: number;
  allScopes: string[];
}

export interface LocationDoc {
  id: string;
  companyId: string;
  name: string;
  settings: { allowDuplicateContact: boolean };
  [k: string]: unknown;
}

export interface HandlerResult {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface PublicContext {
  state: State;
  op: SpecOperation;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}

export interface HandlerContext extends PublicContext {
  principal: Principal;
  /** Throws 403 unless the token may act on this location. */
  ensureLocation(locationId: string): void;
}

// Handlers are synchronous: the server runs each one in a SQLite transaction, so a handler
// that throws half-way leaves no partial write behind.
export type Handler = (ctx: HandlerContext) => HandlerResult;
export type PublicHandler = (ctx: PublicContext) => HandlerResult;

/** Handlers keyed by operation key (operationId, or service:operationId for shared ids). */
export type HandlerMap = Record<string, Handler>;

export function getLocation(state: State, id: string): LocationDoc | undefined {
  return state.records.get<LocationDoc>("location", id);
}

export function isoNow(state: State): string {
  return new Date(state.now()).toISOString();
}
