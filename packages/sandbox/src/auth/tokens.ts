// Bearer tokens (Private Integration Tokens and OAuth access tokens), OAuth codes and
// single-use refresh tokens, all kept in SQLite.

import type { IdSource } from "../random.ts";
import type { UserType } from "../spec/load.ts";
import type { Db } from "../store/db.ts";

export type TokenKind = "pit" | "oauth";

export interface Principal {
  token: string;
  kind: TokenKind;
  userType: UserType;
  companyId: string;
  /** Set for location tokens. */
  locationId: string | null;
  scopes: Set<string>;
  /** Epoch ms; null for PITs, which do not expire. */
  expiresAt: number | null;
  /** The OAuth app (null for PITs). */
  clientId: string | null;
  userId: string;
}

/** What an OAuth code or refresh token stands for. */
export interface Grant {
  userType: UserType;
  companyId: string;
  locationId: string | null;
  scopes: string[];
  clientId: string;
  userId: string;
}

export interface NewToken {
  kind: TokenKind;
  userType: UserType;
  companyId: string;
  locationId?: string | null;
  scopes: string[];
  expiresAt?: number | null;
  clientId?: string | null;
  userId: string;
  seeded?: boolean;
}

interface TokenRow {
  token: string;
  kind: TokenKind;
  user_type: UserType;
  company_id: string;
  location_id: string | null;
  scopes: string;
  expires_at: number | null;
  client_id: string | null;
  user_id: string;
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

export class TokenStore {
  constructor(
    private readonly db: Db,
    private readonly random: IdSource,
    private readonly now: () => number,
  ) {}

  /** A JWT-shaped opaque string, like HighLevel's OAuth tokens (the sandbox never verifies it). */
  private jwtLike(payload: Record<string, unknown>): string {
    return `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(payload)}.${this.random.bytes(32).toString("base64url")}`;
  }

  mint(t: NewToken): Principal {
    const token =
      t.kind === "pit"
        ? `pit-${this.random.uuid()}`
        : this.jwtLike({
            authClass: t.userType,
            authClassId: t.locationId ?? t.companyId,
            source: "INTEGRATION",
            sourceId: t.clientId,
            channel: "OAUTH",
            primaryAuthClassId: t.locationId ?? t.companyId,
            iat: Math.floor(this.now() / 1000),
            exp: t.expiresAt ? Math.floor(t.expiresAt / 1000) : undefined,
            nonce: this.random.hex(8),
          });
    this.db
      .prepare(
        `INSERT INTO tokens (token, kind, user_type, company_id, location_id, scopes, expires_at, client_id, user_id, seeded)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        token,
        t.kind,
        t.userType,
        t.companyId,
        t.locationId ?? null,
        t.scopes.join(" "),
        t.expiresAt ?? null,
        t.clientId ?? null,
        t.userId,
        t.seeded ? 1 : 0,
      );
    return this.lookup(token)!;
  }

  /** The principal behind a bearer token, or null when unknown or expired. */
  lookup(token: string): Principal | null {
    const row = this.db.prepare("SELECT * FROM tokens WHERE token = ?").get(token) as TokenRow | undefined;
    if (!row) return null;
    if (row.expires_at !== null && row.expires_at <= this.now()) return null;
    return {
      token: row.token,
      kind: row.kind,
      userType: row.user_type,
      companyId: row.company_id,
      locationId: row.location_id,
      scopes: new Set(row.scopes.split(" ").filter(Boolean)),
      expiresAt: row.expires_at,
      clientId: row.client_id,
      userId: row.user_id,
    };
  }

  issueCode(grant: Grant, redirectUri: string | null, ttlMs = 10 * 60_000): string {
    const code = this.random.hex(40);
    this.db
      .prepare("INSERT INTO oauth_codes (code, grant_json, redirect_uri, expires_at) VALUES (?, ?, ?, ?)")
      .run(code, JSON.stringify(grant), redirectUri, this.now() + ttlMs);
    return code;
  }

  /** Codes are single-use. Returns the grant, or why it cannot be used. */
  consumeCode(code: string, clientId: string, redirectUri: string | undefined): Grant | string {
    const row = this.db.prepare("SELECT * FROM oauth_codes WHERE code = ?").get(code) as
      | { grant_json: string; redirect_uri: string | null; expires_at: number; used_at: number | null }
      | undefined;
    if (!row) return "Invalid authorization code";
    if (row.used_at !== null) return "Authorization code has already been used";
    if (row.expires_at <= this.now()) return "Authorization code has expired";
    const grant = JSON.parse(row.grant_json) as Grant;
    if (grant.clientId !== clientId) return "Authorization code was issued to another client";
    if (redirectUri && row.redirect_uri && redirectUri !== row.redirect_uri)
      return "redirect_uri does not match";
    this.db.prepare("UPDATE oauth_codes SET used_at = ? WHERE code = ?").run(this.now(), code);
    return grant;
  }

  issueRefresh(grant: Grant, ttlMs = 365 * 86_400_000): string {
    const token = this.jwtLike({
      authClass: grant.userType,
      authClassId: grant.locationId ?? grant.companyId,
      sourceId: grant.clientId,
      refresh: true,
      nonce: this.random.hex(8),
    });
    this.db
      .prepare("INSERT INTO refresh_tokens (token, grant_json, expires_at) VALUES (?, ?, ?)")
      .run(token, JSON.stringify(grant), this.now() + ttlMs);
    return token;
  }

  /** Refresh tokens are single-use: the first use spends it. */
  consumeRefresh(token: string, clientId: string): Grant | string {
    const row = this.db.prepare("SELECT * FROM refresh_tokens WHERE token = ?").get(token) as
      | { grant_json: string; expires_at: number; used_at: number | null }
      | undefined;
    if (!row) return "Invalid refresh token";
    if (row.used_at !== null) return "Refresh token has already been used";
    if (row.expires_at <= this.now()) return "Refresh token has expired";
    const grant = JSON.parse(row.grant_json) as Grant;
    if (grant.clientId !== clientId) return "Refresh token was issued to another client";
    this.db.prepare("UPDATE refresh_tokens SET used_at = ? WHERE token = ?").run(this.now(), token);
    return grant;
  }
}
