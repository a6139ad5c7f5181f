// Numbered schema migrations of the embedded database (store and job queue share one file). A released
// migration is never edited: changes go in a new one with the next number. JSON columns hold JSON text;
// columns named "sealed_*" hold vault-sealed text, never plaintext secrets.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "flows, connections, trigger state, runs, steps, locks",
    sql: `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE flows (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  file_path TEXT,
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'error')),
  status_reason TEXT,
  trigger_key TEXT,
  connection_ids TEXT NOT NULL DEFAULT '[]',
  sealed_hook_secret TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE trigger_state (
  flow_id TEXT PRIMARY KEY REFERENCES flows (id) ON DELETE CASCADE,
  cursor TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('pit', 'oauth', 'agency')),
  location_ids TEXT NOT NULL DEFAULT '[]',
  company_id TEXT,
  scopes TEXT NOT NULL DEFAULT '[]',
  client_id TEXT,
  status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reconnect')),
  status_reason TEXT,
  sealed_secrets TEXT,
  sealed_tokens TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  flow_id TEXT NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
  status TEXT NOT NULL
    CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'needs_attention', 'skipped')),
  trigger TEXT NOT NULL,
  event_key TEXT,
  replay_of TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL
) STRICT;
-- The dedupe of trigger events: one run per (flow, event).
CREATE UNIQUE INDEX runs_by_event ON runs (flow_id, event_key) WHERE event_key IS NOT NULL;
CREATE INDEX runs_by_flow ON runs (flow_id, id);
CREATE INDEX runs_by_status ON runs (status, id);
CREATE INDEX runs_by_finish ON runs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE steps (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'unknown_outcome', 'skipped')),
  input TEXT,
  output TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  started_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, step_id)
) STRICT;

-- Leases: a row is a held lock; an expired one may be taken over.
CREATE TABLE locks (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 2,
    name: "webhook inbox, alerts",
    sql: `
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  location_id TEXT,
  flow_id TEXT,
  payload TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'routed', 'ignored')),
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  lease_until INTEGER,
  routed_at INTEGER,
  note TEXT,
  UNIQUE (source, webhook_id)
) STRICT;
CREATE INDEX webhooks_open ON webhooks (status, received_at, id);

CREATE TABLE alerts (
  key TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  message TEXT NOT NULL,
  flow_id TEXT,
  run_id TEXT,
  sent_at INTEGER NOT NULL
) STRICT;
CREATE INDEX alerts_by_time ON alerts (sent_at);
`,
  },
  {
    version: 3,
    name: "job queue",
    sql: `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL UNIQUE,
  available_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  lease_id TEXT,
  lease_until INTEGER,
  worker_id TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_by_availability ON jobs (available_at, id);
`,
  },
  {
    version: 4,
    name: "dry runs",
    sql: `
ALTER TABLE flows ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0;
`,
  },
  {
    version: 5,
    name: "connection test outcome",
    sql: `
ALTER TABLE connections ADD COLUMN tested_at INTEGER;
ALTER TABLE connections ADD COLUMN test_ok INTEGER;
ALTER TABLE connections ADD COLUMN test_reason TEXT;
`,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
