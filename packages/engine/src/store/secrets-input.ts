// Checks on the secrets and token pairs handed to a Store, shared by adapters: what is sealed is exactly
// what was meant, and a malformed token set is refused with the field named.
import type { TokenSet } from "@hlconnect/client";
import { InvalidInputError } from "./errors.ts";
import type { ConnectionSecrets } from "./types.ts";
import { optionalText, requireOneOf, requireText, textList } from "./validate.ts";

/** Only known fields, only strings. */
export function cleanSecrets(id: string, secrets: ConnectionSecrets): ConnectionSecrets {
  const out: ConnectionSecrets = {};
  for (const key of ["privateToken", "clientSecret"] as const) {
    const value = optionalText(secrets[key], `connection "${id}": ${key}`);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function checkTokens(id: string, tokens: TokenSet): TokenSet {
  const where = `connection "${id}": token set`;
  if (!tokens || typeof tokens !== "object") throw new InvalidInputError(`${where} must be an object`);
  requireText(tokens.accessToken, `${where}: accessToken`);
  optionalText(tokens.refreshToken, `${where}: refreshToken`);
  if (typeof tokens.expiresAt !== "number" || !Number.isFinite(tokens.expiresAt)) {
    throw new InvalidInputError(`${where}: expiresAt must be a time in epoch milliseconds`);
  }
  requireOneOf(tokens.userType, ["Company", "Location"], `${where}: userType`);
  if (tokens.scopes !== undefined) textList(tokens.scopes, `${where}: scopes`);
  return tokens;
}
