// The OAuth 2.0 side: the consent shortcut (chooselocation answers at once with a code for
// the seeded location), the token endpoint with single-use refresh tokens, location tokens
// minted from agency tokens, and the installed-locations list.
import type { HandlerMap, PublicContext, State } from "../context.ts";
import { ApiError, badRequest, oauthError } from "../http/errors.ts";
import type { UserType } from "../spec/load.ts";
import type { Grant, Principal } from "./tokens.ts";

interface LocationRow {
  id: string;
  companyId: string;
  name: string;
  address?: string;
  city?: string;
  dateAdded?: string;
}

function requestedScopes(state: State, scope: string | null | undefined): string[] {
  const asked = (scope ?? "").split(/[\s,]+/).filter(Boolean);
  return asked.length ? asked : state.allScopes;
}

export function grantFor(
  state: State,
  userType: UserType,
  scope: string | null | undefined,
  locationId?: string | null,
): Grant {
  const f = state.fixtures;
  return {
    userType,
    companyId: f.companyId,
    locationId: userType === "Location" ? (locationId ?? f.locationId) : null,
    scopes: requestedScopes(state, scope),
    clientId: f.app.clientId,
    userId: f.userId,
  };
}

/** GET /oauth/chooselocation: no consent screen, a 302 straight back with a code. */
export function chooseLocation(state: State, url: URL): { status: number; headers: Record<string, string> } {
  const q = url.searchParams;
  if (q.get("client_id") !== state.fixtures.app.clientId) throw badRequest("Invalid client_id");
  const redirect = q.get("redirect_uri");
  if (!redirect || !URL.canParse(redirect)) throw badRequest("redirect_uri must be an absolute URL");
  if ((q.get("response_type") ?? "code") !== "code") throw badRequest("response_type must be code");
  const userType: UserType = q.get("user_type") === "Company" ? "Company" : "Location";
  const code = state.tokens.issueCode(
    grantFor(state, userType, q.get("scope"), q.get("locationId")),
    redirect,
  );
  const target = new URL(redirect);
  target.searchParams.set("code", code);
  const st = q.get("state");
  if (st !== null) target.searchParams.set("state", st);
  return { status: 302, headers: { location: target.toString() } };
}

/** GET /__sandbox/oauth/code?userType=Location|Company&scope=&locationId= → {code}. */
export function sandboxCode(state: State, url: URL): { code: string } {
  const q = url.searchParams;
  const userType: UserType = q.get("userType") === "Company" ? "Company" : "Location";
  return {
    code: state.tokens.issueCode(grantFor(state, userType, q.get("scope"), q.get("locationId")), null),
  };
}

function mintAccess(state: State, grant: Grant): Principal {
  return state.tokens.mint({
    kind: "oauth",
    userType: grant.userType,
    companyId: grant.companyId,
    locationId: grant.locationId,
    scopes: grant.scopes,
    clientId: grant.clientId,
    userId: grant.userId,
    expiresAt: state.now() + state.accessTokenTtlSeconds * 1000,
  });
}

/** POST /oauth/token (form-urlencoded). */
export function exchangeToken(ctx: PublicContext) {
  const { state } = ctx;
  const b = ctx.body as Record<string, string | undefined>;
  const app = state.fixtures.app;
  if (b.client_id !== app.clientId || b.client_secret !== app.clientSecret) {
    throw oauthError(401, "invalid_client", "Invalid client credentials");
  }
  let grant: Grant | string;
  if (b.grant_type === "authorization_code") {
    if (!b.code)
      throw oauthError(400, "invalid_request", "code is required for grant_type authorization_code");
    grant = state.tokens.consumeCode(b.code, app.clientId, b.redirect_uri);
  } else if (b.grant_type === "refresh_token") {
    if (!b.refresh_token) {
      throw oauthError(400, "invalid_request", "refresh_token is required for grant_type refresh_token");
    }
    grant = state.tokens.consumeRefresh(b.refresh_token, app.clientId);
  } else {
    throw oauthError(400, "unsupported_grant_type", `grant_type ${b.grant_type} is not supported`);
  }
  if (typeof grant === "string") throw oauthError(400, "invalid_grant", grant);
  if (b.user_type && b.user_type !== grant.userType) {
    throw oauthError(
      400,
      "invalid_request",
      `user_type ${b.user_type} does not match the grant (${grant.userType})`,
    );
  }
  const access = mintAccess(state, grant);
  const refresh = state.tokens.issueRefresh(grant);
  return {
    body: {
      access_token: access.token,
      token_type: "Bearer",
      expires_in: state.accessTokenTtlSeconds,
      refresh_token: refresh,
      scope: grant.scopes.join(" "),
      userType: grant.userType,
      companyId: grant.companyId,
      ...(grant.locationId && { locationId: grant.locationId }),
      ...(grant.userType === "Company" && {
        approvedLocations: companyLocations(state, grant.companyId).map((l) => l.id),
      }),
      userId: grant.userId,
      isBulkInstallation: false,
    },
  };
}

function companyLocations(state: State, companyId: string): LocationRow[] {
  return state.records.list<LocationRow>("location").filter((l) => l.companyId === companyId);
}

export const oauthHandlers: HandlerMap = {
  /** POST /oauth/locationToken: an agency token mints a location token (no refresh token). */
  "get-location-access-token": (ctx) => {
    const b = ctx.body as { companyId: string; locationId: string };
    const app = ctx.state.fixtures.app;
    const access = ctx.state.tokens.mint({
      kind: "oauth",
      userType: "Location",
      companyId: ctx.principal.companyId,
      locationId: b.locationId,
      scopes: [...ctx.principal.scopes],
      clientId: ctx.principal.clientId ?? app.clientId,
      userId: ctx.principal.userId,
      expiresAt: ctx.state.now() + ctx.state.accessTokenTtlSeconds * 1000,
    });
    return {
      body: {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: ctx.state.accessTokenTtlSeconds,
        scope: [...access.scopes].join(" "),
        locationId: b.locationId,
        userId: access.userId,
        appId: app.appId,
        versionId: app.versionId,
      },
    };
  },
  "get-installed-location": (ctx) => {
    const q = ctx.query;
    const app = ctx.state.fixtures.app;
    if (q.appId !== app.appId) throw badRequest("App not found");
    const skip = q.skip === undefined ? 0 : Number(q.skip);
    const limit = q.limit === undefined ? 20 : Number(q.limit);
    if (!Number.isInteger(skip) || !Number.isInteger(limit) || skip < 0 || limit < 1) {
      throw new ApiError(422, {
        statusCode: 422,
        message: ["skip and limit must be non-negative integers"],
        error: "Unprocessable Entity",
      });
    }
    const text = typeof q.query === "string" ? q.query.toLowerCase() : "";
    const rows = companyLocations(ctx.state, String(q.companyId))
      .filter((l) => !text || l.name.toLowerCase().includes(text))
      .filter((l) => !q.locationId || l.id === q.locationId)
      .filter(() => q.isInstalled !== false);
    const locations = rows.slice(skip, skip + limit).map((l) => ({
      _id: l.id,
      name: l.name,
      address: [l.address, l.city].filter(Boolean).join(", "),
      isInstalled: true,
      versionId: app.versionId,
      ...(l.dateAdded && { installedAt: l.dateAdded }),
    }));
    return { body: { locations, count: rows.length, installToFutureLocations: true } };
  },
};
