// The vault of an SQLite store: the per-install salt and the key check live in the meta table.
import { SecretKeyError } from "../../secrets/errors.ts";
import { generateSalt } from "../../secrets/key.ts";
import { unlockVault } from "../../secrets/unlock.ts";
import type { Vault } from "../../secrets/vault.ts";
import type { SqliteDb } from "./db.ts";

const SALT_KEY = "vault.salt";
const CHECK_KEY = "vault.check";

function getMeta(db: SqliteDb, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

/** Insert unless present, then read back: when two processes start together, the first value wins. */
function ensureMeta(db: SqliteDb, key: string, value: string): string {
  db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING").run(key, value);
  return getMeta(db, key)!;
}

export async function openStoreVault(db: SqliteDb, secret: string, where: string): Promise<Vault> {
  const salt = Buffer.from(ensureMeta(db, SALT_KEY, generateSalt().toString("base64")), "base64");
  const stored = getMeta(db, CHECK_KEY);
  const { vault, check } = await unlockVault(secret, { salt, check: stored, where });
  if (stored === undefined && ensureMeta(db, CHECK_KEY, check) !== check) {
    // Another process stored its check first; ours must agree with it.
    await unlockVault(secret, { salt, check: getMeta(db, CHECK_KEY), where });
  }
  return vault;
}

export function missingVault(): Vault {
  throw new SecretKeyError(
    "HLCONNECT_SECRET is not set: it is needed to encrypt and decrypt connection secrets and tokens " +
      "(set it to a passphrase, or to a key made with `node -e \"console.log(crypto.randomBytes(32).toString('base64'))\"`)",
  );
}
