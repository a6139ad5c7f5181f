// What a validated flow is: the typed object the runner and scheduler use, and the errors a flow
// file can have, each pointing at a file, line and column.
import type { parseCondition } from "../mapping/index.ts";

/** A parsed condition, as the mapping module's `evaluateCondition` takes it. */
export type Condition = Extract<ReturnType<typeof parseCondition>, { ok: true }>["condition"];

export interface FlowError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the flow, e.g. `steps[1].input.contactId`; empty for the file as a whole. */
  path: string;
  message: string;
  /** A fix to try, e.g. `Did you mean "highlevel.contacts.tasks.create"?` */
  suggestion?: string;
}

export type FlowTrigger =
  /** A catalog trigger the scheduler polls every `intervalMs`. */
  | { type: "polling"; op: string; input: Record<string, unknown>; intervalMs: number }
  /** A catalog trigger fired by HighLevel's webhook. */
  | { type: "instant"; op: string; input: Record<string, unknown> }
  /** Any JSON posted to `POST /hooks/FLOW_ID`. */
  | { type: "webhook" };

export interface FlowRetry {
  /** Total tries, the first included. */
  attempts: number;
  /** Wait before the second try; doubled before each later one. */
  backoffMs: number;
}

export interface FlowStep {
  id: string;
  op: string;
  /** "action" for catalog actions, "read" for a trigger's one-off read used as a step. */
  kind: "action" | "read";
  /** Mapped values as written: `renderValue` renders them against the run's scope. */
  input: Record<string, unknown>;
  when?: Condition;
  retry?: FlowRetry;
  continueOnError: boolean;
}

export interface Flow {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  /** Connection id; absent means the default connection (the first added), unless the event's location picks one. */
  connection?: string;
  trigger: FlowTrigger;
  filter?: Condition;
  vars: Record<string, unknown>;
  tables: Record<string, Record<string, unknown>>;
  steps: FlowStep[];
  alerts?: { webhook?: string };
  /** The file it was read from. */
  file: string;
}

export interface FlowFileResult {
  file: string;
  flow?: Flow;
  errors: FlowError[];
}
