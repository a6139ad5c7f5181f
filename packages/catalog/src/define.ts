// Small factories that keep declarations plain data and typed: the input schema types `run`.
import { z } from "zod";
import { callOperation, type SpecFieldsOptions, specFields } from "./operation-input.ts";
import type {
  ActionEntry,
  CatalogContext,
  CatalogEntry,
  ExampleInput,
  IdempotencyClass,
  OutputDescription,
  PollingTrigger,
  TriggerEntry,
} from "./types.ts";

export function defineAction<I extends z.ZodType>(entry: Omit<ActionEntry<I>, "kind">): ActionEntry {
  return { kind: "action", ...entry } as unknown as ActionEntry;
}

export function defineTrigger<I extends z.ZodType>(entry: Omit<TriggerEntry<I>, "kind">): TriggerEntry {
  return { kind: "trigger", ...entry } as unknown as TriggerEntry;
}

interface OperationEntryBase {
  key: string;
  name: string;
  description: string;
  category: string;
  operation: string;
  fields?: SpecFieldsOptions;
  output: OutputDescription;
  example: ExampleInput;
  seedName?: string;
  help?: string;
}

/** An action that is exactly one API call with the operation's own inputs. */
export function operationAction(
  e: OperationEntryBase & {
    idempotency: IdempotencyClass;
    /** Shape the validated input before the call (e.g. resolve custom fields). */
    prepare?: (ctx: CatalogContext, input: Record<string, unknown>) => Promise<Record<string, unknown>>;
    /** For reconcilable actions: find the record the call would have made, if it exists already. */
    reconcile?: (ctx: CatalogContext, input: Record<string, unknown>) => Promise<unknown | undefined>;
  },
): ActionEntry {
  const { operation, fields, prepare, reconcile, ...rest } = e;
  const entry = defineAction({
    ...rest,
    operations: [operation],
    input: z.unknown(),
    run: async (ctx, input) =>
      callOperation(
        ctx,
        operation,
        prepare ? await prepare(ctx, input as Record<string, unknown>) : (input as Record<string, unknown>),
      ),
    ...(reconcile ? { reconcile: (ctx, input) => reconcile(ctx, input as Record<string, unknown>) } : {}),
  });
  return lazyInput(entry, () => z.strictObject(specFields(operation, fields)));
}

/** A read that is also a polling trigger: `read` fetches once, `trigger` finds what is new. */
export function operationTrigger(
  e: OperationEntryBase & { trigger: PollingTrigger; extraOperations?: string[] },
): TriggerEntry {
  const { operation, fields, trigger, extraOperations, ...rest } = e;
  const entry = defineTrigger({
    ...rest,
    operations: [operation, ...(extraOperations ?? [])],
    input: z.unknown(),
    trigger,
    read: (ctx, input) => callOperation(ctx, operation, input as Record<string, unknown>),
  });
  return lazyInput(entry, () => z.strictObject(specFields(operation, fields)));
}

/**
 * The input schema is made from the spec when first used: building all of them costs most of a
 * second, which every command that loads the catalog (`ops list`, `--help`) would pay.
 */
function lazyInput<E extends { input: z.ZodType }>(entry: E, make: () => z.ZodType): E {
  let schema: z.ZodType | undefined;
  Object.defineProperty(entry, "input", {
    enumerable: true,
    configurable: true,
    get: () => {
      schema ??= make();
      return schema;
    },
  });
  return entry;
}

/**
 * The entry with some properties replaced or added, keeping the lazy input schema lazy (a spread
 * would build it now).
 */
export function extendEntry(entry: CatalogEntry, changes: Record<string, unknown>): CatalogEntry {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(entry));
  return Object.assign(copy, changes) as unknown as CatalogEntry;
}
