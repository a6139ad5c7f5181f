// The vault of a PostgreSQL store: the per-install salt and the key check live in the meta table, so every
// process sharing the database derives the same key (and a wrong HLCONNECT_SECRET is refused).
import type pg from "pg";
import { generateSalt } from "../../secrets/key.ts";
import { unlockVault } from "../../secrets/unlock.ts";
import type { Vault } from "../../secrets/vault.ts";

async function getMeta(pool: pg.Pool, key: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ value: string }>("SELECT value FROM meta WHERE key = $1", [key]);
  return rows[0]?.value;
}

/** Insert unless present, then read back: when two processes start together, the first value wins. */
async function ensureMeta(pool: pg.Pool, key: string, value: string): Promise<string> {
  await pool.query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
    key,
    value,
  ]);
  return (await getMeta(pool, key))!;
}

export async function openPgVault(pool: pg.Pool, secret: string, where: string): Promise<Vault> {
  const salt = Buffer.from(await ensureMeta(pool, "vault.salt", generateSalt().toString("base64")), "base64");
  const stored = await getMeta(pool, "vault.check");
  const { vault, check } = await unlockVault(secret, { salt, check: stored, where });
  if (stored === undefined && (await ensureMeta(pool, "vault.check", check)) !== check) {
    await unlockVault(secret, { salt, check: await getMeta(pool, "vault.check"), where });
  }
  return vault;
}
