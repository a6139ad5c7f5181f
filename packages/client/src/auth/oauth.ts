// A HighLevel marketplace app: builds the authorize URL and talks to the OAuth endpoints
// (specs/highlevel/v2/apps/oauth.json). Every token, secret and code it sees is registered with redact(),
// so no error it raises, nor any error built later from a response, can carry one.
import { errorFromResponse, HighLevelError } from "../errors.ts";
import { redactValue, registerSecret } from "../redact.ts";
import type { TokenSet, UserType } from "./token-store.ts";

export const DEFAULT_API_BASE_URL = "https://services.leadconnectorhq.com";
export const MARKETPLACE_HOST = "https://marketplace.gohighlevel.com";
export const WHITE_LABEL_MARKETPLACE_HOST = "https://marketplace.leadconnectorhq.com";
/** The Version header the spec declares for locationToken and installedLocations. */
const OAUTH_API_VERSION = "2021-07-28";
/** Used when a token answer lacks expires_in: the documented lifetime; a 401 still forces a refresh. */
const DEFAULT_EXPIRES_IN_SECONDS = 86_399;
const DEFAULT_TIMEOUT_MS = 30_000;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface OAuthAppOptions {
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
  /** API base, default https://services.leadconnectorhq.com. */
  baseUrl?: string;
  /** Default https://marketplace.gohighlevel.com; white-label: https://marketplace.leadconnectorhq.com. */
  marketplaceHost?: string;
  fetch?: FetchLike;
  /** Clock for expiresAt, epoch ms. */
  now?: () => number;
  /** Per-request timeout of the OAuth endpoints. */
  timeoutMs?: number;
}

export interface AuthorizeUrlOptions {
  scopes: string[];
  /** Opaque anti-CSRF value; the callback must check it comes back unchanged. */
  state: string;
  redirectUri?: string;
  /** "self" opens HighLevel's login in the same tab for users who are not logged in (documented value). */
  loginWindowOpenMode?: "self";
  /** Use the white-label marketplace host instead of the configured one. */
  whiteLabel?: boolean;
}

export interface ExchangeCodeOptions {
  userType?: UserType;
  redirectUri?: string;
}

export interface InstalledLocationsQuery {
  companyId: string;
  appId: string;
  skip?: number;
  limit?: number;
  query?: string;
  isInstalled?: boolean;
  versionId?: string;
  onTrial?: boolean;
  planId?: string;
  locationId?: string;
}

export interface InstalledLocation {
  _id: string;
  name: string;
  address: string;
  isInstalled?: boolean;
  versionId?: string;
  installedAt?: string;
}

