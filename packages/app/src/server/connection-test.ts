// Checks a connection by one cheap read through it (the location it serves), for
// `POST /api/connections/:id/test` and `hlconnect connections test`.
import { HighLevelError } from "@hlconnect/client";
import type { Engine } from "@hlconnect/engine/engine";

export type ConnectionTestResult =
  | { ok: true; connectionId: string; location: { id: string; name?: string } }
  | { ok: false; connectionId: string; error: string; code?: string; status?: number };

export async function testConnection(engine: Engine, id: string): Promise<ConnectionTestResult | undefined> {
  const connection = await engine.store.getConnection(id);
  if (!connection) return undefined;
  const locationId = connection.locationIds[0];
  if (!locationId) {
    return { ok: false, connectionId: id, error: "the connection lists no location to test against" };
  }
  try {
    const client = await engine.clients.client(connection, locationId);
    const answer = (await client.callByKey("get-location", { locationId })) as {
      location?: { id?: string; name?: string };
    };
    return {
      ok: true,
      connectionId: id,
      location: {
        id: answer.location?.id ?? locationId,
        ...(answer.location?.name ? { name: answer.location.name } : {}),
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
