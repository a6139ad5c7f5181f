// Renaming a connection, choosing its locations, setting its company id, and removing it (refused while
// enabled flows use it), for `PUT`/`DELETE /api/connections/:id` and `hlconnect connections remove`.
// Errors are HttpErrors: the API answers them as they are, the CLI prints their message.
import { defaultConnection } from "@hlconnect/engine/connections/default";
import type { Engine } from "@hlconnect/engine/engine";
import type { ConnectionRecord } from "@hlconnect/engine/store/types";
import { HttpError } from "./http-errors.ts";

const EDITABLE = ["label", "locationIds", "companyId"];
const MAX_LABEL = 200;
const MAX_LOCATIONS = 1_000;

export async function updateConnection(
  engine: Engine,
  id: string,
  body: Record<string, unknown>,
): Promise<ConnectionRecord> {
  const existing = await engine.store.getConnection(id);
  if (!existing) throw new HttpError(404, `no connection "${id}"`);
  const unknown = Object.keys(body).filter((k) => !EDITABLE.includes(k));
  if (unknown.length) {
    throw new HttpError(
      400,
      `cannot change ${unknown.map((k) => `"${k}"`).join(", ")}: only ${EDITABLE.join(" and ")} can be changed ` +
        "(tokens: add the connection again, or reconnect it by OAuth)",
    );
  }
  const label = body.label === undefined ? existing.label : checkLabel(body.label);
  const locationIds =
    body.locationIds === undefined ? existing.locationIds : checkLocations(existing, body.locationIds);
  const companyId =
    body.companyId === undefined ? existing.companyId : checkCompanyId(existing, body.companyId);
  const saved = await engine.store.saveConnection({
    id,
    label,
    kind: existing.kind,
    locationIds,
    ...(companyId ? { companyId } : {}),
    scopes: existing.scopes,
    ...(existing.clientId ? { clientId: existing.clientId } : {}),
  });
  engine.clients.forget(id);
  return saved;
}

/** The removed connection; `newDefault` when it was the default: the connection flows naming none use now. */
export type RemovedConnection = ConnectionRecord & { newDefault?: ConnectionRecord };

/**
 * Delete a connection that no enabled flow uses; the 409 names the flows that do. Flows naming no
 * connection use the default one: removing the default hands them to the next oldest, so they only
 * hold it back when it is the last connection.
 */
export async function removeConnection(engine: Engine, id: string): Promise<RemovedConnection> {
  const all = await engine.store.listConnections();
  const existing = all.find((c) => c.id === id);
  if (!existing) throw new HttpError(404, `no connection "${id}"`);
  const wasDefault = defaultConnection(all)?.id === id;
  const rest = all.filter((c) => c.id !== id);
  const users = (await engine.store.listFlows({ enabled: true })).filter(
    (f) => f.connectionIds.includes(id) || (wasDefault && !rest.length && f.connectionIds.length === 0),
  );
  if (users.length) {
    const them = users.length === 1 ? "it" : "them";
    throw new HttpError(
      409,
      `connection ${id} is used by enabled flow${users.length === 1 ? "" : "s"} ` +
        `${users.map((f) => `${f.id} ("${f.name}")`).join(", ")}: disable ${them} first ` +
        `(\`hlconnect flows disable ID\`) or point ${them} at another connection`,
      { flows: users.map((f) => f.id) },
    );
  }
  await engine.store.deleteConnection(id);
  engine.clients.forget(id);
  const newDefault = wasDefault ? defaultConnection(rest) : undefined;
  return { ...existing, ...(newDefault ? { newDefault } : {}) };
}

function checkLabel(value: unknown): string {
  if (typeof value !== "string" || !value.trim())
    throw new HttpError(400, '"label" must be a non-empty string');
  if (value.trim().length > MAX_LABEL)
    throw new HttpError(400, `"label" must be at most ${MAX_LABEL} characters`);
  return value.trim();
}

function checkLocations(c: ConnectionRecord, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string" || !v.trim())) {
    throw new HttpError(400, '"locationIds" must be an array of location ids (non-empty strings)');
  }
  const ids = [...new Set(value.map((v: string) => v.trim()))];
  if (ids.length === 0) throw new HttpError(400, '"locationIds" must name at least one location');
  if (ids.length > MAX_LOCATIONS) throw new HttpError(400, `"locationIds" may list at most ${MAX_LOCATIONS}`);
  if (c.kind === "oauth" && (ids.length !== 1 || ids[0] !== c.locationIds[0])) {
    throw new HttpError(
      400,
      `connection ${c.id} was authorized for location ${c.locationIds[0]} and serves only it: ` +
        "authorize another location with `hlconnect connections oauth`, or use an agency connection",
    );
  }
  if (c.kind === "pit" && ids.length !== 1) {
    throw new HttpError(
      400,
      `connection ${c.id} holds a location's Private Integration Token: give exactly one location`,
    );
  }
  return ids;
}

/** A company (agency) id for a PIT connection: users search needs it; "" or null clears it. */
function checkCompanyId(c: ConnectionRecord, value: unknown): string | undefined {
  if (value === null || value === "") return undefined;
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]{1,100}$/.test(value.trim())) {
    throw new HttpError(
      400,
      '"companyId" must be a company id (letters, digits, - and _), or "" to clear it',
    );
  }
  if (c.kind === "agency" && value.trim() !== c.companyId) {
    throw new HttpError(
      400,
      `connection ${c.id} was authorized for agency ${c.companyId}: its company id cannot change`,
    );
  }
  return value.trim();
}