export interface InstalledLocationsPage {
  locations: InstalledLocation[];
  /** Total number of locations under the company. */
  count?: number;
  installToFutureLocations?: boolean;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export class OAuthApp {
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  readonly baseUrl: string;
  readonly marketplaceHost: string;
  readonly now: () => number;
  readonly timeoutMs: number;
  // A private field: the secret never shows up in JSON.stringify or util.inspect of the app.
  readonly #clientSecret: string;
  readonly #fetch: FetchLike;

  constructor(options: OAuthAppOptions) {
    if (!options.clientId || !options.clientSecret) {
      throw new HighLevelError("OAuthApp needs a clientId and a clientSecret", { code: "INVALID_REQUEST" });
    }
    registerSecret(options.clientSecret);
    this.clientId = options.clientId;
    this.#clientSecret = options.clientSecret;
    this.redirectUri = options.redirectUri;
    this.baseUrl = trimSlash(options.baseUrl ?? DEFAULT_API_BASE_URL);
    this.marketplaceHost = trimSlash(options.marketplaceHost ?? MARKETPLACE_HOST);
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The page to send an agency or sub-account admin to so that they install the app. */
  authorizeUrl(options: AuthorizeUrlOptions): string {
    const host = options.whiteLabel ? WHITE_LABEL_MARKETPLACE_HOST : this.marketplaceHost;
    const params: Array<[string, string]> = [["response_type", "code"]];
    const redirectUri = options.redirectUri ?? this.redirectUri;
    if (redirectUri) params.push(["redirect_uri", redirectUri]);
    params.push(["client_id", this.clientId]);
    if (options.scopes.length) params.push(["scope", options.scopes.join(" ")]);
    params.push(["state", options.state]);
    if (options.loginWindowOpenMode) params.push(["loginWindowOpenMode", options.loginWindowOpenMode]);
    // encodeURIComponent rather than URLSearchParams: spaces become %20, never "+", which is unambiguous.
    const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
    return `${host}/v2/oauth/chooselocation?${query}`;
  }

  /** Trade the code from the redirect for the connection's first token pair. */
  async exchangeCode(code: string, options: ExchangeCodeOptions = {}): Promise<TokenSet> {
    registerSecret(code);
    const form: Record<string, string> = {
      client_id: this.clientId,
      client_secret: this.#clientSecret,
      grant_type: "authorization_code",
      code,
    };
    if (options.userType) form.user_type = options.userType;
    const redirectUri = options.redirectUri ?? this.redirectUri;
    if (redirectUri) form.redirect_uri = redirectUri;
    const body = await this.#post("get-access-token", "/oauth/token", form);
    return this.#tokenSet(body, { userType: options.userType });
  }

  /** Spend a (single-use) refresh token for a new pair. Callers must persist the answer before using it. */
  async refresh(refreshToken: string, userType: UserType): Promise<TokenSet> {
    registerSecret(refreshToken);
    const form: Record<string, string> = {
      client_id: this.clientId,
      client_secret: this.#clientSecret,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      user_type: userType,
    };
    if (this.redirectUri) form.redirect_uri = this.redirectUri;
    const body = await this.#post("get-access-token", "/oauth/token", form);
    return this.#tokenSet(body, { userType });
  }

  /** Mint a location (sub-account) token from an agency token. It has no refresh token. */
  async locationToken(agencyAccessToken: string, companyId: string, locationId: string): Promise<TokenSet> {
    registerSecret(agencyAccessToken);
    const body = await this.#post(
      "get-location-access-token",
      "/oauth/locationToken",
      { companyId, locationId },
      agencyAccessToken,
    );
    const tokens = this.#tokenSet(body, { userType: "Location", companyId, locationId });
    // The answer identifies the location; a token for another one must not be cached under this id.
    if (tokens.locationId !== locationId) {
      throw new HighLevelError("get-location-access-token answered with a token for another location", {
        code: "HTTP_ERROR",
        operationId: "get-location-access-token",
      });
    }
    return { ...tokens, userType: "Location", companyId: tokens.companyId ?? companyId };
  }

  /** One page of the locations under a company and whether this app is installed there. */
  async installedLocations(
    agencyAccessToken: string,
    query: InstalledLocationsQuery,
  ): Promise<InstalledLocationsPage> {
    registerSecret(agencyAccessToken);
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    const body = await this.#send("get-installed-location", `/oauth/installedLocations?${params}`, {
      method: "GET",
      headers: {
        Accept: "application/json",
        Authorization: `Bearer ${agencyAccessToken}`,
        Version: OAUTH_API_VERSION,
      },
    });
    const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    return {
      locations: Array.isArray(b.locations) ? (b.locations as InstalledLocation[]) : [],
      ...(typeof b.count === "number" ? { count: b.count } : {}),
      ...(typeof b.installToFutureLocations === "boolean"
        ? { installToFutureLocations: b.installToFutureLocations }
        : {}),
    };
  }

  #post(operationId: string, path: string, form: Record<string, string>, bearer?: string): Promise<unknown> {
    const headers: Record<string, string> = {
      Accept: "application/json",
      "Content-Type": "application/x-www-form-urlencoded",
    };
    if (bearer) {
      headers.Authorization = `Bearer ${bearer}`;
      headers.Version = OAUTH_API_VERSION;
    }
    return this.#send(operationId, path, {
      method: "POST",
      headers,
      body: new URLSearchParams(form).toString(),
    });
  }

  async #send(operationId: string, path: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      // Retryable even for a refresh: if the request did reach HighLevel, the retry meets invalid_grant and
      // the connection is reported as needing a reconnect; if it did not, the retry succeeds.
      const timedOut =
        error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      const detail = error instanceof Error ? error.message : String(error);
      throw new HighLevelError(
        timedOut
          ? `${operationId}: no answer within ${this.timeoutMs} ms`
          : `${operationId}: network error: ${detail}`,
        { code: timedOut ? "TIMEOUT" : "NETWORK_ERROR", operationId, retryable: true, cause: error },
      );
    }
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    if (!response.ok) {
      throw errorFromResponse(
        response.status,
        redactValue(body),
        operationId,
        retryableStatus(response.status),
      );
    }
    return body;
  }

  #tokenSet(
    body: unknown,
    fallback: { userType?: UserType | undefined; companyId?: string; locationId?: string },
  ): TokenSet {
    const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
    const accessToken = str(b.access_token);
    if (!accessToken) {
      throw new HighLevelError("HighLevel's token answer carries no access_token", {
        code: "HTTP_ERROR",
        operationId: "get-access-token",
      });
    }
    const refreshToken = str(b.refresh_token);
    registerSecret(accessToken);
    registerSecret(refreshToken);
    const expiresIn =
      typeof b.expires_in === "number" && Number.isFinite(b.expires_in)
        ? b.expires_in
        : Number(b.expires_in) || DEFAULT_EXPIRES_IN_SECONDS;
    const locationId = str(b.locationId) ?? fallback.locationId;
    const companyId = str(b.companyId) ?? fallback.companyId;
    const userId = str(b.userId);
    const answeredType = b.userType === "Company" || b.userType === "Location" ? b.userType : undefined;
    const scope = str(b.scope);
    return {
      accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      expiresAt: this.now() + expiresIn * 1000,
      ...(scope ? { scopes: scope.split(/\s+/).filter(Boolean) } : {}),
      userType: answeredType ?? fallback.userType ?? (locationId ? "Location" : "Company"),
      ...(companyId ? { companyId } : {}),
      ...(locationId ? { locationId } : {}),
      ...(userId ? { userId } : {}),
    };
  }
}
