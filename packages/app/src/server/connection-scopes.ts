// Does a connection's token hold every scope the flows that use it need? For `connections add`,
// `connections test`, POST /api/connections and the web app's connections page, so that a missing
// scope is named when the token is saved ("flow welcome-call-task needs contacts.write"), not when a
// run fails on it. OAuth connections know their scopes from the token answer; Private Integration
// Tokens are probed (see scope-probe.ts).
import { defaultConnection } from "@hlconnect/engine/connections/default";
import { probeScopes } from "@hlconnect/engine/connections/scope-probe";
import type { Engine } from "@hlconnect/engine/engine";
import {
  type FlowRequirements,
  flowRequirements,
  type MissingScope,
  missingScopes,
} from "@hlconnect/engine/flows/requirements";
import type { ConnectionRecord } from "@hlconnect/engine/store/types";

export interface ConnectionScopeReport {
  /** The flows that run on this connection, with what each needs. */
  flows: FlowRequirements[];
  missing: MissingScope[];
  /** Scopes that could not be checked (no harmless request exists, or the check failed). */
  unchecked: Array<{ scope: string; reason: string }>;
  /** "token": the scopes the token reported; "probe": one harmless request per scope. */
  source: "token" | "probe";
}

/** The flows that run on `connection`: those naming it, and those naming none when it is the default. */
async function flowsUsing(engine: Engine, connection: ConnectionRecord): Promise<FlowRequirements[]> {
  const all = await engine.store.listConnections();
  const isDefault = all.length === 0 || defaultConnection(all)?.id === connection.id;
  const out: FlowRequirements[] = [];
  for (const record of await engine.store.listFlows()) {
    let flow: ReturnType<Engine["env"]["parseFlow"]>;
    try {
      flow = engine.env.parseFlow(record.source, record.filePath ?? `${record.id}.yaml`);
    } catch {
      continue; // a flow that no longer validates is reported where flows are listed
    }
    if (flow.connection === connection.id || (!flow.connection && isDefault))
      out.push(flowRequirements(flow));
  }
  return out;
}

export async function connectionScopeReport(
  engine: Engine,
  connection: ConnectionRecord,
): Promise<ConnectionScopeReport> {
  const flows = await flowsUsing(engine, connection);
  const needed = [...new Set(flows.flatMap((f) => f.scopes))];
  if (connection.scopes.length) {
    return { flows, missing: missingScopes(flows, connection.scopes), unchecked: [], source: "token" };
  }
  const locationId = connection.locationIds[0];
  if (!needed.length || !locationId) return { flows, missing: [], unchecked: [], source: "probe" };
  const client = await engine.clients.client(connection, locationId);
  const probe = await probeScopes(client, locationId, needed);
  const held = new Set([...probe.granted, ...probe.unknown.map((u) => u.scope)]);
  return { flows, missing: missingScopes(flows, held), unchecked: probe.unknown, source: "probe" };
}
