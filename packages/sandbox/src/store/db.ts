// SQLite storage. Resources are JSON documents in one `records` table (kind, id, owning
// location, parent, sort key); auth state has its own tables because it is queried by value.
import Database from "better-sqlite3";

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  location_id TEXT,
  parent_id TEXT,
  sort_ms INTEGER NOT NULL DEFAULT 0,
  doc TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS records_by_location ON records (kind, location_id, sort_ms, id);
CREATE INDEX IF NOT EXISTS records_by_parent ON records (kind, parent_id, sort_ms, id);
-- Duplicate lookups (upsert, create, duplicate search) by email and phone, without reading every contact.
CREATE INDEX IF NOT EXISTS contacts_by_email ON records (location_id, lower(json_extract(doc, '$.email')))
  WHERE kind = 'contact';
CREATE INDEX IF NOT EXISTS contacts_by_phone ON records (location_id, json_extract(doc, '$.phone'))
  WHERE kind = 'contact';
CREATE TABLE IF NOT EXISTS tokens (
  token TEXT PRIMARY KEY,
  kind TEXT NOT NULL,            -- pit | oauth
  user_type TEXT NOT NULL,       -- Location | Company
  company_id TEXT NOT NULL,
  location_id TEXT,
  scopes TEXT NOT NULL,          -- space separated
  expires_at INTEGER,            -- epoch ms; null = never (PIT)
  client_id TEXT,
  user_id TEXT NOT NULL,
  seeded INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token TEXT PRIMARY KEY,
  grant_json TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE IF NOT EXISTS oauth_codes (
  code TEXT PRIMARY KEY,
  grant_json TEXT NOT NULL,
  redirect_uri TEXT,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
`;

export function openDb(file: string | undefined): Db {
  const db = new Database(file ?? ":memory:");
  if (file) db.pragma("journal_mode = WAL");
  db.exec(SCHEMA);
  return db;
}

export function wipe(db: Db): void {
  db.exec(
    "DELETE FROM records; DELETE FROM tokens; DELETE FROM refresh_tokens; DELETE FROM oauth_codes; DELETE FROM meta;",
  );
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
  ).run(key, value);
}
