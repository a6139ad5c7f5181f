// The HighLevel marketplace app this server authorizes connections with: its client id and secret,
// where the consent page is (HIGHLEVEL_MARKETPLACE_URL: the real marketplace, or the sandbox's
// chooselocation in the demo) and which scopes to ask for.
import { CATALOG, entryScopes } from "@hlconnect/catalog";
import { OAuthApp, type UserType } from "@hlconnect/client";

export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  /** The API the code is exchanged with (HIGHLEVEL_BASE_URL, or the sandbox). */
  apiBaseUrl?: string;
  /**
   * A marketplace host (the consent page is its /v2/oauth/chooselocation) or the consent page's full
   * URL (any path, e.g. the sandbox's /oauth/chooselocation). Used for white-label requests too.
   */
  marketplaceUrl?: string;
  /** The marketplace app id, for listing an agency's installed locations; default: the client id's prefix. */
  appId?: string;
  /** Scopes to ask for instead of those the catalog needs (HIGHLEVEL_OAUTH_SCOPES). */
  scopes?: string[];
}

/** What every connection needs, whatever its flows do: reading its location (the connection test). */
const BASE_SCOPES = ["locations.readonly"];
/** An agency lists its installed locations and mints location tokens. */
const AGENCY_SCOPES = ["oauth.readonly", "oauth.write"];

export class OAuthSettingsError extends Error {
  override name = "OAuthSettingsError";
}

/**
 * HIGHLEVEL_CLIENT_ID / HIGHLEVEL_CLIENT_SECRET (both or neither), HIGHLEVEL_MARKETPLACE_URL,
 * HIGHLEVEL_APP_ID and HIGHLEVEL_OAUTH_SCOPES. Undefined when OAuth is not configured.
 */
export function oauthSettingsFromEnv(
  env: NodeJS.ProcessEnv,
  apiBaseUrl: string | undefined,
): OAuthSettings | undefined {
  const clientId = env.HIGHLEVEL_CLIENT_ID?.trim();
  const clientSecret = env.HIGHLEVEL_CLIENT_SECRET?.trim();
  if (!clientId && !clientSecret) return undefined;
  if (!clientId || !clientSecret) {
    throw new OAuthSettingsError(
      `${clientId ? "HIGHLEVEL_CLIENT_SECRET" : "HIGHLEVEL_CLIENT_ID"} is not set: OAuth connections need ` +
        "both the client id and the client secret of your HighLevel marketplace app",
    );
  }
  const marketplaceUrl = env.HIGHLEVEL_MARKETPLACE_URL?.trim();
  if (marketplaceUrl && !/^https?:\/\//.test(marketplaceUrl)) {
    throw new OAuthSettingsError(
      `HIGHLEVEL_MARKETPLACE_URL must be an http(s) URL, e.g. https://marketplace.gohighlevel.com, got "${marketplaceUrl}"`,
    );
  }
  const scopes = env.HIGHLEVEL_OAUTH_SCOPES?.split(/[\s,]+/).filter(Boolean);
  const appId = env.HIGHLEVEL_APP_ID?.trim();
  return {
    clientId,
    clientSecret,
    ...(apiBaseUrl ? { apiBaseUrl } : {}),
    ...(marketplaceUrl ? { marketplaceUrl } : {}),
    ...(appId ? { appId } : {}),
    ...(scopes?.length ? { scopes } : {}),
  };
}

/** The scopes to request: the configured ones, or every scope the catalog's operations need. */
export function scopesFor(settings: OAuthSettings, userType: UserType): string[] {
  if (settings.scopes) return settings.scopes;
  const all = new Set([...BASE_SCOPES, ...CATALOG.flatMap((e) => entryScopes(e))]);
  if (userType === "Company") for (const s of AGENCY_SCOPES) all.add(s);
  return [...all].sort();
}

export function oauthApp(settings: OAuthSettings, now?: () => number): OAuthApp {
  return new OAuthApp({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    ...(settings.apiBaseUrl ? { baseUrl: settings.apiBaseUrl } : {}),
    ...(now ? { now } : {}),
  });
}

export interface AuthorizeRequest {
  state: string;
  redirectUri: string;
  userType: UserType;
  whiteLabel: boolean;
}

/** The consent page to send the user to. */
export function authorizeUrl(settings: OAuthSettings, request: AuthorizeRequest): string {
  const custom = settings.marketplaceUrl ? new URL(settings.marketplaceUrl) : undefined;
  const hostOnly = custom && (custom.pathname === "/" || custom.pathname === "");
  const app = new OAuthApp({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    ...(hostOnly ? { marketplaceHost: custom.origin } : {}),
  });
  const built = app.authorizeUrl({
    scopes: scopesFor(settings, request.userType),
    state: request.state,
    redirectUri: request.redirectUri,
    // A configured marketplace serves both kinds of user.
    whiteLabel: request.whiteLabel && !custom,
  });
  // Which kind of account to grant: the consent page offers the matching choice (the sandbox reads it).
  // Appended as text: the client's query spells spaces %20, which URLSearchParams would turn into "+".
  const query = `${built.slice(built.indexOf("?") + 1)}&user_type=${encodeURIComponent(request.userType)}`;
  if (custom && !hostOnly) return `${custom.origin}${custom.pathname}?${query}`;
  return `${built.slice(0, built.indexOf("?"))}?${query}`;
}
