// Connections in SQLite. Their secrets and OAuth token pairs are sealed with the vault, bound to the
// connection id and field, so the file never holds them in clear.
import type { TokenSet } from "@hlconnect/client";
import { NotFoundError } from "../errors.ts";
import { newId } from "../ids.ts";
import { checkTokens, cleanSecrets } from "../secrets-input.ts";
import {
  CONNECTION_KINDS,
  CONNECTION_STATUSES,
  type ConnectionFilter,
  type ConnectionInput,
  type ConnectionRecord,
  type ConnectionSecrets,
  type ConnectionStore,
  type LockStore,
} from "../types.ts";
import { optionalText, requireOneOf, requireText, textList } from "../validate.ts";
import { opt, type SqliteContext } from "./context.ts";

interface ConnectionRow {
  id: string;
  label: string;
  kind: ConnectionRecord["kind"];
  location_ids: string;
  company_id: string | null;
  scopes: string;
  client_id: string | null;
  status: ConnectionRecord["status"];
  status_reason: string | null;
  tested_at: number | string | null;
  test_ok: number | boolean | null;
  test_reason: string | null;
  sealed_secrets: string | null;
  sealed_tokens: string | null;
  created_at: number;
  updated_at: number;
}

function toRecord(row: ConnectionRow): ConnectionRecord {
  return {
    id: row.id,
    label: row.label,
    kind: row.kind,
    locationIds: JSON.parse(row.location_ids) as string[],
    ...opt("companyId", row.company_id),
    scopes: JSON.parse(row.scopes) as string[],
    ...opt("clientId", row.client_id),
    status: row.status,
    ...opt("statusReason", row.status_reason),
    ...(row.tested_at === null
      ? {}
      : {
          lastTest: {
            ok: Boolean(row.test_ok),
            at: Number(row.tested_at),
            ...opt("reason", row.test_reason),
          },
        }),
    hasTokens: row.sealed_tokens !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const secretsContext = (id: string) => `connection:${id}:secrets`;
const tokensContext = (id: string) => `connection:${id}:tokens`;

export function sqliteConnections(ctx: SqliteContext, locks: LockStore): ConnectionStore {
  const { db } = ctx;
  const select = db.prepare("SELECT * FROM connections WHERE id = ?");
  const get = (id: string) => select.get(id) as ConnectionRow | undefined;
  const mustGet = (id: string) => {
    const row = get(id);
    if (!row) throw new NotFoundError("connection", id);
    return row;
  };

  return {
    async saveConnection(input: ConnectionInput) {
      const id = input.id === undefined ? newId("con", ctx.now()) : requireText(input.id, "connection id");
      const params = {
        id,
        label: requireText(input.label, `connection "${id}": label`),
        kind: requireOneOf(input.kind, CONNECTION_KINDS, `connection "${id}": kind`),
        locationIds: JSON.stringify(textList(input.locationIds, `connection "${id}": locationIds`)),
        companyId: optionalText(input.companyId, `connection "${id}": companyId`) ?? null,
        scopes: JSON.stringify(textList(input.scopes, `connection "${id}": scopes`)),
        clientId: optionalText(input.clientId, `connection "${id}": clientId`) ?? null,
        now: ctx.now(),
      };
      return ctx.tx(() => {
        db.prepare(
          `INSERT INTO connections (id, label, kind, location_ids, company_id, scopes, client_id, created_at, updated_at)
           VALUES (@id, @label, @kind, @locationIds, @companyId, @scopes, @clientId, @now, @now)
           ON CONFLICT (id) DO UPDATE SET
             label = excluded.label, kind = excluded.kind, location_ids = excluded.location_ids,
             company_id = excluded.company_id, scopes = excluded.scopes, client_id = excluded.client_id,
             updated_at = excluded.updated_at`,
        ).run(params);
        return toRecord(mustGet(id));
      });
    },

    async getConnection(id) {
      const row = get(id);
      return row && toRecord(row);
    },

    async listConnections(filter: ConnectionFilter = {}) {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (filter.locationId !== undefined) {
        where.push("EXISTS (SELECT 1 FROM json_each(connections.location_ids) WHERE value = @locationId)");
        params.locationId = filter.locationId;
      }
      if (filter.companyId !== undefined) {
        where.push("company_id = @companyId");
        params.companyId = filter.companyId;
      }
      if (filter.kind !== undefined) {
        where.push("kind = @kind");
        params.kind = requireOneOf(filter.kind, CONNECTION_KINDS, "connection kind filter");
      }
      if (filter.status !== undefined) {
        where.push("status = @status");
        params.status = requireOneOf(filter.status, CONNECTION_STATUSES, "connection status filter");
      }
      const sql = `SELECT * FROM connections ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id`;
      return (db.prepare(sql).all(params) as ConnectionRow[]).map(toRecord);
    },

    async setConnectionStatus(id, status, reason) {
      requireOneOf(status, CONNECTION_STATUSES, `connection "${id}": status`);
      const why = status === "ok" ? null : (reason ?? null);
      return ctx.tx(() => {
        mustGet(id);
        db.prepare("UPDATE connections SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?").run(
          status,
          why,
          ctx.now(),
          id,
        );
        return toRecord(mustGet(id));
      });
    },

    async recordConnectionTest(id, outcome) {
      const reason = outcome.ok
        ? null
        : (optionalText(outcome.reason, `connection "${id}": test reason`) ?? null);
      return ctx.tx(() => {
        mustGet(id);
        db.prepare("UPDATE connections SET tested_at = ?, test_ok = ?, test_reason = ? WHERE id = ?").run(
          ctx.now(),
          outcome.ok ? 1 : 0,
          reason,
          id,
        );
        return toRecord(mustGet(id));
      });
    },

    async deleteConnection(id) {
      return db.prepare("DELETE FROM connections WHERE id = ?").run(id).changes > 0;
    },

    async setConnectionSecrets(id, secrets) {
      const sealed = ctx.vault().seal(JSON.stringify(cleanSecrets(id, secrets ?? {})), secretsContext(id));
      const changes = db
        .prepare("UPDATE connections SET sealed_secrets = ?, updated_at = ? WHERE id = ?")
        .run(sealed, ctx.now(), id).changes;
      if (changes === 0) throw new NotFoundError("connection", id);
    },

    async getConnectionSecrets(id) {
      const row = mustGet(id);
      if (row.sealed_secrets === null) return {};
      return JSON.parse(ctx.vault().open(row.sealed_secrets, secretsContext(id))) as ConnectionSecrets;
    },

    tokenStore() {
      return {
        async load(connectionId: string) {
          const row = get(connectionId);
          if (!row?.sealed_tokens) return undefined;
          return JSON.parse(ctx.vault().open(row.sealed_tokens, tokensContext(connectionId))) as TokenSet;
        },
        async save(connectionId: string, tokens: TokenSet) {
          const text = JSON.stringify(checkTokens(connectionId, tokens));
          const sealed = ctx.vault().seal(text, tokensContext(connectionId));
          const changes = db
            .prepare("UPDATE connections SET sealed_tokens = ?, updated_at = ? WHERE id = ?")
            .run(sealed, ctx.now(), connectionId).changes;
          if (changes === 0) throw new NotFoundError("connection", connectionId);
        },
        withLock<T>(connectionId: string, fn: () => Promise<T>) {
          return locks.withLock(`connection:${connectionId}`, fn);
        },
      };
    },
  };
}
