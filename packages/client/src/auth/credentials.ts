// What the client asks of a connection on every request: which kind of token it holds, the token
// itself, and a way to get a fresh one after a 401.
import { createHash } from "node:crypto";
import { HighLevelError, ReconnectNeededError } from "../errors.ts";
import type { TokenKind } from "../operation.ts";
import { registerSecret } from "../redact.ts";
import type { OAuthApp } from "./oauth.ts";
import type { TokenSet, TokenStore, UserType } from "./token-store.ts";

export interface CredentialsInfo {
  kind: TokenKind;
  /** Granted scopes; undefined = unknown, so nothing is checked before the request. */
  scopes?: string[];
  locationId?: string;
  companyId?: string;
  /** Stable, non-secret id of whoever owns the rate-limit budget (PIT hash prefix, OAuth client id). */
  ownerId: string;
}

export interface Credentials {
  info(): CredentialsInfo;
  getAccessToken(): Promise<string>;
  /**
   * Called after HighLevel answered 401. Tries to obtain a fresh token; true if one was obtained.
   * Pass the token the rejected request carried, so a token refreshed meanwhile is not refreshed again.
   * May throw ReconnectNeededError (the connection is dead) or a retryable HighLevelError.
   */
  onUnauthorized(rejectedToken?: string): Promise<boolean>;
}

/** Refresh this long before expiry, so a token does not expire between getAccessToken and the request. */
export const DEFAULT_REFRESH_SKEW_MS = 60_000;

export function kindOfUserType(userType: UserType): TokenKind {
  return userType === "Company" ? "agency" : "location";
}

function copyScopes(scopes: string[] | undefined): { scopes?: string[] } {
  return scopes ? { scopes: [...scopes] } : {};
}

// ---------------------------------------------------------------------------------------------------------

export interface PrivateIntegrationTokenOptions {
  token: string;
  kind: TokenKind;
  /** The scopes chosen when the PIT was made; leave out if unknown. */
  scopes?: string[];
  locationId?: string;
  companyId?: string;
}

/** A static Private Integration Token: no refresh, so a 401 cannot be repaired. */
export class PrivateIntegrationToken implements Credentials {
  readonly #token: string;
  readonly #info: CredentialsInfo;

