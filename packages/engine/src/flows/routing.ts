// Whether a flow can reach a connection at all, checked when it is saved or enabled, so a flow that
// would only ever fail or drop its events is refused up front with the fix named. Instant HighLevel
// events carry their location and go to the connection holding it; everything else that names no
// connection uses the default one (the first added). So only a named connection that does not exist
// cannot be routed.
import type { Store } from "../store/types.ts";
import type { Flow, FlowError } from "./types.ts";

export async function routingProblem(
  store: Store,
  flow: Flow,
  source: string,
): Promise<FlowError | undefined> {
  const at = position(source, "connection");
  if (flow.connection) {
    if (await store.getConnection(flow.connection)) return undefined;
    const ids = (await store.listConnections()).map((c) => c.id);
    return {
      file: flow.file,
      ...at,
      path: "connection",
      message: `flow ${flow.id} names connection "${flow.connection}", which does not exist`,
      suggestion: ids.length
        ? `use one of: ${ids.join(", ")}`
        : "add it first with `hlconnect connections add`",
    };
  }
  return undefined;
}

/** The line of a top-level key, else the top of the file. */
function position(source: string, key: string): { line: number; column: number } {
  const index = source.split(/\r?\n/).findIndex((l) => l.startsWith(`${key}:`));
  return { line: index >= 0 ? index + 1 : 1, column: 1 };
}
