// Checks a connection by one cheap read through it (the location it serves), for
// `POST /api/connections/:id/test`, `hlconnect connections test` and the test on save. The outcome is
// recorded on the connection (lastTest), so lists show it untested, failing (and why) or ok. It is
// not its status: only a refused refresh marks needs_reconnect and pauses flows. A location read that
// names its company fills in a connection's missing company id (users search needs it).
import { HighLevelError } from "@hlconnect/client";
import type { Engine } from "@hlconnect/engine/engine";
import { NotFoundError } from "@hlconnect/engine/store/errors";
import type { ConnectionRecord } from "@hlconnect/engine/store/types";

export type ConnectionTestResult =
  | { ok: true; connectionId: string; location: { id: string; name?: string; companyId?: string } }
  | { ok: false; connectionId: string; error: string; code?: string; status?: number };

export async function testConnection(engine: Engine, id: string): Promise<ConnectionTestResult | undefined> {
  const connection = await engine.store.getConnection(id);
  if (!connection) return undefined;
  const result = await tryConnection(engine, connection);
  try {
    await engine.store.recordConnectionTest(
      id,
      result.ok ? { ok: true } : { ok: false, reason: result.error },
    );
    if (result.ok && result.location.companyId && !connection.companyId) {
      await recordCompanyId(engine, connection, result.location.companyId);
    }
  } catch (err) {
    // Removed while the test ran: there is nothing left to record it on.
    if (!(err instanceof NotFoundError)) throw err;
  }
  return result;
}

/** Keeps the company id the location named, read again so the test just recorded is not undone. */
async function recordCompanyId(engine: Engine, connection: ConnectionRecord, companyId: string) {
  const current = (await engine.store.getConnection(connection.id)) ?? connection;
  if (current.companyId) return;
  await engine.store.saveConnection({
    id: current.id,
    label: current.label,
    kind: current.kind,
    locationIds: current.locationIds,
    companyId,
    scopes: current.scopes,
    ...(current.clientId ? { clientId: current.clientId } : {}),
  });
  engine.clients.forget(current.id);
}

async function tryConnection(engine: Engine, connection: ConnectionRecord): Promise<ConnectionTestResult> {
  const id = connection.id;
  const locationId = connection.locationIds[0];
  if (!locationId) {
    return { ok: false, connectionId: id, error: "the connection lists no location to test against" };
  }
  try {
    const client = await engine.clients.client(connection, locationId);
    const answer = (await client.callByKey("get-location", { locationId })) as {
      location?: { id?: string; name?: string; companyId?: unknown };
    };
    const companyId = answer.location?.companyId;
    return {
      ok: true,
      connectionId: id,
      location: {
        id: answer.location?.id ?? locationId,
        ...(answer.location?.name ? { name: answer.location.name } : {}),
        ...(typeof companyId === "string" && companyId ? { companyId } : {}),
      },
    };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return {
      ok: false,
      connectionId: id,
      error: e.message,
      ...(err instanceof HighLevelError ? { code: err.code } : {}),
      ...(err instanceof HighLevelError && err.status !== undefined ? { status: err.status } : {}),
    };
  }
}
