// Where the MCP tools' HighLevel calls go: a stored connection of the data dir (its client shares the
// engine's rate limiter and token refreshes), or the HIGHLEVEL_* variables the `ops` commands read.
// A context is made per call, so custom fields created since the last call are found by name.
import { type CatalogContext, createContext } from "@hlconnect/catalog";
import type { HighLevelClient } from "@hlconnect/client";
import type { Engine } from "@hlconnect/engine/engine";

export class ConnectionChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionChoiceError";
  }
}

export interface ContextSource {
  context: () => Promise<CatalogContext>;
  /** For the log: which connection and location. */
  describe: string;
}

/** A stored connection (the only one when `id` is absent) and one of its locations. */
export async function connectionContext(
  engine: Engine,
  id: string | undefined,
  locationId: string | undefined,
): Promise<ContextSource> {
  const all = await engine.store.listConnections();
  const connection = id ? all.find((c) => c.id === id) : all.length === 1 ? all[0] : undefined;
  if (!connection) {
    const known = all.map((c) => `${c.id} ("${c.label}")`).join(", ");
    throw new ConnectionChoiceError(
      id
        ? `there is no connection "${id}"${known ? `; connections: ${known}` : ""}`
        : all.length === 0
          ? "there is no HighLevel connection yet: add one with `hlconnect connections add`"
          : `say which connection to use (there are ${all.length}: ${known})`,
    );
  }
  const location = locationId ?? connection.locationIds[0];
  if (!location) {
    throw new ConnectionChoiceError(
      `connection ${connection.id} lists no location: give one with --location (or ?location=)`,
    );
  }
  if (connection.kind !== "agency" && !connection.locationIds.includes(location)) {
    throw new ConnectionChoiceError(
      `connection ${connection.id} serves location ${connection.locationIds.join(", ")}, not ${location}`,
    );
  }
  return {
    describe: `connection ${connection.id}, location ${location}`,
    context: async () =>
      createContext({
        client: await engine.clients.client(connection, location),
        locationId: location,
        ...(connection.companyId ? { companyId: connection.companyId } : {}),
      }),
  };
}

/** One client from the environment (its rate limiter lives as long as the process). */
export function clientContext(client: HighLevelClient): ContextSource {
  if (!client.locationId) {
    throw new ConnectionChoiceError(
      "HIGHLEVEL_LOCATION_ID is not set: the tools work on one location (e.g. from `hlconnect sandbox --json`)",
    );
  }
  return {
    describe: `HIGHLEVEL_* environment, location ${client.locationId}`,
    context: async () => createContext({ client }),
  };
}
