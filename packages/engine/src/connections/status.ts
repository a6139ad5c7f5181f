// A connection that can no longer refresh is marked needs_reconnect and the flows using it are paused
// with a reason that names it; a new authorization of the same connection resumes exactly those flows.
// The reason's prefix is the marker, so a flow paused for another cause is never resumed by mistake.
import type { ConnectionRecord, FlowRecord, Store } from "../store/types.ts";
import { isDefaultConnection } from "./default.ts";

function marker(connectionId: string): string {
  return `connection ${connectionId} `;
}

/** The message a flow is paused with: which connection, why, and what to do about it. */
export function reconnectReason(connection: Pick<ConnectionRecord, "id" | "label" | "kind">, why: string) {
  // The client's error already says "needs to be reconnected" and names the connection: say it once.
  const cause = why
    .replace(/^HighLevel connection needs to be reconnected:\s*/, "")
    .replace(/^connection "[^"]*":\s*/, "")
    .replace(/\.\s*$/, "");
  const fix =
    connection.kind === "pit"
      ? "check its Private Integration Token in HighLevel and add it again"
      : `authorize it again with \`hlconnect connections oauth --reconnect ${connection.id}\` (or GET /oauth/start?reconnect=${connection.id})`;
  return `${marker(connection.id)}("${connection.label}") needs reconnecting: ${cause}. To resume its flows, ${fix}.`;
}

/** Whether the flow is paused because this connection needs reconnecting. */
export function isPausedFor(flow: FlowRecord, connectionId: string): boolean {
  return flow.status === "paused" && (flow.statusReason ?? "").startsWith(marker(connectionId));
}

export async function flowsPausedFor(store: Store, connectionId: string): Promise<FlowRecord[]> {
  return (await store.listFlows({ status: "paused" })).filter((f) => isPausedFor(f, connectionId));
}

/**
 * Flows that run through the connection: those naming it, and those naming none while it is the
 * default connection (they fall back to it).
 */
export async function flowsUsing(store: Store, connectionId: string): Promise<FlowRecord[]> {
  const isDefault = await isDefaultConnection(store, connectionId);
  return (await store.listFlows()).filter(
    (f) => f.connectionIds.includes(connectionId) || (isDefault && f.connectionIds.length === 0),
  );
}

/**
 * Mark the connection needs_reconnect and pause its active flows (and `alsoFlowId`, the flow that hit
 * the error). Returns the flows paused.
 */
export async function markNeedsReconnect(
  store: Store,
  connection: ConnectionRecord,
  why: string,
  alsoFlowId?: string,
): Promise<FlowRecord[]> {
  const reason = reconnectReason(connection, why);
  await store.setConnectionStatus(connection.id, "needs_reconnect", reason);
  const paused: FlowRecord[] = [];
  for (const flow of await flowsUsing(store, connection.id)) {
    // A flow in error, or already paused for something else, keeps its own reason.
    if (flow.status !== "active" && !isPausedFor(flow, connection.id)) continue;
    paused.push(await store.setFlowStatus(flow.id, "paused", reason));
  }
  if (alsoFlowId && !paused.some((f) => f.id === alsoFlowId)) {
    const flow = await store.getFlow(alsoFlowId);
    if (flow?.status === "active") paused.push(await store.setFlowStatus(flow.id, "paused", reason));
  }
  return paused;
}

/** After a successful reconnection: the connection is ok again and the flows it paused are active. */
export async function resumeAfterReconnect(store: Store, connectionId: string): Promise<FlowRecord[]> {
  await store.setConnectionStatus(connectionId, "ok");
  const resumed: FlowRecord[] = [];
  for (const flow of await flowsPausedFor(store, connectionId)) {
    resumed.push(await store.setFlowStatus(flow.id, "active"));
  }
  return resumed;
}
