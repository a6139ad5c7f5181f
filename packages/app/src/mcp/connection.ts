// Where the MCP tools' HighLevel calls go: a stored connection of the data dir (its client shares the
// engine's rate limiter and token refreshes), or the HIGHLEVEL_* variables the `ops` commands read.
// A context is made per call, so custom fields created since the last call are found by name.
import { createContext } from "@hlconnect/catalog";
import type { HighLevelClient } from "@hlconnect/client";
import { ConnectionChoiceError, type ContextSource } from "../connections/choose.ts";

// The choice of a stored connection is shared with the web app (connections/choose.ts).
export { ConnectionChoiceError, type ContextSource, connectionContext } from "../connections/choose.ts";

/** One client from the environment (its rate limiter lives as long as the process). */
export function clientContext(client: HighLevelClient): ContextSource {
  if (!client.locationId) {
    throw new ConnectionChoiceError(
      "HIGHLEVEL_LOCATION_ID is not set: the tools work on one location (e.g. from `hlconnect sandbox --json`)",
      "location",
    );
  }
  return {
    describe: `HIGHLEVEL_* environment, location ${client.locationId}`,
    context: async () => createContext({ client }),
  };
}
