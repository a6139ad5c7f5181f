// What every route module is built from.
import type { Engine } from "@hlconnect/engine/engine";
import type { AppLogger } from "./logging.ts";
import type { Metrics } from "./metrics.ts";

export interface ServerDeps {
  engine: Engine;
  logger: AppLogger;
  metrics: Metrics;
  /** Where flows saved through the API are written as YAML files; without it they live in the store only. */
  flowsDir?: string;
  /** The server's data folder (past BatchLeads imports are kept there). */
  dataDir?: string;
}
