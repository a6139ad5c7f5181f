// What every route module is built from.
import type { Engine } from "@hlconnect/engine/engine";
import type { AppLogger } from "./logging.ts";
import type { Metrics } from "./metrics.ts";

export interface ServerDeps {
  engine: Engine;
  logger: AppLogger;
  metrics: Metrics;
}
