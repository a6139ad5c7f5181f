// Numbered schema migrations of the PostgreSQL store. A released migration is never edited: changes go in
// a new one with the next number. Times are epoch ms (BIGINT, read back as numbers); payload columns hold
// JSON text (exactly as written: a stored JSON null stays apart from SQL NULL); "sealed_*" columns hold
// vault-sealed text, never plaintext secrets. Lists that are filtered on (a flow's connections, a
// connection's locations) are text[] with GIN indexes.

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: "flows, connections, trigger state, runs, steps, webhook inbox, alerts",
    sql: `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE flows (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  file_path TEXT,
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'error')),
  status_reason TEXT,
  trigger_key TEXT,
  connection_ids TEXT[] NOT NULL DEFAULT '{}',
  sealed_hook_secret TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX flows_by_trigger ON flows (trigger_key);
CREATE INDEX flows_by_connection ON flows USING GIN (connection_ids);

CREATE TABLE trigger_state (
  flow_id TEXT PRIMARY KEY REFERENCES flows (id) ON DELETE CASCADE,
  cursor TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE connections (
  id TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('pit', 'oauth', 'agency')),
  location_ids TEXT[] NOT NULL DEFAULT '{}',
  company_id TEXT,
  scopes TEXT[] NOT NULL DEFAULT '{}',
  client_id TEXT,
  status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reconnect')),
  status_reason TEXT,
  sealed_secrets TEXT,
  sealed_tokens TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX connections_by_location ON connections USING GIN (location_ids);

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
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  updated_at BIGINT NOT NULL
);
-- The dedupe of trigger events: one run per (flow, event).
CREATE UNIQUE INDEX runs_by_event ON runs (flow_id, event_key) WHERE event_key IS NOT NULL;
-- The API's pages (newest first, keyset on id) per flow and per status; the sweeper's open runs.
CREATE INDEX runs_by_flow ON runs (flow_id, id DESC);
CREATE INDEX runs_by_status ON runs (status, id DESC);
CREATE INDEX runs_open ON runs (id) WHERE status IN ('queued', 'running');
CREATE INDEX runs_by_finish ON runs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE steps (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id TEXT NOT NULL,
  -- Insertion order, so a retried step keeps its place in listSteps.
  seq BIGSERIAL,
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'unknown_outcome', 'skipped')),
  input TEXT,
  output TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  started_at BIGINT,
  finished_at BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  location_id TEXT,
  flow_id TEXT,
  payload TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'routed', 'ignored')),
  attempts INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT,
  lease_until BIGINT,
  routed_at BIGINT,
  note TEXT,
  UNIQUE (source, webhook_id)
);
-- The router's claim: open deliveries, oldest first; pruning by routed_at.
CREATE INDEX webhooks_open ON webhooks (received_at, id) WHERE status IN ('pending', 'claimed');
CREATE INDEX webhooks_by_routed ON webhooks (routed_at) WHERE routed_at IS NOT NULL;

CREATE TABLE alerts (
  key TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  message TEXT NOT NULL,
  flow_id TEXT,
  run_id TEXT,
  sent_at BIGINT NOT NULL
);
CREATE INDEX alerts_by_time ON alerts (sent_at DESC, key DESC);
`,
  },
  {
    version: 2,
    name: "dry runs",
    sql: `
ALTER TABLE flows ADD COLUMN dry_run BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE runs ADD COLUMN dry_run BOOLEAN NOT NULL DEFAULT FALSE;
`,
  },
  {
    version: 3,
    name: "connection test outcome",
    sql: `
ALTER TABLE connections ADD COLUMN tested_at BIGINT;
ALTER TABLE connections ADD COLUMN test_ok BOOLEAN;
ALTER TABLE connections ADD COLUMN test_reason TEXT;
`,
  },
];

export const PG_LATEST_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
