// Flows as files: the YAML format, its validation with file:line:column errors, loading a
// directory of flows, and the JSON Schema editors use.
export { parseDuration } from "./duration.ts";
export { FLOW_ID, type FlowFile, FlowFileSchema } from "./format.ts";
export { flowJsonSchema } from "./json-schema.ts";
export { loadFlowsFromDir } from "./load.ts";
export { parseFlowFile } from "./parse.ts";
export type {
  Condition,
  Flow,
  FlowError,
  FlowFileResult,
  FlowRetry,
  FlowStep,
  FlowTrigger,
} from "./types.ts";

import type { FlowError } from "./types.ts";

/** `flows/a.yaml:12:7: unknown key "stpes" in the flow (Did you mean "steps"?)` */
export function formatFlowError(e: FlowError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.message}${e.suggestion ? ` (${e.suggestion})` : ""}`;
}
