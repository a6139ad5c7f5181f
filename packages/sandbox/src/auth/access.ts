// Who may call what: token type and scopes from the operation's security, and which
// locations a token may touch.
import { forbidden, MESSAGES, unauthorized } from "../http/errors.ts";
import type { SpecOperation } from "../spec/load.ts";
import type { Principal } from "./tokens.ts";

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : null;
}

/** Throws the 401 HighLevel answers when the token's type or scopes do not fit the operation. */
export function authorizeOperation(op: SpecOperation, principal: Principal): void {
  if (op.security.length === 0) return; // the spec declares none: any valid token
  const sameType = op.security.filter((alt) => alt.userType === principal.userType);
  if (sameType.length === 0) throw unauthorized(MESSAGES.wrongTokenType);
  if (!sameType.some((alt) => alt.scopes.every((s) => principal.scopes.has(s)))) {
    throw unauthorized(MESSAGES.missingScope);
  }
}

export interface LocationLookup {
  /** companyId of a location, or undefined when the location does not exist. */
  companyOf(locationId: string): string | undefined;
}

/** Throws 403 unless the principal may act on this location. */
export function assertLocationAccess(
  principal: Principal,
  locationId: string,
  locations: LocationLookup,
): void {
  if (principal.userType === "Location") {
    if (principal.locationId !== locationId) throw forbidden(MESSAGES.wrongLocation);
    return;
  }
  if (locations.companyOf(locationId) !== principal.companyId) throw forbidden(MESSAGES.wrongLocation);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** Location ids a request names explicitly: path, query (locationId, location_id, altId) or body. */
export function requestedLocations(
  params: Record<string, string>,
  query: Record<string, unknown>,
  body: unknown,
): string[] {
  const out = new Set<string>();
  const add = (v: unknown) => {
    const s = str(v);
    if (s) out.add(s);
  };
  add(params.locationId);
  add(query.locationId);
  add(query.location_id);
  if (query.altType === "location") add(query.altId);
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    add(b.locationId);
    if (b.altType === "location") add(b.altId);
  }
  return [...out];
}

/** A companyId the request names (agency routes), checked against the token's company. */
export function assertCompanyAccess(
  principal: Principal,
  query: Record<string, unknown>,
  body: unknown,
): void {
  const fromBody =
    body && typeof body === "object" && !Array.isArray(body)
      ? (body as Record<string, unknown>).companyId
      : undefined;
  for (const c of [query.companyId, fromBody]) {
    const s = str(c);
    if (s && s !== principal.companyId) throw forbidden("The token does not have access to this company.");
  }
}
