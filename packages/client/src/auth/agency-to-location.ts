// An agency connection reaches a sub-account through a location token minted with
// POST /oauth/locationToken. Minted tokens are cached per location until shortly before they expire and
// minted single-flight, so a burst of requests for one location costs one mint.
import { HighLevelError } from "../errors.ts";
import { registerSecret } from "../redact.ts";
import type { Credentials, CredentialsInfo } from "./credentials.ts";
import { DEFAULT_REFRESH_SKEW_MS } from "./credentials.ts";
import type { OAuthApp } from "./oauth.ts";
import type { TokenSet } from "./token-store.ts";

export interface LocationTokenMinterOptions {
  /** Credentials holding an agency (Company) token. */
  agency: Credentials;
  /** Whatever calls the endpoint; an OAuthApp does. */
  app: Pick<OAuthApp, "locationToken">;
  /** The agency's company id; defaults to agency.info().companyId. */
  companyId?: string;
  /** Mint again when the cached token expires within this many ms. Default 60 s. */
  skewMs?: number;
  now?: () => number;
}

export class LocationTokenMinter {
  readonly #agency: Credentials;
  readonly #app: Pick<OAuthApp, "locationToken">;
  readonly #companyId: string | undefined;
  readonly #skewMs: number;
  readonly #now: () => number;
  readonly #cache = new Map<string, TokenSet>();
  readonly #inflight = new Map<string, Promise<TokenSet>>();
  /** Per location, the token minted because of a 401: if it is rejected too, minting again cannot help. */
  readonly #forced = new Map<string, string>();
  readonly #views = new Map<string, Credentials>();

  constructor(options: LocationTokenMinterOptions) {
    this.#agency = options.agency;
    this.#app = options.app;
    this.#companyId = options.companyId;
    this.#skewMs = options.skewMs ?? DEFAULT_REFRESH_SKEW_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Location Credentials backed by this minter (one object per location). */
  forLocation(locationId: string): Credentials {
    let view = this.#views.get(locationId);
    if (!view) {
      view = new MintedLocationCredentials(this, locationId);
      this.#views.set(locationId, view);
    }
    return view;
  }

  /** A usable location token: the cached one, or a freshly minted one. */
  async getToken(locationId: string): Promise<TokenSet> {
    const cached = this.#cache.get(locationId);
    if (cached && !this.#expiring(cached)) return cached;
    return this.#shared(locationId, undefined);
  }

  /** The cached token for a location, if any (it may be expired). */
  cached(locationId: string): TokenSet | undefined {
    return this.#cache.get(locationId);
  }

  /** After a 401 with a minted token: mint a new one unless that cannot help. True if a new one was obtained. */
  async onUnauthorized(locationId: string, rejectedToken?: string): Promise<boolean> {
    const rejected = rejectedToken ?? this.#cache.get(locationId)?.accessToken;
    const pending = this.#inflight.get(locationId);
    if (pending) await pending;
    const current = this.#cache.get(locationId);
    if (current && current.accessToken !== rejected && !this.#expiring(current)) return true;
    if (rejected !== undefined && this.#forced.get(locationId) === rejected) return false;
    const fresh = await this.#shared(locationId, rejected);
    return fresh.accessToken !== rejected;
  }

  /** Forget a location's token, e.g. when the app was uninstalled there. */
  invalidate(locationId: string): void {
    this.#cache.delete(locationId);
    this.#forced.delete(locationId);
  }

  agencyInfo(): CredentialsInfo {
    return this.#agency.info();
  }

  #expiring(tokens: TokenSet): boolean {
    return tokens.expiresAt - this.#skewMs <= this.#now();
  }

  #shared(locationId: string, rejected: string | undefined): Promise<TokenSet> {
    let pending = this.#inflight.get(locationId);
    if (!pending) {
      pending = this.#mintIfStillNeeded(locationId, rejected).finally(() => {
        this.#inflight.delete(locationId);
      });
      this.#inflight.set(locationId, pending);
    }
    return pending;
  }

  async #mintIfStillNeeded(locationId: string, rejected: string | undefined): Promise<TokenSet> {
    const cached = this.#cache.get(locationId);
    if (cached && cached.accessToken !== rejected && !this.#expiring(cached)) return cached;
    const minted = await this.#mint(locationId);
    registerSecret(minted.accessToken);
    this.#dropExpired();
    this.#cache.set(locationId, minted);
    if (rejected !== undefined) this.#forced.set(locationId, minted.accessToken);
    else this.#forced.delete(locationId);
    return minted;
  }

  async #mint(locationId: string): Promise<TokenSet> {
    const info = this.#agency.info();
    if (info.kind !== "agency") {
      throw new HighLevelError("Minting a location token needs an agency (Company) token", {
        code: "WRONG_TOKEN_TYPE",
        operationId: "get-location-access-token",
      });
    }
    const companyId = this.#companyId ?? info.companyId;
    if (!companyId) {
      throw new HighLevelError("Minting a location token needs the agency's companyId", {
        code: "INVALID_REQUEST",
        operationId: "get-location-access-token",
      });
    }
    const agencyToken = await this.#agency.getAccessToken();
    try {
      return await this.#app.locationToken(agencyToken, companyId, locationId);
    } catch (error) {
      // A stale agency token: refresh it once and try once more.
      if (error instanceof HighLevelError && error.status === 401) {
        if (await this.#agency.onUnauthorized(agencyToken)) {
          return this.#app.locationToken(await this.#agency.getAccessToken(), companyId, locationId);
        }
      }
      throw error;
    }
  }

  #dropExpired(): void {
    const now = this.#now();
    for (const [id, tokens] of this.#cache) if (tokens.expiresAt <= now) this.#cache.delete(id);
  }
}

class MintedLocationCredentials implements Credentials {
  readonly #minter: LocationTokenMinter;
  readonly #locationId: string;

  constructor(minter: LocationTokenMinter, locationId: string) {
    this.#minter = minter;
    this.#locationId = locationId;
  }

  info(): CredentialsInfo {
    const agency = this.#minter.agencyInfo();
    // Scopes are known once a token was minted (its answer lists them); until then they are unknown.
    const scopes = this.#minter.cached(this.#locationId)?.scopes;
    const companyId = this.#minter.cached(this.#locationId)?.companyId ?? agency.companyId;
    return {
      kind: "location",
      ...(scopes ? { scopes: [...scopes] } : {}),
      locationId: this.#locationId,
      ...(companyId ? { companyId } : {}),
      // Same marketplace app, same rate-limit owner as the agency connection.
      ownerId: agency.ownerId,
    };
  }

  async getAccessToken(): Promise<string> {
    return (await this.#minter.getToken(this.#locationId)).accessToken;
  }

  onUnauthorized(rejectedToken?: string): Promise<boolean> {
    return this.#minter.onUnauthorized(this.#locationId, rejectedToken);
  }
}
