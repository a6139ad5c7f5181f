// The default connection: the first one added (oldest createdAt, then id). Flows that name no
// connection use it when their event's location does not pick one, so adding a second connection
// never leaves them without one. Every place that chooses a connection asks here.
import type { ConnectionRecord, Store } from "../store/types.ts";

/** The oldest of `all` (ties broken by id), or undefined when there is none. */
export function defaultConnection<T extends Pick<ConnectionRecord, "id" | "createdAt">>(
  all: readonly T[],
): T | undefined {
  let best: T | undefined;
  for (const c of all) {
    if (!best || c.createdAt < best.createdAt || (c.createdAt === best.createdAt && c.id < best.id)) best = c;
  }
  return best;
}

/** The store's default connection. */
export async function findDefaultConnection(store: Store): Promise<ConnectionRecord | undefined> {
  return defaultConnection(await store.listConnections());
}

/** Whether flows naming no connection fall back to `connectionId` (it is the default). */
export async function isDefaultConnection(store: Store, connectionId: string): Promise<boolean> {
  return (await findDefaultConnection(store))?.id === connectionId;
}
