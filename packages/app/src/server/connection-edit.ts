// Renaming a connection, choosing its locations, and removing it (refused while enabled flows use it),
// for `PUT`/`DELETE /api/connections/:id` and `hlconnect connections remove`. Errors are HttpErrors:
// the API answers them as they are, the CLI prints their message.
import { flowsUsing } from "@hlconnect/engine/connections/status";
import type { Engine } from "@hlconnect/engine/engine";
import type { ConnectionRecord } from "@hlconnect/engine/store/types";
import { HttpError } from "./http-errors.ts";

const EDITABLE = ["label", "locationIds"];
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
  const saved = await engine.store.saveConnection({
    id,
    label,
    kind: existing.kind,
    locationIds,
    ...(existing.companyId ? { companyId: existing.companyId } : {}),
    scopes: existing.scopes,
    ...(existing.clientId ? { clientId: existing.clientId } : {}),
  });
  engine.clients.forget(id);
  return saved;
}

/** Delete a connection that no enabled flow uses; the 409 names the flows that do. */
export async function removeConnection(engine: Engine, id: string): Promise<ConnectionRecord> {
  const existing = await engine.store.getConnection(id);
  if (!existing) throw new HttpError(404, `no connection "${id}"`);
  const users = (await flowsUsing(engine.store, id)).filter((f) => f.enabled);
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
  return existing;
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
