// Turns the HLCONNECT_SECRET setting into a 32-byte AES key. A setting that already is a key (hex or
// base64) is used as is; anything else is a passphrase stretched with scrypt and a per-install salt.
import { randomBytes, scrypt } from "node:crypto";
import { SecretKeyError } from "./errors.ts";

export const KEY_BYTES = 32;
export const SALT_BYTES = 16;
/** Shorter passphrases are refused: scrypt slows guessing down, it cannot rescue a tiny key space. */
export const MIN_PASSPHRASE_LENGTH = 12;

// N = 2^15 costs ~32 MiB and ~100 ms once per process start: fine for a server, costly for an attacker.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export type SecretSpec = { kind: "key"; key: Buffer } | { kind: "passphrase"; passphrase: string };

/** Classify a secret setting. `name` is what error messages call it. */
export function parseSecret(secret: string, name = "HLCONNECT_SECRET"): SecretSpec {
  // Env files and secret mounts often carry a trailing newline.
  const value = secret.trim();
  if (value === "") throw new SecretKeyError(`${name} is empty`);
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: "key", key: Buffer.from(value, "hex") };
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (key.length === KEY_BYTES) return { kind: "key", key };
  }
  if (value.length < MIN_PASSPHRASE_LENGTH) {
    throw new SecretKeyError(
      `${name} is too short: use a 32-byte key (64 hex characters or 44 base64 characters) ` +
        `or a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters`,
    );
  }
  return { kind: "passphrase", passphrase: value };
}

export function deriveKey(passphrase: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize("NFC"), salt, KEY_BYTES, SCRYPT, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** The AES key for a secret setting; `salt` is only used for passphrases. */
export async function keyFromSecret(secret: string, salt: Uint8Array, name?: string): Promise<Buffer> {
  const spec = parseSecret(secret, name);
  return spec.kind === "key" ? spec.key : deriveKey(spec.passphrase, salt);
}

/** A fresh random key in base64, suitable as HLCONNECT_SECRET. */
export function generateSecret(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

export function generateSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}
