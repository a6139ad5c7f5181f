// Which stored connection, and which of its locations, a request works through: the one place the
// MCP tools, the builder's helpers and web imports make that choice, so they agree with the engine on
// the defaults (the connection holding the location asked for, else the default connection, the first
// one added; its first location) and on refusing a location the connection does not hold.
import { type CatalogContext, createContext } from "@hlconnect/catalog";
import { defaultConnection } from "@hlconnect/engine/connections/default";
import type { Engine } from "@hlconnect/engine/engine";
import type { ConnectionRecord } from "@hlconnect/engine/store/types";

export type ConnectionChoiceProblem = "unknown-connection" | "choose-connection" | "location";

export class ConnectionChoiceError extends Error {
  constructor(
    message: string,
    /** What was wrong: a named connection that does not exist, no connection at all, or the location. */
    readonly problem: ConnectionChoiceProblem,
  ) {
    super(message);
    this.name = "ConnectionChoiceError";
  }
}

export interface ConnectionChoice {
  connection: ConnectionRecord;
  /** Absent only with `locationRequired: false` for a connection that lists no location. */
  locationId: string | undefined;
}

/**
 * Connection `id` (when absent: the one holding `locationId`, else the default connection) and location
 * `locationId` (its first when absent).
 * A location connection must hold the location; an agency connection reaches its sub-accounts by minting
 * location tokens, so any location goes.
 */
export async function chooseConnection(
  engine: Engine,
  id: string | undefined,
  locationId: string | undefined,
  options: { locationRequired?: boolean } = {},
): Promise<ConnectionChoice> {
  const all = await engine.store.listConnections();
  const connection = id ? all.find((c) => c.id === id) : unnamed(all, locationId);
  if (!connection) {
    const known = all.map((c) => `${c.id} ("${c.label}")`).join(", ");
    if (id) {
      throw new ConnectionChoiceError(
        `there is no connection "${id}"${known ? `; connections: ${known}` : ""}`,
        "unknown-connection",
      );
    }
    throw new ConnectionChoiceError(
      "there is no HighLevel connection yet: add one with `hlconnect connections add`",
      "choose-connection",
    );
  }
  const location = locationId ?? connection.locationIds[0];
  if (!location) {
    if (options.locationRequired === false) return { connection, locationId: undefined };
    throw new ConnectionChoiceError(
      `connection ${connection.id} lists no location: name the location id to use`,
      "location",
    );
  }
  if (connection.kind !== "agency" && !connection.locationIds.includes(location)) {
    throw new ConnectionChoiceError(
      `connection ${connection.id} serves location ${connection.locationIds.join(", ") || "(none)"}, not ${location}`,
      "location",
    );
  }
  return { connection, locationId: location };
}

/** With no connection named: a holder of the location (a working one first), else the default. */
function unnamed(all: ConnectionRecord[], locationId: string | undefined): ConnectionRecord | undefined {
  const holders = locationId ? all.filter((c) => c.locationIds.includes(locationId)) : [];
  return holders.find((c) => c.status === "ok") ?? holders[0] ?? defaultConnection(all);
}

export interface ContextSource {
  context: () => Promise<CatalogContext>;
  /** For the log: which connection and location. */
  describe: string;
}

/** A catalog context through the chosen connection; `fetch` lets a caller watch the requests it makes. */
export async function connectionContext(
  engine: Engine,
  id: string | undefined,
  locationId: string | undefined,
  options: { fetch?: typeof fetch; locationRequired?: boolean } = {},
): Promise<ContextSource> {
  const { connection, locationId: location } = await chooseConnection(engine, id, locationId, options);
  return {
    describe: `connection ${connection.id}${location ? `, location ${location}` : ""}`,
    context: async () =>
      createContext({
        client: await engine.clients.client(
          connection,
          location,
          options.fetch ? { fetch: options.fetch } : {},
        ),
        ...(location ? { locationId: location } : {}),
        ...(connection.companyId ? { companyId: connection.companyId } : {}),
      }),
  };
}
