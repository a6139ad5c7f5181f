// @hlconnect/sandbox: a local emulator of the HighLevel v2 API.
import type { AddressInfo } from "node:net";
import { TokenStore } from "./auth/tokens.ts";
import { type CaughtHook, ExternalServices } from "./batchdata/index.ts";
import type { Fixtures, LocationDoc, State } from "./context.ts";
import { type FaultConfig, FaultInjector } from "./faults.ts";
import { controlRoutes, type SettingsUpdate, type TokenRequest } from "./http/control.ts";
import { badRequest } from "./http/errors.ts";
import { ApiServer } from "./http/server.ts";
import { IdSource } from "./random.ts";
import { RateLimiter } from "./rate-limit.ts";
import { RequestLog, type RequestLogEntry } from "./request-log.ts";
import { buildRegistry, publicHandlers } from "./resources/index.ts";
import { seedWorld } from "./seed.ts";
import { loadSpec } from "./spec/load.ts";
import { getMeta, openDb, setMeta, wipe } from "./store/db.ts";
import { Records } from "./store/records.ts";
import { type DeliveryRecord, WebhookSender } from "./webhooks.ts";

export type { CaughtHook } from "./batchdata/index.ts";
export type { FaultConfig, FaultKind } from "./faults.ts";
export type { SettingsUpdate, TokenRequest } from "./http/control.ts";
export type { RequestLogEntry } from "./request-log.ts";
export {
  findOperation,
  getOperation,
  loadSpec,
  type OperationMatch,
  type RequestParts,
  type ResponseValidationResult,
  type SpecOperation,
  type ValidateRequestOptions,
  type ValidationResult,
  validateRequest,
  validateResponse,
} from "./spec/index.ts";
export type { DeliveryRecord } from "./webhooks.ts";

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** SQLite file; default in memory. A file seeded with the same seed is reused as it is. */
  dbFile?: string;
  seed?: number;
  rateLimit?: { max: number; windowMs: number };
  dailyLimit?: number;
  accessTokenTtlSeconds?: number;
  webhookUrl?: string;
  /** Redeliveries after a 429 from the webhook receiver (default 6) and the pause between them. */
  webhookRetry?: { retries?: number; delayMs?: number };
  /** Clock for token expiry, rate-limit windows and timestamps (default Date.now). */
  now?: () => number;
  /** The emulated BatchData API (under /batchdata): its per-token limit, default 3,000 per minute. */
  batchData?: { rateLimit?: { max: number; windowMs: number } };
}

/** Everything a client needs to talk to the sandbox; JSON-serialisable. */
export interface SandboxInfo {
  baseUrl: string;
  companyId: string;
  locationId: string;
  /** Location Private Integration Token with every scope. */
  locationToken: string;
  /** Agency Private Integration Token with every scope. */
  agencyToken: string;
  clientId: string;
  clientSecret: string;
  /** PEM (SPKI) of the Ed25519 key webhooks are signed with. */
  webhookPublicKey: string;
  /** A second location of the same company (the location token may not touch it). */
  otherLocationId: string;
  appId: string;
  versionId: string;
  userId: string;
  /**
   * Bearer token of the emulated BatchData API, served at `${baseUrl}/batchdata` (a client's
   * BATCHDATA_TOKEN and BATCHDATA_BASE_URL); HighLevel tokens are refused there and vice versa.
   */
  batchDataToken: string;
}

export interface Sandbox {
  info: SandboxInfo;
  close(): Promise<void>;
  /** Back to the seeded state: data, tokens made since start, settings, faults, rate-limit counters. */
  reset(): void;
  /** Mint a token for tests. Defaults: location PIT of the seeded location with every scope. */
  createToken(request?: TokenRequest): string;
  setFaults(config: FaultConfig | null): void;
  updateSettings(update: SettingsUpdate): Record<string, unknown>;
  requests(filter?: { since?: number; after?: number }): RequestLogEntry[];
  webhookDeliveries(): DeliveryRecord[];
  /** Resolves once queued webhook deliveries have finished. */
  webhooksIdle(): Promise<void>;
  /** What was posted to the emulated Zapier catch hooks (POST /zapier/hooks/catch/A/B). */
  caughtHooks(): CaughtHook[];
}

