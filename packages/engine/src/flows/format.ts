// The structure of a flow file as a zod schema: the one source for structural validation and for
// the published JSON Schema. What needs the catalog or the mapping language is checked in check.ts.
import { z } from "zod";

/** Flow ids appear in URLs (`/hooks/FLOW_ID`), so they are lowercase slugs. */
export const FLOW_ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
/** Step, var and table names appear in expressions (`steps.ID.output`), so they are identifiers. */
export const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** "90s", "5m", "1h", and the way `hlconnect flows list` prints them: "5 min", "2 hours". */
export const DURATION = /^(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)$/i;

const durationText = (what: string) =>
  z.string({ error: `${what} must be a duration such as "5m" or "90s"` }).regex(DURATION, {
    error: `${what} must be a number with s, m or h, such as "5m", "5 min" or "90s"`,
  });

const mapping = z.record(z.string(), z.unknown(), { error: "must be a mapping of field: value" });

const condition = z.unknown().meta({
  description:
    "A condition (see docs/flows.md): the run (filter) or the step (when) is skipped when it is false.",
});

const trigger = z
  .strictObject({
    op: z
      .string({ error: "trigger.op must be a catalog trigger key (text)" })
      .meta({ description: "Catalog trigger key, e.g. highlevel.events.contact-create." })
      .optional(),
    input: mapping.meta({ description: "The trigger's inputs (polling triggers' filters)." }).optional(),
    every: durationText("every")
      .meta({ description: 'How often a polling trigger checks: 1 to 15 minutes, e.g. "5m" (the default).' })
      .optional(),
    webhook: z
      .strictObject({}, { error: "webhook takes no settings: write `webhook: {}`" })
      .nullable()
      .meta({ description: "Run on any JSON posted to POST /hooks/FLOW_ID (with the flow's secret)." })
      .optional(),
  })
  .meta({
    description: "What starts a run: a catalog trigger (`op`) or the flow's own webhook (`webhook: {}`).",
  });

const step = z.strictObject({
  id: z
    .string({ error: "a step id must be text" })
    .regex(NAME, {
      error: "step ids are letters, digits and _ (they are used in expressions as steps.ID.output)",
    })
    .meta({ description: "Unique name of the step; later steps read its result as steps.ID.output." }),
  op: z
    .string({ error: "a step op must be a catalog action key (text)" })
    .meta({ description: "Catalog action key (or a trigger key whose read runs once)." }),
  input: mapping
    .meta({
      description: "The operation's inputs: literal values or {{ templates }} over trigger, steps and vars.",
    })
    .optional(),
  when: condition.optional(),
  retry: z
    .strictObject({
      attempts: z
        .int({ error: "retry.attempts must be a whole number" })
        .min(1, { error: "retry.attempts must be at least 1" })
        .max(10, { error: "retry.attempts must be at most 10" })
        .meta({ description: "Total tries, the first included (1 to 10)." }),
      backoff: durationText("retry.backoff")
        .meta({ description: 'Wait before the second try, doubled each time after (default "30s").' })
        .optional(),
    })
    .meta({ description: "Retries after a failure; unsafe operations with an unknown outcome never repeat." })
    .optional(),
  continueOnError: z
    .boolean({ error: "continueOnError must be true or false" })
    .meta({ description: "Keep running the next steps when this one fails (default false)." })
    .optional(),
});

export const FlowFileSchema = z
  .strictObject({
    id: z
      .string({ error: "the flow id must be text" })
      .regex(FLOW_ID, { error: "the flow id must be a lowercase slug such as new-lead-task" })
      .meta({ description: "Unique slug; also the path of the flow's webhook, /hooks/ID." }),
    name: z
      .string({ error: "the flow name must be text" })
      .min(1, { error: "the flow's name must not be empty" })
      .meta({ description: "Readable name shown in lists and logs." }),
    description: z.string({ error: "description must be text" }).optional(),
    enabled: z
      .boolean({ error: "enabled must be true or false" })
      .meta({ description: "Default true." })
      .optional(),
    connection: z
      .string({ error: "connection must be a connection id" })
      .min(1)
      .meta({ description: "Connection id; defaults to the default connection (the first added)." })
      .optional(),
    trigger,
    filter: condition.optional(),
    vars: z
      .record(z.string().regex(NAME, { error: "var names are letters, digits and _" }), z.unknown(), {
        error: "vars must be a mapping of name: value",
      })
      .meta({ description: "Constants the steps read as vars.NAME." })
      .optional(),
    tables: z
      .record(
        z.string().regex(NAME, { error: "table names are letters, digits and _" }),
        z.record(z.string(), z.unknown(), { error: "must be a mapping of key: value" }),
        { error: "tables must be a mapping of table name: {key: value}" },
      )
      .meta({ description: "Lookup tables for the lookup transform." })
      .optional(),
    steps: z
      .array(step, { error: "steps must be a list" })
      .min(1, { error: "a flow needs at least one step" })
      .meta({ description: "The operations to run, in order." }),
    alerts: z
      .strictObject({
        webhook: z
          .url({ protocol: /^https?$/, error: "alerts.webhook must be an http(s) URL" })
          .meta({ description: "URL that gets a JSON POST when a run fails." })
          .optional(),
      })
      .optional(),
  })
  .meta({ title: "hlconnect flow", description: "A flow: one trigger, an optional filter and steps." });

export type FlowFile = z.output<typeof FlowFileSchema>;

/** The keys allowed in the mapping at a zod issue's path, for "did you mean" on unknown keys. */
export function allowedKeys(path: readonly PropertyKey[]): string[] {
  const inStep = path[0] === "steps" && path.length === 2;
  const byPath: Record<string, z.ZodObject> = {
    "": FlowFileSchema,
    trigger: trigger,
    alerts: FlowFileSchema.shape.alerts.unwrap(),
  };
  if (inStep) return Object.keys(step.shape);
  if (path[0] === "steps" && path[2] === "retry") return Object.keys(step.shape.retry.unwrap().shape);
  const shape = byPath[path.join(".")];
  return shape ? Object.keys(shape.shape) : [];
}
