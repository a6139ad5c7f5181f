// One-time links to GET /oauth/start for a browser, which cannot send the API token: the CLI signs the
// link's parameters with a key derived from HLCONNECT_SECRET (which it and the server share through the
// data dir), the server checks the signature and the expiry and accepts each link once.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import type { UserType } from "@hlconnect/client";

export const START_LINK_TTL_MS = 10 * 60_000;

export interface StartParams {
  userType: UserType;
  whiteLabel: boolean;
  label?: string;
  reconnect?: string;
}

/** A key for nothing but start links, so a link can never stand in for anything else the secret protects. */
export function startLinkKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "hlconnect", "oauth start link v1", 32));
}

/** The query string of /oauth/start for these parameters (label, userType, whiteLabel, reconnect). */
export function startQuery(params: StartParams): URLSearchParams {
  const q = new URLSearchParams();
  if (params.label) q.set("label", params.label);
  q.set("userType", params.userType);
  q.set("whiteLabel", params.whiteLabel ? "1" : "0");
  if (params.reconnect) q.set("reconnect", params.reconnect);
  return q;
}

export function signStartLink(serverUrl: string, key: Buffer, params: StartParams, now = Date.now()): string {
  const q = startQuery(params);
  const expires = String(now + START_LINK_TTL_MS);
  const nonce = randomBytes(12).toString("base64url");
  q.set("expires", expires);
  q.set("nonce", nonce);
  q.set("sig", signature(key, params, expires, nonce));
  return `${serverUrl.replace(/\/+$/, "")}/oauth/start?${q}`;
}

export type LinkCheck =
  | { ok: true; nonce: string; expiresAt: number }
  | { ok: false; reason: "bad_signature" | "expired" };

/** Whether the query is a link this server's key signed, for exactly these (already parsed) parameters. */
export function verifyStartLink(
  key: Buffer,
  query: URLSearchParams,
  params: StartParams,
  now: number,
): LinkCheck {
  const expires = query.get("expires") ?? "";
  const nonce = query.get("nonce") ?? "";
  const given = Buffer.from(query.get("sig") ?? "");
  const expected = Buffer.from(signature(key, params, expires, nonce));
  if (!nonce || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad_signature" };
  }
  const expiresAt = Number(expires);
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, nonce, expiresAt };
}

function signature(key: Buffer, p: StartParams, expires: string, nonce: string): string {
  const canonical = JSON.stringify([
    p.label ?? "",
    p.userType,
    p.whiteLabel ? 1 : 0,
    p.reconnect ?? "",
    expires,
    nonce,
  ]);
  return createHmac("sha256", key).update(canonical).digest("base64url");
}
