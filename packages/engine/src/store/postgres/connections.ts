// Connections in PostgreSQL. Secrets and OAuth token pairs are sealed with the vault (bound to the
// connection id and field) before they reach the database, exactly as in the SQLite store.
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
import { opt, type PgContext } from "./context.ts";

interface ConnectionRow {
  id: string;
  label: string;
  kind: ConnectionRecord["kind"];
  location_ids: string[];
  company_id: string | null;
  scopes: string[];
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
    locationIds: row.location_ids,
    ...opt("companyId", row.company_id),
    scopes: row.scopes,
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

export function pgConnections(ctx: PgContext, locks: LockStore): ConnectionStore {
  const { pool } = ctx;
  const get = async (id: string) =>
    (await pool.query<ConnectionRow>("SELECT * FROM connections WHERE id = $1", [id])).rows[0];
  const mustGet = async (id: string) => {
    const row = await get(id);
    if (!row) throw new NotFoundError("connection", id);
    return row;
  };

  return {
    async saveConnection(input: ConnectionInput) {
      const id = input.id === undefined ? newId("con", ctx.now()) : requireText(input.id, "connection id");
      const { rows } = await pool.query<ConnectionRow>(
        `INSERT INTO connections (id, label, kind, location_ids, company_id, scopes, client_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (id) DO UPDATE SET
           label = excluded.label, kind = excluded.kind, location_ids = excluded.location_ids,
           company_id = excluded.company_id, scopes = excluded.scopes, client_id = excluded.client_id,
           updated_at = excluded.updated_at
         RETURNING *`,
        [
          id,
          requireText(input.label, `connection "${id}": label`),
          requireOneOf(input.kind, CONNECTION_KINDS, `connection "${id}": kind`),
          textList(input.locationIds, `connection "${id}": locationIds`),
          optionalText(input.companyId, `connection "${id}": companyId`) ?? null,
          textList(input.scopes, `connection "${id}": scopes`),
          optionalText(input.clientId, `connection "${id}": clientId`) ?? null,
          ctx.now(),
        ],
      );
      return toRecord(rows[0]!);
    },

    async getConnection(id) {
      const row = await get(id);
      return row && toRecord(row);
    },

    async listConnections(filter: ConnectionFilter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown) => `$${params.push(value)}`;
      if (filter.locationId !== undefined)
        where.push(`location_ids @> ARRAY[${param(filter.locationId)}]::text[]`);
      if (filter.companyId !== undefined) where.push(`company_id = ${param(filter.companyId)}`);
      if (filter.kind !== undefined)
        where.push(`kind = ${param(requireOneOf(filter.kind, CONNECTION_KINDS, "connection kind filter"))}`);
      if (filter.status !== undefined)
        where.push(
          `status = ${param(requireOneOf(filter.status, CONNECTION_STATUSES, "connection status filter"))}`,
        );
      const sql = `SELECT * FROM connections ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id`;
      return (await pool.query<ConnectionRow>(sql, params)).rows.map(toRecord);
    },

    async setConnectionStatus(id, status, reason) {
      requireOneOf(status, CONNECTION_STATUSES, `connection "${id}": status`);
      const why = status === "ok" ? null : (reason ?? null);
      const { rows } = await pool.query<ConnectionRow>(
        "UPDATE connections SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4 RETURNING *",
        [status, why, ctx.now(), id],
      );
      if (!rows[0]) throw new NotFoundError("connection", id);
      return toRecord(rows[0]);
    },

    async recordConnectionTest(id, outcome) {
      const reason = outcome.ok
        ? null
        : (optionalText(outcome.reason, `connection "${id}": test reason`) ?? null);
      const { rows } = await pool.query<ConnectionRow>(
        "UPDATE connections SET tested_at = $1, test_ok = $2, test_reason = $3 WHERE id = $4 RETURNING *",
        [ctx.now(), outcome.ok, reason, id],
      );
      if (!rows[0]) throw new NotFoundError("connection", id);
      return toRecord(rows[0]);
    },

    async deleteConnection(id) {
      return ((await pool.query("DELETE FROM connections WHERE id = $1", [id])).rowCount ?? 0) > 0;
    },

    async setConnectionSecrets(id, secrets) {
      const sealed = ctx.vault().seal(JSON.stringify(cleanSecrets(id, secrets ?? {})), secretsContext(id));
      const result = await pool.query(
        "UPDATE connections SET sealed_secrets = $1, updated_at = $2 WHERE id = $3",
        [sealed, ctx.now(), id],
      );
      if (!result.rowCount) throw new NotFoundError("connection", id);
    },

    async getConnectionSecrets(id) {
      const row = await mustGet(id);
      if (row.sealed_secrets === null) return {};
      return JSON.parse(ctx.vault().open(row.sealed_secrets, secretsContext(id))) as ConnectionSecrets;
    },

    tokenStore() {
      return {
        async load(connectionId: string) {
          const row = await get(connectionId);
          if (!row?.sealed_tokens) return undefined;
          return JSON.parse(ctx.vault().open(row.sealed_tokens, tokensContext(connectionId))) as TokenSet;
        },
        async save(connectionId: string, tokens: TokenSet) {
          const text = JSON.stringify(checkTokens(connectionId, tokens));
          const sealed = ctx.vault().seal(text, tokensContext(connectionId));
          const result = await pool.query(
            "UPDATE connections SET sealed_tokens = $1, updated_at = $2 WHERE id = $3",
            [sealed, ctx.now(), connectionId],
          );
          if (!result.rowCount) throw new NotFoundError("connection", connectionId);
        },
        withLock<T>(connectionId: string, fn: () => Promise<T>) {
          return locks.withLock(`connection:${connectionId}`, fn);
        },
      };
    },
  };
}