const TOKEN_STREAM = 0x7f4a7c15;
const KEY_STREAM = 0x2545f491;

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const seed = opts.seed ?? 1;
  const now = opts.now ?? Date.now;
  const spec = loadSpec();
  const db = openDb(opts.dbFile);
  const records = new Records(db);
  const webhooks = new WebhookSender(
    new IdSource(seed ^ KEY_STREAM).bytes(32),
    {
      url: opts.webhookUrl,
      retries: opts.webhookRetry?.retries,
      retryDelayMs: opts.webhookRetry?.delayMs,
      // The app is known once the world is seeded; read it at delivery time.
      app: () => state.fixtures.app,
    },
    now,
  );
  const state: State = {
    db,
    records,
    tokens: new TokenStore(db, new IdSource(seed ^ TOKEN_STREAM), now),
    ids: new IdSource(seed),
    now,
    webhooks,
    fixtures: undefined as unknown as Fixtures, // set by seeding below
    baseUrl: "",
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 86_399,
    allScopes: spec.allScopes,
  };

  const seedFresh = () => {
    db.transaction(() => {
      wipe(db);
      state.ids = new IdSource(seed);
      state.tokens = new TokenStore(db, new IdSource(seed ^ TOKEN_STREAM), now);
      state.fixtures = seedWorld(state, seed);
      setMeta(db, "seed", String(seed));
      setMeta(db, "fixtures", JSON.stringify(state.fixtures));
    })();
  };
  const stored = getMeta(db, "fixtures");
  if (opts.dbFile && stored && getMeta(db, "seed") === String(seed)) {
    // Reopened file: keep its data; new ids continue from a fresh stream so they cannot repeat.
    const generation = Number(getMeta(db, "generation") ?? "0") + 1;
    setMeta(db, "generation", String(generation));
    state.fixtures = JSON.parse(stored) as Fixtures;
    state.ids = new IdSource(seed + generation * 1_000_003);
    state.tokens = new TokenStore(db, new IdSource((seed ^ TOKEN_STREAM) + generation), now);
  } else seedFresh();

  const limiter = new RateLimiter(
    {
      max: opts.rateLimit?.max ?? 100,
      windowMs: opts.rateLimit?.windowMs ?? 10_000,
      daily: opts.dailyLimit ?? 200_000,
    },
    now,
  );
  const faults = new FaultInjector();
  const log = new RequestLog();
  const external = new ExternalServices(seed, now, opts.batchData);

  const createToken = (r: TokenRequest = {}): string => {
    const agency = r.type === "agency";
    const f = state.fixtures;
    const kind = r.kind ?? "pit";
    const ttl = r.expiresInSeconds ?? (kind === "oauth" ? state.accessTokenTtlSeconds : undefined);
    return state.tokens.mint({
      kind,
      userType: agency ? "Company" : "Location",
      companyId: f.companyId,
      locationId: agency ? null : (r.locationId ?? f.locationId),
      scopes: r.scopes ?? spec.allScopes,
      expiresAt: ttl === undefined ? null : now() + ttl * 1000,
      clientId: kind === "oauth" ? f.app.clientId : null,
      userId: f.userId,
    }).token;
  };

  const updateSettings = (u: SettingsUpdate): Record<string, unknown> => {
    const id = u.locationId ?? state.fixtures.locationId;
    const loc = records.get<LocationDoc>("location", id);
    if (!loc) throw badRequest(`unknown location ${id}`);
    if (typeof u.allowDuplicateContact === "boolean")
      loc.settings.allowDuplicateContact = u.allowDuplicateContact;
    records.update("location", loc);
    return { locationId: id, settings: loc.settings };
  };

  const reset = () => {
    seedFresh();
    limiter.reset();
    faults.set(null);
    external.reset();
  };

  let info: SandboxInfo | undefined;
  const api = new ApiServer({
    state: () => state,
    limiter,
    faults,
    log,
    handlers: buildRegistry(),
    publicHandlers,
    external: (method, pathname, authorization, raw) => external.handle(method, pathname, authorization, raw),
    control: controlRoutes({
      state: () => state,
      log,
      info: () => ({ ...info }),
      reset,
      setFaults: (c) => faults.set(c),
      getFaults: () => faults.get(),
      updateSettings,
      createToken,
    }),
  });

  await new Promise<void>((resolve, reject) => {
    api.server.once("error", reject);
    api.server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = api.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  state.baseUrl = `http://${host}:${address.port}`;
  const f = state.fixtures;
  info = {
    baseUrl: state.baseUrl,
    companyId: f.companyId,
    locationId: f.locationId,
    locationToken: f.locationToken,
    agencyToken: f.agencyToken,
    clientId: f.app.clientId,
    clientSecret: f.app.clientSecret,
    webhookPublicKey: webhooks.publicKeyPem,
    otherLocationId: f.otherLocationId,
    appId: f.app.appId,
    versionId: f.app.versionId,
    userId: f.userId,
    batchDataToken: external.batchData.token,
  };
  const sandboxInfo = info;

  let closed = false;
  return {
    info: sandboxInfo,
    async close() {
      if (closed) return;
      closed = true;
      api.releaseHeld();
      await new Promise<void>((resolve) => {
        api.server.close(() => resolve());
        api.server.closeAllConnections();
      });
      await webhooks.close();
      db.close();
    },
    reset,
    createToken,
    setFaults: (c) => faults.set(c),
    updateSettings,
    requests: (filter) => log.list(filter),
    webhookDeliveries: () => [...webhooks.deliveries],
    webhooksIdle: () => webhooks.idle(),
    caughtHooks: () => external.hooks.list(),
  };
}