  constructor(options: PrivateIntegrationTokenOptions) {
    if (!options.token)
      throw new HighLevelError("PrivateIntegrationToken needs a token", { code: "INVALID_REQUEST" });
    registerSecret(options.token);
    this.#token = options.token;
    // A prefix of the hash identifies the PIT for rate-limit buckets and logs without revealing it.
    const digest = createHash("sha256").update(options.token).digest("hex").slice(0, 16);
    this.#info = {
      kind: options.kind,
      ...copyScopes(options.scopes),
      ...(options.locationId ? { locationId: options.locationId } : {}),
      ...(options.companyId ? { companyId: options.companyId } : {}),
      ownerId: `pit:${digest}`,
    };
  }

  info(): CredentialsInfo {
    return { ...this.#info, ...copyScopes(this.#info.scopes) };
  }

  async getAccessToken(): Promise<string> {
    return this.#token;
  }

  async onUnauthorized(): Promise<boolean> {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------

export interface OAuthCredentialsOptions {
  app: OAuthApp;
  store: TokenStore;
  connectionId: string;
  /** Refresh when the access token expires within this many ms. Default 60 s. */
  skewMs?: number;
  /** Clock, epoch ms; defaults to the app's. */
  now?: () => number;
}

/** The answers of the token endpoint that mean the refresh token will never work again. */
function isGrantRejected(error: unknown): boolean {
  if (!(error instanceof HighLevelError) || error.code !== "HTTP_ERROR" || error.status === undefined)
    return false;
  const body = error.body as { error?: unknown } | undefined;
  if (body && typeof body === "object" && body.error === "invalid_grant") return true;
  // Any other 4xx except timeout/rate limit: the same refresh token would get the same answer, so
  // retrying could only loop.
  return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}

/**
 * One OAuth connection kept in a TokenStore. Refreshes are single-flight within the object and, when the
 * store has withLock, across every process that shares the store.
 */
export class OAuthCredentials implements Credentials {
  readonly connectionId: string;
  readonly #app: OAuthApp;
  readonly #store: TokenStore;
  readonly #skewMs: number;
  readonly #now: () => number;
  #tokens: TokenSet;
  /** The one refresh in flight; every caller meanwhile awaits it. */
  #inflight: Promise<string> | undefined;
  /** Set once the refresh token was rejected: no more refresh requests until the store holds another one. */
  #dead: { reason: string; refreshToken: string | undefined } | undefined;
  /** A refreshed pair the store failed to save: it holds the only live refresh token, so it is kept to retry. */
  #unsaved: TokenSet | undefined;
  /** The access token obtained because of a 401: if it is rejected too, refreshing again cannot help. */
  #forcedToken: string | undefined;

  private constructor(options: OAuthCredentialsOptions, tokens: TokenSet) {
    this.connectionId = options.connectionId;
    this.#app = options.app;
    this.#store = options.store;
    this.#skewMs = options.skewMs ?? DEFAULT_REFRESH_SKEW_MS;
    this.#now = options.now ?? options.app.now;
    this.#tokens = tokens;
  }

  /** Load the connection's tokens; ReconnectNeededError when the store holds none. */
  static async create(options: OAuthCredentialsOptions): Promise<OAuthCredentials> {
    const tokens = await options.store.load(options.connectionId);
    if (!tokens) throw OAuthCredentials.#noTokens(options.connectionId);
    OAuthCredentials.#register(tokens);
    return new OAuthCredentials(options, tokens);
  }

  info(): CredentialsInfo {
    const t = this.#tokens;
    return {
      kind: kindOfUserType(t.userType),
      ...copyScopes(t.scopes),
      ...(t.locationId ? { locationId: t.locationId } : {}),
      ...(t.companyId ? { companyId: t.companyId } : {}),
      ownerId: `app:${this.#app.clientId}`,
    };
  }

  /** The tokens this object currently works with (a copy). */
  tokens(): TokenSet {
    return { ...this.#tokens, ...copyScopes(this.#tokens.scopes) };
  }

  async getAccessToken(): Promise<string> {
    if (!this.#dead && !this.#unsaved && !this.#needsRefresh(this.#tokens)) return this.#tokens.accessToken;
    return this.#shared(undefined);
  }

  async onUnauthorized(rejectedToken?: string): Promise<boolean> {
    const rejected = rejectedToken ?? this.#tokens.accessToken;
    // A refresh in flight may already be producing the replacement.
    if (this.#inflight) await this.#inflight;
    if (this.#tokens.accessToken !== rejected && !this.#unsaved) return true;
    if (rejected === this.#forcedToken) return false;
    const token = await this.#shared(rejected);
    return token !== rejected;
  }

  #needsRefresh(tokens: TokenSet): boolean {
    return tokens.expiresAt - this.#skewMs <= this.#now();
  }

  /** Single flight: whoever comes while a refresh runs gets its outcome. */
  #shared(rejected: string | undefined): Promise<string> {
    if (!this.#inflight) {
      const run = () => this.#refreshIfStillNeeded(rejected);
      const locked = this.#store.withLock ? this.#store.withLock(this.connectionId, run) : run();
      this.#inflight = locked.finally(() => {
        this.#inflight = undefined;
      });
    }
    return this.#inflight;
  }

  async #refreshIfStillNeeded(rejected: string | undefined, raced = false): Promise<string> {
    if (this.#unsaved) {
      // Only this object knows the live refresh token; nothing else may happen until it is persisted.
      await this.#store.save(this.connectionId, this.#unsaved);
      this.#unsaved = undefined;
    }
    // Re-read: another object or process may have refreshed (and spent the refresh token we hold).
    const stored = await this.#store.load(this.connectionId);
    if (!stored) throw OAuthCredentials.#noTokens(this.connectionId);
    OAuthCredentials.#register(stored);
    if (this.#dead) {
      if (stored.refreshToken === this.#dead.refreshToken) throw this.#reconnect(this.#dead.reason);
      this.#dead = undefined; // reconnected meanwhile: the store holds a new pair
    }
    this.#tokens = stored;
    const forced = rejected !== undefined && stored.accessToken === rejected;
    if (!forced && !this.#needsRefresh(stored)) return stored.accessToken;

    if (!stored.refreshToken) {
      this.#dead = { reason: "no refresh token is stored", refreshToken: undefined };
      throw this.#reconnect(this.#dead.reason);
    }
    let fresh: TokenSet;
    try {
      fresh = await this.#app.refresh(stored.refreshToken, stored.userType);
    } catch (error) {
      if (!isGrantRejected(error)) throw error; // transient: the refresh token may still be good
      // Lost a race with a process that does not share our lock? Then the store holds its new pair.
      if (!raced) {
        const again = await this.#store.load(this.connectionId);
        if (again && again.refreshToken !== stored.refreshToken)
          return this.#refreshIfStillNeeded(rejected, true);
      }
      const status = error instanceof HighLevelError ? error.status : undefined;
      this.#dead = {
        reason: `HighLevel rejected the refresh token (HTTP ${status}); the app must be authorised again`,
        refreshToken: stored.refreshToken,
      };
      throw this.#reconnect(this.#dead.reason, error);
    }
    // The refresh answer may omit what the stored pair knew.
    const next: TokenSet = {
      ...fresh,
      ...(fresh.scopes ? {} : copyScopes(stored.scopes)),
      companyId: fresh.companyId ?? stored.companyId,
      locationId: fresh.locationId ?? stored.locationId,
      userId: fresh.userId ?? stored.userId,
    };
    for (const key of ["companyId", "locationId", "userId"] as const)
      if (next[key] === undefined) delete next[key];
    try {
      await this.#store.save(this.connectionId, next);
    } catch (error) {
      this.#unsaved = next;
      throw error;
    }
    // Only now may anyone see the new token: had the save failed, the pair would exist nowhere else.
    this.#tokens = next;
    if (forced) this.#forcedToken = next.accessToken;
    return next.accessToken;
  }

  #reconnect(reason: string, cause?: unknown): ReconnectNeededError {
    return new ReconnectNeededError(`connection "${this.connectionId}": ${reason}`, cause);
  }

  static #noTokens(connectionId: string): ReconnectNeededError {
    return new ReconnectNeededError(`connection "${connectionId}": no tokens are stored for it`);
  }

  static #register(tokens: TokenSet): void {
    registerSecret(tokens.accessToken);
    registerSecret(tokens.refreshToken);
  }
}
