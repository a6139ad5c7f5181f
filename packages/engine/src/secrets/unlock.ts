// Opening a vault against a store that remembers a "key check": a constant sealed with the key on first
// use. A different HLCONNECT_SECRET then fails at start-up with a clear message, instead of every
// connection later failing to decrypt (or, worse, new secrets being sealed with a second key).
import { SecretDecryptError, SecretKeyError } from "./errors.ts";
import { keyFromSecret } from "./key.ts";
import { Vault } from "./vault.ts";

const CHECK_CONTEXT = "hlconnect:key-check";
const CHECK_PLAINTEXT = "hlconnect key check v1";

export interface UnlockOptions {
  /** The per-install salt (used when the secret is a passphrase). */
  salt: Uint8Array;
  /** The key check stored earlier, if any. */
  check: string | undefined;
  /** Where the data lives, for the error message. */
  where?: string;
  /** What the secret setting is called, for error messages. */
  name?: string;
}

/** The vault, and the key check to store when none was stored yet. */
export async function unlockVault(
  secret: string,
  options: UnlockOptions,
): Promise<{ vault: Vault; check: string }> {
  const name = options.name ?? "HLCONNECT_SECRET";
  const vault = new Vault(await keyFromSecret(secret, options.salt, name));
  if (options.check === undefined) return { vault, check: vault.seal(CHECK_PLAINTEXT, CHECK_CONTEXT) };
  let opened: string | undefined;
  try {
    opened = vault.open(options.check, CHECK_CONTEXT);
  } catch (error) {
    if (!(error instanceof SecretDecryptError)) throw error;
  }
  if (opened !== CHECK_PLAINTEXT) {
    const where = options.where ? ` (${options.where})` : "";
    throw new SecretKeyError(
      `${name} does not match the secret the stored data was encrypted with${where}. ` +
        `Start with the original ${name}; the encrypted connection secrets cannot be read with another one.`,
    );
  }
  return { vault, check: options.check };
}
